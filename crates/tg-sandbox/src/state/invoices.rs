//! Invoices: what the sandbox keeps about one, and sendInvoice's storing of it.

use teloxide::types::{
    ChatId, InlineKeyboardButton, InlineKeyboardButtonKind, InlineKeyboardMarkup, Invoice,
    LabeledPrice, Message, MessageInvoice, MessageKind,
};

use super::{StoredMessage, World};
use crate::{
    api_types::InvoiceView, config::FloodLimits, error::ApiError, ids::BotToken, telegram,
};

/// What the sandbox keeps about an invoice besides the `Invoice` object the bot sees.
#[derive(Debug, Clone)]
pub struct InvoiceState {
    /// The bot's payload.
    pub payload: String,
    /// The price breakdown.
    pub prices: Vec<LabeledPrice>,
    /// The keyboard the bot gave, which Telegram returns with the message.
    pub given_markup: Option<InlineKeyboardMarkup>,
    /// The keyboard the customer sees: the bot's, or Telegram's own Pay button.
    pub shown_markup: InlineKeyboardMarkup,
    /// Paid already; Telegram's clients then show a receipt instead of the Pay button.
    pub paid: bool,
}

impl InvoiceState {
    /// Telegram's default keyboard: one Pay button with the amount.
    pub fn default_markup(total_amount: u32, currency: &str) -> InlineKeyboardMarkup {
        InlineKeyboardMarkup::new([[InlineKeyboardButton::pay(format!(
            "Pay {}",
            format_amount(total_amount, currency)
        ))]])
    }

    /// Whether a keyboard starts with a Pay button, as Telegram requires of an invoice's.
    pub fn starts_with_pay(markup: &InlineKeyboardMarkup) -> bool {
        markup
            .inline_keyboard
            .first()
            .and_then(|row| row.first())
            .is_some_and(|b| matches!(b.kind, InlineKeyboardButtonKind::Pay(_)))
    }
}

/// Currencies without minor units, whose amounts Telegram counts in whole units.
const NO_MINOR_UNITS: &[&str] = &["XTR", "JPY", "KRW", "VND", "CLP", "ISK", "UGX", "PYG"];

/// An amount in the smallest units as people read it: `150000, "RUB"` is "1500.00 RUB".
pub fn format_amount(amount: u32, currency: &str) -> String {
    if NO_MINOR_UNITS.contains(&currency) {
        return format!("{amount} {currency}");
    }
    format!("{}.{:02} {currency}", amount / 100, amount % 100)
}

/// The invoice part of a message as the control API shows it.
pub fn invoice_view(stored: &StoredMessage) -> Option<InvoiceView> {
    let (Some(state), MessageKind::Invoice(message)) = (&stored.invoice, &stored.message.kind)
    else {
        return None;
    };
    let invoice = &message.invoice;
    Some(InvoiceView {
        title: invoice.title.clone(),
        description: invoice.description.clone(),
        currency: invoice.currency.clone(),
        total_amount: invoice.total_amount,
        prices: state.prices.clone(),
        payload: state.payload.clone(),
        paid: state.paid,
    })
}

impl World {
    /// Stores an invoice the bot sends and returns it as Telegram would (without the keyboard,
    /// which teloxide's `Message` has no place for in an invoice; the caller adds it).
    pub fn bot_send_invoice(
        &mut self,
        token: &BotToken,
        chat_id: ChatId,
        invoice: Invoice,
        state: InvoiceState,
        limits: &FloodLimits,
    ) -> Result<Message, ApiError> {
        self.chat_for_bot(token, chat_id)?;
        self.flood_check(token, chat_id, limits)?;
        let bot = self.bot(token)?;
        let from = telegram::bot_user(&bot.info);
        let notify = bot.chats_notify.clone();
        let log = bot
            .chats
            .get_mut(&chat_id)
            .ok_or_else(ApiError::chat_not_found)?;
        let id = log.alloc_id();
        let message = telegram::service_message(
            id,
            from,
            log.chat.clone(),
            MessageKind::Invoice(MessageInvoice { invoice }),
        );
        let mut stored = StoredMessage::plain(message.clone());
        stored.invoice = Some(Box::new(state));
        log.messages.insert(id.0, stored);
        log.last_chat_action = None;
        log.touch();
        notify.notify_waiters();
        Ok(message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_read_as_people_write_them() {
        assert_eq!(format_amount(150_000, "RUB"), "1500.00 RUB");
        assert_eq!(format_amount(5, "USD"), "0.05 USD");
        assert_eq!(format_amount(50, "XTR"), "50 XTR");
    }

    #[test]
    fn an_invoice_keyboard_must_start_with_pay() {
        let pay = InlineKeyboardButton::pay("Pay");
        let other = InlineKeyboardButton::callback("Later", "later");
        assert!(InvoiceState::starts_with_pay(&InlineKeyboardMarkup::new([
            [pay.clone(), other.clone()]
        ])));
        assert!(!InvoiceState::starts_with_pay(&InlineKeyboardMarkup::new(
            [[other, pay]]
        )));
        assert!(InvoiceState::starts_with_pay(
            &InvoiceState::default_markup(100, "RUB")
        ));
    }
}
