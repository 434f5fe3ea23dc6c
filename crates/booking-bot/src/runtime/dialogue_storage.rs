//! Dialogue states in Redis, under keys that carry the tenant: `t:<tenant>:dlg:<chat>`.
//!
//! teloxide's own `RedisStorage` keys by the bare chat id. Telegram gives a user the same
//! private chat id with every bot, so two tenants' bots sharing one Redis would read and
//! overwrite each other's dialogues. This storage is the same three methods with the tenant in
//! the key.

use std::sync::Arc;

use booking_core::ids::TenantId;
use futures::future::BoxFuture;
use serde::{Serialize, de::DeserializeOwned};
use storage::{
    StorageError,
    kv::{Kv, TenantKey},
};
use teloxide::{dispatching::dialogue::Storage, types::ChatId};

/// A dialogue abandoned for this long is forgotten.
const TTL_SECS: u64 = 7 * 24 * 3600;

/// Tenant-scoped dialogue storage over [`Kv`].
#[derive(Clone, Debug)]
pub struct TenantDialogues {
    kv: Kv,
    tenant: TenantId,
}

impl TenantDialogues {
    #[must_use]
    pub fn new(kv: Kv, tenant: TenantId) -> Arc<Self> {
        Arc::new(Self { kv, tenant })
    }

    /// Where the dialogue of `chat` is stored.
    #[must_use]
    pub fn key(&self, chat: ChatId) -> TenantKey {
        TenantKey::new(self.tenant, "dlg", chat.0)
    }

    /// A stored state. One written by another version of the bot that no longer parses is
    /// dropped: the customer starts over instead of being stuck.
    #[must_use]
    pub fn parse<D: DeserializeOwned>(chat: ChatId, json: &str) -> Option<D> {
        match serde_json::from_str(json) {
            Ok(state) => Some(state),
            Err(e) => {
                tracing::warn!(chat = chat.0, error = %e, "dropping an unreadable dialogue state");
                None
            }
        }
    }
}

impl<D> Storage<D> for TenantDialogues
where
    D: Serialize + DeserializeOwned + Send + 'static,
{
    type Error = StorageError;

    fn remove_dialogue(
        self: Arc<Self>,
        chat_id: ChatId,
    ) -> BoxFuture<'static, Result<(), Self::Error>>
    where
        D: Send + 'static,
    {
        Box::pin(async move { self.kv.delete(&self.key(chat_id)).await })
    }

    fn update_dialogue(
        self: Arc<Self>,
        chat_id: ChatId,
        dialogue: D,
    ) -> BoxFuture<'static, Result<(), Self::Error>>
    where
        D: Send + 'static,
    {
        Box::pin(async move {
            let json = serde_json::to_string(&dialogue)
                .map_err(|e| StorageError::Corrupt(e.to_string()))?;
            self.kv.set(&self.key(chat_id), &json, TTL_SECS).await
        })
    }

    fn get_dialogue(
        self: Arc<Self>,
        chat_id: ChatId,
    ) -> BoxFuture<'static, Result<Option<D>, Self::Error>> {
        Box::pin(async move {
            let json = self.kv.get(&self.key(chat_id)).await?;
            Ok(json.and_then(|json| Self::parse(chat_id, &json)))
        })
    }
}
