//! Per-user rate limits on messages and button presses, counted in Redis so they hold across
//! restarts. Someone over the limit is told once per window, then ignored until it passes
//! (button presses are still answered, silently, so nothing keeps spinning).

use booking_core::ids::{TelegramUserId, TenantId};
use storage::kv::{Kv, TenantKey};

/// How many updates one user may send in a window.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct RateLimit {
    pub events: u32,
    pub window_secs: u64,
}

impl Default for RateLimit {
    /// Far above what a person tapping through the menus does.
    fn default() -> Self {
        Self {
            events: 20,
            window_secs: 10,
        }
    }
}

/// What to do with an update.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Admission {
    Allowed,
    /// The first update over the limit: say so, once.
    Warn,
    /// Over the limit and already told: ignore.
    Ignore,
}

impl RateLimit {
    /// Counts one update of `user`. If Redis cannot be reached the update is let through:
    /// the limit protects the bot, and the handler will apologise for the outage anyway.
    pub async fn admit(self, kv: &Kv, tenant: TenantId, user: TelegramUserId) -> Admission {
        let key = TenantKey::new(tenant, "rl", user);
        match kv.hit(&key, self.events, self.window_secs).await {
            Ok((true, _)) => Admission::Allowed,
            Ok((false, count)) if count == self.events.saturating_add(1) => Admission::Warn,
            Ok((false, _)) => Admission::Ignore,
            Err(e) => {
                tracing::debug!(error = %e, "rate limit not counted");
                Admission::Allowed
            }
        }
    }
}
