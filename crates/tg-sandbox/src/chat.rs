//! One person's private chat with a bot, as a test drives it: what they type and press, and
//! what the bot answers. The one chat driver for every crate's tests, the benchmarks and the
//! whole-system tests.
//!
//! ```no_run
//! # async fn demo(client: tg_sandbox::SandboxClient, bot: tg_sandbox::BotInfo) {
//! use tg_sandbox::{NewUser, chat::Chat};
//!
//! let alice = client.create_user(NewUser::named("Alice").language("en")).await.unwrap();
//! let chat = Chat::new(&client, &bot.token, &alice);
//! let menu = chat.ask("/start").await;
//! let (answer, menu) = chat.press(&menu, "Book").await;
//! # }
//! ```
//!
//! Every step waits for the bot (up to [`WAIT`], or what [`Chat::patient`] says) and fails
//! the test loudly, naming the step, when the sandbox or the bot does not answer.

// A test driver: a step that cannot happen fails the test, with what was expected.
#![allow(clippy::panic)]

use std::time::Duration;

use teloxide::{
    payloads::SendMessageSetters as _,
    prelude::Requester as _,
    types::{ChatId, InlineKeyboardButton, InlineKeyboardMarkup},
};
use tokio::time::Instant;

use crate::{
    api_types::{CallbackAnswer, ChatMessage, TestUser},
    client::SandboxClient,
    config::{Config, FloodLimits},
    ids::BotToken,
    server::{SandboxHandle, spawn},
};

/// How long each step waits for the bot by default.
pub const WAIT: Duration = Duration::from_secs(15);

/// The settings for a bot under test: no flood limits (tests check behaviour, not Telegram's
/// pacing), and long polls of at most a second, so a stopped bot lets go of getUpdates quickly.
#[must_use]
pub fn test_config() -> Config {
    Config {
        flood: FloodLimits::off(),
        max_long_poll: Duration::from_secs(1),
        ..Config::default()
    }
}

/// A sandbox in this process with [`test_config`], for a bot under test.
pub async fn test_sandbox() -> SandboxHandle {
    spawn(test_config())
        .await
        .unwrap_or_else(|e| panic!("starting tg-sandbox: {e}"))
}

/// One user's private chat with one bot.
#[derive(Clone, Debug)]
pub struct Chat {
    client: SandboxClient,
    token: BotToken,
    pub user: TestUser,
    /// How long to wait for each answer of the bot.
    wait: Duration,
}

impl Chat {
    /// `user`'s chat with the bot whose token is `token`. Clones of `client` share where
    /// [`next`](Self::next) left off, so two `Chat`s of the same user and bot read on from
    /// each other.
    #[must_use]
    pub fn new(client: &SandboxClient, token: &BotToken, user: &TestUser) -> Self {
        Self {
            client: client.clone(),
            token: token.clone(),
            user: user.clone(),
            wait: WAIT,
        }
    }

    /// The same chat, waiting up to `wait` for each answer (a load may queue answers behind
    /// Telegram's limit of about 30 new messages a second).
    #[must_use]
    pub fn patient(mut self, wait: Duration) -> Self {
        self.wait = wait;
        self
    }

    /// The user's Telegram id, which is also their private chat's id.
    #[must_use]
    pub fn telegram_id(&self) -> i64 {
        i64::try_from(self.user.id.0)
            .unwrap_or_else(|_| panic!("user id {} is not a chat id", self.user.id.0))
    }

    /// Sends a command such as `/start` (with its `bot_command` entity).
    pub async fn command(&self, text: &str) {
        self.client
            .send_command(&self.token, self.user.id, text)
            .await
            .unwrap_or_else(|e| panic!("sending {text:?}: {e}"));
    }

    /// Types and sends a plain message.
    pub async fn say(&self, text: &str) {
        self.client
            .send_text(&self.token, self.user.id, text)
            .await
            .unwrap_or_else(|e| panic!("saying {text:?}: {e}"));
    }

    /// Says `text` and returns the bot's next message.
    pub async fn ask(&self, text: &str) -> ChatMessage {
        self.say(text).await;
        self.next().await
    }

    /// Every message of this chat so far, the user's and the bot's, edits applied.
    pub async fn history(&self) -> Vec<ChatMessage> {
        self.client
            .chat(&self.token, self.user.id)
            .await
            .unwrap_or_else(|e| panic!("reading the chat: {e}"))
    }

    /// The bot's next new message in this chat.
    pub async fn next(&self) -> ChatMessage {
        self.client
            .next_bot_message(&self.token, self.user.id, self.wait)
            .await
            .unwrap_or_else(|e| panic!("waiting for the bot's next message: {e}"))
    }

    /// The bot's next new message, or `None` when none came within the wait.
    pub async fn try_next(&self) -> Option<ChatMessage> {
        self.client
            .next_bot_message(&self.token, self.user.id, self.wait)
            .await
            .ok()
    }

