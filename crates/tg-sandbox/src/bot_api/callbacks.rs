//! answerCallbackQuery.

use super::{Call, Reply, ok_true};
use crate::{
    api_types::CallbackAnswer,
    error::{ApiError, ApiResult},
};

/// answerCallbackQuery: recorded so a test (or the web page) can show the toast or alert.
pub fn answer_callback_query(call: &Call) -> ApiResult<Reply> {
    let p = &call.params;
    let id = p
        .str("callback_query_id")
        .ok_or_else(|| ApiError::bad("query_id is empty"))?;
    let text = p.str("text").filter(|t| !t.is_empty());
    if text.as_ref().is_some_and(|t| t.chars().count() > 200) {
        return Err(ApiError::bad("MESSAGE_TOO_LONG"));
    }
    let show_alert = p.bool("show_alert");
    let url = p.str("url").filter(|u| !u.is_empty());
    call.sb.with(|w| {
        let bot = w.bot(&call.token)?;
        let invalid = || {
            ApiError::bad("query is too old and response timeout expired or query id is invalid")
        };
        let pending = bot.callbacks.get_mut(&id).ok_or_else(invalid)?;
        if pending.answered {
            return Err(invalid());
        }
        pending.answered = true;
        let answer = CallbackAnswer {
            callback_query_id: id.clone(),
            user_id: pending.user,
            message_id: pending.message_id,
            data: pending.data.clone(),
            text,
            show_alert,
            url,
        };
        let chat = pending.chat;
        bot.answers.push(answer);
        if let Some(log) = bot.chats.get_mut(&chat) {
            log.touch();
        }
        bot.chats_notify.notify_waiters();
        Ok(())
    })?;
    ok_true()
}
