//! Handlers of the control API.

use std::time::Duration;

use axum::{
    Json,
    extract::{Path, Query, State},
    response::{IntoResponse, Response},
};
use serde::Deserialize;
use teloxide::types::{ChatId, UserId};
use tokio::time::Instant;

use super::ControlError;
use crate::{
    api_types::{
        BotInfo, CallbackAnswer, ChatMessage, ChatView, CommandSet, GroupInfo, NewBot, NewGroup,
        NewUser, PressRequest, Pressed, SendRequest, Sent, Stats, TestUser,
    },
    ids::{BotToken, FileKey},
    state::Shared,
};

type Result<T> = std::result::Result<Json<T>, ControlError>;

/// The longest a control API call waits.
const MAX_WAIT: Duration = Duration::from_secs(120);

fn wait_deadline(timeout_ms: Option<u64>) -> Instant {
    Instant::now() + Duration::from_millis(timeout_ms.unwrap_or(0)).min(MAX_WAIT)
}

/// Liveness: `ok`.
pub async fn health() -> &'static str {
    "ok"
}

/// Counters for the sandbox and each bot.
pub async fn stats(State(sb): State<Shared>) -> Json<Stats> {
    Json(sb.with(|w| {
        let mut bots: Vec<_> = w.bots.values().map(|b| b.stats()).collect();
        bots.sort_by(|a, b| a.username.cmp(&b.username));
        Stats {
            requests: w.requests,
            flood_hits: w.flood_hits,
            bots,
        }
    }))
}

/// Every bot, by username.
pub async fn list_bots(State(sb): State<Shared>) -> Json<Vec<BotInfo>> {
    Json(sb.with(|w| {
        let mut bots: Vec<_> = w.bots.values().map(|b| b.info.clone()).collect();
        bots.sort_by(|a, b| a.username.cmp(&b.username));
        bots
    }))
}

/// Registers a bot (idempotent for a fixed token).
pub async fn create_bot(State(sb): State<Shared>, Json(new): Json<NewBot>) -> Result<BotInfo> {
    sb.with(|w| w.create_bot(new)).map(Json)
}

/// One bot.
pub async fn get_bot(State(sb): State<Shared>, Path(token): Path<String>) -> Result<BotInfo> {
    sb.with(|w| w.bot_ctl(&BotToken::new(token)).map(|b| b.info.clone()))
        .map(Json)
}

/// Every user.
pub async fn list_users(State(sb): State<Shared>) -> Json<Vec<TestUser>> {
    Json(sb.with(|w| w.users.values().cloned().collect()))
}

/// Creates a user.
pub async fn create_user(State(sb): State<Shared>, Json(new): Json<NewUser>) -> Result<TestUser> {
    sb.with(|w| w.create_user(new)).map(Json)
}

/// Every group.
pub async fn list_groups(State(sb): State<Shared>) -> Json<Vec<GroupInfo>> {
    Json(sb.with(|w| w.groups.values().cloned().collect()))
}

/// Creates a group.
pub async fn create_group(
    State(sb): State<Shared>,
    Json(new): Json<NewGroup>,
) -> Result<GroupInfo> {
    sb.with(|w| w.create_group(new)).map(Json)
}

/// A user writes in a chat.
pub async fn send(
    State(sb): State<Shared>,
    Path((token, chat_id)): Path<(String, i64)>,
    Json(req): Json<SendRequest>,
) -> Result<Sent> {
    let token = BotToken::new(token);
    let message_id = sb.with(|w| w.user_send(&token, ChatId(chat_id), req))?;
    Ok(Json(Sent { message_id }))
}

/// A user presses an inline button.
pub async fn press(
    State(sb): State<Shared>,
    Path((token, chat_id)): Path<(String, i64)>,
    Json(req): Json<PressRequest>,
) -> Result<Pressed> {
    let token = BotToken::new(token);
    let callback_query_id = sb.with(|w| w.press(&token, ChatId(chat_id), req))?;
    Ok(Json(Pressed { callback_query_id }))
}

/// The user blocks the bot.
pub async fn block(
    State(sb): State<Shared>,
    Path((token, user)): Path<(String, u64)>,
) -> Result<bool> {
    sb.with(|w| w.set_blocked(&BotToken::new(token), UserId(user), true))?;
    Ok(Json(true))
}

/// The user unblocks the bot.
pub async fn unblock(
    State(sb): State<Shared>,
    Path((token, user)): Path<(String, u64)>,
) -> Result<bool> {
    sb.with(|w| w.set_blocked(&BotToken::new(token), UserId(user), false))?;
    Ok(Json(true))
}

#[derive(Deserialize)]
pub struct ChatQuery {
    /// Wait until the chat's version is above this.
    after_version: Option<u64>,
    timeout_ms: Option<u64>,
}

