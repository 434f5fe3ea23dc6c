//! answerCallbackQuery.

use super::{Call, Reply, ok_true};
use crate::{
    error::{ApiError, ApiResult},
    state::AnswerText,
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
        let reply = AnswerText {
            text,
            show_alert,
            url,
        };
        let chat = bot.callbacks.answer(&id, reply)?;
        // The chat's version moves so the web page, which long-polls the chat, shows the toast.
        if let Some(log) = bot.chats.get_mut(&chat) {
            log.touch();
        }
        bot.chats_notify.notify_waiters();
        Ok::<_, ApiError>(())
    })?;
    ok_true()
}
