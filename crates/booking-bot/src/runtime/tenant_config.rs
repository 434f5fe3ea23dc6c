//! The tenant's configuration (profile and policy, catalogue, staff, calendars) and its text
//! overrides, held in memory between updates instead of read for every one.
//!
//! Dropped when it changes: at once after every admin-panel update of this process (the panel
//! runs here), and after a change written anywhere else when the database's `tenant_changed`
//! notification arrives (`runtime::listen`; a lost listening connection drops it too). It is
//! also read again on the first update of a new day in the tenant's zone, so the calendars it
//! holds keep covering the booking horizon.
//!
//! A screen drawn from it may be a moment out of date; a booking never is: holds, confirmations
//! and moves re-read every rule in their own transaction and the exclusion constraint decides.

use std::sync::{
    Arc, PoisonError, RwLock,
    atomic::{AtomicU64, Ordering},
};

use chrono::{DateTime, NaiveDate, Utc};
use storage::{TenantTx, tenant::config::TenantConfig};

use crate::{
    error::BotError,
    texts::overrides::{self, Overrides},
};

/// One reading of the configuration and the texts.
#[derive(Debug)]
pub struct Held {
    pub config: TenantConfig,
    pub overrides: Arc<Overrides>,
    /// The tenant's date when it was read.
    read_on: NaiveDate,
}

/// The reading in force, if any.
#[derive(Debug, Default)]
pub struct HeldConfig {
    current: RwLock<Option<Arc<Held>>>,
    /// Counts drops, so a reading that began before a drop is used once but not kept.
    generation: AtomicU64,
}

impl HeldConfig {
    /// The configuration in force, read in `tx` when none is held (five statements).
    pub async fn get(&self, tx: &mut TenantTx, now: DateTime<Utc>) -> Result<Arc<Held>, BotError> {
        if let Some(held) = self.peek(now) {
            return Ok(held);
        }
        let generation = self.generation.load(Ordering::Acquire);
        let config = TenantConfig::load(tx, now).await?;
        let overrides = Arc::new(overrides::load(tx).await?);
        let read_on = now.with_timezone(&config.profile.time_zone).date_naive();
        let held = Arc::new(Held {
            config,
            overrides,
            read_on,
        });
        let mut current = self.current.write().unwrap_or_else(PoisonError::into_inner);
        // A drop while this was read may mean it read what was just replaced: keep nothing.
        if self.generation.load(Ordering::Acquire) == generation {
            *current = Some(Arc::clone(&held));
        }
        Ok(held)
    }

    /// The configuration in force if one is held for the tenant's date at `now`, read nowhere.
    #[must_use]
    pub fn peek(&self, now: DateTime<Utc>) -> Option<Arc<Held>> {
        let held = self
            .current
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()?;
        (now.with_timezone(&held.config.profile.time_zone)
            .date_naive()
            == held.read_on)
            .then_some(held)
    }

    /// Forgets the reading: the next update reads the configuration again.
    pub fn drop_held(&self) {
        let mut current = self.current.write().unwrap_or_else(PoisonError::into_inner);
        self.generation.fetch_add(1, Ordering::AcqRel);
        *current = None;
    }
}
