//! Throughput of tg-sandbox on loopback: updates per second delivered to a long-polling bot, and
//! Bot API requests (sendMessage) per second served.
//!
//! `cargo run --release -p tg-sandbox --example bench_sandbox -- --updates 50000 --sends 20000`

use std::time::{Duration, Instant};

use anyhow::Context;
use clap::Parser;
use futures::{StreamExt, stream};
use serde_json::{Value, json};
use tg_sandbox::{Config, FloodLimits, NewUser, SandboxClient, UserAction};

#[derive(Debug, Parser)]
struct Args {
    /// Updates to push through getUpdates.
    #[arg(long, default_value_t = 50_000)]
    updates: usize,
    /// sendMessage requests to make.
    #[arg(long, default_value_t = 20_000)]
    sends: usize,
    /// Concurrent requests for the injection and sendMessage phases.
    #[arg(long, default_value_t = 16)]
    concurrency: usize,
    /// Users the updates come from and the messages go to.
    #[arg(long, default_value_t = 50)]
    users: usize,
}

fn rate(count: usize, elapsed: Duration) -> f64 {
    count as f64 / elapsed.as_secs_f64()
}

/// Long-polls getUpdates until `count` updates arrived; returns how long it took.
async fn drain(
    http: &reqwest::Client,
    url: &reqwest::Url,
    count: usize,
) -> anyhow::Result<Duration> {
    let started = Instant::now();
    let mut offset = 0_i64;
    let mut seen = 0;
    while seen < count {
        let answer: Value = http
            .post(url.clone())
            .json(&json!({"offset": offset, "limit": 100, "timeout": 5}))
            .send()
            .await?
            .json()
            .await?;
        let batch = answer["result"].as_array().context("getUpdates failed")?;
        anyhow::ensure!(
            !batch.is_empty() || started.elapsed() < Duration::from_secs(60),
            "stalled"
        );
        if let Some(last) = batch.last() {
            offset = last["update_id"].as_i64().context("update_id")? + 1;
        }
        seen += batch.len();
    }
    http.post(url.clone())
        .json(&json!({"offset": offset, "timeout": 0}))
        .send()
        .await?;
    Ok(started.elapsed())
}

async fn inject(
    client: &SandboxClient,
    token: &tg_sandbox::BotToken,
    users: &[tg_sandbox::TestUser],
    count: usize,
    concurrency: usize,
) -> anyhow::Result<Duration> {
    let started = Instant::now();
    let results: Vec<_> = stream::iter(0..count)
        .map(|i| {
            let user = &users[i % users.len()];
            let action = UserAction::Text {
                text: format!("message number {i} from the benchmark"),
            };
            client.act(token, user.chat_id(), None, action)
        })
        .buffer_unordered(concurrency)
        .collect()
        .await;
    for result in results {
        result?;
    }
    Ok(started.elapsed())
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let sandbox = tg_sandbox::spawn(Config {
        flood: FloodLimits::off(),
        ..Config::default()
    })
    .await?;
    let client = sandbox.client();
    let bot = client.create_bot("bench_bot").await?;
    let mut users = Vec::new();
    for i in 0..args.users {
        let user = client
            .create_user(NewUser::named(format!("User {i}")))
            .await?;
        users.push(user);
    }
    let http = reqwest::Client::builder().no_proxy().build()?;
    let updates_url = client
        .api_url()
        .join(&format!("./bot{}/getUpdates", bot.token))?;
    let send_url = client
        .api_url()
        .join(&format!("./bot{}/sendMessage", bot.token))?;

    println!(
        "tg-sandbox benchmark on loopback ({} cores)",
        std::thread::available_parallelism().map_or(0, usize::from)
    );
    println!(
        "updates={} sends={} concurrency={} users={}",
        args.updates, args.sends, args.concurrency, args.users
    );

    // 1. Queue updates through the control API, then drain them with long polling.
    let injected = inject(&client, &bot.token, &users, args.updates, args.concurrency).await?;
    println!(
        "control API, user messages queued:   {:>9.0} /s",
        rate(args.updates, injected)
    );
    let drained = drain(&http, &updates_url, args.updates).await?;
    println!(
        "getUpdates, queued updates drained:  {:>9.0} updates/s",
        rate(args.updates, drained)
    );

    // 2. Producer and long-polling consumer at the same time (end to end).
    let started = Instant::now();
    let (produced, consumed) = tokio::join!(
        inject(&client, &bot.token, &users, args.updates, args.concurrency),
        drain(&http, &updates_url, args.updates)
    );
    produced?;
    consumed?;
    println!(
        "end to end, produced while polled:   {:>9.0} updates/s",
        rate(args.updates, started.elapsed())
    );

    // 3. sendMessage throughput.
    let started = Instant::now();
    let results: Vec<_> = stream::iter(0..args.sends)
        .map(|i| {
            let user = &users[i % users.len()];
            let body = json!({"chat_id": user.id.0, "text": format!("reply number {i}"),
                "reply_markup": {"inline_keyboard": [[{"text": "OK", "callback_data": "ok"}]]}});
            let request = http.post(send_url.clone()).json(&body);
            async move { request.send().await?.error_for_status() }
        })
        .buffer_unordered(args.concurrency)
        .collect()
        .await;
    for result in results {
        result?;
    }
    println!(
        "sendMessage requests served:         {:>9.0} requests/s",
        rate(args.sends, started.elapsed())
    );
    sandbox.shutdown().await?;
    Ok(())
}
