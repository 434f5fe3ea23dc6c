//! The control API's request and response bodies, shared by the server and [`crate::client`].

use serde::{Deserialize, Serialize};
use teloxide::types::{BotCommand, BotCommandScope, ChatId, Message, MessageId, UserId};

use crate::ids::{BotToken, FileKey};

mod botfather;
mod payments;

pub use botfather::*;
pub use payments::*;

/// Message ids as plain numbers: teloxide's `MessageId` serialises as `{"message_id": N}`
/// because `Message` flattens it, which is awkward in the control API's JSON.
mod plain_message_id {
    use serde::{Deserialize, Deserializer, Serializer};
    use teloxide::types::MessageId;

    pub fn serialize<S: Serializer>(id: &MessageId, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_i32(id.0)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<MessageId, D::Error> {
        i32::deserialize(d).map(MessageId)
    }
}

/// A bot the sandbox knows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BotInfo {
    /// The bot's user id (the number before the colon of its token).
    pub id: UserId,
    /// The token to give teloxide.
    pub token: BotToken,
    /// The bot's @username, without the @.
    pub username: String,
    /// The bot's display name.
    pub first_name: String,
}

/// Body of `POST /sandbox/bots`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct NewBot {
    /// The bot's @username, without the @.
    pub username: String,
    /// A fixed token; the sandbox makes one up when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token: Option<BotToken>,
    /// Display name; defaults to the username.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
}

/// Body of `POST /sandbox/users`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewUser {
    /// Telegram's required first name.
    pub first_name: String,
    /// Optional last name.
    #[serde(default)]
    pub last_name: Option<String>,
    /// Optional @username, without the @.
    #[serde(default)]
    pub username: Option<String>,
    /// IETF language tag the client reports, e.g. `ru` or `en`.
    #[serde(default)]
    pub language_code: Option<String>,
}

impl NewUser {
    /// A user with only a first name.
    pub fn named(first_name: impl Into<String>) -> Self {
        Self {
            first_name: first_name.into(),
            ..Self::default()
        }
    }

    /// Sets the language code.
    #[must_use]
    pub fn language(mut self, code: impl Into<String>) -> Self {
        self.language_code = Some(code.into());
        self
    }

    /// Sets the @username.
    #[must_use]
    pub fn username(mut self, username: impl Into<String>) -> Self {
        self.username = Some(username.into());
        self
    }
}

/// A simulated Telegram user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TestUser {
    /// The user's id, which is also the id of their private chat with any bot.
    pub id: UserId,
    /// First name.
    pub first_name: String,
    /// Last name.
    pub last_name: Option<String>,
    /// @username without the @.
    pub username: Option<String>,
    /// Language code.
    pub language_code: Option<String>,
}

impl TestUser {
    /// The id of this user's private chat with any bot.
    pub fn chat_id(&self) -> ChatId {
        ChatId(i64::try_from(self.id.0).unwrap_or(i64::MAX))
    }
}

/// Body of `POST /sandbox/groups`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct NewGroup {
    /// The group's title.
    pub title: String,
    /// Users in the group; any bot can be written to in it.
    pub members: Vec<UserId>,
}

/// A group chat.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupInfo {
    /// Negative, as Telegram's group ids are.
    pub id: ChatId,
    /// Title.
    pub title: String,
    /// Members.
    pub members: Vec<UserId>,
}

/// What a user does in a chat.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum UserAction {
    /// A text; one starting with `/` gets a `bot_command` entity, as Telegram's clients add it.
    Text {
        /// The text.
        text: String,
    },
    /// Shares the user's own contact (as a `request_contact` button does).
    Contact {
        /// The phone number.
        phone_number: String,
    },
    /// Forwards a text message written by another user.
    Forward {
        /// The original author.
        from_user: UserId,
        /// The forwarded text.
        text: String,
    },
}

