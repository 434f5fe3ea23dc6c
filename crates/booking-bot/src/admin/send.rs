//! Turning an admin step's reply into Bot API calls, by bot-kit's rules (a press edits its
//! message and is always answered; a typed step or command gets a new message; files follow),
//! with the panel's own answers for an outage and for a role that changed under a step.

use bot_kit::{Reply, TgBot, send};
use teloxide::types::{CallbackQuery, ChatId, User};

use super::texts::{refused, tr};
use crate::error::BotError;

/// The "try again in a minute" answer when PostgreSQL or Redis is down.
fn apology(user: &User) -> Reply {
    let l = super::locale_of(user);
    Reply::alert(tr(
        l,
        "⏳ Something is temporarily unavailable. Please try again in a minute.",
        "⏳ Сервис временно недоступен. Попробуйте через минуту.",
    ))
}

/// An outage is expected and passes: logged, not raised.
fn report(e: BotError) -> Result<(), BotError> {
    if e.is_unavailable() {
        tracing::warn!(error = ?e, "storage unavailable in the admin panel");
        Ok(())
    } else {
        Err(e)
    }
}

/// Answers a press: the step's reply, the refusal when the admin's role changed under it, or
/// the apology when storage is down (bot-kit's rules: the press is always answered).
pub async fn press(
    bot: &TgBot,
    q: &CallbackQuery,
    result: Result<Reply, BotError>,
) -> Result<(), BotError> {
    let (reply, error) = settle(result, &q.from);
    let sent = send::answer_press(bot, q, reply)
        .await
        .map_err(BotError::from);
    error.map_or(sent, report)
}

/// Answers a typed step or command in `chat`.
pub async fn message(
    bot: &TgBot,
    chat: ChatId,
    user: &User,
    result: Result<Reply, BotError>,
) -> Result<(), BotError> {
    let (reply, error) = settle(result, user);
    let sent = send::answer_message(bot, chat, reply)
        .await
        .map_err(BotError::from);
    error.map_or(sent, report)
}

/// The reply to send, and the error to report once it is sent.
fn settle(result: Result<Reply, BotError>, user: &User) -> (Reply, Option<BotError>) {
    match result {
        Ok(r) => (r, None),
        Err(BotError::RoleChanged) => (Reply::alert(refused(super::locale_of(user))), None),
        Err(e) => (apology(user), Some(e)),
    }
}
