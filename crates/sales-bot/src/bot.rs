//! The sales conversation over Telegram long polling.
//!
//! Only the entry points here talk to the Bot API: a step returns a [`Reply`] (a new message
//! below, as a conversation moves on), so every button press is answered, and a database,
//! Redis or YooKassa outage becomes one polite "try again in a minute".

/// Button data and its versioned codec.
pub mod callback;
/// Inline keyboards.
pub mod keyboards;
/// Welcome, how it works, plans, demo.
pub mod menu;
/// "Check payment".
pub mod payment;
/// Name, time zone, email, bot token; then the trial or the order and its payment.
pub mod purchase;
/// The dialogue state in Redis.
pub mod state;
/// Time zones offered and accepted.
pub mod zones;

use std::sync::Arc;

use booking_core::ids::{TelegramUserId, TenantId};
use bot_kit::{LongPolling, Reply, Sender, TokenRejected, TokenSource, send};
use telemetry::Shutdown;
use teloxide::{dispatching::UpdateHandler, prelude::*};

use crate::{
    app::{Sales, TgBot},
    error::SalesError,
    texts::Texts,
};
use callback::{Button, ButtonError};
use state::Step;

/// Where the token comes from, for errors.
pub const TOKEN_SOURCE: TokenSource = TokenSource::var("BOT_TOKEN");

/// Polls and dispatches until `stop`, or until the Bot API rejects the token.
pub async fn run(sales: Arc<Sales>, stop: Shutdown) -> Result<(), TokenRejected> {
    LongPolling::new(sales.bot.clone(), TOKEN_SOURCE, schema())
        .dependencies(dptree::deps![sales])
        .run(stop)
        .await
}

/// The handler tree: private messages and button presses, with the buyer's texts.
#[must_use]
pub fn schema() -> UpdateHandler<SalesError> {
    let messages = Update::filter_message()
        .filter(|m: Message| m.chat.is_private())
        .chain(buyer())
        .endpoint(on_message);
    let presses = Update::filter_callback_query()
        .chain(buyer())
        .endpoint(on_callback);
    dptree::entry().branch(messages).branch(presses)
}

/// Who is writing, and the texts in their Telegram language.
fn buyer() -> UpdateHandler<SalesError> {
    dptree::filter_map(Sender::of).map(|buyer: Sender| Texts::new(buyer.locale()))
}

async fn on_message(
    bot: TgBot,
    msg: Message,
    sales: Arc<Sales>,
    buyer: Sender,
    t: Texts,
) -> Result<(), SalesError> {
    let chat = msg.chat.id;
    let result = async {
        let text = msg.text().unwrap_or_default().trim().to_owned();
        if text == "/start" || text.starts_with("/start ") {
            state::save(&sales.kv, &sales.dialogues, chat, &Step::Idle).await?;
            // The owner's renewal warning links here with `renew_<tenant>`.
            let renewal = text
                .strip_prefix("/start ")
                .and_then(|payload| payload.trim().strip_prefix("renew_"))
                .and_then(bot_kit::callback::positive);
            if let Some(tenant) = renewal {
                let buyer = TelegramUserId(buyer.telegram_id());
                return purchase::renew(&sales, t, buyer, TenantId(tenant)).await;
            }
            return Ok(Some(menu::welcome(t)));
        }
        if text == "/cancel" {
            state::save(&sales.kv, &sales.dialogues, chat, &Step::Idle).await?;
            return Ok(Some(menu::welcome(t)));
        }
        let step = state::load(&sales.kv, &sales.dialogues, chat).await?;
        purchase::answer(&sales, &bot, t, &buyer, &msg, step, &text).await
    }
    .await;
    send::answer_message(&bot, chat, reply(t, result)).await?;
    Ok(())
}

async fn on_callback(
    bot: TgBot,
    q: CallbackQuery,
    sales: Arc<Sales>,
    buyer: Sender,
    t: Texts,
) -> Result<(), SalesError> {
    let chat = q
        .message
        .as_ref()
        .map_or(ChatId::from(buyer.id()), |m| m.chat().id);
    let data = q.data.as_deref().unwrap_or_default().parse::<Button>();
    let result = async {
        match data {
            Err(ButtonError::UnknownVersion | ButtonError::Malformed) => {
                Ok(Some(Reply::message(t.stale())))
            }
            Ok(button) => route(&sales, t, &buyer, chat, button).await,
        }
    }
    .await;
    // Answered whatever happened, so the button stops spinning; the reply comes below.
    send::answer_press(&bot, &q, reply(t, result)).await?;
    Ok(())
}

async fn route(
    sales: &Sales,
    t: Texts,
    buyer: &Sender,
    chat: ChatId,
    button: Button,
) -> Result<Option<Reply>, SalesError> {
    match button {
        Button::Menu(item) => {
            let (reply, step) = menu::open(sales, t, buyer.telegram_id(), item).await?;
            if let Some(step) = step {
                state::save(&sales.kv, &sales.dialogues, chat, &step).await?;
            }
            Ok(Some(reply))
        }
        Button::Buy(plan) => purchase::buy(sales, t, chat, plan).await.map(Some),
        Button::Zone(index) => {
            let step = state::load(&sales.kv, &sales.dialogues, chat).await?;
            purchase::zone_button(sales, t, chat, step, index).await
        }
        Button::Check(order) => payment::check(sales, t, buyer.telegram_id(), order).await,
        Button::Cancel => {
            state::save(&sales.kv, &sales.dialogues, chat, &Step::Idle).await?;
            Ok(Some(
                Reply::message(t.cancelled_flow()).keyboard(keyboards::main_menu(t)),
            ))
        }
    }
}

/// The step's reply, or the apology when it failed.
fn reply(t: Texts, result: Result<Option<Reply>, SalesError>) -> Reply {
    match result {
        Ok(reply) => reply.unwrap_or_default(),
        Err(e) => {
            tracing::error!(error = %e, "a sales step failed");
            Reply::message(t.try_later())
        }
    }
}
