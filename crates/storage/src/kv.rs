use booking_core::ids::TenantId;
use redis::{AsyncCommands, aio::ConnectionManager};

use crate::error::StorageError;

/// A Redis connection that reconnects by itself after Redis restarts.
#[derive(Clone)]
pub struct Kv {
    conn: ConnectionManager,
}

impl std::fmt::Debug for Kv {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Kv")
    }
}

impl Kv {
    /// Connects; fails if Redis is unreachable now (the manager reconnects later on its own).
    pub async fn connect(url: &str) -> Result<Self, StorageError> {
        let client = redis::Client::open(url)?;
        let config = redis::aio::ConnectionManagerConfig::new()
            .set_connection_timeout(Some(std::time::Duration::from_secs(2)))
            .set_response_timeout(Some(std::time::Duration::from_secs(2)))
            .set_number_of_retries(1);
        let conn = ConnectionManager::new_with_config(client, config).await?;
        Ok(Self { conn })
    }

    /// A clone of the managed connection for commands.
    #[must_use]
    pub fn conn(&self) -> ConnectionManager {
        self.conn.clone()
    }

    pub async fn ping(&self) -> Result<(), StorageError> {
        let mut conn = self.conn.clone();
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
        let mut conn = self.conn.clone();
        let (count, _): (u32, bool) = redis::pipe()
            .atomic()
            .incr(key.as_str(), 1)
            .expire(key.as_str(), i64::try_from(window_secs).unwrap_or(i64::MAX))
            .arg("NX")
            .query_async(&mut conn)
            .await?;
        Ok((count <= limit, count))
    }

    pub async fn get(&self, key: &TenantKey) -> Result<Option<String>, StorageError> {
        let mut conn = self.conn.clone();
        Ok(conn.get(key.as_str()).await?)
    }

    pub async fn set(
        &self,
        key: &TenantKey,
        value: &str,
        ttl_secs: u64,
    ) -> Result<(), StorageError> {
        let mut conn = self.conn.clone();
        let _: () = conn.set_ex(key.as_str(), value, ttl_secs).await?;
        Ok(())
    }

    pub async fn delete(&self, key: &TenantKey) -> Result<(), StorageError> {
        let mut conn = self.conn.clone();
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