    /// Waits up to `timeout` for the bot's next message whose text contains `part`, skipping
    /// others; `None` if none came.
    pub async fn wait_for(&self, part: &str, timeout: Duration) -> Option<ChatMessage> {
        let started = Instant::now();
        while started.elapsed() < timeout {
            if let Some(m) = self.try_next().await
                && m.text().contains(part)
            {
                return Some(m);
            }
        }
        None
    }

    /// `message` as the chat shows it now (after edits).
    pub async fn current(&self, message: &ChatMessage) -> ChatMessage {
        self.history()
            .await
            .into_iter()
            .find(|m| m.message_id == message.message_id)
            .unwrap_or_else(|| panic!("message {:?} is gone from the chat", message.message_id))
    }

    /// Presses the button labelled `label` (a part of the label is enough); returns the bot's
    /// answer to the press and the message after it (the bots edit before they answer, so the
    /// chat already shows the result).
    pub async fn press(&self, message: &ChatMessage, label: &str) -> (CallbackAnswer, ChatMessage) {
        let data = button(message, label);
        self.press_data(message, &data).await
    }

    /// Presses a button by its data (a forged one, too); the answer and the message after it.
    pub async fn press_data(
        &self,
        message: &ChatMessage,
        data: &str,
    ) -> (CallbackAnswer, ChatMessage) {
        let answer = self.press_answer(message, data).await;
        (answer, self.current(message).await)
    }

    /// Presses a button by its data and waits for the bot's answer to the press, and only that.
    pub async fn press_answer(&self, message: &ChatMessage, data: &str) -> CallbackAnswer {
        let query = self
            .client
            .press_button(&self.token, self.user.id, message.message_id, data)
            .await
            .unwrap_or_else(|e| panic!("pressing {data:?}: {e}"));
        self.client
            .wait_callback_answer(&self.token, &query, self.wait)
            .await
            .unwrap_or_else(|e| panic!("the press of {data:?} was not answered: {e}"))
    }

    /// Presses a button by its data; `None` when the bot did not answer within the wait.
    pub async fn try_press_data(
        &self,
        message: &ChatMessage,
        data: &str,
    ) -> Option<(CallbackAnswer, ChatMessage)> {
        let query = self
            .client
            .press_button(&self.token, self.user.id, message.message_id, data)
            .await
            .ok()?;
        let answer = self
            .client
            .wait_callback_answer(&self.token, &query, self.wait)
            .await
            .ok()?;
        Some((answer, self.current(message).await))
    }

    /// Presses `label` on a bot that answers presses with a new message (the sales bot), and
    /// returns that message.
    pub async fn press_for_reply(&self, message: &ChatMessage, label: &str) -> ChatMessage {
        self.press_answer(message, &button(message, label)).await;
        self.next().await
    }

    /// Presses `label` again and again, every half second for up to `patience`, while
    /// `asks_again` holds for the answer (an outage's "try again in a minute"), as a patient
    /// person would; returns the first answer it does not hold for.
    pub async fn press_until(
        &self,
        message: &ChatMessage,
        label: &str,
        patience: Duration,
        asks_again: impl Fn(&CallbackAnswer) -> bool,
    ) -> (CallbackAnswer, ChatMessage) {
        let started = Instant::now();
        loop {
            let (answer, after) = self.press(message, label).await;
            if !asks_again(&answer) {
                return (answer, after);
            }
            assert!(
                started.elapsed() < patience,
                "still asked to try again after {patience:?}: {answer:?}"
            );
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
    }

    /// A message "from the bot" whose buttons carry any data, sent through the Bot API with
    /// the bot's token: how a forged or stale button reaches the bot (the sandbox, like
    /// Telegram, only lets users press buttons that exist). Returns it as the chat's next
    /// message.
    pub async fn forged_buttons(&self, data: &[String]) -> ChatMessage {
        let bot = teloxide::Bot::new(self.token.as_str()).set_api_url(self.client.api_url());
        let rows = data
            .iter()
            .map(|d| vec![InlineKeyboardButton::callback(d.clone(), d.clone())]);
        bot.send_message(ChatId(self.telegram_id()), "forged")
            .reply_markup(InlineKeyboardMarkup::new(rows))
            .await
            .unwrap_or_else(|e| panic!("sending forged buttons: {e}"));
        self.next().await
    }
}

/// The data of the button labelled `label` on `message`.
#[must_use]
pub fn button(message: &ChatMessage, label: &str) -> String {
    message
        .button_data(label)
        .unwrap_or_else(|| panic!("no button {label:?} in {:?}", message.buttons()))
}

/// The data of the `n`-th button (from 0) whose data starts with `prefix`.
#[must_use]
pub fn nth_data(message: &ChatMessage, prefix: &str, n: usize) -> String {
    message
        .buttons()
        .into_iter()
        .map(|(_, data)| data)
        .filter(|d| d.starts_with(prefix))
        .nth(n)
        .unwrap_or_else(|| panic!("no {prefix} button #{n} in {:?}", message.buttons()))
}
