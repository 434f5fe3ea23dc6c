//! Many customers booking at once through tg-sandbox against one tenant's bot process.
//!
//! ```sh
//! cargo build --profile perf --workspace --bins
//! cargo run --profile perf -p system-tests --example load_bookings      # LOAD_CUSTOMERS=1000
//! ```
//!
//! Every customer starts the bot, picks a day of next month and a time, and confirms; the
//! customers share a few dozen days, so many want the same time: the loser of a race takes the
//! first of the nearest free times the bot offers, once. Prints the latency of every answer
//! (percentiles), how many customers were answered and booked, the bot's resident memory idle
//! and at its peak, and checks in the database that no two live bookings overlap.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a benchmark: fail loudly

use std::{
    sync::Arc,
    time::{Duration, Instant},
};

use system_tests::chat::{Chat, World};
use tg_sandbox::ChatMessage;

/// What one customer's run produced.
#[derive(Default)]
struct Outcome {
    /// Seconds from each message or press to the bot's answer.
    waits: Vec<f64>,
    booked: bool,
    /// A step that got no answer within the driver's wait, with what was missing.
    unanswered: Option<String>,
}

#[tokio::main]
async fn main() {
    let customers: usize = std::env::var("LOAD_CUSTOMERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000);
    let world = Arc::new(World::start().await);
    let pid = world.bot.pid();
    tokio::time::sleep(Duration::from_secs(2)).await;
    let idle = rss_kib(pid, "VmRSS");

    let mut chats = Vec::with_capacity(customers);
    for n in 0..customers {
        let chat = world.customer(&format!("Customer {n}")).await;
        chats.push(chat.patient(Duration::from_secs(300)));
    }
    // All at once: every customer is under way together from the first moment.
    let started = Instant::now();
    let tasks: Vec<_> = chats
        .into_iter()
        .enumerate()
        .map(|(n, chat)| tokio::spawn(async move { customer(&chat, n).await }))
        .collect();
    let mut outcomes = Vec::with_capacity(customers);
    for task in tasks {
        outcomes.push(task.await.unwrap_or_else(|e| Outcome {
            unanswered: Some(format!("the customer's task failed: {e}")),
            ..Outcome::default()
        }));
    }
    let elapsed = started.elapsed();
    let peak = rss_kib(pid, "VmHWM");

    let mut waits: Vec<f64> = outcomes.iter().flat_map(|o| o.waits.clone()).collect();
    waits.sort_by(f64::total_cmp);
    let booked = outcomes.iter().filter(|o| o.booked).count();
    let unanswered: Vec<&String> = outcomes
        .iter()
        .filter_map(|o| o.unanswered.as_ref())
        .collect();
    let overlaps = overlapping_live_bookings(&world).await;
    let live = live_bookings(&world).await;

    println!("customers:                {customers}");
    println!(
        "answers:                  {} in {:.1} s ({:.0} answers/s)",
        waits.len(),
        elapsed.as_secs_f64(),
        waits.len() as f64 / elapsed.as_secs_f64()
    );
    for (name, q) in [("p50", 0.50), ("p90", 0.90), ("p99", 0.99), ("max", 1.0)] {
        println!(
            "answer latency {name}:       {:.1} ms",
            percentile(&waits, q) * 1000.0
        );
    }
    println!("customers booked:         {booked}");
    println!("live bookings in the db:  {live}");
    println!("customers unanswered:     {}", unanswered.len());
    for u in unanswered.iter().take(5) {
        println!("  e.g. {u}");
    }
    println!("overlapping bookings:     {overlaps}");
    println!("bot RSS idle:             {:.1} MiB", idle as f64 / 1024.0);
    println!("bot RSS peak:             {:.1} MiB", peak as f64 / 1024.0);
    assert_eq!(overlaps, 0, "double bookings");
    assert_eq!(i64::try_from(booked).unwrap(), live, "told booked = booked");
    assert!(unanswered.is_empty(), "every customer gets an answer");
}

/// One customer: start, choose, confirm; on a lost race, the first nearest time, once.
async fn customer(chat: &Chat, n: usize) -> Outcome {
    let mut out = Outcome::default();
    let step = Instant::now();
    chat.command("/start").await;
    // An English Telegram is not asked the language: the menu comes at once.
    let Some(menu) = next(chat, &mut out, step, "the menu").await else {
        return out;
    };
    // The phone request that follows a first visit.
    if next(chat, &mut out, Instant::now(), "the phone request")
        .await
        .is_none()
    {
        return out;
    }
    let Some(services) = press(chat, &mut out, &menu, "Book").await else {
        return out;
    };
    let Some(staff) = press(chat, &mut out, &services, "Haircut").await else {
        return out;
    };
    let Some(calendar) = press(chat, &mut out, &staff, "Anna").await else {
        return out;
    };
    let Some(month) = press(chat, &mut out, &calendar, "▶").await else {
        return out;
    };
    // Days and times fill up as the others book: pick among those still offered.
    let Some(day) = pick(&month, "v1:d:", n % 20) else {
        return out; // answered: no free day is left
    };
    let Some(times) = press_data(chat, &mut out, &month, &day).await else {
        return out;
    };
    let Some(time) = pick(&times, "v1:t:", n / 20) else {
        return out; // answered: the day filled up meanwhile
    };
    let Some(mut screen) = press_data(chat, &mut out, &times, &time).await else {
        return out;
    };
    if !screen.text().contains("held for you") {
        // Taken meanwhile: the nearest free times are offered; take the first.
        let Some(nearest) = screen
            .buttons()
            .into_iter()
            .map(|(_, d)| d)
            .find(|d| d.starts_with("v1:t:"))
        else {
            return out;
        };
        let Some(again) = press_data(chat, &mut out, &screen, &nearest).await else {
            return out;
        };
        if !again.text().contains("held for you") {
            return out;
        }
        screen = again;
    }
    if let Some(done) = press(chat, &mut out, &screen, "Confirm").await {
        out.booked = done.text().contains("You are booked");
    }
    out
}

async fn next(chat: &Chat, out: &mut Outcome, since: Instant, what: &str) -> Option<ChatMessage> {
    match chat.try_next().await {
        Some(m) => {
            out.waits.push(since.elapsed().as_secs_f64());
            Some(m)
        }
        None => {
            out.unanswered = Some(format!("no {what}"));
            None
        }
    }
}

async fn press(
    chat: &Chat,
    out: &mut Outcome,
    on: &ChatMessage,
    label: &str,
) -> Option<ChatMessage> {
    let Some(data) = on.button_data(label) else {
        out.unanswered = Some(format!("no button {label:?} in {:?}", on.text()));
        return None;
    };
    press_data(chat, out, on, &data).await
}

async fn press_data(
    chat: &Chat,
    out: &mut Outcome,
    on: &ChatMessage,
    data: &str,
) -> Option<ChatMessage> {
    let since = Instant::now();
    match chat.try_press_data(on, data).await {
        Some((_, after)) => {
            out.waits.push(since.elapsed().as_secs_f64());
            Some(after)
        }
        None => {
            out.unanswered = Some(format!("no answer to {data}"));
            None
        }
    }
}

/// The `n`-th (wrapping) button whose data starts with `prefix`, if any.
fn pick(message: &ChatMessage, prefix: &str, n: usize) -> Option<String> {
    let all: Vec<String> = message
        .buttons()
        .into_iter()
        .map(|(_, d)| d)
        .filter(|d| d.starts_with(prefix))
        .collect();
    (!all.is_empty()).then(|| all[n % all.len()].clone())
}

fn percentile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let at = ((sorted.len() - 1) as f64 * q).round() as usize;
    sorted[at]
}

/// A field of /proc/<pid>/status in KiB (VmRSS now, VmHWM the peak).
fn rss_kib(pid: u32, field: &str) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap()
        .lines()
        .find_map(|l| l.strip_prefix(&format!("{field}:")))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap()
}

async fn overlapping_live_bookings(world: &World) -> i64 {
    let mut tx = world.db.tx(world.tenant.id).await;
    sqlx_count(
        &mut tx,
        "select count(*) from bookings a join bookings b \
           on a.booking_id < b.booking_id and a.staff_id = b.staff_id and a.occupied && b.occupied \
         where a.status in ('held', 'confirmed') and b.status in ('held', 'confirmed')",
    )
    .await
}

async fn live_bookings(world: &World) -> i64 {
    let mut tx = world.db.tx(world.tenant.id).await;
    sqlx_count(
        &mut tx,
        "select count(*) from bookings where status = 'confirmed'",
    )
    .await
}

async fn sqlx_count(tx: &mut storage::TenantTx, sql: &'static str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(tx.conn()).await.unwrap()
}