/// The chat as it stands; with `after_version`, a long poll for the next change.
pub async fn chat(
    State(sb): State<Shared>,
    Path((token, chat_id)): Path<(String, i64)>,
    Query(q): Query<ChatQuery>,
) -> Result<ChatView> {
    let token = BotToken::new(token);
    let chat_id = ChatId(chat_id);
    let notify = sb.with(|w| w.bot_ctl(&token).map(|b| b.chats_notify.clone()))?;
    let after = q.after_version.unwrap_or(0);
    let deadline = wait_deadline(q.timeout_ms);
    // Past the deadline the chat comes back unchanged; the caller compares versions.
    sb.wait_until(&notify, deadline, |w| {
        Ok::<_, ControlError>((w.chat_version(&token, chat_id)? > after).then_some(()))
    })
    .await?;
    sb.with(|w| w.chat_view(&token, chat_id)).map(Json)
}

#[derive(Deserialize)]
pub struct NextQuery {
    /// Only messages with a larger id count.
    after: Option<i32>,
    timeout_ms: Option<u64>,
}

/// Waits for the bot's first message after `after`.
pub async fn next_bot_message(
    State(sb): State<Shared>,
    Path((token, chat_id)): Path<(String, i64)>,
    Query(q): Query<NextQuery>,
) -> Result<ChatMessage> {
    let token = BotToken::new(token);
    let chat_id = ChatId(chat_id);
    let notify = sb.with(|w| w.bot_ctl(&token).map(|b| b.chats_notify.clone()))?;
    let after = q.after.unwrap_or(0);
    sb.wait_until(&notify, wait_deadline(q.timeout_ms), |w| {
        w.next_bot_message(&token, chat_id, after)
    })
    .await?
    .map(Json)
    .ok_or_else(|| {
        ControlError::Timeout(format!(
            "the bot sent no message after #{after} in chat {chat_id}"
        ))
    })
}

#[derive(Deserialize)]
pub struct AnswersQuery {
    user_id: Option<u64>,
}

/// The bot's answers to callback queries, optionally for one user.
pub async fn callback_answers(
    State(sb): State<Shared>,
    Path(token): Path<String>,
    Query(q): Query<AnswersQuery>,
) -> Result<Vec<CallbackAnswer>> {
    let token = BotToken::new(token);
    sb.with(|w| {
        let bot = w.bot_ctl(&token)?;
        Ok(bot
            .callbacks
            .answers()
            .iter()
            .filter(|a| q.user_id.is_none_or(|u| a.user_id.0 == u))
            .cloned()
            .collect())
    })
    .map(Json)
}

#[derive(Deserialize)]
pub struct WaitQuery {
    timeout_ms: Option<u64>,
}

/// Waits until the bot answered this callback query.
///
/// It watches this query's own channel, so neither other answers nor other chat changes wake it.
pub async fn callback_answer(
    State(sb): State<Shared>,
    Path((token, query_id)): Path<(String, String)>,
    Query(q): Query<WaitQuery>,
) -> Result<CallbackAnswer> {
    let token = BotToken::new(token);
    let mut answer = sb.with(|w| {
        w.bot_ctl(&token)?
            .callbacks
            .watch(&query_id)
            .ok_or_else(|| ControlError::NotFound(format!("no callback query {query_id}")))
    })?;
    let timeout = || ControlError::Timeout(format!("callback query {query_id} was not answered"));
    tokio::select! {
        answered = answer.wait_for(Option::is_some) => {
            // The channel closes only if the query is forgotten, which the sandbox never does.
            let answered = answered.map_err(|_| timeout())?;
            answered.clone().map(Json).ok_or_else(timeout)
        }
        () = tokio::time::sleep_until(wait_deadline(q.timeout_ms)) => Err(timeout()),
        () = sb.stopped() => Err(timeout()),
    }
}

/// The bot's commands per scope and language.
pub async fn commands(
    State(sb): State<Shared>,
    Path(token): Path<String>,
) -> Result<Vec<CommandSet>> {
    let token = BotToken::new(token);
    sb.with(|w| Ok(w.bot_ctl(&token)?.commands.values().cloned().collect()))
        .map(Json)
}

/// `?language_code=` of a menu request: the user's Telegram language.
#[derive(Debug, Deserialize)]
pub struct MenuQuery {
    #[serde(default)]
    pub language_code: Option<String>,
}

/// The command menu the user of a private chat sees (per-chat scopes and languages resolved
/// as Telegram resolves them), for the web page's menu button.
pub async fn menu(
    State(sb): State<Shared>,
    Path((token, chat_id)): Path<(String, i64)>,
    Query(q): Query<MenuQuery>,
) -> Result<Vec<teloxide::types::BotCommand>> {
    let token = BotToken::new(token);
    sb.with(|w| {
        Ok(w.bot_ctl(&token)?
            .menu(ChatId(chat_id), q.language_code.as_deref()))
    })
    .map(Json)
}

/// The bytes of an uploaded file.
pub async fn file(State(sb): State<Shared>, Path(file_id): Path<String>) -> Response {
    match sb.with(|w| w.files.get(&FileKey(file_id)).cloned()) {
        Some(file) => crate::bot_api::file_response(&file),
        None => ControlError::NotFound("no such file".into()).into_response(),
    }
}
