//! Panic isolation per update.
//!
//! teloxide runs each chat's updates on a worker task. A handler that panics kills that worker,
//! and the dispatcher then panics itself when it hands the chat its next update: one bad input
//! would take the chat, and then the bot, down. [`isolated()`](crate::panic::isolated) runs the whole tree under
//! `catch_unwind` instead: the panic is logged at error level (Sentry picks error events up
//! through the tracing layer), the user is told something went wrong in their language, and
//! the chat's next update is handled as usual.

use std::{any::Any, ops::ControlFlow, panic::AssertUnwindSafe};

use futures::FutureExt as _;
use teloxide::{
    dispatching::{DpHandlerDescription, UpdateHandler},
    dptree::{self, di::DependencyMap},
    payloads::AnswerCallbackQuerySetters as _,
    prelude::Requester as _,
    types::{Update, UpdateKind},
};

use crate::{
    bot::TgBot,
    texts::{locale_of, something_went_wrong},
};

/// `tree`, with a panic in any of its handlers caught, logged and apologised for.
///
/// The wrapper keeps the tree's description (which updates it asks Telegram for) and its type
/// signature (the dispatcher's start-up check), so it fits wherever the tree did.
#[must_use]
pub fn isolated<E>(tree: UpdateHandler<E>) -> UpdateHandler<E>
where
    E: Send + Sync + 'static,
{
    let description: DpHandlerDescription = tree.description().clone();
    let sig = tree.sig().clone();
    dptree::from_fn_with_description(
        description,
        move |deps: DependencyMap, rest| {
            let tree = tree.clone();
            async move {
                let update = deps.try_get::<Update>();
                let bot = deps.try_get::<TgBot>();
                match AssertUnwindSafe(tree.execute(deps, rest))
                    .catch_unwind()
                    .await
                {
                    Ok(flow) => flow,
                    Err(panic) => {
                        tracing::error!(
                            panic = %message(panic.as_ref()),
                            update = update.as_ref().map(|u| u.id.0),
                            "a handler panicked; the update was dropped and the chat goes on"
                        );
                        if let (Some(bot), Some(update)) = (bot, update) {
                            apologise(&bot, &update).await;
                        }
                        ControlFlow::Break(Ok(()))
                    }
                }
            }
        },
        sig,
    )
}

/// The panic's message, when it has one.
fn message(panic: &(dyn Any + Send)) -> &str {
    panic
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| panic.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("(no message)")
}

/// "Something went wrong; please try again": on the button (an alert, so it is read), or in a
/// private chat. Best effort: the handler may have answered the press before it panicked.
async fn apologise(bot: &TgBot, update: &Update) {
    let Some(user) = update.from() else {
        return;
    };
    let text = something_went_wrong(locale_of(user));
    let answered = match &update.kind {
        UpdateKind::CallbackQuery(q) => bot
            .answer_callback_query(q.id.clone())
            .text(text)
            .show_alert(true)
            .await
            .map(drop),
        _ => match update.chat() {
            Some(chat) if chat.is_private() => bot.send_message(chat.id, text).await.map(drop),
            _ => Ok(()),
        },
    };
    if let Err(e) = answered {
        tracing::warn!(error = %e, "could not apologise for a failed update");
    }
}
