//! What every handler needs about the tenant it serves, passed down explicitly.

use std::sync::Arc;

use booking_core::{clock::SharedClock, ids::TenantId, tenant::TenantSchema};
use chrono::{DateTime, Utc};
use storage::{Db, TenantTx};

use crate::{dialogue_storage::TenantDialogues, error::BotError};

/// The tenant context of one running bot. Nothing about the tenant is global, so one process
/// could later serve several tenants with one `App` each.
#[derive(Debug)]
pub struct App {
    pub tenant: TenantId,
    pub schema: TenantSchema,
    pub db: Db,
    pub dialogues: Arc<TenantDialogues>,
    pub clock: SharedClock,
}

impl App {
    /// A transaction in the tenant's schema.
    pub async fn tx(&self) -> Result<TenantTx, BotError> {
        Ok(self.db.tenant(&self.schema).await?)
    }

    #[must_use]
    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }
}