/// Body of `POST /sandbox/bots/{token}/chats/{chat_id}/send`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SendRequest {
    /// The author; in a private chat it defaults to the chat's user.
    #[serde(default)]
    pub from: Option<UserId>,
    /// What is sent.
    #[serde(flatten)]
    pub action: UserAction,
}

/// Answer to a send.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sent {
    /// The new message's id.
    #[serde(with = "plain_message_id")]
    pub message_id: MessageId,
}

/// Body of `POST /sandbox/bots/{token}/chats/{chat_id}/press`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PressRequest {
    /// Who presses; in a private chat it defaults to the chat's user.
    #[serde(default)]
    pub from: Option<UserId>,
    /// The bot message that carries the button.
    #[serde(with = "plain_message_id")]
    pub message_id: MessageId,
    /// The button's callback data.
    pub data: String,
}

/// Answer to a button press.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pressed {
    /// The id of the callback query the bot receives.
    pub callback_query_id: String,
}

/// Who sent a message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Sender {
    /// A simulated user.
    User {
        /// Their id.
        id: UserId,
        /// Their full name.
        name: String,
    },
    /// The bot.
    Bot {
        /// The bot's id.
        id: UserId,
        /// Its username.
        username: String,
    },
}

/// One inline keyboard button.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Button {
    /// The label.
    pub text: String,
    /// Callback data, for callback buttons.
    pub callback_data: Option<String>,
    /// The URL, for URL buttons.
    pub url: Option<String>,
    /// A Pay button, which the control API presses with `/pay` rather than `/press`.
    #[serde(default)]
    pub pay: bool,
}

/// One reply keyboard button.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyButton {
    /// The label, which is also the text sent when pressed.
    pub text: String,
    /// The button shares the user's phone number.
    pub request_contact: bool,
    /// The button shares a location.
    pub request_location: bool,
}

/// A file attached to a message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileInfo {
    /// Telegram's `file_id`.
    pub file_id: FileKey,
    /// The uploaded file name.
    pub file_name: Option<String>,
    /// The MIME type the bot gave, if any.
    pub mime_type: Option<String>,
    /// Size in bytes.
    pub size: u64,
    /// Path, relative to the sandbox's base URL, that serves the bytes.
    pub download_path: String,
}

/// A message in a chat, as it stands now.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChatMessage {
    /// The message id.
    #[serde(with = "plain_message_id")]
    pub message_id: MessageId,
    /// Who sent it.
    pub from: Sender,
    /// Unix time it was sent.
    pub date: i64,
    /// The text (or caption) as the user sees it, after the parse mode was applied.
    pub text: Option<String>,
    /// The parse mode the bot used.
    pub parse_mode: Option<String>,
    /// The text as the bot sent it, before the parse mode was applied.
    pub source_text: Option<String>,
    /// The inline keyboard under the message.
    pub inline_keyboard: Vec<Vec<Button>>,
    /// The reply keyboard this message brought up.
    pub reply_keyboard: Option<Vec<Vec<KeyButton>>>,
    /// The message removed the reply keyboard.
    pub remove_keyboard: bool,
    /// An attached document.
    pub document: Option<FileInfo>,
    /// An attached photo (the largest size).
    pub photo: Option<FileInfo>,
    /// A shared contact's phone number.
    pub contact: Option<String>,
    /// A shared location as (latitude, longitude).
    pub location: Option<(f64, f64)>,
    /// For a forwarded message, the original author.
    pub forwarded_from: Option<UserId>,
    /// How many times the bot edited the message.
    pub edit_count: u32,
    /// For an invoice, what it asks for.
    #[serde(default)]
    pub invoice: Option<InvoiceView>,
    /// For the service message of a payment, what the bot was told.
    #[serde(default)]
    pub successful_payment: Option<teloxide::types::SuccessfulPayment>,
    /// The full Telegram object.
    pub message: Message,
}

