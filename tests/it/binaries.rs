use std::{process::Command, time::Duration};

use booking_core::tenant::TenantSchema;
use secrecy::ExposeSecret;
use system_tests::{Service, binary};
use test_support::TestDb;

/// Variables for one process.
type Env<'a> = Vec<(&'a str, String)>;

/// Each service starts from its environment, answers /health, /ready and /metrics, and exits
/// cleanly (status 0) on SIGTERM.
#[tokio::test]
async fn every_service_serves_its_endpoints_and_stops_on_sigterm() {
    let t = TestDb::new().await;
    let (tenant, password) = t.tenant("Salon", chrono_tz::Europe::Moscow).await;
    let role = t.db.tenant_role(&TenantSchema::for_tenant(tenant.id));
    let platform_url = t.url().expose_secret().to_owned();
    let tenant_url = t
        .tenant_url(role.as_str(), &password)
        .expose_secret()
        .to_owned();
    let redis = ("REDIS_URL", "redis://127.0.0.1:6379".to_owned());

    let services: Vec<(&str, Vec<&str>, Env<'_>)> = vec![
        (
            "booking-bot",
            vec![],
            vec![
                ("TENANT_ID", tenant.id.to_string()),
                ("BOT_TOKEN", "1:test".to_owned()),
                ("DATABASE_URL", tenant_url.clone()),
                redis.clone(),
            ],
        ),
        (
            "master-bot",
            vec!["serve"],
            vec![("DATABASE_URL", platform_url.clone())],
        ),
        (
            "sales-bot",
            vec![],
            vec![
                ("DATABASE_URL", platform_url.clone()),
                ("BOT_TOKEN", "2:test".to_owned()),
                // It seals the bot tokens of the tenants it sells.
                ("DATA_KEY", storage::crypto::DataKey::generate_base64()),
            ],
        ),
        (
            "deploy-worker",
            vec![],
            vec![("DATABASE_URL", platform_url.clone())],
        ),
    ];
    for (name, args, env) in services {
        let service = Service::start(name, &args, &env).await;
        let (status, body) = service.get("/ready").await;
        assert_eq!(status, 200, "{name} /ready: {body}");
        let (status, metrics) = service.get("/metrics").await;
        assert_eq!(status, 200, "{name} /metrics");
        assert!(
            metrics.contains("http_requests_total"),
            "{name} /metrics: {metrics}"
        );
        let exit = service.terminate(Duration::from_secs(10)).await;
        assert!(exit.success(), "{name} exited with {exit}");
    }
}

/// With Redis unreachable the bot keeps running: alive, but not ready, saying why.
#[tokio::test]
async fn the_booking_bot_reports_not_ready_when_redis_is_down_and_keeps_running() {
    let t = TestDb::new().await;
    let (tenant, password) = t.tenant("Salon", chrono_tz::Europe::Moscow).await;
    let role = t.db.tenant_role(&TenantSchema::for_tenant(tenant.id));
    let env = vec![
        ("TENANT_ID", tenant.id.to_string()),
        ("BOT_TOKEN", "1:test".to_owned()),
        (
            "DATABASE_URL",
            t.tenant_url(role.as_str(), &password)
                .expose_secret()
                .to_owned(),
        ),
        (
            "REDIS_URL",
            format!("redis://127.0.0.1:{}", system_tests::free_port()),
        ),
    ];
    let bot = Service::start("booking-bot", &[], &env).await;
    let (status, body) = bot.get("/ready").await;
    assert_eq!(status, 503, "{body}");
    assert!(body.contains("\"name\":\"redis\",\"ok\":false"), "{body}");
    assert!(body.contains("\"name\":\"postgres\",\"ok\":true"), "{body}");
    assert_eq!(bot.get("/health").await.0, 200);
    assert!(bot.terminate(Duration::from_secs(10)).await.success());
}

/// A missing or malformed variable stops a binary at once with a message naming it.
#[test]
fn binaries_refuse_to_start_without_their_configuration() {
    for (name, env, expected) in [
        ("booking-bot", vec![], "TENANT_ID"),
        (
            "booking-bot",
            vec![("TENANT_ID", "abc")],
            "invalid value 'abc'",
        ),
        ("sales-bot", vec![], "BOT_TOKEN"),
        ("deploy-worker", vec![], "DATABASE_URL"),
        (
            "booking-bot",
            vec![
                ("TENANT_ID", "1"),
                ("BOT_TOKEN", "x"),
                ("DATABASE_URL", "x"),
                ("HTTP_ADDR", "nowhere"),
            ],
            "HTTP_ADDR",
        ),
    ] {
        let out = Command::new(binary(name))
            .env_clear()
            .envs(env)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            !out.status.success(),
            "{name} started without its configuration"
        );
        assert!(
            stderr.contains(expected),
            "{name}: expected {expected:?} in: {stderr}"
        );
    }
    for name in ["booking-bot", "master-bot", "sales-bot", "deploy-worker"] {
        let out = Command::new(binary(name))
            .arg("--version")
            .output()
            .unwrap();
        assert!(out.status.success());
        assert!(String::from_utf8_lossy(&out.stdout).starts_with(name));
        let help = Command::new(binary(name)).arg("--help").output().unwrap();
        assert!(
            String::from_utf8_lossy(&help.stdout).contains("DATABASE_URL"),
            "{name} --help"
        );
    }
}

/// A token the Bot API rejects stops the bot with a non-zero exit naming BOT_TOKEN, so an
/// operator (or the deploy worker reading the container's exit and logs) sees why.
#[tokio::test]
async fn the_booking_bot_exits_when_the_bot_api_rejects_its_token() {
    let t = TestDb::new().await;
    let (tenant, password) = t.tenant("Salon", chrono_tz::Europe::Moscow).await;
    let role = t.db.tenant_role(&TenantSchema::for_tenant(tenant.id));
    let sandbox = tg_sandbox::spawn(tg_sandbox::Config::default())
        .await
        .unwrap();
    let mut child = Command::new(binary("booking-bot"))
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("TENANT_ID", tenant.id.to_string())
        .env("BOT_TOKEN", "424242:never-registered")
        .env(
            "DATABASE_URL",
            t.tenant_url(role.as_str(), &password).expose_secret(),
        )
        .env("REDIS_URL", "redis://127.0.0.1:6379")
        .env("TELEGRAM_API_URL", sandbox.url().as_str())
        .env(
            "HTTP_ADDR",
            format!("127.0.0.1:{}", system_tests::free_port()),
        )
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let started = std::time::Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > Duration::from_secs(20) {
            let _ = child.kill();
            panic!("the bot kept running with a rejected token");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
    assert_eq!(status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("BOT_TOKEN was rejected by the Bot API"),
        "{stderr}"
    );
}
