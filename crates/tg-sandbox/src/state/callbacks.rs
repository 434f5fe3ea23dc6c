//! Callback queries and their answers, keyed by query id, each with its own wake-up.
//!
//! A test that presses a button and waits for the bot's answer must not be woken by every other
//! change of the bot's chats, nor look through every answer ever given when it is: under a busy
//! bot with many such waiters that scan cost more CPU than the bot under test. So each query keeps
//! its answer next to a `watch` channel that only its own answerCallbackQuery writes to.

use std::collections::HashMap;

use teloxide::types::{ChatId, MessageId, UserId};
use tokio::sync::watch;

use crate::{api_types::CallbackAnswer, error::ApiError};

/// The answer to answerCallbackQuery (and answerPreCheckoutQuery) for an unknown, expired or
/// already answered query.
///
/// Telegram's servers now write "query ID"; teloxide 0.17 maps only this older "query id" spelling
/// to `ApiError::InvalidQueryId`, and bots match on that variant, so the sandbox keeps it.
pub const QUERY_INVALID: &str =
    "query is too old and response timeout expired or query id is invalid";

/// A callback query sent to the bot, answered or not.
#[derive(Debug)]
pub struct PendingCallback {
    /// Who pressed.
    pub user: UserId,
    /// In which chat.
    pub chat: ChatId,
    /// Under which message.
    pub message_id: MessageId,
    /// The button's data.
    pub data: String,
    /// The answer, once answerCallbackQuery was called; only this query's waiters watch it.
    answer: watch::Sender<Option<CallbackAnswer>>,
}

impl PendingCallback {
    /// A query not answered yet.
    pub fn new(user: UserId, chat: ChatId, message_id: MessageId, data: String) -> Self {
        Self {
            user,
            chat,
            message_id,
            data,
            answer: watch::Sender::new(None),
        }
    }

    /// Whether answerCallbackQuery was called.
    pub fn is_answered(&self) -> bool {
        self.answer.borrow().is_some()
    }
}

/// What the bot said to a notification, as answerCallbackQuery's parameters give it.
#[derive(Debug, Clone, Default)]
pub struct AnswerText {
    /// The notification text.
    pub text: Option<String>,
    /// An alert rather than a toast.
    pub show_alert: bool,
    /// A URL to open.
    pub url: Option<String>,
}

/// Callback queries of one bot by id, and their answers in the order given.
#[derive(Debug, Default)]
pub struct Callbacks {
    queries: HashMap<String, PendingCallback>,
    /// Answers, oldest first, for listing (the web page's toasts); waiters never look here.
    history: Vec<CallbackAnswer>,
}

impl Callbacks {
    /// Records a query the bot is about to receive.
    pub fn insert(&mut self, id: String, query: PendingCallback) {
        self.queries.insert(id, query);
    }

    /// Records the bot's answer and wakes only the waiters of this query; returns the chat the
    /// button was pressed in.
    pub fn answer(&mut self, id: &str, reply: AnswerText) -> Result<ChatId, ApiError> {
        let query = self
            .queries
            .get(id)
            .filter(|q| !q.is_answered())
            .ok_or_else(|| ApiError::bad(QUERY_INVALID))?;
        let answer = CallbackAnswer {
            callback_query_id: id.to_owned(),
            user_id: query.user,
            message_id: query.message_id,
            data: query.data.clone(),
            text: reply.text,
            show_alert: reply.show_alert,
            url: reply.url,
        };
        self.history.push(answer.clone());
        query.answer.send_replace(Some(answer));
        Ok(query.chat)
    }

    /// A receiver that holds this query's answer once there is one, or `None` for an unknown id.
    /// Looking it up costs one map access, however many answers were given.
    pub fn watch(&self, id: &str) -> Option<watch::Receiver<Option<CallbackAnswer>>> {
        self.queries.get(id).map(|q| q.answer.subscribe())
    }

    /// Every answer, oldest first.
    pub fn answers(&self) -> &[CallbackAnswer] {
        &self.history
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query(n: i32) -> PendingCallback {
        PendingCallback::new(UserId(1), ChatId(1), MessageId(n), format!("data{n}"))
    }

    fn said(text: &str) -> AnswerText {
        AnswerText {
            text: Some(text.to_owned()),
            ..AnswerText::default()
        }
    }

    #[test]
    fn a_waiter_is_woken_by_its_own_answer_and_by_no_other() {
        let mut callbacks = Callbacks::default();
        callbacks.insert("mine".into(), query(0));
        let mut mine = callbacks.watch("mine").unwrap();
        for n in 1..=1000 {
            let id = format!("other{n}");
            callbacks.insert(id.clone(), query(n));
            callbacks.answer(&id, said("not yours")).unwrap();
        }
        // A thousand other answers did not touch this waiter's channel.
        assert!(!mine.has_changed().unwrap());
        assert!(mine.borrow().is_none());

        callbacks.answer("mine", said("yours")).unwrap();
        assert!(mine.has_changed().unwrap());
        let answer = mine.borrow_and_update().clone().unwrap();
        assert_eq!(answer.text.as_deref(), Some("yours"));
        assert_eq!(answer.data, "data0");
        assert_eq!(callbacks.answers().len(), 1001);
    }

    #[test]
    fn the_wait_reads_the_query_not_the_list_of_answers() {
        let mut callbacks = Callbacks::default();
        callbacks.insert("q".into(), query(7));
        callbacks.answer("q", said("done")).unwrap();
        // With the history gone, a waiter still finds the answer under its query id: the lookup
        // never goes through the list.
        callbacks.history.clear();
        let rx = callbacks.watch("q").unwrap();
        assert_eq!(rx.borrow().as_ref().unwrap().text.as_deref(), Some("done"));
        assert!(callbacks.watch("unknown").is_none());
    }

    #[test]
    fn a_query_is_answered_once_and_unknown_ids_are_refused() {
        let mut callbacks = Callbacks::default();
        callbacks.insert("q".into(), query(1));
        assert_eq!(callbacks.answer("q", said("a")).unwrap(), ChatId(1));
        let again = callbacks.answer("q", said("b")).unwrap_err();
        assert_eq!(again, ApiError::bad(QUERY_INVALID));
        assert_eq!(
            callbacks.answer("nope", said("c")).unwrap_err(),
            ApiError::bad(QUERY_INVALID)
        );
        assert_eq!(callbacks.answers().len(), 1);
    }
}
