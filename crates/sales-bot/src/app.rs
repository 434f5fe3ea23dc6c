//! What every part of the sales bot shares, passed down explicitly.

use booking_core::clock::SharedClock;
use chrono::{DateTime, Duration, Utc};
use storage::{Db, crypto::DataKey, kv::Kv, redis_acl::RedisAcl};

use crate::{bot::state::DialogueKeys, yookassa::YooKassa};

/// The sales bot as handlers and notifications use it: calls go through one `Throttle`.
pub type TgBot = bot_kit::TgBot;

/// Receipts (54-FZ) as the shop must send them.
#[derive(Copy, Clone, Debug)]
pub struct ReceiptRules {
    pub vat_code: u8,
    pub tax_system: Option<u8>,
}

/// Taking payments: present only when YooKassa is configured.
#[derive(Clone, Debug)]
pub struct Payments {
    pub yookassa: YooKassa,
    pub return_url: String,
    /// Whether the shop is a test shop (then only test payments count, and otherwise none).
    pub test_shop: bool,
    pub receipt: Option<ReceiptRules>,
    /// Ask YooKassa to save the payment method for renewals (needs the shop's agreement).
    pub save_method: bool,
}

/// The services and settings of one running sales bot.
#[derive(Clone)]
pub struct Sales {
    pub db: Db,
    pub kv: Kv,
    /// Where this bot's dialogues live in Redis.
    pub dialogues: DialogueKeys,
    pub data_key: DataKey,
    /// Makes the Redis users of the tenants it provisions (`REDIS_ACL=on`).
    pub redis_acl: Option<RedisAcl>,
    pub payments: Option<Payments>,
    pub clock: SharedClock,
    /// The sales bot itself, to tell buyers what happened.
    pub bot: TgBot,
    /// The Bot API buyers' tokens are checked against (getMe).
    pub bot_api_url: reqwest::Url,
    pub demo_bot_url: Option<String>,
    pub trial_days: i32,
    pub order_ttl: Duration,
}

/// By hand: teloxide's `Bot` prints its token in `Debug`.
impl std::fmt::Debug for Sales {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sales")
            .field("db", &self.db)
            .field("dialogues", &self.dialogues)
            .field("payments", &self.payments)
            .field("redis_acl", &self.redis_acl.is_some())
            .field("bot_api_url", &self.bot_api_url.as_str())
            .field("trial_days", &self.trial_days)
            .field("order_ttl", &self.order_ttl)
            .finish_non_exhaustive()
    }
}

impl Sales {
    #[must_use]
    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }
}
