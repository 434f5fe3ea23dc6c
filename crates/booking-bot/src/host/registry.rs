//! The tenants a bot host serves, taken on and off while it runs: a tenant added, its token
//! changed, a tenant removed, with no restart and without touching the others. Each tenant
//! keeps its own context (its own role in every transaction, its own Redis keys), bot, throttle
//! and stop; one tenant's token being rejected stops that tenant only.

use std::{collections::HashMap, sync::Arc};

use booking_core::{clock::SharedClock, ids::TenantId, tenant::TenantSchema};
use bot_kit::{TgBot, Timing, bot::TokenSource};
use secrecy::SecretString;
use serde::Serialize;
use storage::{Db, StorageError, crypto::tenant_secrets::TenantSecretsKey, kv::Kv};
use telemetry::Shutdown;
use tokio::{sync::Mutex, task::JoinHandle};

use teloxide::prelude::Requester as _;

use super::{tenant::TenantBot, webhook::Webhooks};
use crate::refunds::api::RefundsApi;
use crate::runtime::{app::App, listen::Served};

/// What a host needs to start a tenant's bot: the connections its tenants share.
#[derive(Clone, Debug)]
pub struct Shared {
    pub db: Db,
    pub kv: Kv,
    /// One HTTP connection pool for every tenant's bot.
    pub client: reqwest::Client,
    pub api_url: reqwest::Url,
    pub clock: SharedClock,
    pub timing: Timing,
    /// The tenants' webhook paths, when updates come by webhook.
    pub webhooks: Webhooks,
    /// YooKassa's API, for the tenants' refunds (`YOOKASSA_API_URL`).
    pub refunds_api: RefundsApi,
}

/// How a served tenant is doing.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum State {
    Running,
    /// The Bot API rejected the token: the tenant is stopped until a new one is given.
    TokenRejected,
}

/// A served tenant, as the control API shows it: its token only by a fingerprint.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Listed {
    pub tenant_id: TenantId,
    /// SHA-256 of the token, hex: enough to tell whether the token is the one wanted.
    pub token: String,
    pub state: State,
}

/// Why a tenant was not taken on.
#[derive(Debug, thiserror::Error)]
pub enum AddError {
    /// PostgreSQL refused the host the tenant's role: it was not granted.
    #[error("this host was not granted tenant {0}'s role")]
    NotGranted(TenantId),
    #[error(transparent)]
    Storage(#[from] StorageError),
}

struct Slot {
    token: String,
    /// The fingerprint of the tenant's secrets key, so a key given later restarts the tenant
    /// with it (the control API never lists it).
    key: Option<String>,
    state: Arc<std::sync::Mutex<State>>,
    stop: Shutdown,
    task: JoinHandle<()>,
    bot: TgBot,
}

/// The tenants one host serves.
pub struct Host {
    shared: Shared,
    served: Served,
    slots: Mutex<HashMap<TenantId, Slot>>,
    stop: Shutdown,
}

impl Host {
    /// A host with no tenants yet; `served` is what the database's notifications are routed
    /// to, and `stop` the host's own stop (each tenant's is a child of it).
    #[must_use]
    pub fn new(shared: Shared, served: Served, stop: Shutdown) -> Self {
        Self {
            shared,
            served,
            slots: Mutex::new(HashMap::new()),
            stop,
        }
    }

    /// Serves `tenant` with `token` and its own secrets key (which opens its payment account):
    /// starts it, or restarts it with a new token or key; the same ones again change nothing.
    /// Refused when the host's role was not granted the tenant's.
    pub async fn serve(
        &self,
        tenant: TenantId,
        token: &SecretString,
        secrets_key: Option<TenantSecretsKey>,
    ) -> Result<Listed, AddError> {
        let fingerprint = fingerprint(token);
        let key = secrets_key
            .as_ref()
            .map(|k| self::fingerprint(&k.to_base64()));
        let mut slots = self.slots.lock().await;
        if let Some(slot) = slots.get(&tenant)
            && slot.token == fingerprint
            && slot.key == key
            && *lock(&slot.state) == State::Running
        {
            return Ok(listed(tenant, slot));
        }
        self.check_granted(tenant).await?;
        if let Some(old) = slots.remove(&tenant) {
            self.take_off(tenant, old).await;
        }
        let app = Arc::new(App {
            secrets_key,
            refunds_api: self.shared.refunds_api.clone(),
            ..App::sharing(
                tenant,
                self.shared.db.clone(),
                self.shared.kv.clone(),
                Arc::clone(&self.shared.clock),
            )
        });
        // Routed first, so a message queued while the bot starts still wakes it; the bot reads
        // its outbox and rate limit at start anyway.
        self.served.insert(Arc::clone(&app));
        app.outbox.resync();
        app.rate_limit.reload(&app.db, &app.schema).await;
        let stop = self.stop.child();
        let bot = bot_kit::bot::throttled_with(
            self.shared.client.clone(),
            token,
            self.shared.api_url.clone(),
        );
        let source = TokenSource::described(format!("the bot token of tenant {tenant}"));
        let running = match self.shared.webhooks.open(tenant) {
            Some(hook) => TenantBot::webhook(app, bot.clone(), source, stop.clone(), hook),
            None => TenantBot::polling(app, bot.clone(), source, stop.clone(), self.shared.timing),
        };
        let state = Arc::new(std::sync::Mutex::new(State::Running));
        let task = tokio::spawn(supervise(running, Arc::clone(&state)));
        let slot = Slot {
            token: fingerprint,
            key,
            state,
            stop,
            task,
            bot,
        };
        let shown = listed(tenant, &slot);
        slots.insert(tenant, slot);
        tracing::info!(%tenant, "tenant taken on");
        Ok(shown)
    }

