//! A Rust client for the control API, so tests read like what a user does.
//!
//! ```no_run
//! # async fn demo() -> Result<(), tg_sandbox::ClientError> {
//! use std::time::Duration;
//! use tg_sandbox::{NewUser, SandboxClient};
//!
//! let sandbox = SandboxClient::new("http://127.0.0.1:8081/")?;
//! let bot = sandbox.create_bot("salon_bot").await?;
//! // ... start the bot with `Bot::new(bot.token.as_str()).set_api_url(sandbox.api_url())` ...
//! let alice = sandbox.create_user(NewUser::named("Alice").language("en")).await?;
//! sandbox.send_command(&bot.token, alice.id, "/start").await?;
//! let reply = sandbox.next_bot_message(&bot.token, alice.id, Duration::from_secs(5)).await?;
//! let data = reply.button_data("Book").unwrap_or_default();
//! sandbox.press_button(&bot.token, alice.id, reply.message_id, &data).await?;
//! # Ok(()) }
//! ```

use std::{
    collections::HashMap,
    sync::{Arc, Mutex, PoisonError},
    time::Duration,
};

use reqwest::{Method, Url};
use serde::{Serialize, de::DeserializeOwned};
use teloxide::types::{ChatId, MessageId, UserId};
use tokio::time::Instant;

use crate::{
    api_types::{
        BotInfo, CallbackAnswer, ChatMessage, ChatView, CommandSet, ControlErrorBody, FileInfo,
        GroupInfo, NewBot, NewGroup, NewUser, PressRequest, Pressed, SendRequest, Sent, Stats,
        TestUser, UserAction,
    },
    ids::BotToken,
};

/// A control API failure.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// The request did not go through.
    #[error("request to the sandbox failed: {0}")]
    Http(#[from] reqwest::Error),
    /// The base URL is not usable.
    #[error("bad sandbox URL: {0}")]
    Url(String),
    /// What was waited for did not happen in time.
    #[error("timed out: {0}")]
    Timeout(String),
    /// The sandbox refused the request.
    #[error("sandbox answered {status} {code}: {message}")]
    Api {
        /// HTTP status.
        status: u16,
        /// `not_found`, `bad_request`, `conflict`.
        code: String,
        /// What went wrong.
        message: String,
    },
}

/// The private chat id of a user.
fn private_chat(user: UserId) -> ChatId {
    ChatId(i64::try_from(user.0).unwrap_or(i64::MAX))
}

/// A client for one sandbox's control API. Cheap to clone; clones share the
/// [`next_bot_message`](Self::next_bot_message) cursors.
#[derive(Debug, Clone)]
pub struct SandboxClient {
    http: reqwest::Client,
    base: Url,
    cursors: Arc<Mutex<HashMap<(BotToken, ChatId), i32>>>,
}

impl SandboxClient {
    /// A client for the sandbox at `base_url`, e.g. `http://127.0.0.1:8081/`.
    pub fn new(base_url: &str) -> Result<Self, ClientError> {
        let mut base: Url = base_url
            .parse()
            .map_err(|e| ClientError::Url(format!("{base_url}: {e}")))?;
        if base.cannot_be_a_base() {
            return Err(ClientError::Url(format!("{base_url} cannot be a base URL")));
        }
        if !base.path().ends_with('/') {
            let path = format!("{}/", base.path());
            base.set_path(&path);
        }
        let http = reqwest::Client::builder().no_proxy().build()?;
        Ok(Self {
            http,
            base,
            cursors: Arc::default(),
        })
    }

    /// The sandbox's base URL.
    pub fn base_url(&self) -> &Url {
        &self.base
    }

    /// The URL to give teloxide: `Bot::new(token).set_api_url(client.api_url())`.
    pub fn api_url(&self) -> Url {
        self.base.clone()
    }

    fn url(&self, segments: &[&str]) -> Result<Url, ClientError> {
        let mut url = self.base.clone();
        url.path_segments_mut()
            .map_err(|()| ClientError::Url(self.base.to_string()))?
            .pop_if_empty()
            .extend(segments);
        Ok(url)
    }

    /// `/sandbox/bots/<token>/chats/<chat>/<tail...>`.
    fn chat_url(&self, token: &BotToken, chat: ChatId, tail: &[&str]) -> Result<Url, ClientError> {
        let chat = chat.0.to_string();
        let mut segments = vec!["sandbox", "bots", token.as_str(), "chats", &chat];
        segments.extend_from_slice(tail);
        self.url(&segments)
    }

