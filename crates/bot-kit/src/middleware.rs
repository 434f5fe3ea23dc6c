//! What every entry point used to repeat, done once per update in the handler tree:
//!
//! - [`Sender`]: who the update is from (updates from no one are not handled);
//! - [`gate`]: a check that either lets the update through or answers it and stops it there,
//!   for allowlists and rate limits. The check is the bot's own step (a `map_async` that
//!   returns a [`Gate`], with whatever dependencies it needs); the gate answers with the
//!   shared [`send`](crate::send) rules, so a refused press is still answered.
//!
//! ```ignore
//! dptree::entry()
//!     .filter_map(Sender::of)
//!     .map_async(admit) // async fn admit(sender: Sender, app: Arc<App>) -> Gate
//!     .chain(bot_kit::middleware::gate())
//!     .branch(messages)
//!     .branch(presses)
//! ```
//!
//! A session (the customer's record, their texts) is loaded the same way, with
//! `filter_map_async` after the sender.

use booking_core::locale::Locale;
use teloxide::{
    RequestError,
    dispatching::UpdateHandler,
    dptree,
    types::{Update, User, UserId},
};

use crate::{bot::TgBot, reply::Reply, send, texts::locale_of};

/// The person an update comes from.
#[derive(Clone, Debug)]
pub struct Sender(pub User);

impl Sender {
    /// The sender of `update`; `None` for updates from no one (a channel post).
    #[must_use]
    pub fn of(update: Update) -> Option<Self> {
        update.from().cloned().map(Self)
    }

    #[must_use]
    pub fn id(&self) -> UserId {
        self.0.id
    }

    /// The sender's Telegram id as storage keeps it (ids fit in 52 bits; 0 never occurs).
    #[must_use]
    pub fn telegram_id(&self) -> i64 {
        i64::try_from(self.0.id.0).unwrap_or_default()
    }

    /// The language Telegram says they read.
    #[must_use]
    pub fn locale(&self) -> Locale {
        locale_of(&self.0)
    }
}

/// What a gate decided about an update.
#[derive(Clone, Debug)]
pub enum Gate {
    /// On to the rest of the tree.
    Pass,
    /// Answered with this reply and handled no further (a refusal, a "slow down", or nothing
    /// at all: a press is then answered silently).
    Stop(Reply),
}

/// Acts on the [`Gate`] the previous step put in the dependencies: stops the update with its
/// reply, or lets it through.
#[must_use]
pub fn gate<E>() -> UpdateHandler<E>
where
    E: From<RequestError> + Send + Sync + 'static,
{
    dptree::entry().branch(
        dptree::filter_map(|gate: Gate| match gate {
            Gate::Pass => None,
            Gate::Stop(reply) => Some(reply),
        })
        .endpoint(|bot: TgBot, update: Update, reply: Reply| async move {
            send::answer_update(&bot, &update, reply)
                .await
                .map_err(E::from)
        }),
    )
}
