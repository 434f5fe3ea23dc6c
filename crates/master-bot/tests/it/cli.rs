use std::process::Command;

use reqwest::StatusCode;
use secrecy::ExposeSecret;

use crate::TestApp;

fn master(app: &TestApp, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_master-bot"))
        .args(args)
        .env("DATABASE_URL", app.t.url().expose_secret())
        .env("LOG_FORMAT", "json")
        .env("RUST_LOG", "off")
        .output()
        .unwrap()
}

/// The bootstrap: `apikey create --operator` prints a key once, and the API accepts it;
/// `apikey revoke` makes the API refuse it.
#[tokio::test]
async fn the_cli_makes_the_first_operator_key() {
    let app = TestApp::spawn().await;
    let out = master(
        &app,
        &["apikey", "create", "--operator", "--name", "bootstrap"],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let key = String::from_utf8(out.stdout).unwrap().trim().to_owned();
    assert!(key.starts_with("bk_"), "{key}");
    assert_eq!(app.get("/tenants", &key).await.status, StatusCode::OK);

    let list = master(&app, &["apikey", "list"]);
    let listed = String::from_utf8(list.stdout).unwrap();
    assert!(listed.contains("bootstrap") && !listed.contains(&key));

    let neither = master(&app, &["apikey", "create", "--name", "x"]);
    assert!(!neither.status.success(), "a scope must be chosen");

    // The test app's own key is 1; the bootstrap key is 2.
    assert!(master(&app, &["apikey", "revoke", "2"]).status.success());
    assert_eq!(
        app.get("/tenants", &key).await.status,
        StatusCode::UNAUTHORIZED
    );
}

/// With REDIS_ACL=on the CLI makes a tenant's Redis user with the tenant, `migrate` binds the
/// sealed values once and makes the sales bot's user, and deleting the tenant removes its user.
#[tokio::test]
async fn the_cli_keeps_redis_users_with_the_tenants_and_binds_sealed_values() {
    let app = TestApp::spawn().await;
    let _users = test_support::RedisUsers::with_prefix(&app.t.name);
    let key = storage::crypto::DataKey::generate_base64();
    let run = |args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_master-bot"))
            .args(args)
            .env("DATABASE_URL", app.t.url().expose_secret())
            .env("DATA_KEY", &key)
            .env("REDIS_ACL", "on")
            .env("REDIS_ADMIN_URL", test_support::redis_url())
            .env("SALES_REDIS_PASSWORD", "sales-pw")
            .env("LOG_FORMAT", "json")
            .env("RUST_LOG", "off")
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        stdout
    };
    let acl =
        storage::redis_acl::RedisAcl::new(&secrecy::SecretString::from(test_support::redis_url()))
            .unwrap();
    let created = run(&[
        "tenant",
        "create",
        "--name",
        "Barber",
        "--time-zone",
        "Europe/Moscow",
    ]);
    let id: i64 = created
        .split_whitespace()
        .nth(2)
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("{created}"));
    let user = format!("{}_tenant_{id}", app.t.name);
    assert!(acl.user_names().await.unwrap().contains(&user));

    let migrated = run(&["migrate"]);
    // Its database and Redis passwords, sealed bound from the start.
    assert!(
        migrated.contains("0 resealed, 2 already bound"),
        "{migrated}"
    );
    assert!(migrated.contains("Redis users: 1 tenant(s), 0 removed, the sales bot's"));
    assert!(
        acl.user_names()
            .await
            .unwrap()
            .contains(&format!("{}_sales", app.t.name))
    );
    // Once bound, the step does not run again.
    assert!(!run(&["migrate"]).contains("resealed"));

    sqlx::query(
        "update control.tenants set status = 'suspended', desired_state = 'stopped' \
         where tenant_id = $1",
    )
    .bind(id)
    .execute(app.t.db.pool())
    .await
    .unwrap();
    let confirm = format!("tenant_{id}");
    run(&["tenant", "delete", &id.to_string(), "--confirm", &confirm]);
    assert!(!acl.user_names().await.unwrap().contains(&user));
}

/// `serve` with an operator bot token but no allowlist, or a malformed one, refuses to start
/// and names the variable.
#[test]
fn serve_refuses_an_operator_bot_without_a_valid_allowlist() {
    for ids in [None, Some("12,abc"), Some(" , ")] {
        let mut command = Command::new(env!("CARGO_BIN_EXE_master-bot"));
        command
            .arg("serve")
            .env("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/unused")
            .env("HTTP_ADDR", "127.0.0.1:0")
            .env("OPERATOR_BOT_TOKEN", "123:not-checked")
            .env("LOG_FORMAT", "json")
            .env("RUST_LOG", "off")
            .env_remove("OPERATOR_IDS");
        if let Some(ids) = ids {
            command.env("OPERATOR_IDS", ids);
        }
        let out = command.output().unwrap();
        assert!(!out.status.success(), "{ids:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains("OPERATOR_IDS") || stderr.contains("operator-ids"),
            "{ids:?}: {stderr}"
        );
        assert!(
            !stderr.contains("not-checked"),
            "the token is never printed"
        );
    }
}

