//! What the booking bot's benchmarks share: the bot as a process, presses timed from the press
//! to the bot's answer, a walk through the booking flow, and reading figures off `/proc`.

#![allow(dead_code)] // each benchmark uses part of it

/// What a press costs PostgreSQL, Redis and the bot.
pub mod cost;

use std::{
    process::Child,
    time::{Duration, Instant},
};

use tg_sandbox::{
    Chat, ChatMessage,
    chat::{button, nth_data},
};

pub const WAIT: Duration = Duration::from_secs(30);

pub fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// CPU time a process used so far (user and system), from `/proc/<pid>/stat`.
pub fn cpu_time(pid: u32) -> Duration {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
    // The command may hold spaces: the fields are counted after its closing parenthesis.
    let after = &stat[stat.rfind(')').unwrap() + 2..];
    let fields: Vec<&str> = after.split(' ').collect();
    // utime and stime are fields 14 and 15 of the whole line, 12 and 13 after the command.
    let ticks: u64 = fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap();
    // Linux reports in USER_HZ, 100 a second on every platform it runs on.
    Duration::from_millis(ticks * 10)
}

/// VmRSS / VmHWM of a process, in KiB.
pub fn status_kib(pid: u32, field: &str) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix(&format!("{field}:")))
        .and_then(|v| v.trim().trim_end_matches(" kB").trim().parse().ok())
        .unwrap()
}

/// Kills the bot process when the benchmark ends, however it ends.
pub struct BotProcess(pub Child);

impl Drop for BotProcess {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Presses a button by its data: how long the bot took to answer, and the message after it.
pub async fn press(chat: &Chat, message: &ChatMessage, data: &str) -> (Duration, ChatMessage) {
    let started = Instant::now();
    chat.press_answer(message, data).await;
    let took = started.elapsed();
    (took, chat.current(message).await)
}

pub fn first(message: &ChatMessage, prefix: &str) -> String {
    nth_data(message, prefix, 0)
}

/// /start: the menu message, not timed (the users' Telegram speaks English, so the bot asks
/// no language).
pub async fn arrive(chat: &Chat) -> ChatMessage {
    chat.command("/start").await;
    let menu = chat.next().await;
    // The offer to share a phone number, so the next new message is the bot's next answer.
    chat.next().await;
    menu
}

/// Which button a user presses next, from what the screen shows: Book → a service → Anna →
/// ▶ → a day → a time (a hold) → Another time (the hold given back) → Back → Back → the
/// service again. A time someone else held meanwhile shows the nearest times instead; Back
/// from there leads to the services as well.
#[derive(Default)]
pub struct Walk {
    next_month: bool,
    held: bool,
}

impl Walk {
    pub fn choose(&mut self, n: usize, m: &ChatMessage) -> String {
        let has = |prefix: &str| m.buttons().iter().any(|(_, d)| d.starts_with(prefix));
        let times: Vec<String> = m
            .buttons()
            .into_iter()
            .map(|(_, d)| d)
            .filter(|d| d.starts_with("v1:t:"))
            .collect();
        if m.button_data("📅 Book").is_some() {
            button(m, "📅 Book")
        } else if has("v1:s:") {
            *self = Self::default();
            first(m, "v1:s:")
        } else if m.button_data("Anna").is_some() {
            button(m, "Anna")
        } else if !self.next_month && m.button_data("▶").is_some() {
            self.next_month = true;
            button(m, "▶")
        } else if !self.held && has("v1:d:") {
            first(m, "v1:d:")
        } else if !self.held && !times.is_empty() {
            // Users spread over the day's times, so most holds succeed.
            self.held = true;
            times[n % times.len()].clone()
        } else if let Some(other) = m.button_data("◀️ Another time") {
            other
        } else {
            button(m, "◀️ Back")
        }
    }
}

/// Presses through the flow until `until`, one press every `every`: the press latencies.
pub async fn run_user(
    chat: Chat,
    n: usize,
    menu: ChatMessage,
    every: Duration,
    until: Instant,
) -> Vec<Duration> {
    let mut took = Vec::new();
    let mut message = menu;
    let mut walk = Walk::default();
    let mut next = Instant::now();
    while Instant::now() < until {
        let data = walk.choose(n, &message);
        let (t, now) = press(&chat, &message, &data).await;
        took.push(t);
        message = now;
        next += every;
        tokio::time::sleep_until(next.into()).await;
    }
    took
}

pub fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((sorted.len() as f64) * p).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}
