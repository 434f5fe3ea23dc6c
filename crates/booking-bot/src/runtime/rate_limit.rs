//! Per-user rate limits on messages and button presses, counted in Redis so they hold across
//! restarts. Someone over the limit is told once per window, then ignored until it passes
//! (button presses are still answered, silently, so nothing keeps spinning).
//!
//! The limit is the tenant's own (part of its policy, set in the admin panel). It is checked
//! before any database work, to shield the database from a flood, so the bot keeps the
//! policy's value in memory: the admin panel updates it on save (the panel runs in this same
//! process), and the database's `tenant_changed` notification reloads it after a change
//! written anywhere (the replacement container during a rollout, the REST API, an edit made
//! straight in the database; see `runtime::listen`).

use std::sync::{Arc, RwLock};

use teloxide::types::{ChatId, Update};

use bot_kit::{Gate, Reply, Sender};

use booking_core::{
    ids::{TelegramUserId, TenantId},
    policy::UpdateLimit,
    tenant::TenantSchema,
};
use storage::{
    Db, StorageError,
    kv::{Kv, TenantKey},
    tenant::settings,
};

use crate::{
    runtime::app::App,
    texts::{Key, Texts},
};

/// What to do with an update.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Admission {
    Allowed,
    /// The first update over the limit: say so, once.
    Warn,
    /// Over the limit and already told: ignore.
    Ignore,
}

/// The tenant's current limit.
#[derive(Debug, Default)]
pub struct RateLimit(RwLock<UpdateLimit>);

impl RateLimit {
    #[must_use]
    pub fn current(&self) -> UpdateLimit {
        // A poisoned lock still holds a whole `Copy` value: use it.
        *self
            .0
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    pub fn set(&self, limit: UpdateLimit) {
        *self
            .0
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = limit;
    }

    /// Re-reads the limit from the tenant's policy; on failure the last known one stays.
    pub async fn reload(&self, db: &Db, schema: &TenantSchema) {
        let read = async {
            let mut tx = db.tenant(schema).await?;
            let profile = settings::profile(&mut tx).await?;
            tx.commit().await?;
            Ok::<_, StorageError>(profile.policy.update_limit)
        };
        match read.await {
            Ok(limit) => self.set(limit),
            Err(e) => tracing::debug!(error = %e, "rate limit not refreshed"),
        }
    }

    /// Counts one update of `user`, and reads `also` in the same round trip (the dialogue
    /// state the update will need). If Redis cannot be reached the update is let through: the
    /// limit protects the bot, and the handler will apologise for the outage anyway.
    pub async fn admit(
        &self,
        kv: &Kv,
        tenant: TenantId,
        user: TelegramUserId,
        also: &TenantKey,
    ) -> (Admission, Option<Option<String>>) {
        let limit = self.current();
        let key = TenantKey::new(tenant, "rl", user);
        match kv
            .hit_and_get(&key, limit.events, u64::from(limit.window_secs), also)
            .await
        {
            Ok(((true, _), read)) => (Admission::Allowed, Some(read)),
            Ok(((false, count), _)) if count == limit.events.saturating_add(1) => {
                (Admission::Warn, None)
            }
            Ok(((false, _), _)) => (Admission::Ignore, None),
            Err(e) => {
                tracing::debug!(error = %e, "rate limit not counted");
                (Admission::Allowed, None)
            }
        }
    }
}

/// What the first step of the tree read for the rest: the dialogue state as stored (`None`
/// when it could not be read with the rate limit; then the customer's step reads it itself).
#[derive(Clone, Debug, Default)]
pub struct Prefetched {
    pub dialogue: Option<Option<String>>,
}

/// The rate limit as a step of the handler tree, run once per update before anything else
/// (bot-kit's [`gate`](bot_kit::middleware::gate)): over the limit, the sender is told once
/// to slow down in their Telegram language, then ignored (a press is still answered,
/// silently) until the window passes. The same round trip to Redis reads the dialogue state
/// of the update's chat ([`Prefetched`]).
pub async fn admit(update: Update, sender: Sender, app: Arc<App>) -> (Gate, Prefetched) {
    let chat = chat_of(&update, &sender);
    let (admission, dialogue) = app.admit(&sender.0, &app.dialogues.key(chat)).await;
    let gate = match admission {
        Admission::Allowed => Gate::Pass,
        Admission::Warn => Gate::Stop(Reply::alert(Texts::new(sender.locale()).get(Key::SlowDown))),
        Admission::Ignore => Gate::Stop(Reply::nothing()),
    };
    (gate, Prefetched { dialogue })
}

/// The chat an update is answered in: its own, or the sender's private chat (a press on an
/// inline message has none).
#[must_use]
pub fn chat_of(update: &Update, sender: &Sender) -> ChatId {
    update
        .chat()
        .map_or_else(|| ChatId(sender.telegram_id()), |c| c.id)
}
