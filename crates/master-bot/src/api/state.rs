//! What every handler shares, cheap to clone.

use std::sync::Arc;

use booking_core::clock::SharedClock;
use secrecy::SecretString;
use storage::{Db, crypto::DataKey, redis_acl::RedisAcl};
use telemetry::client_ip::Allowlist;

use crate::{
    api::rate_limit::{ClientAddr, RateLimit, RateLimiter},
    bot_api::BotApi,
};

/// The platform's keys, as the API and the start-up upkeep use them.
#[derive(Clone, Debug, Default)]
pub struct PlatformKeys {
    /// Seals bot tokens and tenant passwords; without it tenants cannot be created.
    pub data_key: Option<DataKey>,
    /// Makes and removes tenants' Redis users (`REDIS_ACL=on`).
    pub redis_acl: Option<RedisAcl>,
    /// The sales bot's Redis user is made with it (`SALES_REDIS_PASSWORD`).
    pub sales_redis_password: Option<SecretString>,
}

/// How the API treats its callers.
#[derive(Clone, Debug)]
pub struct ApiSettings {
    /// Per API key.
    pub rate_limit: RateLimit,
    /// Per client address, counting requests with a missing or wrong key.
    pub auth_failures: RateLimit,
    /// Per client address, counting calendar feed fetches.
    pub feeds: RateLimit,
    /// Our own proxies: only from them is `X-Forwarded-For` believed (`TRUSTED_PROXIES`).
    pub trusted_proxies: Allowlist,
}

impl Default for ApiSettings {
    fn default() -> Self {
        Self {
            rate_limit: RateLimit::default(),
            auth_failures: RateLimit::AUTH_FAILURES,
            feeds: RateLimit::FEEDS,
            trusted_proxies: Allowlist::default(),
        }
    }
}

/// The API's state: one `Arc`, so cloning it per request costs a reference count.
#[derive(Clone, Debug)]
pub struct ApiState(Arc<Inner>);

#[derive(Debug)]
pub struct Inner {
    pub db: Db,
    /// Seals bot tokens and tenant database passwords; without it tenants cannot be created.
    pub data_key: Option<DataKey>,
    /// Tenants' Redis users, when they have their own (`REDIS_ACL=on`).
    pub redis_acl: Option<RedisAcl>,
    pub clock: SharedClock,
    pub limiter: RateLimiter,
    /// Requests without a valid key, per client address: refused before the database is asked.
    pub auth_failures: RateLimiter<ClientAddr>,
    /// Calendar feed fetches, per client address: refused before the database is asked.
    pub feed_limiter: RateLimiter<ClientAddr>,
    pub trusted_proxies: Allowlist,
    /// Checks bot tokens with getMe.
    pub bot_api: BotApi,
}

impl ApiState {
    /// The API with default settings beyond the per-key limit, and no Redis users.
    #[must_use]
    pub fn new(
        db: Db,
        data_key: Option<DataKey>,
        clock: SharedClock,
        limit: RateLimit,
        bot_api: BotApi,
    ) -> Self {
        Self::with(
            db,
            PlatformKeys {
                data_key,
                ..PlatformKeys::default()
            },
            clock,
            bot_api,
            ApiSettings {
                rate_limit: limit,
                ..ApiSettings::default()
            },
        )
    }

    #[must_use]
    pub fn with(
        db: Db,
        keys: PlatformKeys,
        clock: SharedClock,
        bot_api: BotApi,
        settings: ApiSettings,
    ) -> Self {
        Self(Arc::new(Inner {
            db,
            data_key: keys.data_key,
            redis_acl: keys.redis_acl,
            clock,
            limiter: RateLimiter::new(settings.rate_limit),
            auth_failures: RateLimiter::new(settings.auth_failures),
            feed_limiter: RateLimiter::new(settings.feeds),
            trusted_proxies: settings.trusted_proxies,
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
