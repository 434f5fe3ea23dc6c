//! A minimal teloxide bot, run with the real Dispatcher: /start shows two slots as inline buttons;
//! pressing one answers the callback query and edits the message.

use teloxide::{
    dispatching::UpdateHandler,
    prelude::*,
    types::{InlineKeyboardButton, InlineKeyboardMarkup},
};

pub const PROMPT: &str = "Pick a slot";

pub fn schema() -> UpdateHandler<teloxide::RequestError> {
    dptree::entry()
        .branch(Update::filter_message().endpoint(on_message))
        .branch(Update::filter_callback_query().endpoint(on_callback))
}

async fn on_message(bot: Bot, msg: Message) -> ResponseResult<()> {
    if msg.text().is_some_and(|t| t.starts_with("/start")) {
        let keyboard = InlineKeyboardMarkup::new([[
            InlineKeyboardButton::callback("Slot 10:00", "slot:10"),
            InlineKeyboardButton::callback("Slot 11:00", "slot:11"),
        ]]);
        bot.send_message(msg.chat.id, PROMPT)
            .reply_markup(keyboard)
            .await?;
    }
    Ok(())
}

async fn on_callback(bot: Bot, q: CallbackQuery) -> ResponseResult<()> {
    let slot = q.data.clone().unwrap_or_default();
    bot.answer_callback_query(q.id.clone())
        .text(format!("Booked {slot}"))
        .await?;
    if let Some(msg) = q.regular_message() {
        bot.edit_message_text(msg.chat.id, msg.id, format!("Booked {slot}"))
            .await?;
    }
    Ok(())
}

/// Runs the bot over long polling until the returned token is used to stop it.
pub fn spawn_polling(bot: Bot) -> teloxide::dispatching::ShutdownToken {
    let mut dispatcher = Dispatcher::builder(bot, schema()).build();
    let token = dispatcher.shutdown_token();
    tokio::spawn(async move { dispatcher.dispatch().await });
    token
}
