//! What every handler shares, cheap to clone.

use std::sync::Arc;

use booking_core::clock::SharedClock;
use storage::{Db, crypto::DataKey};

use crate::{
    api::rate_limit::{RateLimit, RateLimiter},
    bot_api::BotApi,
};

/// The API's state: one `Arc`, so cloning it per request costs a reference count.
#[derive(Clone, Debug)]
pub struct ApiState(Arc<Inner>);

#[derive(Debug)]
pub struct Inner {
    pub db: Db,
    /// Seals bot tokens and tenant database passwords; without it tenants cannot be created.
    pub data_key: Option<DataKey>,
    pub clock: SharedClock,
    pub limiter: RateLimiter,
    /// Checks bot tokens with getMe.
    pub bot_api: BotApi,
}

impl ApiState {
    #[must_use]
    pub fn new(
        db: Db,
        data_key: Option<DataKey>,
        clock: SharedClock,
        limit: RateLimit,
        bot_api: BotApi,
    ) -> Self {
        Self(Arc::new(Inner {
            db,
            data_key,
            clock,
            limiter: RateLimiter::new(limit),
            bot_api,
        }))
    }
}

impl std::ops::Deref for ApiState {
    type Target = Inner;

    fn deref(&self) -> &Inner {
        &self.0
    }
}
