//! sendInvoice and answerPreCheckoutQuery.
//!
//! Error texts follow Telegram's Bot API server where its source shows them (price parsing,
//! required parameters, the expired-query answer) and Telegram's own upper-case codes where the
//! check happens on Telegram's side (currency, total, payload, provider).

use serde_json::Value;
use teloxide::types::{Invoice, LabeledPrice, ReplyMarkup};

use super::{Call, Reply, messages::reply_markup, ok_true, reply};
use crate::{
    error::{ApiError, ApiResult},
    state::{CheckoutAnswer, InvoiceState},
};

/// Telegram Stars, paid without a payment provider.
const STARS: &str = "XTR";

/// A required string parameter, as the Bot API server words its absence.
fn required(call: &Call, name: &str) -> ApiResult<String> {
    call.params
        .str(name)
        .filter(|v| !v.is_empty())
        .ok_or_else(|| ApiError::bad(format!("parameter \"{name}\" is required")))
}

/// Checks a length limit the Bot API documents, in characters.
fn within(name: &str, value: &str, max: usize) -> ApiResult<()> {
    if value.chars().count() > max {
        return Err(ApiError::bad(format!(
            "invoice {name} must be at most {max} characters"
        )));
    }
    Ok(())
}

/// The `prices` parameter: a non-empty JSON array of `{label, amount}`.
fn prices(call: &Call) -> ApiResult<Vec<LabeledPrice>> {
    let items: Vec<Value> = call
        .params
        .json("prices", "prices")
        .map_err(|_| ApiError::bad("can't parse prices JSON object"))?
        .ok_or_else(|| ApiError::bad("can't parse prices JSON object"))?;
    let prices = items
        .into_iter()
        .map(|item| {
            let price: LabeledPrice = serde_json::from_value(item)
                .map_err(|err| ApiError::bad(format!("can't parse labeled price: {err}")))?;
            if price.label.is_empty() {
                return Err(ApiError::bad(
                    "can't parse labeled price: LabeledPrice label must be non-empty",
                ));
            }
            Ok(price)
        })
        .collect::<ApiResult<Vec<_>>>()?;
    if prices.is_empty() {
        return Err(ApiError::bad("there must be at least one price"));
    }
    Ok(prices)
}

/// sendInvoice: an invoice message with Telegram's Pay button, or the bot's keyboard, which must
/// start with a Pay button.
pub fn send_invoice(call: &Call) -> ApiResult<Reply> {
    let chat_id = call.params.chat_id()?;
    let title = required(call, "title")?;
    let description = required(call, "description")?;
    let payload = required(call, "payload")?;
    let currency = required(call, "currency")?;
    within("title", &title, 32)?;
    within("description", &description, 255)?;
    if payload.len() > 128 {
        return Err(ApiError::bad("INVOICE_PAYLOAD_INVALID"));
    }
    if currency.len() != 3 || !currency.bytes().all(|b| b.is_ascii_uppercase()) {
        return Err(ApiError::bad("CURRENCY_INVALID"));
    }
    let prices = prices(call)?;
    // Stars are paid to Telegram, so a provider token is refused; every other currency needs one.
    let provider_token = call.params.str("provider_token").unwrap_or_default();
    if (currency == STARS) != provider_token.is_empty() {
        return Err(ApiError::bad("PAYMENT_PROVIDER_INVALID"));
    }
    let total_amount = prices
        .iter()
        .try_fold(0_u32, |sum, p| sum.checked_add(p.amount))
        .filter(|total| *total > 0)
        .ok_or_else(|| ApiError::bad("CURRENCY_TOTAL_AMOUNT_INVALID"))?;
    let given_markup = match reply_markup(call)? {
        None => None,
        Some(ReplyMarkup::InlineKeyboard(kb)) if InvoiceState::starts_with_pay(&kb) => Some(kb),
        // Telegram's error when an invoice's keyboard has no Pay button first.
        Some(ReplyMarkup::InlineKeyboard(_)) => {
            return Err(ApiError::bad("REPLY_MARKUP_BUY_EMPTY"));
        }
        Some(_) => return Err(ApiError::bad("inline keyboard expected")),
    };
    let state = InvoiceState {
        payload,
        prices,
        shown_markup: given_markup
            .clone()
            .unwrap_or_else(|| InvoiceState::default_markup(total_amount, &currency)),
        given_markup: given_markup.clone(),
        paid: false,
    };
    let invoice = Invoice {
        title,
        description,
        // Telegram sends an empty string when the bot gave none.
        start_parameter: call.params.str("start_parameter").unwrap_or_default(),
        currency,
        total_amount,
    };
    let message = call.sb.with(|w| {
        w.bot_send_invoice(&call.token, chat_id, invoice, state, &call.sb.config.flood)
    })?;
    let mut value = serde_json::to_value(&message).map_err(|e| ApiError::bad(e.to_string()))?;
    if let Some(markup) = given_markup {
        value["reply_markup"] =
            serde_json::to_value(markup).map_err(|e| ApiError::bad(e.to_string()))?;
    }
    reply(&value)
}

/// answerPreCheckoutQuery: `ok: true`, or `ok: false` with the `error_message` the customer sees.
pub fn answer_pre_checkout_query(call: &Call) -> ApiResult<Reply> {
    let invalid = || ApiError::bad(crate::state::QUERY_INVALID);
    let id = call
        .params
        .str("pre_checkout_query_id")
        .filter(|id| !id.is_empty())
        .ok_or_else(invalid)?;
    let answer = if call.params.bool("ok") {
        CheckoutAnswer::Confirmed
    } else {
        CheckoutAnswer::Refused(required(call, "error_message")?)
    };
    call.sb
        .with(|w| w.bot(&call.token)?.payments.answer(&id, answer))?;
    ok_true()
}
