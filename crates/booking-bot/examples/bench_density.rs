//! Many tenants on one machine: what an idle tenant costs, and how a busy few fare.
//!
//! ```sh
//! cargo build --profile perf -p booking-bot --bins --examples
//! target/perf/examples/bench_density               # DENSITY_TENANTS=10
//! DENSITY_TENANTS=1000 target/perf/examples/bench_density
//! DENSITY_TENANTS=1000 DENSITY_WEBHOOK=1 target/perf/examples/bench_density
//! DENSITY_TENANTS=10 DENSITY_DEDICATED=1 target/perf/examples/bench_density
//! ```
//!
//! Makes `DENSITY_TENANTS` provisioned tenants in a fresh database (the busy ones with a salon
//! to book in), a bot each in tg-sandbox (in this process, flood limits off, long polls up to
//! 50 s as Telegram allows), and serves them the recommended way: one `booking-bot host`
//! process, its role granted every tenant's, the tenants assigned through its control API.
//! `DENSITY_WEBHOOK=1` has the host take updates by webhook instead of long polling. With
//! `DENSITY_DEDICATED=1`, one `booking-bot` process per tenant instead, as before the host
//! existed.
//!
//! Prints: how many tenants answered `/start`; after `DENSITY_SETTLE_SECS` of quiet, over
//! `DENSITY_IDLE_SECS` of idling, the PostgreSQL connections the bots hold, the database's
//! transactions a second, the bots' resident memory (sum of VmRSS) and their CPU (share of one
//! core); then, with 1 % of the tenants (at least one) busy, one user each pressing through the
//! booking flow at `DENSITY_RATE` presses a second for `DENSITY_BUSY_SECS`, the p50 and p99 of
//! a press (from the press to the bot's answer, as the sandbox records it).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a benchmark: fail loudly

use std::{
    process::{Command, Stdio},
    time::{Duration, Instant},
};

use booking_core::{ids::TenantId, tenant::TenantSchema};
use futures::{StreamExt as _, stream};
use secrecy::{ExposeSecret as _, SecretString};
use storage::host::{self, HostName};
use test_support::{TestDb, salon};
use tg_sandbox::{BotInfo, Chat, FloodLimits, NewUser, SandboxClient};

#[path = "support/mod.rs"]
mod support;

use support::{BotProcess, WAIT, arrive, cpu_time, env_or, percentile, run_user, status_kib};

const HOST_SECRET: &str = "density-bench-secret";

