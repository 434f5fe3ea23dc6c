//! One tenant's bot under a steady stream of button presses through tg-sandbox.
//!
//! ```sh
//! cargo build --profile perf -p booking-bot --bins --examples
//! target/perf/examples/bench_bot            # BENCH_USERS=200 BENCH_RATE=200 BENCH_SECS=30
//! ```
//!
//! Sets up a fresh database with a provisioned salon, starts tg-sandbox in this process and
//! the bot binary (`target/perf/booking-bot`) as its own process, so its resident memory is
//! the bot's alone (read from `/proc/<pid>/status`). Every simulated user first chooses a
//! language, then presses through the booking flow in a loop (see [`Walk`]), paced so that
//! all users together press `BENCH_RATE` buttons (updates) a second. Each press is timed from the press
//! to the bot's answerCallbackQuery as the sandbox records it (the bot edits the message
//! first, so the time includes the edit and the sandbox's HTTP on both sides).
//!
//! Prints the median and p99 latency, the achieved presses (updates) per second, the
//! bot's VmRSS idle (after start-up, before any user) and its peak (VmHWM) under the load, and
//! what a press cost (see `support::cost`): the bot's CPU, PostgreSQL statements and server
//! CPU, Redis commands. `scripts/bench-bot.sh` runs it at 100, 200 and 400 presses a second
//! against a PostgreSQL cluster and a Redis of its own, so those counters are the bot's alone
//! (`TEST_DATABASE_URL`, `BENCH_REDIS_URL`, `BENCH_PG_DATA`; `BENCH_STATEMENTS=1` lists the
//! statements).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a benchmark: fail loudly

use std::{
    process::{Command, Stdio},
    time::{Duration, Instant},
};

use booking_core::tenant::TenantSchema;
use secrecy::ExposeSecret as _;
use test_support::{TestDb, salon};
use tg_sandbox::{Chat, FloodLimits, NewUser};

/// What the benchmarks share: processes, presses, the walk through the flow, figures.
#[path = "support/mod.rs"]
mod support;

use support::{BotProcess, WAIT, arrive, cost::Counters, env_or, percentile, run_user, status_kib};

#[tokio::main]
async fn main() {
    let users: usize = env_or("BENCH_USERS", 200);
    let rate: f64 = env_or("BENCH_RATE", 200.0);
    let secs: u64 = env_or("BENCH_SECS", 30);
    let redis_url: String = env_or("BENCH_REDIS_URL", "redis://127.0.0.1:6379".to_owned());

    let db = TestDb::new().await;
    let (tenant, password) = db.tenant("Salon", chrono_tz::Europe::Moscow).await;
    let mut tx = db.tx(tenant.id).await;
    let _salon = salon(&mut tx).await;
    tx.commit().await.unwrap();

    let sandbox = tg_sandbox::spawn(tg_sandbox::Config {
        flood: FloodLimits::off(),
        ..tg_sandbox::Config::default()
    })
    .await
    .unwrap();
    let client = sandbox.client();
    let info = client.create_bot("bench_bot").await.unwrap();
    let role = db.db.tenant_role(&TenantSchema::for_tenant(tenant.id));
    let binary = std::env::current_exe()
        .unwrap()
        .parent()
        .and_then(|examples| examples.parent())
        .unwrap()
        .join("booking-bot");
    let bot = BotProcess(
        Command::new(&binary)
            .env("TENANT_ID", tenant.id.to_string())
            .env("BOT_TOKEN", info.token.as_str())
            .env(
                "DATABASE_URL",
                db.tenant_url(role.as_str(), &password).expose_secret(),
            )
            .env("REDIS_URL", &redis_url)
            .env("TELEGRAM_API_URL", client.api_url().as_str())
            .env("HTTP_ADDR", "127.0.0.1:0")
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| {
                panic!(
                    "{}: {e} (build it with --profile perf --bins)",
                    binary.display()
                )
            }),
    );
    let pid = bot.0.id();

    let mut people = Vec::with_capacity(users);
    for n in 0..users {
        let user = client
            .create_user(NewUser::named(format!("User {n}")).language("en"))
            .await
            .unwrap();
        people.push(Chat::new(&client, &info.token, &user).patient(WAIT));
    }
    // The first user's arrival proves the bot is up; idle memory is read right after.
    let mut menus = vec![arrive(&people[0]).await];
    tokio::time::sleep(Duration::from_secs(1)).await;
    let idle = status_kib(pid, "VmRSS");
    // The rest arrive 25 at a time (each arrival waits out the per-chat send limit once).
    for batch in people[1..].chunks(25) {
        menus.extend(futures::future::join_all(batch.iter().map(arrive)).await);
    }

    let mut counters =
        Counters::connect(&test_support::server_url(), &db.name, &redis_url, pid).await;
    counters.reset().await;
    let before = counters.snapshot().await;

    let every = Duration::from_secs_f64(users as f64 / rate);
    let started = Instant::now();
    let until = started + Duration::from_secs(secs);
    let tasks: Vec<_> = people
        .into_iter()
        .zip(menus)
        .enumerate()
        .map(|(n, (chat, menu))| {
            tokio::spawn(async move {
                // Spread the users' first presses over one interval.
                tokio::time::sleep(every.mul_f64(n as f64 / users as f64)).await;
                run_user(chat, n, menu, every, until).await
            })
        })
        .collect();
    let mut took: Vec<Duration> = Vec::new();
    for task in tasks {
        took.extend(task.await.unwrap());
    }
    let elapsed = started.elapsed();
    let after = counters.snapshot().await;
    let peak = status_kib(pid, "VmHWM");
    let loaded = status_kib(pid, "VmRSS");
    took.sort();

    println!("users:             {users}, target {rate:.0} updates/s for {secs} s");
    println!(
        "presses answered:  {} in {:.1} s = {:.1} updates/s",
        took.len(),
        elapsed.as_secs_f64(),
        took.len() as f64 / elapsed.as_secs_f64()
    );
    println!(
        "press -> answer:   median {:.1} ms, p90 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        percentile(&took, 0.5).as_secs_f64() * 1e3,
        percentile(&took, 0.9).as_secs_f64() * 1e3,
        percentile(&took, 0.99).as_secs_f64() * 1e3,
        took.last().copied().unwrap_or_default().as_secs_f64() * 1e3,
    );
    println!(
        "bot VmRSS:         idle {:.1} MiB, after the load {:.1} MiB, peak (VmHWM) {:.1} MiB",
        idle as f64 / 1024.0,
        loaded as f64 / 1024.0,
        peak as f64 / 1024.0
    );
    counters.report(&before, &after, took.len()).await;
    drop(bot);
}
