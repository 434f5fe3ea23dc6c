//! Run-time settings of one sandbox instance.

use std::time::Duration;

use crate::api_types::NewBot;

/// Settings for one sandbox server.
#[derive(Clone, Debug)]
pub struct Config {
    /// Telegram-like flood limits; [`FloodLimits::off`] disables them.
    pub flood: FloodLimits,
    /// The largest request body accepted; larger ones get 413 "Request Entity Too Large".
    pub max_body_bytes: usize,
    /// Longest `getUpdates` long poll honoured (Telegram's own cap is 50 s).
    pub max_long_poll: Duration,
    /// Backoff for webhook delivery while the bot is down.
    pub webhook_retry: RetryPolicy,
    /// How long a bot has to answer a `pre_checkout_query` before the payment fails (Telegram
    /// gives 10 s); tests of a bot that never answers set it shorter.
    pub pre_checkout_timeout: Duration,
    /// Bots registered at start, typically with fixed tokens.
    pub bots: Vec<NewBot>,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            flood: FloodLimits::telegram(),
            // Telegram lets bots upload files of up to 50 MB.
            max_body_bytes: 50 * 1024 * 1024,
            max_long_poll: Duration::from_secs(50),
            webhook_retry: RetryPolicy::default(),
            pre_checkout_timeout: Duration::from_secs(10),
            bots: Vec::new(),
        }
    }
}

/// Exponential backoff between webhook delivery attempts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Wait after the first failure.
    pub initial: Duration,
    /// Upper bound of the wait.
    pub max: Duration,
    /// How long one delivery attempt may take before it counts as failed.
    pub request_timeout: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            initial: Duration::from_millis(100),
            max: Duration::from_secs(5),
            request_timeout: Duration::from_secs(30),
        }
    }
}

/// A token bucket: `burst` sends at once, refilled at `per_second`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Rate {
    /// How many sends may happen back to back.
    pub burst: u32,
    /// How many sends per second are refilled.
    pub per_second: f64,
}

impl Rate {
    /// `burst` at once, refilled at `count` per `period`.
    pub fn new(burst: u32, count: u32, period: Duration) -> Self {
        Self {
            burst,
            per_second: f64::from(count) / period.as_secs_f64().max(f64::EPSILON),
        }
    }
}

/// Which flood limits apply to the bots' sending methods; `None` switches one off.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FloodLimits {
    /// Per chat (private or group): Telegram asks for about one message a second and tolerates
    /// short bursts.
    pub per_chat: Option<Rate>,
    /// Per bot over all chats: 30 messages a second.
    pub per_bot: Option<Rate>,
    /// Per group chat: 20 messages a minute.
    pub per_group: Option<Rate>,
}

impl FloodLimits {
    /// Telegram's published limits.
    pub fn telegram() -> Self {
        Self {
            per_chat: Some(Rate::new(3, 1, Duration::from_secs(1))),
            per_bot: Some(Rate::new(30, 30, Duration::from_secs(1))),
            per_group: Some(Rate::new(20, 20, Duration::from_secs(60))),
        }
    }

    /// No limits at all.
    pub fn off() -> Self {
        Self {
            per_chat: None,
            per_bot: None,
            per_group: None,
        }
    }

    /// Whether any limit is on.
    pub fn is_on(&self) -> bool {
        self.per_chat.is_some() || self.per_bot.is_some() || self.per_group.is_some()
    }
}

impl Default for FloodLimits {
    fn default() -> Self {
        Self::telegram()
    }
}
