//! The sandbox's world: bots, users, groups, chats, update queues and files, behind one lock.
//!
//! One `std::sync::Mutex` guards everything. Every operation under it is short (no I/O, no
//! serialisation of large batches), so contention stays low even with many bots polling at once;
//! waiting happens outside the lock, on per-bot [`Notify`]s or, for a callback query's answer, on
//! that query's own channel.

mod actions;
mod bot;
mod callbacks;
mod chat;
mod invoices;
mod outgoing;
mod payments;

use std::{
    collections::{BTreeMap, HashMap},
    future::Future,
    sync::{Arc, Mutex, PoisonError},
};

use axum::body::Bytes;
use telemetry::Shutdown;
use teloxide::types::{ChatId, UserId};
use tokio::{sync::Notify, time::Instant};

pub use bot::{BotState, Webhook};
pub use callbacks::{AnswerText, PendingCallback, QUERY_INVALID};
pub use chat::{ChatLog, StoredMessage};
pub use invoices::InvoiceState;
pub use outgoing::Outgoing;
pub use payments::{CheckoutAnswer, PaymentStarted};

use crate::{
    api_types::{BotInfo, GroupInfo, NewBot, NewGroup, NewUser, TestUser},
    config::Config,
    control::ControlError,
    error::ApiError,
    ids::{BotToken, FileKey},
};

/// A file a bot uploaded.
#[derive(Debug, Clone)]
pub struct StoredFile {
    /// The `file_id`.
    pub key: FileKey,
    /// The `file_unique_id`.
    pub unique_id: String,
    /// The path getFile reports, served under `/file/bot<token>/`.
    pub path: String,
    /// The uploaded name.
    pub file_name: Option<String>,
    /// The MIME type.
    pub mime_type: Option<String>,
    /// The bytes.
    pub bytes: Bytes,
}

/// Everything the sandbox knows.
#[derive(Debug, Default)]
pub struct World {
    /// Bots by token.
    pub bots: HashMap<BotToken, BotState>,
    /// Users by id.
    pub users: BTreeMap<UserId, TestUser>,
    /// Groups by chat id.
    pub groups: BTreeMap<ChatId, GroupInfo>,
    /// Uploaded files by id.
    pub files: HashMap<FileKey, StoredFile>,
    /// All Bot API requests.
    pub requests: u64,
    /// All 429 answers.
    pub flood_hits: u64,
    next_user: u64,
    next_bot: u64,
    next_group: i64,
    next_file: u64,
    next_callback: u64,
    next_pre_checkout: u64,
}

// Ids are spread apart so that a bot id, a user id and a group id can never be confused in a test.
const FIRST_USER_ID: u64 = 100_000_001;
const FIRST_BOT_ID: u64 = 7_000_000_001;
const FIRST_GROUP_ID: i64 = -400_000_001;

impl World {
    /// The bot with this token, or 401 as Telegram answers.
    pub fn bot(&mut self, token: &BotToken) -> Result<&mut BotState, ApiError> {
        self.bots.get_mut(token).ok_or(ApiError::Unauthorized)
    }

    /// The bot with this token, for the control API.
    pub fn bot_ctl(&mut self, token: &BotToken) -> Result<&mut BotState, ControlError> {
        self.bots
            .get_mut(token)
            .ok_or_else(|| ControlError::NotFound(format!("no bot with token {token}")))
    }

    /// The user with this id, for the control API.
    pub fn user_ctl(&self, id: UserId) -> Result<&TestUser, ControlError> {
        self.users
            .get(&id)
            .ok_or_else(|| ControlError::NotFound(format!("no user {id}")))
    }

    /// Registers a bot; with a fixed token that is already known, returns the existing bot.
    pub fn create_bot(&mut self, new: NewBot) -> Result<BotInfo, ControlError> {
        let username = new.username.trim_start_matches('@').to_owned();
        if username.is_empty() {
            return Err(ControlError::BadRequest("username is empty".into()));
        }
        if let Some(token) = &new.token
            && let Some(existing) = self.bots.get(token)
        {
            if existing.info.username != username {
                return Err(ControlError::Conflict(format!(
                    "token already registered for @{}",
                    existing.info.username
                )));
            }
            return Ok(existing.info.clone());
        }
        if self
            .bots
            .values()
            .any(|b| b.info.username.eq_ignore_ascii_case(&username))
        {
            return Err(ControlError::Conflict(format!(
                "username @{username} is taken"
            )));
        }
        let token = match new.token {
            Some(token) => token,
            None => {
                let id = self.alloc_bot_id();
                BotToken::new(format!("{id}:{}", random_secret(35)))
            }
        };
        let id = match token.bot_id_prefix() {
            Some(id) if !self.bots.values().any(|b| b.info.id.0 == id) => id,
            _ => self.alloc_bot_id(),
        };
        let info = BotInfo {
            id: UserId(id),
            token: token.clone(),
            first_name: new.first_name.unwrap_or_else(|| username.clone()),
            username,
        };
        self.bots.insert(token, BotState::new(info.clone()));
        Ok(info)
    }

