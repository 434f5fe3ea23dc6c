//! One bot's state: its update queue, webhook, chats, commands and counters.

use std::{
    collections::{BTreeMap, HashMap, VecDeque},
    sync::Arc,
};

use chrono::{DateTime, Utc};
use teloxide::types::{AllowedUpdate, ChatId, Update, UpdateId, UpdateKind};
use tokio::sync::Notify;

use super::{callbacks::Callbacks, chat::ChatLog, payments::PreCheckouts};
use crate::{
    api_types::{BotInfo, BotStats, CommandSet},
    flood::FloodState,
};

/// An update waiting for the bot, serialised once when it is created.
#[derive(Debug, Clone)]
pub struct QueuedUpdate {
    /// `update_id`.
    pub id: u32,
    /// The update as JSON.
    pub json: Arc<str>,
}

/// A webhook set with setWebhook.
#[derive(Debug, Clone)]
pub struct Webhook {
    /// Where updates are POSTed.
    pub url: reqwest::Url,
    /// Sent as `X-Telegram-Bot-Api-Secret-Token`.
    pub secret_token: Option<String>,
    /// As given to setWebhook.
    pub max_connections: Option<u32>,
    /// When the last delivery failed.
    pub last_error_date: Option<DateTime<Utc>>,
    /// Why it failed.
    pub last_error_message: Option<String>,
}

/// Counters for one bot.
#[derive(Debug, Clone, Copy, Default)]
pub struct Counters {
    pub requests: u64,
    pub flood_hits: u64,
    pub updates_created: u64,
    pub updates_delivered: u64,
    pub webhook_failures: u64,
}

/// One bot.
#[derive(Debug)]
pub struct BotState {
    /// Who it is.
    pub info: BotInfo,
    /// Updates not yet acknowledged, oldest first.
    pub queue: VecDeque<QueuedUpdate>,
    next_update_id: u32,
    /// Update kinds the bot asked for; `None` means Telegram's default set.
    pub allowed_updates: Option<Vec<AllowedUpdate>>,
    /// The webhook, when one is set.
    pub webhook: Option<Webhook>,
    /// Changes whenever the webhook is set or deleted, so an old delivery task stops.
    pub webhook_generation: u64,
    /// Changes with each getUpdates, so an older long poll ends with 409 as in Telegram.
    pub poll_generation: u64,
    /// Chats with this bot by chat id.
    pub chats: HashMap<ChatId, ChatLog>,
    /// Commands by (scope JSON, language).
    pub commands: BTreeMap<(String, String), CommandSet>,
    /// Callback queries by id, with their answers.
    pub callbacks: Callbacks,
    /// Pre-checkout queries by id, with their answers.
    pub payments: PreCheckouts,
    /// Flood control state.
    pub flood: FloodState,
    /// Counters.
    pub counters: Counters,
    /// Woken when an update is queued or the webhook/polling state changes.
    pub updates_notify: Arc<Notify>,
    /// Woken when any chat of this bot changes.
    pub chats_notify: Arc<Notify>,
}

impl BotState {
    /// The command menu a user sees in `chat`, found as Telegram does for a private chat:
    /// the chat's own scope, then all private chats, then the default; in each the user's
    /// language first, then the set for every language.
    #[must_use]
    pub fn menu(&self, chat: ChatId, language: Option<&str>) -> Vec<teloxide::types::BotCommand> {
        use teloxide::types::{BotCommandScope as S, Recipient};
        let language = language
            .and_then(|l| l.split(['-', '_']).next())
            .filter(|l| !l.is_empty());
        let scopes: [&dyn Fn(&S) -> bool; 3] = [
            &|s| matches!(s, S::Chat { chat_id: Recipient::Id(id) } if *id == chat),
            &|s| matches!(s, S::AllPrivateChats) && chat.0 > 0,
            &|s| matches!(s, S::Default),
        ];
        let languages: &[Option<&str>] = if language.is_some() {
            &[language, None]
        } else {
            &[None]
        };
        for in_scope in scopes {
            for &wanted in languages {
                let found = self
                    .commands
                    .values()
                    .find(|set| in_scope(&set.scope) && set.language_code.as_deref() == wanted);
                if let Some(set) = found {
                    return set.commands.clone();
                }
            }
        }
        Vec::new()
    }