/// `master-bot demo` as `up.sh` runs it on every start: the plans go on sale once (the sales
/// bot's "Plans" and free trial need one), and `--owner` sets the owner on the first run and
/// changes it on a later one (it used to be ignored once the demo existed, leaving /admin
/// refused); the previous owner stays an admin. Multi-threaded: the CLI's getMe is answered
/// by the in-process sandbox while the test waits for the process.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_puts_plans_on_sale_and_takes_its_owner_on_every_run() {
    let app = TestApp::spawn().await;
    let bot = app
        .sandbox
        .client()
        .create_bot("demo_cli_salon_bot")
        .await
        .unwrap();
    let data_key = storage::crypto::DataKey::generate_base64();
    let env_file = std::env::temp_dir().join(format!("demo-env-{}", app.t.name));
    let demo = |owner: &str| {
        let out = Command::new(env!("CARGO_BIN_EXE_master-bot"))
            .args(["demo", "--owner", owner, "--env-file"])
            .arg(&env_file)
            .env("DATABASE_URL", app.t.url().expose_secret())
            .env("DATA_KEY", &data_key)
            .env("TELEGRAM_API_URL", app.sandbox.url().as_str())
            .env("DEMO_BOT_TOKEN", bot.token.as_str())
            .env("LOG_FORMAT", "json")
            .env("RUST_LOG", "off")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap().trim().to_owned()
    };
    let pool = app.t.db.pool();
    let roles = |tenant: String| async move {
        sqlx::query_as::<_, (i64, String)>(sqlx::AssertSqlSafe(format!(
            "select telegram_user_id, role from tenant_{tenant}.admins order by telegram_user_id"
        )))
        .fetch_all(pool)
        .await
        .unwrap()
    };
    let owner_in_control = |tenant: String| async move {
        sqlx::query_scalar::<_, Option<i64>>(
            "select owner_telegram_id from control.tenants where tenant_id = $1",
        )
        .bind(tenant.parse::<i64>().unwrap())
        .fetch_one(pool)
        .await
        .unwrap()
    };

    let tenant = demo("111");
    assert_eq!(roles(tenant.clone()).await, [(111, "owner".to_owned())]);
    assert_eq!(owner_in_control(tenant.clone()).await, Some(111));
    let plans: Vec<(String, i64, bool)> =
        sqlx::query_as("select code, price_minor, active from control.plans order by price_minor")
            .fetch_all(pool)
            .await
            .unwrap();
    assert_eq!(
        plans,
        [
            ("month".to_owned(), 199_000, true),
            ("year".to_owned(), 1_990_000, true)
        ]
    );

    // A customer meets prepayment: colouring asks a 30 % deposit, and the payment account has
    // a sandbox provider token, sealed with the tenant's own key, which the bot's env holds.
    let terms: Vec<(String, String, Option<i16>)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "select name, prepayment, deposit_percent from tenant_{tenant}.services \
         where prepayment <> 'none'"
    )))
    .fetch_all(pool)
    .await
    .unwrap();
    assert_eq!(
        terms,
        [("Окрашивание".to_owned(), "deposit".to_owned(), Some(30))]
    );
    let env = std::fs::read_to_string(&env_file).unwrap();
    let given = env
        .lines()
        .find_map(|l| l.strip_prefix("TENANT_SECRETS_KEY="))
        .expect("the demo bot's environment has no TENANT_SECRETS_KEY");
    let key = storage::crypto::tenant_secrets::TenantSecretsKey::parse(
        &secrecy::SecretString::from(given.to_owned()),
    )
    .unwrap();
    let sealed: Vec<u8> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "select provider_token_enc from tenant_{tenant}.payment_settings"
    )))
    .fetch_one(pool)
    .await
    .unwrap();
    let token = key
        .open(
            &sealed,
            storage::crypto::tenant_secrets::TenantSealedAt::ProviderToken,
        )
        .unwrap();
    assert!(token.expose_secret().starts_with("381764678:TEST:"));
    // The owner turns prepayment off: later runs leave it off.
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "update tenant_{tenant}.services set prepayment = 'none', deposit_percent = null"
    )))
    .execute(pool)
    .await
    .unwrap();

    // The tenant exists now: a second run with another owner changes it.
    assert_eq!(demo("222"), tenant);
    assert_eq!(
        roles(tenant.clone()).await,
        [(111, "admin".to_owned()), (222, "owner".to_owned())]
    );
    assert_eq!(owner_in_control(tenant.clone()).await, Some(222));
    let audited: i64 =
        sqlx::query_scalar("select count(*) from control.audit_log where action = 'tenant.owner'")
            .fetch_one(pool)
            .await
            .unwrap();
    assert_eq!(
        audited, 1,
        "the change (the first owner came with the tenant)"
    );

    // The same owner again changes nothing, and the plans are not added twice.
    assert_eq!(demo("222"), tenant);
    let count: i64 = sqlx::query_scalar("select count(*) from control.plans")
        .fetch_one(pool)
        .await
        .unwrap();
    assert_eq!(count, 2);
    let prepaid: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "select count(*) from tenant_{tenant}.services where prepayment <> 'none'"
    )))
    .fetch_one(pool)
    .await
    .unwrap();
    assert_eq!(prepaid, 0, "a later run undid the owner's choice");
    let _ = std::fs::remove_file(&env_file);
}
