//! Rate limits: a token bucket per API key, and one per client address for requests without
//! a valid key (and one per address for the calendar feeds, which have no key at all).
//!
//! In memory, per process: good enough while the API runs as one replica, and free of a
//! Redis round trip on every request. With several replicas each enforces the limit alone
//! (the effective limit multiplies); moving the buckets to Redis is the fix then.

use std::{
    collections::HashMap,
    hash::Hash,
    net::{IpAddr, Ipv6Addr},
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

impl RateLimit {
    /// Requests without a valid key one address may make: enough for a client that lost its
    /// key to notice, too few for a scan to cost the database anything.
    pub const AUTH_FAILURES: Self = Self {
        burst: 20,
        per_second: 1,
    };

    /// Calendar feed fetches one address may make (`GET /ical/<token>.ics`, which has no key):
    /// calendars poll each feed every half hour or so, and one office behind one address may
    /// subscribe to a few dozen; a scan of tokens is held to a fetch a second.
    pub const FEEDS: Self = Self {
        burst: 60,
        per_second: 1,
    };
}

/// Addresses (or keys) tracked at most; past it, those whose bucket has filled up again are
/// forgotten first, so a flood of new addresses cannot grow the map without end.
const MAX_TRACKED: usize = 100_000;

#[derive(Clone, Copy, Debug)]
struct Bucket {
    tokens: f64,
    at: Instant,
}

/// The buckets of every key seen.
#[derive(Debug)]
pub struct RateLimiter<K = ApiKeyId> {
    limit: RateLimit,
    buckets: Mutex<HashMap<K, Bucket>>,
}

impl<K: Eq + Hash + Copy> RateLimiter<K> {
    #[must_use]
    pub fn new(limit: RateLimit) -> Self {
        Self {
            limit,
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Takes a token for `key`, or says how long until one is free.
    pub fn check(&self, key: K) -> Result<(), Duration> {
        self.with_bucket(key, true)
    }

    /// Whether `key` has a token, without taking it; else how long until it has one.
    pub fn peek(&self, key: K) -> Result<(), Duration> {
        self.with_bucket(key, false)
    }

    fn with_bucket(&self, key: K, take: bool) -> Result<(), Duration> {
        let now = Instant::now();
        let burst = f64::from(self.limit.burst.max(1));
        let rate = f64::from(self.limit.per_second.max(1));
        let refill = |b: &mut Bucket| {
            b.tokens = (b.tokens + now.duration_since(b.at).as_secs_f64() * rate).min(burst);
            b.at = now;
        };
        let mut buckets = self.buckets.lock().unwrap_or_else(PoisonError::into_inner);
        if !take && !buckets.contains_key(&key) {
            // Never seen: a full bucket, and nothing to remember.
            return Ok(());
        }
        if buckets.len() >= MAX_TRACKED && !buckets.contains_key(&key) {
            buckets.retain(|_, b| {
                refill(b);
                b.tokens < burst
            });
            if buckets.len() >= MAX_TRACKED {
                buckets.clear();
            }
        }
        let bucket = buckets.entry(key).or_insert(Bucket {
            tokens: burst,
            at: now,
        });
        refill(bucket);
        if bucket.tokens >= 1.0 {
            if take {
                bucket.tokens -= 1.0;
            }
            Ok(())
        } else {
            Err(Duration::from_secs_f64((1.0 - bucket.tokens) / rate))
        }
    }
}

/// A client as the unauthenticated limit counts it: an IPv4 address, or an IPv6 /64 (one
/// subscriber's network, which hands out addresses freely).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub struct ClientAddr(IpAddr);

impl From<IpAddr> for ClientAddr {
    fn from(ip: IpAddr) -> Self {
        match ip {
            IpAddr::V4(v4) => Self(IpAddr::V4(v4)),
            IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
                Some(v4) => Self(IpAddr::V4(v4)),
                None => {
                    let network = u128::from(v6) & (u128::MAX << 64);
                    Self(IpAddr::V6(Ipv6Addr::from(network)))
                }
            },
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

    #[test]
    fn peeking_takes_nothing() {
        let limiter = RateLimiter::new(RateLimit {
            burst: 1,
            per_second: 1,
        });
        let addr = ClientAddr::from("203.0.113.7".parse::<IpAddr>().unwrap());
        for _ in 0..5 {
            assert!(limiter.peek(addr).is_ok());
        }
        assert!(limiter.check(addr).is_ok());
        assert!(limiter.peek(addr).is_err());
    }

    #[test]
    fn one_ipv6_network_is_one_client_and_mapped_ipv4_is_ipv4() {
        let a = ClientAddr::from("2001:db8:1:2::1".parse::<IpAddr>().unwrap());
        let b = ClientAddr::from("2001:db8:1:2:ffff::9".parse::<IpAddr>().unwrap());
        let c = ClientAddr::from("2001:db8:1:3::1".parse::<IpAddr>().unwrap());
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert_eq!(
            ClientAddr::from("::ffff:198.51.100.1".parse::<IpAddr>().unwrap()),
            ClientAddr::from("198.51.100.1".parse::<IpAddr>().unwrap())
        );
    }

    #[test]
    fn the_map_forgets_clients_whose_buckets_refilled_when_it_is_full() {
        let limiter = RateLimiter::<u32>::new(RateLimit {
            burst: 2,
            per_second: 1,
        });
        for key in 0..u32::try_from(MAX_TRACKED).unwrap() {
            limiter.check(key).unwrap();
        }
        assert!(limiter.peek(u32::MAX - 1).is_ok());
        assert_eq!(limiter.buckets.lock().unwrap().len(), MAX_TRACKED);
        // Time passes, every bucket fills up again: the next new key makes room.
        {
            let mut buckets = limiter.buckets.lock().unwrap();
            for b in buckets.values_mut() {
                b.at -= Duration::from_secs(5);
            }
        }
        limiter.check(u32::MAX).unwrap();
        assert_eq!(limiter.buckets.lock().unwrap().len(), 1);
    }
}
