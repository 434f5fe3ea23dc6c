//! Turning a [`Reply`] into Bot API calls, the same way in every bot:
//!
//! - a button press edits its message in place (or gets a new message, per
//!   [`Placement`]), and is **always** answered (answerCallbackQuery), whatever failed before,
//!   so no button keeps spinning; Telegram's "message is not modified" (a refresh that changed
//!   nothing) is not an error;
//! - a typed message or command gets the notice, then the screen, as new messages;
//! - files follow the screen; messages to others come last and never fail the update.
//!
//! Each function tries every call it owes and returns the first failure, for the caller's
//! error handler.

use teloxide::{
    ApiError, RequestError,
    payloads::{
        AnswerCallbackQuerySetters as _, EditMessageTextSetters as _, SendDocumentSetters as _,
        SendMessageSetters as _, SendPhotoSetters as _,
    },
    prelude::Requester as _,
    types::{CallbackQuery, ChatId, InputFile, Update, UpdateKind},
};

use crate::{
    bot::TgBot,
    reply::{Attachment, Notice, Outgoing, Placement, Reply, Screen},
};

/// Telegram's "message is not modified": the screen already shows what we meant to show.
#[must_use]
pub fn is_not_modified(e: &RequestError) -> bool {
    matches!(e, RequestError::Api(ApiError::MessageNotModified))
}

/// Keeps the first error of several calls that must all be tried.
#[derive(Default)]
struct FirstError(Option<RequestError>);

impl FirstError {
    fn note<T>(&mut self, result: Result<T, RequestError>) {
        if let Err(e) = result {
            self.0.get_or_insert(e);
        }
    }

    fn into_result(self) -> Result<(), RequestError> {
        self.0.map_or(Ok(()), Err)
    }
}

/// Answers the button press `q` with `reply`.
pub async fn answer_press(
    bot: &TgBot,
    q: &CallbackQuery,
    reply: Reply,
) -> Result<(), RequestError> {
    let mut failed = FirstError::default();
    // The private chat of the presser when the message is unknown (an inline button).
    let chat = q
        .message
        .as_ref()
        .map_or_else(|| ChatId::from(q.from.id), |m| m.chat().id);
    let mut below = None;
    match (reply.screen, reply.placement, q.message.as_ref()) {
        (Some(screen), Placement::InPlace, Some(message)) => {
            let mut edit = bot.edit_message_text(chat, message.id(), screen.text);
            if let Some(keyboard) = screen.keyboard {
                edit = edit.reply_markup(keyboard);
            }
            failed.note(
                edit.await
                    .map(drop)
                    .or_else(|e| if is_not_modified(&e) { Ok(()) } else { Err(e) }),
            );
        }
        (Some(screen), Placement::NewMessage, _) => below = Some(screen),
        // Nothing to edit: an inline message, or a screen-less reply.
        _ => {}
    }
    let mut answer = bot.answer_callback_query(q.id.clone());
    match reply.notice {
        Some(Notice::Toast(text)) => answer = answer.text(text),
        Some(Notice::Alert(text)) => answer = answer.text(text).show_alert(true),
        None => {}
    }
    failed.note(answer.await);
    if let Some(screen) = below {
        failed.note(send_screen(bot, chat, screen).await);
    }
    failed.note(send_files(bot, chat, reply.files).await);
    notify(bot, reply.others).await;
    failed.into_result()
}

/// Answers a typed message or command in `chat` with `reply`.
pub async fn answer_message(bot: &TgBot, chat: ChatId, reply: Reply) -> Result<(), RequestError> {
    let sent = async {
        if let Some(notice) = &reply.notice {
            bot.send_message(chat, notice.text()).await?;
        }
        if let Some(screen) = reply.screen {
            send_screen(bot, chat, screen).await?;
        }
        send_files(bot, chat, reply.files).await
    }
    .await;
    notify(bot, reply.others).await;
    sent
}

/// Answers `update` with `reply`: a press as a press, a message in its chat; any other update
/// (a membership change) has no one to answer.
pub async fn answer_update(bot: &TgBot, update: &Update, reply: Reply) -> Result<(), RequestError> {
    match &update.kind {
        UpdateKind::CallbackQuery(q) => answer_press(bot, q, reply).await,
        UpdateKind::Message(m) => answer_message(bot, m.chat.id, reply).await,
        _ => Ok(()),
    }
}

async fn send_screen(bot: &TgBot, chat: ChatId, screen: Screen) -> Result<(), RequestError> {
    let mut send = bot.send_message(chat, screen.text);
    if let Some(keyboard) = screen.keyboard {
        send = send.reply_markup(keyboard);
    }
    send.await.map(drop)
}

async fn send_files(bot: &TgBot, chat: ChatId, files: Vec<Attachment>) -> Result<(), RequestError> {
    for file in files {
        match file {
            Attachment::Document {
                name,
                bytes,
                caption,
            } => {
                bot.send_document(chat, InputFile::memory(bytes).file_name(name))
                    .caption(caption)
                    .await?;
            }
            Attachment::Photo {
                name,
                bytes,
                caption,
            } => {
                bot.send_photo(chat, InputFile::memory(bytes).file_name(name))
                    .caption(caption)
                    .await?;
            }
        }
    }
    Ok(())
}

/// Sends messages to others; one who cannot be reached (never started the bot, blocked it) is
/// logged and skipped.
pub async fn notify(bot: &TgBot, messages: Vec<Outgoing>) {
    for m in messages {
        let mut request = bot.send_message(m.chat, m.text);
        if let Some(markup) = m.markup {
            request = request.reply_markup(markup);
        }
        if let Err(e) = request.await {
            tracing::warn!(chat = %m.chat, error = %e, "could not send a further message");
        }
    }
}
