//! The handler tree: every update goes to the admin panel or to the customer's flows.
//!
//! Every update first passes the rate limit (once, here, for customers and admins alike; the
//! same round trip to Redis reads the dialogue state). Private messages: `/admin` first, then
//! the customer's commands, a shared contact, a typed admin step that is waiting, and any other
//! text; button presses by their codec's prefix; and the bot's own membership (a customer who
//! blocked it). Payments (pre-checkout and successful payment) come first, outside the rate
//! limit. The customer's session is loaded once, by the branch that takes the update.

use teloxide::{
    dispatching::{UpdateFilterExt as _, UpdateHandler},
    prelude::*,
    types::Message,
};

use bot_kit::{Gate, Sender};

use crate::{
    admin,
    customer::{
        buttons, checkout,
        context::{self, Loaded},
        entry,
    },
    error::BotError,
    runtime::rate_limit::{self, Prefetched},
};

/// The whole tree: private messages (commands first, then any text) and button presses.
#[must_use]
pub fn schema() -> UpdateHandler<BotError> {
    // The session is loaded only on the branch that takes the update, so an admin's typed
    // step never makes the admin a customer.
    let messages = Update::filter_message()
        .filter(|m: Message| m.chat.is_private())
        .branch(dptree::filter(admin::is_command).endpoint(admin::router::on_command))
        .branch(
            dptree::entry()
                .filter_command::<entry::Command>()
                .chain(visit())
                .endpoint(entry::on_command),
        )
        .branch(
            Message::filter_contact()
                .chain(visit())
                .endpoint(entry::on_contact),
        )
        .branch(dptree::filter_async(admin::is_waiting).endpoint(admin::router::on_text))
        .branch(visit().endpoint(entry::on_text));
    let presses = Update::filter_callback_query()
        .branch(dptree::filter(admin::is_press).endpoint(admin::router::on_callback))
        .branch(visit().endpoint(buttons::on_callback));
    let membership = Update::filter_my_chat_member().endpoint(entry::on_membership);
    // Once per update, before anything else: who it is from, and the rate limit.
    let rest = dptree::entry()
        .filter_map(Sender::of)
        .map_async(rate_limit::admit)
        .map(|a: (Gate, Prefetched)| a.0)
        .map(|a: (Gate, Prefetched)| a.1)
        .chain(bot_kit::middleware::gate())
        .branch(messages)
        .branch(presses)
        .branch(membership);
    dptree::entry().branch(payments()).branch(rest)
}

/// Paying: the pre-checkout query and the successful payment. Never rate limited: Telegram
/// cancels a payment whose pre-checkout is not answered within 10 seconds, and a payment
/// taken must be recorded whatever else the customer sent.
fn payments() -> UpdateHandler<BotError> {
    let paid = Update::filter_message()
        .filter(|m: Message| m.chat.is_private() && m.successful_payment().is_some())
        .chain(visit())
        .endpoint(checkout::on_paid);
    let pre_checkout = Update::filter_pre_checkout_query()
        .chain(visit())
        .endpoint(checkout::on_pre_checkout);
    dptree::entry()
        .filter_map(Sender::of)
        .map(Prefetched::default)
        .branch(pre_checkout)
        .branch(paid)
}

/// The customer's session and dialogue, loaded once for the update ([`context::load`]); an
/// update whose session cannot be loaded is answered with the apology and goes no further.
fn visit() -> UpdateHandler<BotError> {
    dptree::entry()
        .map_async(context::load)
        .map(|l: Loaded, s: Sender| l.gate(&s))
        .chain(bot_kit::middleware::gate())
        .filter_map(Loaded::visit)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tree_builds() {
        let _ = schema();
    }
}
