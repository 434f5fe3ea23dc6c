//! Telegram-like flood control for the bots' sending methods: token buckets per chat, per bot and
//! per group, answered with 429 and `retry_after` when one runs dry.

use std::collections::HashMap;

use teloxide::types::ChatId;
use tokio::time::Instant;

use crate::config::{FloodLimits, Rate};

/// One token bucket.
#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    last: Instant,
}

impl Bucket {
    fn full(rate: Rate, now: Instant) -> Self {
        Self {
            tokens: f64::from(rate.burst),
            last: now,
        }
    }

    fn refill(&mut self, rate: Rate, now: Instant) {
        let elapsed = now.saturating_duration_since(self.last).as_secs_f64();
        self.tokens = (self.tokens + elapsed * rate.per_second).min(f64::from(rate.burst));
        self.last = now;
    }

    /// Seconds until one token is there; 0 when one is there now.
    fn wait_secs(&self, rate: Rate) -> f64 {
        if self.tokens >= 1.0 {
            0.0
        } else {
            (1.0 - self.tokens) / rate.per_second.max(f64::EPSILON)
        }
    }
}

/// The flood state of one bot.
#[derive(Debug, Default)]
pub struct FloodState {
    bot: Option<Bucket>,
    chats: HashMap<ChatId, Bucket>,
    groups: HashMap<ChatId, Bucket>,
}

impl FloodState {
    /// Takes one send from every bucket that applies, or says how many seconds to wait (without
    /// taking anything, as Telegram does not count refused sends).
    pub fn try_send(
        &mut self,
        limits: &FloodLimits,
        chat: ChatId,
        is_group: bool,
        now: Instant,
    ) -> Result<(), u32> {
        let mut slots: Vec<(&mut Bucket, Rate)> = Vec::with_capacity(3);
        if let Some(rate) = limits.per_bot {
            slots.push((
                self.bot.get_or_insert_with(|| Bucket::full(rate, now)),
                rate,
            ));
        }
        if let Some(rate) = limits.per_chat {
            slots.push((
                self.chats
                    .entry(chat)
                    .or_insert_with(|| Bucket::full(rate, now)),
                rate,
            ));
        }
        if is_group && let Some(rate) = limits.per_group {
            slots.push((
                self.groups
                    .entry(chat)
                    .or_insert_with(|| Bucket::full(rate, now)),
                rate,
            ));
        }
        let mut wait: f64 = 0.0;
        for (bucket, rate) in &mut slots {
            bucket.refill(*rate, now);
            wait = wait.max(bucket.wait_secs(*rate));
        }
        if wait > 0.0 {
            // Telegram never says "retry after 0".
            let secs = wait.ceil().max(1.0);
            return Err(if secs >= f64::from(u32::MAX) {
                u32::MAX
            } else {
                secs as u32
            });
        }
        for (bucket, _) in slots {
            bucket.tokens -= 1.0;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn per_chat_burst_then_one_a_second() {
        let limits = FloodLimits::telegram();
        let mut state = FloodState::default();
        let t0 = Instant::now();
        let chat = ChatId(1);
        for _ in 0..3 {
            state.try_send(&limits, chat, false, t0).unwrap();
        }
        assert_eq!(state.try_send(&limits, chat, false, t0), Err(1));
        // Another chat is not affected.
        state.try_send(&limits, ChatId(2), false, t0).unwrap();
        state
            .try_send(&limits, chat, false, t0 + Duration::from_millis(1000))
            .unwrap();
        assert_eq!(
            state.try_send(&limits, chat, false, t0 + Duration::from_millis(1000)),
            Err(1)
        );
    }

    #[test]
    fn per_bot_limit_spans_chats() {
        let limits = FloodLimits::telegram();
        let mut state = FloodState::default();
        let t0 = Instant::now();
        for i in 0..30 {
            state.try_send(&limits, ChatId(i), false, t0).unwrap();
        }
        assert!(state.try_send(&limits, ChatId(100), false, t0).is_err());
    }

    #[test]
    fn group_limit_is_per_minute() {
        let limits = FloodLimits {
            per_chat: None,
            per_bot: None,
            per_group: Some(Rate::new(20, 20, Duration::from_secs(60))),
        };
        let mut state = FloodState::default();
        let t0 = Instant::now();
        let group = ChatId(-5);
        for _ in 0..20 {
            state.try_send(&limits, group, true, t0).unwrap();
        }
        assert_eq!(state.try_send(&limits, group, true, t0), Err(3));
    }

    #[test]
    fn off_never_limits() {
        let mut state = FloodState::default();
        let t0 = Instant::now();
        for _ in 0..1000 {
            state
                .try_send(&FloodLimits::off(), ChatId(1), true, t0)
                .unwrap();
        }
    }
}