    /// A bot with nothing queued.
    pub fn new(info: BotInfo) -> Self {
        Self {
            info,
            queue: VecDeque::new(),
            next_update_id: 1,
            allowed_updates: None,
            webhook: None,
            webhook_generation: 0,
            poll_generation: 0,
            chats: HashMap::new(),
            commands: BTreeMap::new(),
            callbacks: Callbacks::default(),
            payments: PreCheckouts::default(),
            flood: FloodState::default(),
            counters: Counters::default(),
            updates_notify: Arc::new(Notify::new()),
            chats_notify: Arc::new(Notify::new()),
        }
    }

    /// Whether the bot receives updates of this kind.
    pub fn wants(&self, kind: AllowedUpdate) -> bool {
        match &self.allowed_updates {
            Some(allowed) => allowed.contains(&kind),
            // Telegram's default leaves these three out.
            None => !matches!(
                kind,
                AllowedUpdate::ChatMember
                    | AllowedUpdate::MessageReaction
                    | AllowedUpdate::MessageReactionCount
            ),
        }
    }

    /// Queues an update unless the bot filtered its kind out; returns its id.
    pub fn push_update(&mut self, kind: UpdateKind) -> Option<u32> {
        let allowed = allowed_kind(&kind)?;
        if !self.wants(allowed) {
            return None;
        }
        let id = self.next_update_id;
        let update = Update {
            id: UpdateId(id),
            kind,
        };
        let json = match crate::telegram::update_json(&update) {
            Ok(json) => json,
            Err(err) => {
                tracing::error!(%err, "could not serialise an update");
                return None;
            }
        };
        self.next_update_id += 1;
        self.queue.push_back(QueuedUpdate {
            id,
            json: json.into(),
        });
        self.counters.updates_created += 1;
        self.updates_notify.notify_waiters();
        Some(id)
    }

    /// Applies a getUpdates `offset`: a positive one acknowledges every earlier update, a
    /// negative one keeps only the last `-offset` updates.
    pub fn acknowledge(&mut self, offset: i64) {
        if offset < 0 {
            let keep = usize::try_from(offset.unsigned_abs()).unwrap_or(usize::MAX);
            while self.queue.len() > keep {
                self.queue.pop_front();
                self.counters.updates_delivered += 1;
            }
        } else {
            while self.queue.front().is_some_and(|u| i64::from(u.id) < offset) {
                self.queue.pop_front();
                self.counters.updates_delivered += 1;
            }
        }
    }

    /// Drops every queued update (drop_pending_updates).
    pub fn drop_pending(&mut self) {
        self.queue.clear();
    }

    /// The first `limit` queued updates.
    pub fn peek(&self, limit: usize) -> Vec<Arc<str>> {
        self.queue
            .iter()
            .take(limit)
            .map(|u| u.json.clone())
            .collect()
    }

    /// Counters for the control API.
    pub fn stats(&self) -> BotStats {
        BotStats {
            username: self.info.username.clone(),
            token: self.info.token.clone(),
            requests: self.counters.requests,
            flood_hits: self.counters.flood_hits,
            updates_created: self.counters.updates_created,
            updates_delivered: self.counters.updates_delivered,
            pending_updates: self.queue.len() as u64,
            webhook_url: self.webhook.as_ref().map(|w| w.url.to_string()),
            webhook_failures: self.counters.webhook_failures,
        }
    }
}

/// The `allowed_updates` name of an update kind.
fn allowed_kind(kind: &UpdateKind) -> Option<AllowedUpdate> {
    use AllowedUpdate as A;
    Some(match kind {
        UpdateKind::Message(_) => A::Message,
        UpdateKind::EditedMessage(_) => A::EditedMessage,
        UpdateKind::CallbackQuery(_) => A::CallbackQuery,
        UpdateKind::MyChatMember(_) => A::MyChatMember,
        UpdateKind::ChatMember(_) => A::ChatMember,
        UpdateKind::PreCheckoutQuery(_) => A::PreCheckoutQuery,
        UpdateKind::InlineQuery(_) => A::InlineQuery,
        _ => return None,
    })
}