    async fn call<T: DeserializeOwned>(
        &self,
        method: Method,
        url: Url,
        body: Option<&(impl Serialize + ?Sized)>,
    ) -> Result<T, ClientError> {
        let mut request = self.http.request(method, url);
        if let Some(body) = body {
            request = request.json(body);
        }
        let response = request.send().await?;
        let status = response.status();
        if status.is_success() {
            return Ok(response.json().await?);
        }
        let text = response.text().await.unwrap_or_default();
        let body: ControlErrorBody = serde_json::from_str(&text).unwrap_or(ControlErrorBody {
            code: "http".into(),
            message: text,
        });
        if body.code == "timeout" {
            return Err(ClientError::Timeout(body.message));
        }
        Err(ClientError::Api {
            status: status.as_u16(),
            code: body.code,
            message: body.message,
        })
    }

    async fn get<T: DeserializeOwned>(&self, url: Url) -> Result<T, ClientError> {
        self.call(Method::GET, url, None::<&()>).await
    }

    async fn post<T: DeserializeOwned>(
        &self,
        url: Url,
        body: &(impl Serialize + ?Sized),
    ) -> Result<T, ClientError> {
        self.call(Method::POST, url, Some(body)).await
    }

    /// Succeeds when the sandbox answers.
    pub async fn health(&self) -> Result<(), ClientError> {
        let url = self.url(&["sandbox", "health"])?;
        self.http.get(url).send().await?.error_for_status()?;
        Ok(())
    }

    /// Creates a bot with a fresh token.
    pub async fn create_bot(&self, username: &str) -> Result<BotInfo, ClientError> {
        let new = NewBot {
            username: username.to_owned(),
            ..NewBot::default()
        };
        self.post(self.url(&["sandbox", "bots"])?, &new).await
    }

    /// Registers a bot with a fixed token; idempotent for the same token and username.
    pub async fn register_bot(
        &self,
        token: &BotToken,
        username: &str,
    ) -> Result<BotInfo, ClientError> {
        let new = NewBot {
            username: username.to_owned(),
            token: Some(token.clone()),
            first_name: None,
        };
        self.post(self.url(&["sandbox", "bots"])?, &new).await
    }

    /// Every bot.
    pub async fn bots(&self) -> Result<Vec<BotInfo>, ClientError> {
        self.get(self.url(&["sandbox", "bots"])?).await
    }

    /// Creates a user.
    pub async fn create_user(&self, user: NewUser) -> Result<TestUser, ClientError> {
        self.post(self.url(&["sandbox", "users"])?, &user).await
    }

    /// Every user.
    pub async fn users(&self) -> Result<Vec<TestUser>, ClientError> {
        self.get(self.url(&["sandbox", "users"])?).await
    }

    /// Creates a basic group with these members.
    pub async fn create_group(
        &self,
        title: &str,
        members: &[UserId],
    ) -> Result<GroupInfo, ClientError> {
        let new = NewGroup {
            title: title.to_owned(),
            members: members.to_vec(),
        };
        self.post(self.url(&["sandbox", "groups"])?, &new).await
    }

    /// A user does something in a chat (the general form of the `send_*` methods).
    pub async fn act(
        &self,
        token: &BotToken,
        chat: ChatId,
        from: Option<UserId>,
        action: UserAction,
    ) -> Result<MessageId, ClientError> {
        let url = self.chat_url(token, chat, &["send"])?;
        let sent: Sent = self.post(url, &SendRequest { from, action }).await?;
        Ok(sent.message_id)
    }

    /// The user writes `text` to the bot.
    pub async fn send_text(
        &self,
        token: &BotToken,
        user: UserId,
        text: &str,
    ) -> Result<MessageId, ClientError> {
        self.act(
            token,
            private_chat(user),
            None,
            UserAction::Text {
                text: text.to_owned(),
            },
        )
        .await
    }

    /// The user sends a command such as `/start payload` (with its `bot_command` entity); the
    /// leading `/` may be left out.
    pub async fn send_command(
        &self,
        token: &BotToken,
        user: UserId,
        command: &str,
    ) -> Result<MessageId, ClientError> {
        let text = if command.starts_with('/') {
            command.to_owned()
        } else {
            format!("/{command}")
        };
        self.send_text(token, user, &text).await
    }

    /// The user shares their own contact, as a `request_contact` button does.
    pub async fn send_contact(
        &self,
        token: &BotToken,
        user: UserId,
        phone: &str,
    ) -> Result<MessageId, ClientError> {
        let action = UserAction::Contact {
            phone_number: phone.to_owned(),
        };
        self.act(token, private_chat(user), None, action).await
    }

    /// The user forwards to the bot a text that `original_author` wrote.
    pub async fn forward_from(
        &self,
        token: &BotToken,
        user: UserId,
        original_author: UserId,
        text: &str,
    ) -> Result<MessageId, ClientError> {
        let action = UserAction::Forward {
            from_user: original_author,
            text: text.to_owned(),
        };
        self.act(token, private_chat(user), None, action).await
    }

