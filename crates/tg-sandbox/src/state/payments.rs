//! Payments: the customer's side of paying an invoice, and the bot's pre-checkout answers.
//!
//! Telegram's flow, which the sandbox follows: the customer presses Pay and fills in the form; the
//! bot gets a `pre_checkout_query` and must answer it within 10 seconds; only if it answered
//! `ok: true` (and the bank then approves) does the bot get a `message` with `successful_payment`.
//! A refusal's `error_message` is shown to the customer; a declined card or a late answer ends the
//! payment with nothing more sent to the bot.

use std::collections::HashMap;

use teloxide::types::{
    ChatId, MessageId, MessageKind, MessageSuccessfulPayment, OrderInfo, PreCheckoutQuery,
    PreCheckoutQueryId, SuccessfulPayment, TelegramTransactionId, UpdateKind, UserId,
};
use tokio::sync::watch;

use super::{StoredMessage, World, callbacks::QUERY_INVALID, random_secret};
use crate::{
    api_types::{Bank, PayRequest, PaymentOutcome},
    control::ControlError,
    error::ApiError,
    ids::BotToken,
    telegram,
};

/// The bot's answer to a pre-checkout query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CheckoutAnswer {
    /// `ok: true`.
    Confirmed,
    /// `ok: false` with the `error_message` shown to the customer.
    Refused(String),
}

/// A pre-checkout query sent to the bot.
#[derive(Debug)]
struct PreCheckout {
    user: UserId,
    chat: ChatId,
    message_id: MessageId,
    currency: String,
    total_amount: u32,
    payload: String,
    /// The bot's answer; only this payment's task watches it.
    answer: watch::Sender<Option<CheckoutAnswer>>,
    /// The payment ended (settled or timed out): later answers are refused as too old.
    closed: bool,
}

/// Pre-checkout queries of one bot by id.
#[derive(Debug, Default)]
pub struct PreCheckouts {
    queries: HashMap<String, PreCheckout>,
}

impl PreCheckouts {
    /// Records answerPreCheckoutQuery; a second answer, a late one or an unknown id gets
    /// Telegram's 400.
    pub fn answer(&mut self, id: &str, answer: CheckoutAnswer) -> Result<(), ApiError> {
        let query = self
            .queries
            .get(id)
            .filter(|q| !q.closed && q.answer.borrow().is_none())
            .ok_or_else(|| ApiError::bad(QUERY_INVALID))?;
        query.answer.send_replace(Some(answer));
        Ok(())
    }
}

/// A payment under way: the pre-checkout query sent, the bot's answer awaited.
#[derive(Debug)]
pub struct PaymentStarted {
    /// The query's id.
    pub query_id: String,
    /// Holds the bot's answer once there is one.
    pub answer: watch::Receiver<Option<CheckoutAnswer>>,
}

impl World {
    /// The customer presses Pay under an invoice: the bot gets a `pre_checkout_query`.
    pub fn start_payment(
        &mut self,
        token: &BotToken,
        chat_id: ChatId,
        req: &PayRequest,
    ) -> Result<PaymentStarted, ControlError> {
        let author = self.author(chat_id, req.from)?;
        let from = telegram::user(self.user_ctl(author)?);
        self.next_pre_checkout += 1;
        let query_id = format!(
            "{}{:06}",
            1 + u64::from(rand::random::<u32>()),
            self.next_pre_checkout
        );
        let bot = self.bot_ctl(token)?;
        let log = bot
            .chats
            .get(&chat_id)
            .ok_or_else(|| ControlError::NotFound(format!("no chat {chat_id} with this bot")))?;
        if log.blocked {
            return Err(ControlError::Conflict(
                "the user blocked this bot; unblock it first".into(),
            ));
        }
        let stored = log.messages.get(&req.message_id.0).ok_or_else(|| {
            ControlError::NotFound(format!("no message {} in chat", req.message_id))
        })?;
        let (Some(state), MessageKind::Invoice(message)) = (&stored.invoice, &stored.message.kind)
        else {
            return Err(ControlError::BadRequest(format!(
                "message {} is not an invoice",
                req.message_id
            )));
        };
        if state.paid {
            return Err(ControlError::Conflict(format!(
                "invoice {} is already paid",
                req.message_id
            )));
        }
        let invoice = &message.invoice;
        let query = PreCheckoutQuery {
            id: PreCheckoutQueryId(query_id.clone()),
            from,
            currency: invoice.currency.clone(),
            total_amount: invoice.total_amount,
            invoice_payload: state.payload.clone(),
            shipping_option_id: None,
            order_info: OrderInfo::default(),
        };
        let (answer, receiver) = watch::channel(None);
        bot.payments.queries.insert(
            query_id.clone(),
            PreCheckout {
                user: author,
                chat: chat_id,
                message_id: req.message_id,
                currency: query.currency.clone(),
                total_amount: query.total_amount,
                payload: query.invoice_payload.clone(),
                answer,
                closed: false,
            },
        );
        bot.push_update(UpdateKind::PreCheckoutQuery(query));
        Ok(PaymentStarted {
            query_id,
            answer: receiver,
        })
    }

