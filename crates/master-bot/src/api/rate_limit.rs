//! A per-key rate limit: a token bucket per API key.
//!
//! In memory, per process: good enough while the API runs as one replica, and free of a
//! Redis round trip on every request. With several replicas each enforces the limit alone
//! (the effective limit multiplies); moving the buckets to Redis is the fix then.

use std::{
    collections::HashMap,
    sync::{Mutex, PoisonError},
    time::{Duration, Instant},
};

use storage::control::api_keys::ApiKeyId;

/// How many requests a key may make: `burst` at once, refilled at `per_second`.
#[derive(Copy, Clone, Debug)]
pub struct RateLimit {
    pub burst: u32,
    pub per_second: u32,
}

impl Default for RateLimit {
    fn default() -> Self {
        Self {
            burst: 120,
            per_second: 20,
        }
    }
}

#[derive(Clone, Copy, Debug)]
struct Bucket {
    tokens: f64,
    at: Instant,
}

/// The buckets of every key seen.
#[derive(Debug)]
pub struct RateLimiter {
    limit: RateLimit,
    buckets: Mutex<HashMap<ApiKeyId, Bucket>>,
}

impl RateLimiter {
    #[must_use]
    pub fn new(limit: RateLimit) -> Self {
        Self {
            limit,
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Takes a token for `key`, or says how long until one is free.
    pub fn check(&self, key: ApiKeyId) -> Result<(), Duration> {
        let now = Instant::now();
        let burst = f64::from(self.limit.burst.max(1));
        let rate = f64::from(self.limit.per_second.max(1));
        let mut buckets = self.buckets.lock().unwrap_or_else(PoisonError::into_inner);
        let bucket = buckets.entry(key).or_insert(Bucket {
            tokens: burst,
            at: now,
        });
        let refilled = now.duration_since(bucket.at).as_secs_f64() * rate;
        bucket.tokens = (bucket.tokens + refilled).min(burst);
        bucket.at = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            Ok(())
        } else {
            Err(Duration::from_secs_f64((1.0 - bucket.tokens) / rate))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_gets_its_burst_then_waits_and_other_keys_are_unaffected() {
        let limiter = RateLimiter::new(RateLimit {
            burst: 3,
            per_second: 1,
        });
        for _ in 0..3 {
            assert!(limiter.check(ApiKeyId(1)).is_ok());
        }
        let wait = limiter.check(ApiKeyId(1)).unwrap_err();
        assert!(wait > Duration::ZERO && wait <= Duration::from_secs(1));
        assert!(limiter.check(ApiKeyId(2)).is_ok());
    }
}
