//! The customer's side of payments.

use teloxide::types::{ChatId, MessageId, UserId};

use super::{ClientError, SandboxClient, private_chat};
use crate::{
    api_types::{Bank, PayRequest, PaymentOutcome},
    ids::BotToken,
};

impl SandboxClient {
    /// The user pays the invoice `message_id` in their chat with the bot: the bot gets a
    /// `pre_checkout_query`, and, if it answers `ok: true` within the pre-checkout timeout and
    /// `bank` approves, a `successful_payment` message. Returns once the outcome is known.
    pub async fn pay_invoice(
        &self,
        token: &BotToken,
        user: UserId,
        message_id: MessageId,
        bank: Bank,
    ) -> Result<PaymentOutcome, ClientError> {
        let req = PayRequest {
            from: Some(user),
            message_id,
            bank,
        };
        self.pay_in(token, private_chat(user), &req).await
    }

    /// Pays an invoice in any chat (e.g. a group), with `req.from` as the payer.
    pub async fn pay_in(
        &self,
        token: &BotToken,
        chat: ChatId,
        req: &PayRequest,
    ) -> Result<PaymentOutcome, ClientError> {
        let url = self.chat_url(token, chat, &["pay"])?;
        self.post(url, req).await
    }
}