    /// A member writes `text` in a group.
    pub async fn send_group_text(
        &self,
        token: &BotToken,
        group: ChatId,
        from: UserId,
        text: &str,
    ) -> Result<MessageId, ClientError> {
        self.act(
            token,
            group,
            Some(from),
            UserAction::Text {
                text: text.to_owned(),
            },
        )
        .await
    }

    /// The user presses the inline button with `callback_data` under `message_id`; returns the
    /// callback query id the bot receives.
    pub async fn press_button(
        &self,
        token: &BotToken,
        user: UserId,
        message_id: MessageId,
        callback_data: &str,
    ) -> Result<String, ClientError> {
        self.press_in(token, private_chat(user), user, message_id, callback_data)
            .await
    }

    /// Presses a button in any chat (e.g. a group).
    pub async fn press_in(
        &self,
        token: &BotToken,
        chat: ChatId,
        from: UserId,
        message_id: MessageId,
        callback_data: &str,
    ) -> Result<String, ClientError> {
        let url = self.chat_url(token, chat, &["press"])?;
        let req = PressRequest {
            from: Some(from),
            message_id,
            data: callback_data.to_owned(),
        };
        let pressed: Pressed = self.post(url, &req).await?;
        Ok(pressed.callback_query_id)
    }

    /// The user blocks the bot: its sends to them fail with 403 and it gets `my_chat_member`.
    pub async fn block_bot(&self, token: &BotToken, user: UserId) -> Result<(), ClientError> {
        let url = self.url(&[
            "sandbox",
            "bots",
            token.as_str(),
            "users",
            &user.0.to_string(),
            "block",
        ])?;
        self.post::<bool>(url, &()).await.map(drop)
    }

    /// The user unblocks (restarts) the bot.
    pub async fn unblock_bot(&self, token: &BotToken, user: UserId) -> Result<(), ClientError> {
        let url = self.url(&[
            "sandbox",
            "bots",
            token.as_str(),
            "users",
            &user.0.to_string(),
            "unblock",
        ])?;
        self.post::<bool>(url, &()).await.map(drop)
    }

    /// The user's private chat with the bot as it stands: edits applied, deleted messages gone.
    pub async fn chat(
        &self,
        token: &BotToken,
        user: UserId,
    ) -> Result<Vec<ChatMessage>, ClientError> {
        Ok(self.chat_view(token, private_chat(user)).await?.messages)
    }

    /// Any chat with the bot, with its keyboard and version.
    pub async fn chat_view(&self, token: &BotToken, chat: ChatId) -> Result<ChatView, ClientError> {
        let url = self.chat_url(token, chat, &[])?;
        self.get(url).await
    }

    /// Waits until the chat's version passes `after_version` (or `timeout` passes, in which case
    /// the unchanged chat comes back).
    pub async fn wait_chat_change(
        &self,
        token: &BotToken,
        chat: ChatId,
        after_version: u64,
        timeout: Duration,
    ) -> Result<ChatView, ClientError> {
        let mut url = self.chat_url(token, chat, &[])?;
        url.query_pairs_mut()
            .append_pair("after_version", &after_version.to_string())
            .append_pair("timeout_ms", &timeout.as_millis().to_string());
        self.get(url).await
    }

    /// Waits until `predicate` holds for the chat, and returns the chat then.
    pub async fn wait_until(
        &self,
        token: &BotToken,
        chat: ChatId,
        timeout: Duration,
        mut predicate: impl FnMut(&ChatView) -> bool,
    ) -> Result<ChatView, ClientError> {
        let deadline = Instant::now() + timeout;
        let mut view = self.chat_view(token, chat).await?;
        loop {
            if predicate(&view) {
                return Ok(view);
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(ClientError::Timeout(format!(
                    "chat {chat} did not reach the expected state; last messages: {:?}",
                    view.messages
                        .iter()
                        .rev()
                        .take(3)
                        .map(ChatMessage::text)
                        .collect::<Vec<_>>()
                )));
            }
            view = self
                .wait_chat_change(token, chat, view.version, left)
                .await?;
        }
    }

    /// Waits until message `message_id` in the user's chat satisfies `predicate`.
    pub async fn wait_for_message(
        &self,
        token: &BotToken,
        user: UserId,
        message_id: MessageId,
        timeout: Duration,
        mut predicate: impl FnMut(&ChatMessage) -> bool,
    ) -> Result<ChatMessage, ClientError> {
        let view = self
            .wait_until(token, private_chat(user), timeout, |v| {
                v.messages
                    .iter()
                    .any(|m| m.message_id == message_id && predicate(m))
            })
            .await?;
        view.messages
            .into_iter()
            .find(|m| m.message_id == message_id)
            .ok_or_else(|| ClientError::Timeout(format!("message {message_id} is gone")))
    }