impl ChatMessage {
    /// The text or caption, or "" when there is none.
    pub fn text(&self) -> &str {
        self.text.as_deref().unwrap_or_default()
    }

    /// Whether the bot sent this message.
    pub fn is_from_bot(&self) -> bool {
        matches!(self.from, Sender::Bot { .. })
    }

    /// Every inline button as (label, callback data or URL), row by row.
    pub fn buttons(&self) -> Vec<(String, String)> {
        self.inline_keyboard
            .iter()
            .flatten()
            .map(|b| {
                let target = b
                    .callback_data
                    .clone()
                    .or_else(|| b.url.clone())
                    .unwrap_or_default();
                (b.text.clone(), target)
            })
            .collect()
    }

    /// The first inline button whose label contains `label`.
    pub fn button(&self, label: &str) -> Option<&Button> {
        self.inline_keyboard
            .iter()
            .flatten()
            .find(|b| b.text.contains(label))
    }

    /// The callback data of the first inline button whose label contains `label`.
    pub fn button_data(&self, label: &str) -> Option<String> {
        self.button(label).and_then(|b| b.callback_data.clone())
    }

    /// The labels of the reply keyboard this message brought up.
    pub fn reply_keyboard_labels(&self) -> Vec<String> {
        self.reply_keyboard
            .iter()
            .flatten()
            .flatten()
            .map(|b| b.text.clone())
            .collect()
    }
}

/// A chat as it stands now.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChatView {
    /// The chat id.
    pub chat_id: ChatId,
    /// Increases with every change in the chat; the long poll's cursor.
    pub version: u64,
    /// The user blocked the bot.
    pub blocked: bool,
    /// The reply keyboard currently shown, if any.
    pub reply_keyboard: Option<Vec<Vec<KeyButton>>>,
    /// The last chat action (`typing`, `upload_document`, ...) the bot sent.
    pub last_chat_action: Option<String>,
    /// Messages, oldest first; deleted ones are gone.
    pub messages: Vec<ChatMessage>,
}

/// An answerCallbackQuery call, as the user's client would show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallbackAnswer {
    /// The query answered.
    pub callback_query_id: String,
    /// Who pressed the button.
    pub user_id: UserId,
    /// The message the button was under.
    #[serde(with = "plain_message_id")]
    pub message_id: MessageId,
    /// The button's data.
    pub data: String,
    /// The notification text, if any.
    pub text: Option<String>,
    /// Shown as an alert rather than a toast.
    pub show_alert: bool,
    /// A URL to open, if any.
    pub url: Option<String>,
}

/// The commands set for one scope and language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommandSet {
    /// The scope.
    pub scope: BotCommandScope,
    /// The language, or none for all languages.
    pub language_code: Option<String>,
    /// The commands.
    pub commands: Vec<BotCommand>,
}

/// Counters for one bot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BotStats {
    /// The bot.
    pub username: String,
    /// Its token.
    pub token: BotToken,
    /// Bot API requests it made.
    pub requests: u64,
    /// 429 answers it got.
    pub flood_hits: u64,
    /// Updates created for it.
    pub updates_created: u64,
    /// Updates handed over by getUpdates or acknowledged by its webhook.
    pub updates_delivered: u64,
    /// Updates waiting.
    pub pending_updates: u64,
    /// The webhook URL, when one is set.
    pub webhook_url: Option<String>,
    /// Webhook deliveries that failed (and were retried).
    pub webhook_failures: u64,
}

/// Counters for the whole sandbox.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stats {
    /// Bot API requests, including rejected ones.
    pub requests: u64,
    /// 429 answers.
    pub flood_hits: u64,
    /// Per bot.
    pub bots: Vec<BotStats>,
}

/// The control API's error body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ControlErrorBody {
    /// A stable machine-readable code (`not_found`, `timeout`, `bad_request`, `conflict`).
    pub code: String,
    /// A human-readable message.
    pub message: String,
}
