//! The control API's bodies for payments: a customer paying an invoice, and what came of it.

use serde::{Deserialize, Serialize};
use teloxide::types::{LabeledPrice, MessageId, SuccessfulPayment, UserId};

use super::plain_message_id;

/// What the customer's bank does once the bot has confirmed the order.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Bank {
    /// The payment goes through and the bot gets `successful_payment`.
    #[default]
    Approves,
    /// The card is declined: the bot hears nothing after its pre-checkout answer, as in Telegram.
    Declines,
}

/// Body of `POST /sandbox/bots/{token}/chats/{chat_id}/pay`: the customer presses the invoice's
/// Pay button and completes the payment form.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PayRequest {
    /// Who pays; in a private chat it defaults to the chat's user.
    #[serde(default)]
    pub from: Option<UserId>,
    /// The invoice message.
    #[serde(with = "plain_message_id")]
    pub message_id: MessageId,
    /// Whether the bank approves the charge.
    #[serde(default)]
    pub bank: Bank,
}

/// How a payment ended, once the bot answered its `pre_checkout_query` (or did not in time).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum PaymentOutcome {
    /// The bot confirmed and the bank approved: the chat now has the payment's service message
    /// and the bot got it as a `message` update with `successful_payment`.
    Paid {
        /// The pre-checkout query the bot answered.
        pre_checkout_query_id: String,
        /// The service message with `successful_payment`.
        #[serde(with = "plain_message_id")]
        message_id: MessageId,
        /// What the bot received (boxed: it is much larger than the other outcomes).
        successful_payment: Box<SuccessfulPayment>,
    },
    /// The bot answered `ok: false`; Telegram shows its `error_message` to the customer.
    Refused {
        /// The pre-checkout query the bot answered.
        pre_checkout_query_id: String,
        /// The bot's explanation.
        error_message: String,
    },
    /// The bot confirmed but the bank declined the charge; the bot hears nothing more.
    Declined {
        /// The pre-checkout query the bot answered.
        pre_checkout_query_id: String,
    },
    /// The bot did not answer the pre-checkout query in time (Telegram allows 10 s).
    Unanswered {
        /// The pre-checkout query that expired.
        pre_checkout_query_id: String,
    },
}

impl PaymentOutcome {
    /// The id of the `pre_checkout_query` the bot received.
    pub fn pre_checkout_query_id(&self) -> &str {
        match self {
            Self::Paid {
                pre_checkout_query_id,
                ..
            }
            | Self::Refused {
                pre_checkout_query_id,
                ..
            }
            | Self::Declined {
                pre_checkout_query_id,
            }
            | Self::Unanswered {
                pre_checkout_query_id,
            } => pre_checkout_query_id,
        }
    }
}

/// An invoice as the customer sees it in the chat.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvoiceView {
    /// Product name.
    pub title: String,
    /// Product description.
    pub description: String,
    /// Three-letter ISO 4217 code, or `XTR` for Telegram Stars.
    pub currency: String,
    /// The sum of the prices, in the currency's smallest units.
    pub total_amount: u32,
    /// The price breakdown.
    pub prices: Vec<LabeledPrice>,
    /// The bot's payload, which comes back in `pre_checkout_query` and `successful_payment`.
    pub payload: String,
    /// Whether it was paid.
    pub paid: bool,
}
