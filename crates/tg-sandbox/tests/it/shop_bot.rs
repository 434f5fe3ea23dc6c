//! A small teloxide shop, run with the real Dispatcher: `/buy <payload>` sends an invoice;
//! pre-checkout queries are confirmed, refused (payloads starting with `sold-out`) or left
//! unanswered (`silent`); a successful payment is thanked for.

use teloxide::{
    dispatching::UpdateHandler,
    prelude::*,
    types::{InlineKeyboardButton, InlineKeyboardMarkup, LabeledPrice},
};

pub const TITLE: &str = "Haircut";
pub const DESCRIPTION: &str = "Men's haircut, 45 minutes";
pub const PROVIDER_TOKEN: &str = "381764678:TEST:sandbox";
pub const SOLD_OUT: &str = "Sorry, this slot was just taken";

pub fn schema() -> UpdateHandler<teloxide::RequestError> {
    dptree::entry()
        .branch(Update::filter_pre_checkout_query().endpoint(on_pre_checkout))
        .branch(Update::filter_message().endpoint(on_message))
}

async fn on_message(bot: Bot, msg: Message) -> ResponseResult<()> {
    if let Some(paid) = msg.successful_payment() {
        bot.send_message(
            msg.chat.id,
            format!(
                "Paid {} {} for {} ({})",
                paid.total_amount,
                paid.currency,
                paid.invoice_payload,
                paid.telegram_payment_charge_id
            ),
        )
        .await?;
        return Ok(());
    }
    let Some(text) = msg.text() else {
        return Ok(());
    };
    if let Some(payload) = text.strip_prefix("/buy ") {
        let mut invoice = bot
            .send_invoice(
                msg.chat.id,
                TITLE,
                DESCRIPTION,
                payload,
                "RUB",
                [
                    LabeledPrice::new("Haircut", 150_000),
                    LabeledPrice::new("Beard trim", 50_000),
                ],
            )
            .provider_token(PROVIDER_TOKEN);
        if payload.ends_with("-keyboard") {
            invoice = invoice.reply_markup(InlineKeyboardMarkup::new([
                vec![InlineKeyboardButton::pay("Pay now")],
                vec![InlineKeyboardButton::callback("Not now", "cancel")],
            ]));
        }
        invoice.await?;
    }
    Ok(())
}

async fn on_pre_checkout(bot: Bot, query: PreCheckoutQuery) -> ResponseResult<()> {
    if query.invoice_payload.starts_with("silent") {
        return Ok(());
    }
    let ok = !query.invoice_payload.starts_with("sold-out");
    let answer = bot.answer_pre_checkout_query(query.id, ok);
    if ok {
        answer.await?;
    } else {
        answer.error_message(SOLD_OUT).await?;
    }
    Ok(())
}

/// Runs the shop over long polling until the returned token is used to stop it.
pub fn spawn_polling(bot: Bot) -> teloxide::dispatching::ShutdownToken {
    let mut dispatcher = Dispatcher::builder(bot, schema()).build();
    let token = dispatcher.shutdown_token();
    tokio::spawn(async move { dispatcher.dispatch().await });
    token
}
