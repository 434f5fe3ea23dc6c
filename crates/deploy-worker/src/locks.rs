//! One reconciliation at a time per tenant (and per bot host) within this worker, so jobs run
//! concurrently (different tenants) never race on one tenant's containers: a restart and a
//! reconcile of the same tenant, or a job and the periodic pass, take turns. Tenants placed on
//! the same bot host take turns bringing its container up.

use std::{
    collections::HashMap,
    hash::Hash,
    sync::{Arc, Mutex, PoisonError},
};

use booking_core::ids::TenantId;
use storage::host::HostName;
use tokio::sync::{Mutex as AsyncMutex, OwnedMutexGuard};

/// A lock per key, made on first use (one entry per key ever seen: a few bytes each).
#[derive(Debug)]
pub struct KeyedLocks<K> {
    locks: Mutex<HashMap<K, Arc<AsyncMutex<()>>>>,
}

impl<K> Default for KeyedLocks<K> {
    fn default() -> Self {
        Self {
            locks: Mutex::new(HashMap::new()),
        }
    }
}

impl<K: Eq + Hash> KeyedLocks<K> {
    /// Waits until no other reconciliation of `key` runs here; held until dropped.
    pub async fn lock(&self, key: K) -> OwnedMutexGuard<()> {
        let lock = self
            .locks
            .lock()
            // The map is only ever inserted into: a panic elsewhere cannot leave it half-made.
            .unwrap_or_else(PoisonError::into_inner)
            .entry(key)
            .or_default()
            .clone();
        lock.lock_owned().await
    }
}

/// One reconciliation per tenant.
pub type TenantLocks = KeyedLocks<TenantId>;
/// One bring-up per bot host's container.
pub type HostLocks = KeyedLocks<HostName>;
