//! One reconciliation at a time per tenant within this worker, so jobs run concurrently
//! (different tenants) never race on one tenant's containers: a restart and a reconcile of the
//! same tenant, or a job and the periodic pass, take turns.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex, PoisonError},
};

use booking_core::ids::TenantId;
use tokio::sync::{Mutex as AsyncMutex, OwnedMutexGuard};

/// A lock per tenant, made on first use (one entry per tenant ever seen: a few bytes each).
#[derive(Debug, Default)]
pub struct TenantLocks {
    locks: Mutex<HashMap<TenantId, Arc<AsyncMutex<()>>>>,
}

impl TenantLocks {
    /// Waits until no other reconciliation of `tenant` runs here; held until dropped.
    pub async fn lock(&self, tenant: TenantId) -> OwnedMutexGuard<()> {
        let lock = self
            .locks
            .lock()
            // The map is only ever inserted into: a panic elsewhere cannot leave it half-made.
            .unwrap_or_else(PoisonError::into_inner)
            .entry(tenant)
            .or_default()
            .clone();
        lock.lock_owned().await
    }
}
