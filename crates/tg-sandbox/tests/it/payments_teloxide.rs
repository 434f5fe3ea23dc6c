//! Payments with a real teloxide shop over long polling: invoice, Pay, pre-checkout, payment.

use teloxide::types::MessageId;
use tg_sandbox::{
    Bank, ChatMessage, ClientError, NewUser, PaymentOutcome, SandboxClient, TestUser,
};

use crate::{
    shop_bot,
    support::{WAIT, start, teloxide_bot},
};

struct Shop {
    client: SandboxClient,
    token: tg_sandbox::BotToken,
    alice: TestUser,
    _sandbox: tg_sandbox::SandboxHandle,
    stop: teloxide::dispatching::ShutdownToken,
}

impl Shop {
    async fn open() -> Self {
        let (sandbox, client) = start().await;
        let info = client.create_bot("barber_shop_bot").await.unwrap();
        let stop = shop_bot::spawn_polling(teloxide_bot(&client, &info));
        let alice = client.create_user(NewUser::named("Alice")).await.unwrap();
        Self {
            client,
            token: info.token,
            alice,
            _sandbox: sandbox,
            stop,
        }
    }

    /// `/buy <payload>` and the invoice the shop sends for it.
    async fn invoice(&self, payload: &str) -> ChatMessage {
        self.client
            .send_command(&self.token, self.alice.id, &format!("/buy {payload}"))
            .await
            .unwrap();
        let invoice = self
            .client
            .next_bot_message(&self.token, self.alice.id, WAIT)
            .await
            .unwrap();
        assert!(invoice.invoice.is_some(), "not an invoice: {invoice:?}");
        invoice
    }

    async fn pay(&self, invoice: MessageId, bank: Bank) -> PaymentOutcome {
        self.client
            .pay_invoice(&self.token, self.alice.id, invoice, bank)
            .await
            .unwrap()
    }

    async fn chat(&self) -> Vec<ChatMessage> {
        self.client.chat(&self.token, self.alice.id).await.unwrap()
    }
}

impl Drop for Shop {
    fn drop(&mut self) {
        let _ = self.stop.shutdown();
    }
}

#[tokio::test]
async fn the_invoice_shows_with_its_pay_button() {
    let shop = Shop::open().await;
    let message = shop.invoice("order-1").await;
    let invoice = message.invoice.clone().unwrap();
    assert_eq!(invoice.title, shop_bot::TITLE);
    assert_eq!(invoice.description, shop_bot::DESCRIPTION);
    assert_eq!(invoice.currency, "RUB");
    assert_eq!(invoice.total_amount, 200_000);
    assert_eq!(invoice.payload, "order-1");
    assert_eq!(invoice.prices.len(), 2);
    assert!(!invoice.paid);
    // Without a keyboard of its own, the invoice gets Telegram's Pay button with the amount.
    let first = &message.inline_keyboard[0][0];
    assert!(first.pay);
    assert_eq!(first.text, "Pay 2000.00 RUB");
    assert!(message.is_from_bot());
    // teloxide reads the stored message as an invoice too.
    assert_eq!(message.message.invoice().unwrap().total_amount, 200_000);

    // The bot's own keyboard is kept, Pay button first.
    let custom = shop.invoice("order-2-keyboard").await;
    let labels: Vec<(String, bool)> = custom
        .inline_keyboard
        .iter()
        .flatten()
        .map(|b| (b.text.clone(), b.pay))
        .collect();
    assert_eq!(
        labels,
        [("Pay now".to_owned(), true), ("Not now".to_owned(), false)]
    );
}

#[tokio::test]
async fn paying_confirms_at_pre_checkout_then_delivers_successful_payment() {
    let shop = Shop::open().await;
    let invoice = shop.invoice("order-42").await;
    let outcome = shop.pay(invoice.message_id, Bank::Approves).await;
    let PaymentOutcome::Paid {
        message_id,
        successful_payment,
        ..
    } = &outcome
    else {
        panic!("not paid: {outcome:?}");
    };
    assert_eq!(successful_payment.currency, "RUB");
    assert_eq!(successful_payment.total_amount, 200_000);
    assert_eq!(successful_payment.invoice_payload, "order-42");
    assert!(!successful_payment.provider_payment_charge_id.is_empty());

    // The chat has the customer's payment message, and the bot heard of it.
    let thanks = shop
        .client
        .next_bot_message(&shop.token, shop.alice.id, WAIT)
        .await
        .unwrap();
    assert_eq!(
        thanks.text(),
        format!(
            "Paid 200000 RUB for order-42 ({})",
            successful_payment.telegram_payment_charge_id
        )
    );
    let chat = shop.chat().await;
    let paid = chat.iter().find(|m| m.message_id == *message_id).unwrap();
    assert!(!paid.is_from_bot());
    assert_eq!(
        paid.successful_payment.as_ref(),
        Some(&**successful_payment)
    );
    let invoice_now = chat
        .iter()
        .find(|m| m.message_id == invoice.message_id)
        .unwrap();
    assert!(invoice_now.invoice.as_ref().unwrap().paid);

    // A paid invoice cannot be paid again.
    let again = shop
        .client
        .pay_invoice(
            &shop.token,
            shop.alice.id,
            invoice.message_id,
            Bank::Approves,
        )
        .await
        .unwrap_err();
    assert!(
        matches!(&again, ClientError::Api { status: 409, .. }),
        "{again}"
    );
}

#[tokio::test]
async fn a_bot_that_refuses_stops_the_payment_with_its_message() {
    let shop = Shop::open().await;
    let invoice = shop.invoice("sold-out-7").await;
    let outcome = shop.pay(invoice.message_id, Bank::Approves).await;
    assert!(
        matches!(&outcome, PaymentOutcome::Refused { error_message, .. } if error_message == shop_bot::SOLD_OUT),
        "{outcome:?}"
    );
    // No payment message, and nothing more from the bot.
    let chat = shop.chat().await;
    assert!(chat.iter().all(|m| m.successful_payment.is_none()));
    assert_eq!(chat.last().unwrap().message_id, invoice.message_id);
    assert!(!chat.last().unwrap().invoice.as_ref().unwrap().paid);
}

#[tokio::test]
async fn a_declining_bank_sends_nothing_after_the_pre_checkout() {
    let shop = Shop::open().await;
    let invoice = shop.invoice("order-9").await;
    let outcome = shop.pay(invoice.message_id, Bank::Declines).await;
    assert!(
        matches!(outcome, PaymentOutcome::Declined { .. }),
        "{outcome:?}"
    );
    let chat = shop.chat().await;
    assert!(chat.iter().all(|m| m.successful_payment.is_none()));
    // The invoice can still be paid with another card.
    let retry = shop.pay(invoice.message_id, Bank::Approves).await;
    assert!(matches!(retry, PaymentOutcome::Paid { .. }), "{retry:?}");
    assert_ne!(
        retry.pre_checkout_query_id(),
        outcome.pre_checkout_query_id()
    );
}
