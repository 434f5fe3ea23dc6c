//! What every entry point used to repeat, done once per update in the handler tree:
//!
//! - [`Sender`]: who the update is from (updates from no one are not handled);
//! - [`gate()`](crate::middleware::gate): a check that either lets the update through or answers it and stops it there,
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

use std::{collections::BTreeSet, ops::ControlFlow, panic::Location};

use booking_core::locale::Locale;
use teloxide::{
    RequestError,
    dispatching::{DpHandlerDescription, UpdateHandler},
    dptree::{self, Cont, HandlerDescription as _, HandlerSignature, Type, di::DependencyMap},
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
/// reply, or lets it through to the rest of the chain.
#[must_use]
#[track_caller]
pub fn gate<E>() -> UpdateHandler<E>
where
    E: From<RequestError> + Send + Sync + 'static,
{
    // Written out rather than built from `entry().branch(endpoint)`: dptree types such a
    // branch as one that never continues and refuses anything chained after it.
    let here = Location::caller();
    let obligations = [
        Type::of::<Gate>(),
        Type::of::<TgBot>(),
        Type::of::<Update>(),
    ]
    .into_iter()
    .map(|ty| (ty, here))
    .collect();
    dptree::from_fn_with_description(
        DpHandlerDescription::user_defined(),
        |deps: DependencyMap, rest: Cont<'static, Result<(), E>>| async move {
            let gate = deps.get::<Gate>();
            match &*gate {
                Gate::Pass => rest(deps).await,
                Gate::Stop(reply) => {
                    let (bot, update) = (deps.get::<TgBot>(), deps.get::<Update>());
                    let answered = send::answer_update(&bot, &update, reply.clone()).await;
                    ControlFlow::Break(answered.map_err(E::from))
                }
            }
        },
        HandlerSignature::Other {
            obligations,
            guaranteed_outcomes: BTreeSet::new(),
            conditional_outcomes: BTreeSet::new(),
            continues: true,
        },
    )
}

#[cfg(test)]
mod tests {
    use teloxide::dispatching::UpdateFilterExt as _;

    use super::*;

    #[test]
    fn a_gate_can_be_followed_by_the_rest_of_a_chain() {
        // dptree checks chains as they are built: a gate typed as "never continues" panics here.
        let _tree: UpdateHandler<RequestError> = Update::filter_message()
            .filter_map(Sender::of)
            .map(|_: Sender| Gate::Pass)
            .chain(gate())
            .endpoint(|| async { Ok(()) });
    }
}