    /// Ends a payment after the bot's answer (or the timeout): reads the answer as it stands now,
    /// so one that arrived just after the deadline fired still counts, and closes the query.
    pub fn settle_payment(
        &mut self,
        token: &BotToken,
        query_id: &str,
        bank: Bank,
    ) -> Result<PaymentOutcome, ControlError> {
        let bot = self.bot_ctl(token)?;
        let query =
            bot.payments.queries.get_mut(query_id).ok_or_else(|| {
                ControlError::NotFound(format!("no pre-checkout query {query_id}"))
            })?;
        query.closed = true;
        let answer = query.answer.borrow().clone();
        let pre_checkout_query_id = query_id.to_owned();
        match (answer, bank) {
            (None, _) => Ok(PaymentOutcome::Unanswered {
                pre_checkout_query_id,
            }),
            (Some(CheckoutAnswer::Refused(error_message)), _) => Ok(PaymentOutcome::Refused {
                pre_checkout_query_id,
                error_message,
            }),
            (Some(CheckoutAnswer::Confirmed), Bank::Declines) => Ok(PaymentOutcome::Declined {
                pre_checkout_query_id,
            }),
            (Some(CheckoutAnswer::Confirmed), Bank::Approves) => {
                self.record_payment(token, pre_checkout_query_id)
            }
        }
    }

    /// The payment went through: the invoice is paid and the chat gets the service message,
    /// which the bot receives as a `message` update.
    fn record_payment(
        &mut self,
        token: &BotToken,
        pre_checkout_query_id: String,
    ) -> Result<PaymentOutcome, ControlError> {
        let (user, chat, invoice_message, currency, total_amount, payload) = {
            let query = self
                .bot_ctl(token)?
                .payments
                .queries
                .get(&pre_checkout_query_id)
                .ok_or_else(|| ControlError::NotFound("the pre-checkout query is gone".into()))?;
            (
                query.user,
                query.chat,
                query.message_id,
                query.currency.clone(),
                query.total_amount,
                query.payload.clone(),
            )
        };
        let from = telegram::user(self.user_ctl(user)?);
        let successful_payment = SuccessfulPayment {
            currency,
            total_amount,
            invoice_payload: payload,
            subscription_expiration_date: None,
            is_recurring: false,
            is_first_recurring: false,
            shipping_option_id: None,
            order_info: OrderInfo::default(),
            telegram_payment_charge_id: TelegramTransactionId(format!(
                "sandbox_{}",
                random_secret(24)
            )),
            provider_payment_charge_id: format!("sandbox_provider_{}", random_secret(16)),
        };
        let bot = self.bot_ctl(token)?;
        let log = bot
            .chats
            .get_mut(&chat)
            .ok_or_else(|| ControlError::NotFound(format!("no chat {chat} with this bot")))?;
        if let Some(state) = log
            .messages
            .get_mut(&invoice_message.0)
            .and_then(|m| m.invoice.as_mut())
        {
            state.paid = true;
        }
        let id = log.alloc_id();
        let message = telegram::service_message(
            id,
            from,
            log.chat.clone(),
            MessageKind::SuccessfulPayment(MessageSuccessfulPayment {
                successful_payment: successful_payment.clone(),
            }),
        );
        log.messages
            .insert(id.0, StoredMessage::plain(message.clone()));
        log.touch();
        bot.chats_notify.notify_waiters();
        bot.push_update(UpdateKind::Message(message));
        Ok(PaymentOutcome::Paid {
            pre_checkout_query_id,
            message_id: id,
            successful_payment: Box::new(successful_payment),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pre_checkout_query_takes_one_answer_and_none_after_it_closed() {
        let mut checkouts = PreCheckouts::default();
        let (answer, receiver) = watch::channel(None);
        checkouts.queries.insert(
            "q".into(),
            PreCheckout {
                user: UserId(1),
                chat: ChatId(1),
                message_id: MessageId(1),
                currency: "RUB".into(),
                total_amount: 100,
                payload: "p".into(),
                answer,
                closed: false,
            },
        );
        checkouts.answer("q", CheckoutAnswer::Confirmed).unwrap();
        assert_eq!(*receiver.borrow(), Some(CheckoutAnswer::Confirmed));
        let twice = checkouts.answer("q", CheckoutAnswer::Refused("no".into()));
        assert_eq!(twice, Err(ApiError::bad(QUERY_INVALID)));
        assert_eq!(
            checkouts.answer("other", CheckoutAnswer::Confirmed),
            Err(ApiError::bad(QUERY_INVALID))
        );
    }
}
