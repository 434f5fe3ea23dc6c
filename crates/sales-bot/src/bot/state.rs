//! Where a buyer is in the conversation, kept in Redis under `sales:<bot id>:dlg:<chat>`.
//!
//! The sales bot is not a tenant, so its keys carry a `sales` prefix instead of `t:<tenant>`:
//! they can never meet a tenant bot's dialogues in a shared Redis. The bot's own id is in the
//! key because Telegram gives a user the same chat id with every bot: two sales bots (staging
//! and production) sharing a Redis would otherwise read each other's dialogues. No secret is ever part of
//! a state: the bot token is the last answer and goes straight into a sealed order.

use booking_core::ids::PlanId;
use redis::AsyncCommands as _;
use serde::{Deserialize, Serialize};
use storage::{StorageError, kv::Kv};
use teloxide::types::ChatId;

/// A dialogue abandoned for this long is forgotten.
const TTL_SECS: u64 = 24 * 3600;

/// What the buyer is getting.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Purchase {
    Trial,
    Plan(PlanId),
}

/// The question the bot is waiting for an answer to.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Step {
    #[default]
    Idle,
    Name {
        purchase: Purchase,
    },
    Zone {
        purchase: Purchase,
        name: String,
    },
    Email {
        purchase: Purchase,
        name: String,
        zone: String,
    },
    Token {
        purchase: Purchase,
        name: String,
        zone: String,
        email: Option<String>,
    },
}

/// The key prefix of one sales bot's dialogues: `sales:<bot id>`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DialogueKeys(String);

impl DialogueKeys {
    /// From the bot's token: its id is the part before the colon (public, not a secret).
    #[must_use]
    pub fn for_token(token: &str) -> Self {
        let id = token.split_once(':').map_or("0", |(id, _)| id);
        let id: String = id.chars().filter(char::is_ascii_digit).collect();
        Self(format!("sales:{id}"))
    }

    fn key(&self, chat: ChatId) -> String {
        format!("{}:dlg:{}", self.0, chat.0)
    }
}

/// The chat's step; a state this build cannot read is dropped (the buyer starts over).
pub async fn load(kv: &Kv, keys: &DialogueKeys, chat: ChatId) -> Result<Step, StorageError> {
    let mut conn = kv.conn().await?;
    let json: Option<String> = conn.get(keys.key(chat)).await?;
    Ok(json
        .and_then(|j| serde_json::from_str(&j).ok())
        .unwrap_or_default())
}

pub async fn save(
    kv: &Kv,
    keys: &DialogueKeys,
    chat: ChatId,
    step: &Step,
) -> Result<(), StorageError> {
    let mut conn = kv.conn().await?;
    if *step == Step::Idle {
        let () = conn.del(keys.key(chat)).await?;
        return Ok(());
    }
    let json = serde_json::to_string(step).map_err(|e| StorageError::Corrupt(e.to_string()))?;
    let () = conn.set_ex(keys.key(chat), json, TTL_SECS).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_carry_the_bot_and_the_chat_but_not_the_secret() {
        let keys = DialogueKeys::for_token("123456:AAsecret");
        assert_eq!(keys.key(ChatId(42)), "sales:123456:dlg:42");
        assert!(!keys.key(ChatId(42)).contains("secret"));
    }
}