    /// Stops serving `tenant` (its updates stay with Telegram until someone serves it again);
    /// `false` if it was not served.
    pub async fn remove(&self, tenant: TenantId) -> bool {
        let slot = self.slots.lock().await.remove(&tenant);
        self.served.remove(tenant);
        match slot {
            Some(slot) => {
                self.take_off(tenant, slot).await;
                tracing::info!(%tenant, "tenant taken off");
                true
            }
            None => false,
        }
    }

    /// The tenants served, by id.
    pub async fn list(&self) -> Vec<Listed> {
        let slots = self.slots.lock().await;
        let mut out: Vec<Listed> = slots.iter().map(|(id, s)| listed(*id, s)).collect();
        out.sort_by_key(|l| l.tenant_id);
        out
    }

    /// Stops every tenant and waits until each has stopped.
    pub async fn stop_all(&self) {
        let slots: Vec<(TenantId, Slot)> = self.slots.lock().await.drain().collect();
        for (tenant, slot) in slots {
            self.served.remove(tenant);
            stop_slot(slot).await;
        }
    }

    /// Stops a tenant's bot; on webhooks, also closes its path and deletes its webhook, so
    /// Telegram keeps its updates until the next host sets its own.
    async fn take_off(&self, tenant: TenantId, slot: Slot) {
        let bot = slot.bot.clone();
        stop_slot(slot).await;
        if self.shared.webhooks.enabled() {
            self.shared.webhooks.close(tenant);
            if let Err(e) = bot.delete_webhook().await {
                tracing::warn!(%tenant, error = %e, "deleteWebhook failed");
            }
        }
    }

    /// One transaction as the tenant's role: PostgreSQL says whether the host may.
    async fn check_granted(&self, tenant: TenantId) -> Result<(), AddError> {
        match self
            .shared
            .db
            .tenant(&TenantSchema::for_tenant(tenant))
            .await
        {
            Ok(tx) => {
                tx.rollback().await?;
                Ok(())
            }
            Err(StorageError::Database(sqlx::Error::Database(e)))
                if e.code().as_deref() == Some("42501") =>
            {
                Err(AddError::NotGranted(tenant))
            }
            Err(e) => Err(e.into()),
        }
    }
}

/// Runs a tenant's bot until it is stopped, or until the Bot API rejects its token (then the
/// tenant alone stops, and says why in the host's list).
async fn supervise(mut bot: TenantBot, state: Arc<std::sync::Mutex<State>>) {
    let tenant = bot.app.tenant;
    if let Err(rejected) = bot.telegram_ended().await {
        tracing::error!(%tenant, error = %rejected, "tenant stopped: its token was rejected");
        *lock(&state) = State::TokenRejected;
    }
    if let Err(e) = bot.stop().await {
        tracing::debug!(%tenant, error = %e, "stopped");
    }
}

async fn stop_slot(slot: Slot) {
    slot.stop.trigger();
    if let Err(e) = slot.task.await {
        tracing::error!(error = %e, "a tenant's supervisor failed");
    }
}

fn listed(tenant: TenantId, slot: &Slot) -> Listed {
    Listed {
        tenant_id: tenant,
        token: slot.token.clone(),
        state: *lock(&slot.state),
    }
}

fn lock(state: &std::sync::Mutex<State>) -> std::sync::MutexGuard<'_, State> {
    state
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// SHA-256 of a token, hex: the fingerprint the deploy worker compares with.
#[must_use]
pub fn fingerprint(token: &SecretString) -> String {
    storage::host::token_fingerprint(token)
}
