//! Load figures for the operator API's two hot paths, with wrk (Debian's `wrk` package):
//! the free-slots read and the booking create, through real HTTP against a fresh database.
//!
//! ```sh
//! cargo run --profile perf -p master-bot --example bench_api        # 10 s per run
//! BENCH_SECONDS=30 BENCH_CONNECTIONS=32 cargo run --profile perf -p master-bot --example bench_api
//! ```
//!
//! The salon has 20 staff members giving one 60-minute service, Monday to Saturday 09-18 in
//! Moscow. Booking creates pick a random hour of a random day in the next 8 weeks and a random
//! customer, so the run mixes 201 (booked), 409 (taken) and 422 (closed on Sunday, too soon)
//! answers, as a busy website would; the figures say how many of each.

#![allow(clippy::expect_used, clippy::print_stdout)] // a benchmark stops loudly and prints

use std::{process::Command, sync::Arc};

use booking_core::{clock::SystemClock, tenant::TenantSchema};
use master_bot::{
    api::{ApiState, RateLimit},
    bot_api::BotApi,
};
use secrecy::{ExposeSecret, SecretString};
use storage::{
    control::api_keys::{self, Scope},
    crypto::DataKey,
    db::PoolSize,
    tenant::catalogue,
};
use test_support::{TestDb, salon};

fn env_or(name: &str, default: u32) -> u32 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn wrk(args: &[String]) {
    let out = Command::new("wrk")
        .args(args)
        .output()
        .expect("wrk is installed (apt-get install wrk)");
    print!("{}", String::from_utf8_lossy(&out.stdout));
    eprint!("{}", String::from_utf8_lossy(&out.stderr));
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let seconds = env_or("BENCH_SECONDS", 10);
    let connections = env_or("BENCH_CONNECTIONS", 16);
    let t = TestDb::with_pool(PoolSize(20)).await;
    let (tenant, _) = t.tenant("Bench", chrono_tz::Europe::Moscow).await;
    let mut tx = t.tx(tenant.id).await;
    let s = salon(&mut tx).await;
    for n in 1..20 {
        catalogue::create_staff(&mut tx, &format!("Staff {n}"), &[s.haircut]).await?;
    }
    tx.commit().await?;
    let (_, key) = api_keys::create(t.db.pool(), Scope::Operator, "bench").await?;
    let data_key = DataKey::parse(&SecretString::from(DataKey::generate_base64()))?;
    // No rate limit: one client measures the server, not the limiter.
    let limit = RateLimit {
        burst: u32::MAX,
        per_second: u32::MAX,
    };
    let state = ApiState::new(
        t.db.clone(),
        Some(data_key),
        Arc::new(SystemClock),
        limit,
        BotApi::new("http://127.0.0.1:9")?,
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}/api/v1", listener.local_addr()?);
    let app = master_bot::serve::app(&t.db, state);
    tokio::spawn(async move { axum::serve(listener, app).await });

    let auth = format!("Authorization: Bearer {}", key.expose_secret());
    let today = chrono::Utc::now().date_naive();
    let (from, to) = (today + chrono::Days::new(1), today + chrono::Days::new(7));
    let common = [
        "-t2".to_owned(),
        format!("-c{connections}"),
        format!("-d{seconds}s"),
        "--latency".to_owned(),
        "-H".to_owned(),
        auth.clone(),
    ];

    println!(
        "== GET free slots, one service, any of 20 staff, 7 days ({connections} connections, {seconds} s)"
    );
    let mut args = common.to_vec();
    args.push(format!(
        "{base}/tenants/{}/slots?service_id={}&from={from}&to={to}",
        tenant.id, s.haircut
    ));
    wrk(&args);

    let path = format!("/api/v1/tenants/{}/bookings", tenant.id);
    // wrk.format with a header table drops the -H headers, so the key goes in the script too.
    let bearer = format!("Bearer {}", key.expose_secret());
    let script = std::env::temp_dir().join(format!("bench_api_{}.lua", std::process::id()));
    std::fs::write(
        &script,
        format!(
            r#"
math.randomseed(os.time() + tonumber(tostring({{}}):sub(8), 16))
request = function()
  local day = math.random(2, 56)
  local start = os.date("!%Y-%m-%dT", os.time() + day * 86400) .. string.format("%02d:00:00Z", math.random(6, 14))
  local body = string.format('{{"service_id":{service},"start":"%s","customer":{{"telegram_user_id":%d,"first_name":"Bench"}}}}',
    start, math.random(1, 2000000000))
  return wrk.format("POST", "{path}", {{["Content-Type"] = "application/json", ["Authorization"] = "{bearer}"}}, body)
end
"#,
            service = s.haircut,
        ),
    )?;
    println!("\n== POST booking, random hour of the next 8 weeks, random customer");
    let mut args = common.to_vec();
    args.extend(["-s".to_owned(), script.display().to_string(), base.clone()]);
    wrk(&args);
    std::fs::remove_file(&script)?;

    let schema = TenantSchema::for_tenant(tenant.id);
    let booked: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "select count(*) from {}.bookings where status = 'confirmed'",
        schema.as_str()
    )))
    .fetch_one(t.db.pool())
    .await?;
    println!(
        "bookings created (201) during the run: {booked}; the other answers were 409 (taken) or \
         422 (Sunday, too soon); wrk counts both as non-2xx"
    );
    Ok(())
}
