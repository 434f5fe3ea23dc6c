//! What every handler needs about the tenant it serves, passed down explicitly.

use std::sync::Arc;

use anyhow::Context as _;
use booking_core::{clock::SharedClock, ids::TenantId, tenant::TenantSchema};
use chrono::{DateTime, Utc};
use secrecy::ExposeSecret as _;
use storage::{
    Db, TenantTx,
    crypto::tenant_secrets::TenantSecretsKey,
    db::PoolSize,
    kv::{Kv, TenantKey},
};

use crate::{
    config::Config,
    error::BotError,
    refunds::api::RefundsApi,
    runtime::{
        dialogue_storage::TenantDialogues,
        held_customers::HeldCustomers,
        rate_limit::{Admission, RateLimit},
        telegram::telegram_id,
        tenant_config::HeldConfig,
        wake::Wake,
    },
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
    /// The tenant's configuration and texts between updates.
    pub config: HeldConfig,
    /// The customers served recently, held between their presses.
    pub customers: HeldCustomers,
    pub clock: SharedClock,
    /// Wakes the broadcast watcher when one starts or is stopped.
    pub broadcasts: tokio::sync::Notify,
    /// Wakes the outbox dispatcher when a message is queued.
    pub outbox: Wake,
    /// Due messages the dispatcher's last round left waiting (its part of the process's
    /// `outbox_due_messages`).
    pub outbox_waiting: std::sync::atomic::AtomicI64,
    /// Where calendar feed links point (`CALENDAR_FEED_URL`); `None` shows paths alone.
    pub calendar_feed_url: Option<String>,
    /// Opens the payment account's secrets (`None`: the bot asks for no payments).
    pub secrets_key: Option<TenantSecretsKey>,
    /// YooKassa's refunds API (`YOOKASSA_API_URL`), called with the tenant's own shop.
    pub refunds_api: RefundsApi,
}

impl App {
    /// The context of the tenant `config` names: its pool, logging in as the tenant's own
    /// role with connections scoped to its schema, and its Redis. Nothing connects yet.
    pub fn connect(config: &Config, clock: SharedClock) -> anyhow::Result<Self> {
        let schema = TenantSchema::for_tenant(config.tenant_id);
        let db = Db::connect_as_tenant(&config.database_url, &schema, PoolSize(5))
            .context("DATABASE_URL is not a valid PostgreSQL URL")?;
        let kv = Kv::new(config.redis_url.expose_secret())
            .context("REDIS_URL is not a valid Redis URL")?;
        let secrets_key = config
            .tenant_secrets_key
            .as_ref()
            .map(TenantSecretsKey::parse)
            .transpose()
            .context("TENANT_SECRETS_KEY must be 32 bytes in base64")?;
        Ok(Self {
            calendar_feed_url: config.calendar_feed_url.clone(),
            secrets_key,
            refunds_api: RefundsApi::new(&config.yookassa_api_url),
            ..Self::sharing(config.tenant_id, db, kv, clock)
        })
    }

    /// The context of `tenant` on connections shared with other tenants (a bot host's pool,
    /// whose transactions take on each tenant's own role, and its Redis).
    #[must_use]
    pub fn sharing(tenant: TenantId, db: Db, kv: Kv, clock: SharedClock) -> Self {
        Self {
            tenant,
            schema: TenantSchema::for_tenant(tenant),
            db,
            dialogues: TenantDialogues::new(kv.clone(), tenant),
            kv,
            rate_limit: RateLimit::default(),
            config: HeldConfig::default(),
            customers: HeldCustomers::default(),
            clock,
            broadcasts: tokio::sync::Notify::new(),
            outbox: Wake::default(),
            outbox_waiting: std::sync::atomic::AtomicI64::new(0),
            calendar_feed_url: None,
            secrets_key: None,
            refunds_api: RefundsApi::new(crate::refunds::api::DEFAULT_URL),
        }
    }

    /// A transaction in the tenant's schema.
    pub async fn tx(&self) -> Result<TenantTx, BotError> {
        Ok(self.db.tenant(&self.schema).await?)
    }

    /// Counts an update of `user` against the per-user rate limit, reading `also` with it.
    pub async fn admit(
        &self,
        user: &teloxide::types::User,
        also: &TenantKey,
    ) -> (Admission, Option<Option<String>>) {
        self.rate_limit
            .admit(&self.kv, self.tenant, telegram_id(user), also)
            .await
    }

    #[must_use]
    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }
}
