//! Turning an admin step's reply into Bot API calls: a press edits its message and is always
//! answered; a typed step or command gets a new message; files follow.

use teloxide::{
    prelude::*,
    types::{CallbackQuery, ChatId, InputFile, User},
};

use super::{
    reply::{AdminReply, Attachment},
    texts::{refused, tr},
};
use crate::{error::BotError, runtime::app::TgBot};

/// The "try again in a minute" answer when PostgreSQL or Redis is down.
fn apology(user: &User) -> AdminReply {
    let l = super::locale_of(user);
    AdminReply::alert(tr(
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

pub async fn press(
    bot: &TgBot,
    q: &CallbackQuery,
    result: Result<AdminReply, BotError>,
) -> Result<(), BotError> {
    let (reply, error) = match result {
        Ok(r) => (r, None),
        Err(BotError::RoleChanged) => (AdminReply::alert(refused(super::locale_of(&q.from))), None),
        Err(e) => (apology(&q.from), Some(e)),
    };
    let mut edit_error = None;
    if let (Some(text), Some(message)) = (reply.text.clone(), q.message.as_ref()) {
        let mut edit = bot.edit_message_text(message.chat().id, message.id(), text);
        if let Some(k) = reply.keyboard.clone() {
            edit = edit.reply_markup(k);
        }
        edit_error = edit
            .await
            .err()
            .map(BotError::from)
            .filter(|e| !e.is_not_modified());
    }
    let mut answer = bot.answer_callback_query(q.id.clone());
    if let Some(alert) = reply.alert.clone() {
        answer = answer.text(alert).show_alert(true);
    }
    answer.await?;
    if let Some(message) = q.message.as_ref() {
        files(bot, message.chat().id, reply.files).await?;
    }
    error.or(edit_error).map_or(Ok(()), report)
}

pub async fn message(
    bot: &TgBot,
    chat: ChatId,
    user: &User,
    result: Result<AdminReply, BotError>,
) -> Result<(), BotError> {
    let (reply, error) = match result {
        Ok(r) => (r, None),
        Err(BotError::RoleChanged) => (AdminReply::alert(refused(super::locale_of(user))), None),
        Err(e) => (apology(user), Some(e)),
    };
    if let Some(alert) = reply.alert {
        bot.send_message(chat, alert).await?;
    }
    if let Some(text) = reply.text {
        let mut send = bot.send_message(chat, text);
        if let Some(k) = reply.keyboard {
            send = send.reply_markup(k);
        }
        send.await?;
    }
    files(bot, chat, reply.files).await?;
    error.map_or(Ok(()), report)
}

async fn files(bot: &TgBot, chat: ChatId, files: Vec<Attachment>) -> Result<(), BotError> {
    for f in files {
        match f {
            Attachment::Document {
                name,
                bytes,
                caption,
            } => {
                bot.send_document(chat, InputFile::memory(bytes).file_name(name))
                    .caption(caption)
                    .await?;
            }
            Attachment::Photo { bytes, caption } => {
                bot.send_photo(chat, InputFile::memory(bytes).file_name("chart.png"))
                    .caption(caption)
                    .await?;
            }
        }
    }
    Ok(())
}
