//! The sales conversation over Telegram long polling.
//!
//! Only the entry points here talk to the Bot API: a step returns a [`Reply`], so every
//! button press is answered, and a database, Redis or YooKassa outage becomes one polite
//! "try again in a minute".

/// Button data and its versioned codec.
pub mod callback;
/// Inline keyboards.
pub mod keyboards;
/// Welcome, how it works, plans, demo.
pub mod menu;
/// "Check payment".
pub mod payment;
/// Long polling, kept alive through Bot API outages.
pub mod polling;
/// Name, time zone, email, bot token; then the trial or the order and its payment.
pub mod purchase;
/// The dialogue state in Redis.
pub mod state;
/// Time zones offered and accepted.
pub mod zones;

use std::sync::Arc;

use booking_core::locale::Locale;
use teloxide::{
    dispatching::UpdateHandler,
    prelude::*,
    types::{InlineKeyboardMarkup, User},
};

use crate::{
    app::{Sales, TgBot},
    error::SalesError,
    texts::Texts,
};
use callback::{Button, ButtonError};
use state::Step;

pub use polling::run;

/// A message to send.
#[derive(Clone, Debug, Default)]
pub struct Reply {
    pub text: String,
    pub keyboard: Option<InlineKeyboardMarkup>,
}

impl Reply {
    #[must_use]
    pub fn new(text: String) -> Self {
        Self {
            text,
            keyboard: None,
        }
    }

    #[must_use]
    pub fn keyboard(mut self, keyboard: InlineKeyboardMarkup) -> Self {
        self.keyboard = Some(keyboard);
        self
    }

    #[must_use]
    pub fn keyboard_opt(mut self, keyboard: Option<InlineKeyboardMarkup>) -> Self {
        self.keyboard = keyboard;
        self
    }
}

/// The handler tree: private messages and button presses.
#[must_use]
pub fn schema() -> UpdateHandler<SalesError> {
    let messages = Update::filter_message()
        .filter(|m: Message| m.chat.is_private())
        .endpoint(on_message);
    let presses = Update::filter_callback_query().endpoint(on_callback);
    dptree::entry().branch(messages).branch(presses)
}

fn texts(user: &User) -> Texts {
    Texts::new(Locale::from_telegram(user.language_code.as_deref()))
}

fn user_id(user: &User) -> i64 {
    i64::try_from(user.id.0).unwrap_or_default()
}

async fn on_message(bot: TgBot, msg: Message, sales: Arc<Sales>) -> Result<(), SalesError> {
    let Some(user) = msg.from.clone() else {
        return Ok(());
    };
    let t = texts(&user);
    let chat = msg.chat.id;
    let result = async {
        let text = msg.text().unwrap_or_default().trim().to_owned();
        if text == "/start" || text.starts_with("/start ") {
            state::save(&sales.kv, &sales.dialogues, chat, &Step::Idle).await?;
            return Ok(Some(menu::welcome(t)));
        }
        if text == "/cancel" {
            state::save(&sales.kv, &sales.dialogues, chat, &Step::Idle).await?;
            return Ok(Some(menu::welcome(t)));
        }
        let step = state::load(&sales.kv, &sales.dialogues, chat).await?;
        purchase::answer(&sales, &bot, t, &user, &msg, step, &text).await
    }
    .await;
    send(&bot, chat, t, result).await
}

async fn on_callback(bot: TgBot, q: CallbackQuery, sales: Arc<Sales>) -> Result<(), SalesError> {
    let t = texts(&q.from);
    let chat = q
        .message
        .as_ref()
        .map_or(ChatId(user_id(&q.from)), |m| m.chat().id);
    let data = q.data.as_deref().unwrap_or_default().parse::<Button>();
    let result = async {
        match data {
            Err(ButtonError::UnknownVersion | ButtonError::Malformed) => {
                Ok(Some(Reply::new(t.stale())))
            }
            Ok(button) => route(&sales, t, &q.from, chat, button).await,
        }
    }
    .await;
    // Answered whatever happened, so the button stops spinning.
    if let Err(e) = bot.answer_callback_query(q.id.clone()).await {
        tracing::warn!(error = %e, "answerCallbackQuery failed");
    }
    send(&bot, chat, t, result).await
}

async fn route(
    sales: &Sales,
    t: Texts,
    user: &User,
    chat: ChatId,
    button: Button,
) -> Result<Option<Reply>, SalesError> {
    match button {
        Button::Menu(item) => {
            let (reply, step) = menu::open(sales, t, user_id(user), item).await?;
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
        Button::Check(order) => payment::check(sales, t, user_id(user), order).await,
        Button::Cancel => {
            state::save(&sales.kv, &sales.dialogues, chat, &Step::Idle).await?;
            Ok(Some(
                Reply::new(t.cancelled_flow()).keyboard(keyboards::main_menu(t)),
            ))
        }
    }
}

/// Sends the reply, or the apology when the step failed.
async fn send(
    bot: &TgBot,
    chat: ChatId,
    t: Texts,
    result: Result<Option<Reply>, SalesError>,
) -> Result<(), SalesError> {
    let reply = match result {
        Ok(Some(reply)) => reply,
        Ok(None) => return Ok(()),
        Err(e) => {
            tracing::error!(error = %e, "a sales step failed");
            Reply::new(t.try_later())
        }
    };
    let mut request = bot.send_message(chat, reply.text);
    if let Some(keyboard) = reply.keyboard {
        request = request.reply_markup(keyboard);
    }
    request.await?;
    Ok(())
}
