use booking_core::ids::TenantId;
use std::{sync::Arc, time::Duration};

use redis::{AsyncCommands, aio::ConnectionManager};
use tokio::sync::OnceCell;

use crate::error::StorageError;

/// A Redis connection made on first use and re-made by itself after Redis restarts, so a
/// service starts while Redis is down and recovers without a restart.
#[derive(Clone)]
pub struct Kv {
    client: redis::Client,
    conn: Arc<OnceCell<ConnectionManager>>,
}

impl std::fmt::Debug for Kv {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Kv")
    }
}

impl Kv {
    /// Checks the URL; connects on first use.
    pub fn new(url: &str) -> Result<Self, StorageError> {
        Ok(Self {
            client: redis::Client::open(url)?,
            conn: Arc::new(OnceCell::new()),
        })
    }

    /// The managed connection, connecting now if this is the first use.
    pub async fn conn(&self) -> Result<ConnectionManager, StorageError> {
        let config = redis::aio::ConnectionManagerConfig::new()
            .set_connection_timeout(Some(Duration::from_secs(2)))
            .set_response_timeout(Some(Duration::from_secs(2)))
            .set_number_of_retries(1);
        let conn = self
            .conn
            .get_or_try_init(|| ConnectionManager::new_with_config(self.client.clone(), config))
            .await?;
        Ok(conn.clone())
    }

    pub async fn ping(&self) -> Result<(), StorageError> {
        let mut conn = self.conn().await?;
        let _: String = redis::cmd("PING").query_async(&mut conn).await?;
        Ok(())
    }

    /// Counts one event for `key` in a fixed window and says whether it is within `limit`.
    /// Returns `(allowed, count)`; the first event over the limit has `count == limit + 1`, so
    /// callers can warn exactly once.
    pub async fn hit(
        &self,
        key: &TenantKey,
        limit: u32,
        window_secs: u64,
    ) -> Result<(bool, u32), StorageError> {
        let mut conn = self.conn().await?;
        let (count, _): (u32, bool) = redis::pipe()
            .atomic()
            .incr(key.as_str(), 1)
            .expire(key.as_str(), i64::try_from(window_secs).unwrap_or(i64::MAX))
            .arg("NX")
            .query_async(&mut conn)
            .await?;
        Ok((count <= limit, count))
    }

    /// [`Kv::hit`] and a read of `read` in one round trip (three commands, no transaction: the
    /// expiry is set with `NX` on every hit, so a window never outlives its first hit by more
    /// than its length even if one expiry were lost).
    pub async fn hit_and_get(
        &self,
        key: &TenantKey,
        limit: u32,
        window_secs: u64,
        read: &TenantKey,
    ) -> Result<((bool, u32), Option<String>), StorageError> {
        let mut conn = self.conn().await?;
        let (count, _, value): (u32, bool, Option<String>) = redis::pipe()
            .incr(key.as_str(), 1)
            .expire(key.as_str(), i64::try_from(window_secs).unwrap_or(i64::MAX))
            .arg("NX")
            .get(read.as_str())
            .query_async(&mut conn)
            .await?;
        Ok(((count <= limit, count), value))
    }

    pub async fn get(&self, key: &TenantKey) -> Result<Option<String>, StorageError> {
        let mut conn = self.conn().await?;
        Ok(conn.get(key.as_str()).await?)
    }

    pub async fn set(
        &self,
        key: &TenantKey,
        value: &str,
        ttl_secs: u64,
    ) -> Result<(), StorageError> {
        let mut conn = self.conn().await?;
        let _: () = conn.set_ex(key.as_str(), value, ttl_secs).await?;
        Ok(())
    }

    pub async fn delete(&self, key: &TenantKey) -> Result<(), StorageError> {
        let mut conn = self.conn().await?;
        let _: () = conn.del(key.as_str()).await?;
        Ok(())
    }
}

/// A Redis key that belongs to one tenant: `t:<tenant>:<kind>:<rest>`.
///
/// Telegram gives a user the same chat id with every bot, so keys without the tenant would
/// collide between tenants sharing one Redis.
#[derive(Clone, Eq, PartialEq, Debug)]
pub struct TenantKey(String);

impl TenantKey {
    #[must_use]
    pub fn new(tenant: TenantId, kind: &str, rest: impl std::fmt::Display) -> Self {
        Self(format!("t:{tenant}:{kind}:{rest}"))
    }

    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_carry_the_tenant() {
        assert_eq!(
            TenantKey::new(TenantId(3), "dlg", 777).as_str(),
            "t:3:dlg:777"
        );
    }
}
