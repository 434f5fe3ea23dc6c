//! The control API's body for making a bot the way @BotFather does.

use serde::{Deserialize, Serialize};

/// Body of `POST /sandbox/botfather/newbot`: what BotFather's /newbot asks for.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BotFatherRequest {
    /// The bot's display name (1-64 characters).
    pub name: String,
    /// The bot's @username: 5-32 Latin letters, digits or underscores, starting with a letter and
    /// ending in "bot"; unique regardless of case.
    pub username: String,
}