    /// Waits for the bot's next edit of `message_id` (after the edits made so far).
    pub async fn wait_for_edit(
        &self,
        token: &BotToken,
        user: UserId,
        message_id: MessageId,
        timeout: Duration,
    ) -> Result<ChatMessage, ClientError> {
        let view = self.chat_view(token, private_chat(user)).await?;
        let edits = view
            .messages
            .iter()
            .find(|m| m.message_id == message_id)
            .map(|m| m.edit_count)
            .ok_or_else(|| ClientError::Api {
                status: 404,
                code: "not_found".into(),
                message: format!("no message {message_id} in the chat"),
            })?;
        self.wait_for_message(token, user, message_id, timeout, |m| m.edit_count > edits)
            .await
    }

    /// Waits for the bot's next new message in the user's chat: the first one after the message
    /// this method returned last time for the same bot and user (or the chat's first one).
    pub async fn next_bot_message(
        &self,
        token: &BotToken,
        user: UserId,
        timeout: Duration,
    ) -> Result<ChatMessage, ClientError> {
        let chat = private_chat(user);
        let key = (token.clone(), chat);
        let after = self
            .cursors
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&key)
            .copied()
            .unwrap_or(0);
        let message = self
            .next_bot_message_after(token, chat, MessageId(after), timeout)
            .await?;
        let mut cursors = self.cursors.lock().unwrap_or_else(PoisonError::into_inner);
        let cursor = cursors.entry(key).or_insert(0);
        *cursor = (*cursor).max(message.message_id.0);
        Ok(message)
    }

    /// Waits for the bot's first message in `chat` with an id above `after`.
    pub async fn next_bot_message_after(
        &self,
        token: &BotToken,
        chat: ChatId,
        after: MessageId,
        timeout: Duration,
    ) -> Result<ChatMessage, ClientError> {
        let mut url = self.chat_url(token, chat, &["next"])?;
        url.query_pairs_mut()
            .append_pair("after", &after.0.to_string())
            .append_pair("timeout_ms", &timeout.as_millis().to_string());
        self.get(url).await
    }

    /// The answerCallbackQuery calls the bot made for this user's presses.
    pub async fn callback_answers(
        &self,
        token: &BotToken,
        user: UserId,
    ) -> Result<Vec<CallbackAnswer>, ClientError> {
        let mut url = self.url(&["sandbox", "bots", token.as_str(), "callback-answers"])?;
        url.query_pairs_mut()
            .append_pair("user_id", &user.0.to_string());
        self.get(url).await
    }

    /// Waits until the bot answers the callback query `query_id`.
    pub async fn wait_callback_answer(
        &self,
        token: &BotToken,
        query_id: &str,
        timeout: Duration,
    ) -> Result<CallbackAnswer, ClientError> {
        let mut url = self.url(&[
            "sandbox",
            "bots",
            token.as_str(),
            "callback-answers",
            query_id,
        ])?;
        url.query_pairs_mut()
            .append_pair("timeout_ms", &timeout.as_millis().to_string());
        self.get(url).await
    }

    /// The commands the bot registered, per scope and language.
    pub async fn commands(&self, token: &BotToken) -> Result<Vec<CommandSet>, ClientError> {
        self.get(self.url(&["sandbox", "bots", token.as_str(), "commands"])?)
            .await
    }

    /// The command menu the user of a private chat sees, in their language, with per-chat
    /// scopes resolved as Telegram resolves them.
    pub async fn menu(
        &self,
        token: &BotToken,
        chat: ChatId,
        language: Option<&str>,
    ) -> Result<Vec<teloxide::types::BotCommand>, ClientError> {
        let mut url = self.chat_url(token, chat, &["menu"])?;
        if let Some(language) = language {
            url.query_pairs_mut().append_pair("language_code", language);
        }
        self.get(url).await
    }

    /// Counters for the whole sandbox and each bot.
    pub async fn stats(&self) -> Result<Stats, ClientError> {
        self.get(self.url(&["sandbox", "stats"])?).await
    }

    /// How many 429 answers this bot got.
    pub async fn flood_hits(&self, token: &BotToken) -> Result<u64, ClientError> {
        let stats = self.stats().await?;
        Ok(stats
            .bots
            .iter()
            .find(|b| &b.token == token)
            .map(|b| b.flood_hits)
            .unwrap_or(0))
    }

    /// The bytes of a document or photo the bot sent.
    pub async fn download(&self, file: &FileInfo) -> Result<Vec<u8>, ClientError> {
        let url = self.url(&["sandbox", "files", &file.file_id.0])?;
        let response = self.http.get(url).send().await?.error_for_status()?;
        Ok(response.bytes().await?.to_vec())
    }
}

// Helpers for later control API calls, each in its own file.
mod botfather;
mod payments;