fn binary() -> std::path::PathBuf {
    std::env::current_exe()
        .unwrap()
        .parent()
        .and_then(|examples| examples.parent())
        .unwrap()
        .join("booking-bot")
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

struct Tenant {
    id: TenantId,
    password: SecretString,
    bot: BotInfo,
}

#[tokio::main]
async fn main() {
    let n: usize = env_or("DENSITY_TENANTS", 10);
    let dedicated = env_or("DENSITY_DEDICATED", 0) == 1;
    let webhook = env_or("DENSITY_WEBHOOK", 0) == 1;
    let settle = Duration::from_secs(env_or("DENSITY_SETTLE_SECS", 10));
    let idle = Duration::from_secs(env_or("DENSITY_IDLE_SECS", 25));
    let busy_secs: u64 = env_or("DENSITY_BUSY_SECS", 15);
    let rate: f64 = env_or("DENSITY_RATE", 20.0);
    let busy = (n / 100).max(1);

    let db = TestDb::new().await;
    let sandbox = tg_sandbox::spawn(tg_sandbox::Config {
        flood: FloodLimits::off(),
        max_long_poll: Duration::from_secs(50),
        ..tg_sandbox::Config::default()
    })
    .await
    .unwrap();
    let client = sandbox.client();

    let made = Instant::now();
    let tenants: Vec<Tenant> = stream::iter(0..n)
        .map(|i| {
            let (db, client) = (&db, &client);
            async move {
                let (record, password) = db
                    .tenant(&format!("Salon {i}"), chrono_tz::Europe::Moscow)
                    .await;
                if i < busy {
                    let mut tx = db.tx(record.id).await;
                    salon(&mut tx).await;
                    tx.commit().await.unwrap();
                }
                let bot = client.create_bot(&format!("salon{i}_bot")).await.unwrap();
                Tenant {
                    id: record.id,
                    password,
                    bot,
                }
            }
        })
        .buffered(8)
        .collect()
        .await;
    eprintln!("{n} tenants made in {:.0} s", made.elapsed().as_secs_f64());

    let processes = if dedicated {
        start_dedicated(&db, &client, &tenants)
    } else {
        start_host(&db, &client, &tenants, webhook).await
    };
    let pids: Vec<u32> = processes.iter().map(|p| p.0.id()).collect();

    // Every tenant answers /start (one person writes to each).
    let probe = client
        .create_user(NewUser::named("Probe").language("en"))
        .await
        .unwrap();
    let answered = stream::iter(&tenants)
        .map(|t| {
            let chat = Chat::new(&client, &t.bot.token, &probe).patient(WAIT);
            async move {
                chat.command("/start").await;
                chat.try_next().await.is_some()
            }
        })
        .buffer_unordered(32)
        .filter(|ok| std::future::ready(*ok))
        .count()
        .await;

    // Idle.
    tokio::time::sleep(settle).await;
    let (tx_before, cpu_before) = (transactions(&db).await, total_cpu(&pids));
    let started = Instant::now();
    tokio::time::sleep(idle).await;
    let window = started.elapsed();
    let (tx_after, cpu_after) = (transactions(&db).await, total_cpu(&pids));
    let idle_connections = connections(&db).await;
    let rss: u64 = pids.iter().map(|p| status_kib(*p, "VmRSS")).sum();

    // 1 % busy.
    let mut people = Vec::with_capacity(busy);
    for (i, t) in tenants.iter().take(busy).enumerate() {
        let user = client
            .create_user(NewUser::named(format!("Busy {i}")).language("en"))
            .await
            .unwrap();
        let chat = Chat::new(&client, &t.bot.token, &user).patient(WAIT);
        let menu = arrive(&chat).await;
        people.push((chat, menu));
    }
    let every = Duration::from_secs_f64(1.0 / rate);
    let until = Instant::now() + Duration::from_secs(busy_secs);
    let tasks: Vec<_> = people
        .into_iter()
        .enumerate()
        .map(|(i, (chat, menu))| tokio::spawn(run_user(chat, i, menu, every, until)))
        .collect();
    // The connections the bots hold while busy, sampled every half second.
    let mut busiest = 0;
    while tasks.iter().any(|t| !t.is_finished()) {
        busiest = busiest.max(connections(&db).await);
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    let mut took: Vec<Duration> = Vec::new();
    for task in tasks {
        took.extend(task.await.unwrap());
    }
    took.sort();

    let mode = match (dedicated, webhook) {
        (true, _) => "dedicated (one process per tenant)",
        (false, false) => "one bot host, long polling",
        (false, true) => "one bot host, webhooks",
    };
    println!(
        "tenants:              {n}, {mode}, {} process(es)",
        pids.len()
    );
    println!("answered /start:      {answered} of {n}");
    println!(
        "PostgreSQL conns:     {idle_connections} held by the bots idle, at most {busiest} while busy"
    );
    println!(
        "idle transactions/s:  {:.2} (over {:.0} s)",
        (tx_after - tx_before) as f64 / window.as_secs_f64(),
        window.as_secs_f64()
    );
    println!(
        "bots' VmRSS:          {:.1} MiB in all, {:.0} KiB a tenant",
        rss as f64 / 1024.0,
        rss as f64 / n as f64
    );
    println!(
        "bots' idle CPU:       {:.2} % of one core",
        (cpu_after - cpu_before).as_secs_f64() / window.as_secs_f64() * 100.0
    );
    println!(
        "busy:                 {busy} tenant(s) at {rate:.0} presses/s each: {} presses, p50 {:.1} ms, p99 {:.1} ms",
        took.len(),
        percentile(&took, 0.5).as_secs_f64() * 1e3,
        percentile(&took, 0.99).as_secs_f64() * 1e3
    );
    drop(processes);
}

/// One `booking-bot host`, granted every tenant's role and assigned every tenant.
async fn start_host(
    db: &TestDb,
    client: &SandboxClient,
    tenants: &[Tenant],
    webhook: bool,
) -> Vec<BotProcess> {
    let name = HostName::parse("bench").unwrap();
    let password = SecretString::from("density-bench-host".to_owned());
    let role = host::ensure_role(&db.db, &name, &password).await.unwrap();
    for t in tenants {
        host::grant(&db.db, &name, t.id).await.unwrap();
    }
    let port = free_port();
    let mut command = Command::new(binary());
    if webhook {
        command.env("WEBHOOK_URL", format!("http://127.0.0.1:{port}/"));
    }
    let process = BotProcess(
        command
            .arg("host")
            .env("HOST_NAME", name.as_str())
            .env("HOST_SECRET", HOST_SECRET)
            .env(
                "DATABASE_URL",
                db.tenant_url(role.as_str(), &password).expose_secret(),
            )
            .env("REDIS_URL", "redis://127.0.0.1:6379")
            .env("TELEGRAM_API_URL", client.api_url().as_str())
            .env("HTTP_ADDR", format!("127.0.0.1:{port}"))
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("{}: {e} (build it with --bins)", binary().display())),
    );
    let http = reqwest::Client::new();
    let base = format!("http://127.0.0.1:{port}");
    let ready = Instant::now();
    while http.get(format!("{base}/health")).send().await.is_err() {
        assert!(ready.elapsed() < WAIT, "the host did not start");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let assigned = Instant::now();
    stream::iter(tenants)
        .map(|t| {
            let (http, base) = (&http, &base);
            async move {
                let response = http
                    .put(format!("{base}/host/tenants/{}", t.id))
                    .bearer_auth(HOST_SECRET)
                    .json(&serde_json::json!({ "bot_token": t.bot.token.as_str() }))
                    .send()
                    .await
                    .unwrap();
                assert!(response.status().is_success(), "{}", response.status());
            }
        })
        .buffer_unordered(16)
        .collect::<Vec<()>>()
        .await;
    eprintln!(
        "{} tenants assigned in {:.1} s",
        tenants.len(),
        assigned.elapsed().as_secs_f64()
    );
    vec![process]
}

/// One `booking-bot` per tenant, each with its own pool, as before the host existed.
fn start_dedicated(db: &TestDb, client: &SandboxClient, tenants: &[Tenant]) -> Vec<BotProcess> {
    tenants
        .iter()
        .map(|t| {
            let role = db.db.tenant_role(&TenantSchema::for_tenant(t.id));
            BotProcess(
                Command::new(binary())
                    .env("TENANT_ID", t.id.to_string())
                    .env("BOT_TOKEN", t.bot.token.as_str())
                    .env(
                        "DATABASE_URL",
                        db.tenant_url(role.as_str(), &t.password).expose_secret(),
                    )
                    .env("REDIS_URL", "redis://127.0.0.1:6379")
                    .env("TELEGRAM_API_URL", client.api_url().as_str())
                    .env("HTTP_ADDR", "127.0.0.1:0")
                    .env("RUST_LOG", "warn")
                    .stdout(Stdio::null())
                    .spawn()
                    .unwrap(),
            )
        })
        .collect()
}

/// Committed and rolled-back transactions of the database so far, less autovacuum's: right
/// after a thousand schemas are made, autovacuum analyses their tables for minutes, one
/// transaction a table, which is the server's work and not the bots'.
async fn transactions(db: &TestDb) -> i64 {
    // A fresh connection each time: a pooled one that did much work keeps counts of its own
    // it has not reported yet, and a backend may hold an earlier snapshot of the statistics.
    use sqlx::Connection as _;
    let mut conn = sqlx::PgConnection::connect(db.url().expose_secret())
        .await
        .unwrap();
    sqlx::query_scalar(
        "select (select xact_commit + xact_rollback from pg_stat_database \
                  where datname = current_database()) \
              - (select coalesce(sum(autovacuum_count + autoanalyze_count), 0) \
                  from pg_stat_all_tables)::bigint",
    )
    .fetch_one(&mut conn)
    .await
    .unwrap()
}

/// Connections the bots hold (their pools and their listening connections).
async fn connections(db: &TestDb) -> i64 {
    sqlx::query_scalar(
        "select count(*) from pg_stat_activity where datname = current_database() \
           and application_name like 'booking-bot%'",
    )
    .fetch_one(db.db.pool())
    .await
    .unwrap()
}

fn total_cpu(pids: &[u32]) -> Duration {
    pids.iter().map(|p| cpu_time(*p)).sum()
}
