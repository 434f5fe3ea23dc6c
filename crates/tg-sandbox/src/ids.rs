//! Newtypes for the identifiers the sandbox hands out that teloxide has no type for.
//!
//! User, chat and message ids reuse teloxide's own newtypes (`UserId`, `ChatId`, `MessageId`), so a
//! test compares what the bot saw with what the sandbox reports without conversions.

use std::fmt;

use serde::{Deserialize, Serialize};

/// A bot's secret token, as it appears in `/bot<token>/<method>`.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct BotToken(String);

impl BotToken {
    /// Wraps a token string as given (no validation: the sandbox accepts any token it was told).
    pub fn new(token: impl Into<String>) -> Self {
        Self(token.into())
    }

    /// The token text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The numeric bot id Telegram puts before the colon, when there is one.
    pub fn bot_id_prefix(&self) -> Option<u64> {
        self.0.split_once(':').and_then(|(id, _)| id.parse().ok())
    }
}

impl fmt::Display for BotToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

// Tokens are secrets in real deployments, but the sandbox's are throwaway; printing the whole token
// in debug output makes failing tests readable.
impl fmt::Debug for BotToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "BotToken({})", self.0)
    }
}

impl From<&str> for BotToken {
    fn from(s: &str) -> Self {
        Self::new(s)
    }
}

impl From<String> for BotToken {
    fn from(s: String) -> Self {
        Self::new(s)
    }
}

impl AsRef<str> for BotToken {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

/// A stored file's id, the `file_id` Telegram would hand back.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct FileKey(pub String);

impl fmt::Display for FileKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