    fn alloc_bot_id(&mut self) -> u64 {
        let id = FIRST_BOT_ID + self.next_bot;
        self.next_bot += 1;
        id
    }

    /// Creates a user.
    pub fn create_user(&mut self, new: NewUser) -> Result<TestUser, ControlError> {
        if new.first_name.trim().is_empty() {
            return Err(ControlError::BadRequest("first_name is empty".into()));
        }
        let id = UserId(FIRST_USER_ID + self.next_user);
        self.next_user += 1;
        let user = TestUser {
            id,
            first_name: new.first_name,
            last_name: new.last_name,
            username: new.username.map(|u| u.trim_start_matches('@').to_owned()),
            language_code: new.language_code,
        };
        self.users.insert(id, user.clone());
        Ok(user)
    }

    /// Creates a group with these members.
    pub fn create_group(&mut self, new: NewGroup) -> Result<GroupInfo, ControlError> {
        for member in &new.members {
            self.user_ctl(*member)?;
        }
        let id = ChatId(FIRST_GROUP_ID - self.next_group);
        self.next_group += 1;
        let group = GroupInfo {
            id,
            title: new.title,
            members: new.members,
        };
        self.groups.insert(id, group.clone());
        Ok(group)
    }

    /// A fresh callback query id.
    pub fn next_callback_id(&mut self) -> String {
        self.next_callback += 1;
        format!("{}{:08}", random_secret(8), self.next_callback)
    }

    /// Stores an uploaded file and returns its record.
    pub fn store_file(
        &mut self,
        folder: &str,
        file_name: Option<String>,
        mime_type: Option<String>,
        bytes: Bytes,
    ) -> StoredFile {
        self.next_file += 1;
        let n = self.next_file;
        let key = FileKey(format!("BQAC{n:06}{}", random_secret(24)));
        let ext = file_name
            .as_deref()
            .and_then(|n| n.rsplit_once('.'))
            .map(|(_, e)| format!(".{e}"))
            .unwrap_or_default();
        let file = StoredFile {
            unique_id: format!("AgAD{n:06}"),
            path: format!("{folder}/file_{n}{ext}"),
            key: key.clone(),
            file_name,
            mime_type,
            bytes,
        };
        self.files.insert(key, file.clone());
        file
    }
}

/// Random letters and digits, as in Telegram's tokens and file ids.
pub fn random_secret(len: usize) -> String {
    use rand::Rng;
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-";
    let mut rng = rand::rng();
    (0..len)
        .map(|_| char::from(ALPHABET[rng.random_range(0..ALPHABET.len())]))
        .collect()
}

/// The shared state of one running sandbox.
#[derive(Debug)]
pub struct Sandbox {
    world: Mutex<World>,
    /// Settings.
    pub config: Config,
    /// Triggered when the server shuts down; long polls and webhook tasks stop on it.
    pub shutdown: Shutdown,
    /// The client that delivers webhooks.
    pub http: reqwest::Client,
}

impl Sandbox {
    /// A sandbox with an empty world.
    pub fn new(config: Config, shutdown: Shutdown) -> Self {
        // Webhooks go to loopback addresses; a proxy from the environment must not intercept them.
        let http = reqwest::Client::builder()
            .no_proxy()
            .timeout(config.webhook_retry.request_timeout)
            .build()
            .unwrap_or_default();
        Self {
            world: Mutex::new(World::default()),
            config,
            shutdown,
            http,
        }
    }

    /// Runs `f` with the world locked.
    pub fn with<R>(&self, f: impl FnOnce(&mut World) -> R) -> R {
        // A panic while holding the lock cannot leave the world half-updated in a way that
        // matters more than losing every later request, so keep serving.
        let mut world = self.world.lock().unwrap_or_else(PoisonError::into_inner);
        f(&mut world)
    }

    /// Whether the server is shutting down.
    pub fn is_shutting_down(&self) -> bool {
        self.shutdown.is_triggered()
    }

    /// Resolves when the server starts shutting down.
    pub fn stopped(&self) -> impl Future<Output = ()> + use<> {
        self.shutdown.wait()
    }

    /// Runs `check` under the lock until it yields a value, the deadline passes or the server
    /// stops; `notify` wakes it when something it watches changed.
    pub async fn wait_until<T, E>(
        &self,
        notify: &Notify,
        deadline: Instant,
        mut check: impl FnMut(&mut World) -> Result<Option<T>, E>,
    ) -> Result<Option<T>, E> {
        loop {
            // Register interest before looking, so a change between the look and the wait is
            // not missed.
            let notified = notify.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            if let Some(value) = self.with(&mut check)? {
                return Ok(Some(value));
            }
            if Instant::now() >= deadline || self.is_shutting_down() {
                return Ok(None);
            }
            tokio::select! {
                () = notified => {}
                () = tokio::time::sleep_until(deadline) => {}
                () = self.stopped() => return Ok(None),
            }
        }
    }
}

/// A shared handle to the sandbox state.
pub type Shared = Arc<Sandbox>;
