//! What every handler needs about the tenant it serves, passed down explicitly.

use std::sync::Arc;

use booking_core::{clock::SharedClock, ids::TenantId, tenant::TenantSchema};
use chrono::{DateTime, Utc};
use storage::{Db, TenantTx, kv::Kv};

use crate::{
    dialogue_storage::TenantDialogues,
    error::BotError,
    rate_limit::{Admission, RateLimit},
    session::telegram_id,
};

/// The tenant context of one running bot. Nothing about the tenant is global, so one process
/// could later serve several tenants with one `App` each.
#[derive(Debug)]
pub struct App {
    pub tenant: TenantId,
    pub schema: TenantSchema,
    pub db: Db,
    pub dialogues: Arc<TenantDialogues>,
    pub kv: Kv,
    pub rate_limit: RateLimit,
    pub clock: SharedClock,
    /// Wakes the broadcast watcher when one starts or is stopped, rather than on its next look.
    pub broadcasts: tokio::sync::Notify,
}

impl App {
    /// A transaction in the tenant's schema.
    pub async fn tx(&self) -> Result<TenantTx, BotError> {
        Ok(self.db.tenant(&self.schema).await?)
    }

    /// Counts an update of `user` against the per-user rate limit.
    pub async fn admit(&self, user: &teloxide::types::User) -> Admission {
        self.rate_limit
            .admit(&self.kv, self.tenant, telegram_id(user))
            .await
    }

    #[must_use]
    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }
}
