//! Paying inside Telegram (issue 19): a service that asks for a deposit keeps the hold and
//! sends an invoice; paying books it; a time taken meanwhile is refused at pre-checkout with
//! the nearest free times; a payment after the time was taken is recorded as late and given
//! back; a payment is recorded once; a forged or foreign payload changes nothing.

use std::sync::Arc;

use booking_core::{
    booking::Actor,
    clock::{Clock as _, ManualClock},
    ids::CustomerId,
    policy::Rules,
};
use chrono::{Duration, SubsecRound as _, Utc};
use secrecy::SecretString;
use sqlx::Row as _;
use storage::{
    crypto::tenant_secrets::TenantSecretsKey,
    tenant::{
        bookings::{model::BookingRequest, service},
        customers,
        payments::{
            checkout::{self, Charge, Paying, Received},
            refunds::Method,
            settings,
        },
    },
};
use teloxide::types::MessageId;
use tg_sandbox::{Bank, ChatMessage, PaymentOutcome, TestUser};

use crate::support::{REDIS, TestBot, first_data, telegram};

/// A clock stopped at a whole second (the database keeps microseconds).
fn clock() -> ManualClock {
    ManualClock::new(Utc::now().trunc_subsecs(0))
}

/// The salon's haircut (1 500 ₽) asks for a 30 % deposit (450 ₽), and the salon has a
/// provider token; the bot runs on `clock`.
async fn prepaid_salon(clock: &ManualClock) -> TestBot {
    salon(clock, true).await
}

/// The salon whose haircut asks for a deposit, with a provider token or without one.
async fn salon(clock: &ManualClock, with_token: bool) -> TestBot {
    let mut bot = unlaunched(clock, with_token).await;
    bot.launch().await;
    bot
}

/// [`salon`] before its bot starts, for a test to set up more.
async fn unlaunched(clock: &ManualClock, with_token: bool) -> TestBot {
    let mut bot = TestBot::prepare(REDIS).await;
    bot.clock = Arc::new(clock.clone());
    let key = TenantSecretsKey::parse(bot.config.tenant_secrets_key.as_ref().unwrap()).unwrap();
    let mut tx = bot.db.tx(bot.tenant_id()).await;
    sqlx::query(
        "update services set prepayment = 'deposit', deposit_percent = 30 \
         where service_id = $1",
    )
    .bind(bot.salon.haircut.get())
    .execute(tx.conn())
    .await
    .unwrap();
    if with_token {
        let token = SecretString::from("381764678:TEST:sandbox".to_owned());
        settings::set_provider_token(&mut tx, &key, Some(&token))
            .await
            .unwrap();
    }
    tx.commit().await.unwrap();
    bot
}

/// /start of a Russian-speaking customer: the menu (the phone question skipped).
async fn menu_ru(bot: &TestBot, user: &TestUser) -> ChatMessage {
    bot.command(user, "/start").await;
    let menu = bot.next(user).await;
    assert!(menu.text().contains("чем можем помочь"), "{}", menu.text());
    let ask = bot.next(user).await;
    assert!(ask.text().contains("номером телефона"), "{}", ask.text());
    menu
}

/// From the menu to the times of the first working day of next month.
async fn times(bot: &TestBot, user: &TestUser, menu: &ChatMessage, ru: bool) -> ChatMessage {
    let (book, haircut, anna) = if ru {
        ("Записаться", "Haircut", "Anna")
    } else {
        ("Book", "Haircut", "Anna")
    };
    let (_, services) = bot.press(user, menu, book).await;
    let (_, staff) = bot.press(user, &services, haircut).await;
    let (_, calendar) = bot.press(user, &staff, anna).await;
    let (_, month) = bot.press(user, &calendar, "▶").await;
    let day = first_data(&month, "v1:d:");
    let (_, times) = bot.press_data(user, &month, &day).await;
    times
}

/// Holds `time` and presses Confirm: the screen asking for the payment, and the invoice.
async fn invoice(
    bot: &TestBot,
    user: &TestUser,
    times: &ChatMessage,
    time: &str,
    confirm: &str,
) -> (ChatMessage, ChatMessage, ChatMessage) {
    let (_, check) = bot.press(user, times, time).await;
    let (answer, asked) = bot.press(user, &check, confirm).await;
    assert!(!answer.show_alert, "{answer:?}");
    let invoice = bot.next(user).await;
    assert!(invoice.invoice.is_some(), "{invoice:?}");
    (check, asked, invoice)
}

async fn pay(bot: &TestBot, user: &TestUser, invoice: MessageId) -> PaymentOutcome {
    bot.client
        .pay_invoice(&bot.info.token, user.id, invoice, Bank::Approves)
        .await
        .unwrap()
}

async fn customer(bot: &TestBot, user: &TestUser) -> CustomerId {
    let mut tx = bot.db.tx(bot.tenant_id()).await;
    customers::by_telegram(&mut tx, telegram(user))
        .await
        .unwrap()
        .unwrap()
        .id
}

/// Every booking of the tenant: (customer, status).
async fn bookings(bot: &TestBot) -> Vec<(i64, String)> {
    let mut tx = bot.db.tx(bot.tenant_id()).await;
    sqlx::query("select customer_id, status from bookings order by booking_id")
        .fetch_all(tx.conn())
        .await
        .unwrap()
        .iter()
        .map(|r| (r.get("customer_id"), r.get("status")))
        .collect()
}

/// Every payment: (outcome, amount, refunded).
async fn payments(bot: &TestBot) -> Vec<(String, i64, i64)> {
    let mut tx = bot.db.tx(bot.tenant_id()).await;
    sqlx::query("select outcome, amount_minor, refunded_minor from payments order by payment_id")
        .fetch_all(tx.conn())
        .await
        .unwrap()
        .iter()
        .map(|r| {
            (
                r.get("outcome"),
                r.get("amount_minor"),
                r.get("refunded_minor"),
            )
        })
        .collect()
}

/// Every refund: (reason, method, status, amount).
async fn refunds(bot: &TestBot) -> Vec<(String, String, String, i64)> {
    let mut tx = bot.db.tx(bot.tenant_id()).await;
    sqlx::query("select reason, method, status, amount_minor from refunds order by refund_id")
        .fetch_all(tx.conn())
        .await
        .unwrap()
        .iter()
        .map(|r| {
            (
                r.get("reason"),
                r.get("method"),
                r.get("status"),
                r.get("amount_minor"),
            )
        })
        .collect()
}

async fn invoice_status(bot: &TestBot, payload: &str) -> String {
    let mut tx = bot.db.tx(bot.tenant_id()).await;
    sqlx::query("select status from invoices where payload = $1")
        .bind(payload)
        .fetch_one(tx.conn())
        .await
        .unwrap()
        .get("status")
}

#[tokio::test]
async fn a_customer_pays_the_deposit_in_telegram_and_is_booked() {
    let clock = clock();
    let bot = prepaid_salon(&clock).await;
    let olga = bot.user("Ольга", "ru").await;
    let menu = menu_ru(&bot, &olga).await;
    let times = times(&bot, &olga, &menu, true).await;
    let (check, asked, invoice) = invoice(&bot, &olga, &times, "09:00", "Подтвердить").await;

    // The check screen says, before «Подтвердить», that a deposit comes after it.
    assert!(
        check
            .text()
            .contains("Предоплата 450\u{a0}₽ вносится здесь, в Telegram, после «Подтвердить»."),
        "{}",
        check.text()
    );
    // The confirm screen now asks for the deposit and says how long the time is held.
    assert!(
        asked.text().contains("Предоплата: 450\u{a0}₽"),
        "{}",
        asked.text()
    );
    assert!(
        asked
            .text()
            .contains("Время держим 15 минут — оплатите, и запись подтвердится."),
        "{}",
        asked.text()
    );
    let sent = invoice.invoice.clone().unwrap();
    assert_eq!(sent.title, "Haircut");
    assert!(sent.description.contains("09:00"), "{}", sent.description);
    assert!(
        sent.description.contains("мастер Anna"),
        "{}",
        sent.description
    );
    assert_eq!(sent.currency, "RUB");
    assert_eq!(sent.total_amount, 45_000);
    assert_eq!(sent.prices[0].label, "Предоплата");
    assert_eq!(sent.payload.len(), 32);
    // Nothing is booked yet: the time is held, until the payment timeout.
    assert_eq!(bookings(&bot).await[0].1, "held");
    let mut tx = bot.db.tx(bot.tenant_id()).await;
    let until: chrono::DateTime<Utc> = sqlx::query("select hold_expires_at from bookings")
        .fetch_one(tx.conn())
        .await
        .unwrap()
        .get("hold_expires_at");
    drop(tx);
    assert_eq!(until, clock.now() + Duration::minutes(15));

    let PaymentOutcome::Paid { .. } = pay(&bot, &olga, invoice.message_id).await else {
        panic!("the payment did not go through");
    };
    let done = bot.next(&olga).await;
    assert!(
        done.text()
            .starts_with("✅ Оплачено 450\u{a0}₽ · Запись подтверждена\nHaircut, мастер Anna"),
        "{}",
        done.text()
    );
    let alice = customer(&bot, &olga).await;
    assert_eq!(
        bookings(&bot).await,
        [(alice.get(), "confirmed".to_owned())]
    );
    assert_eq!(payments(&bot).await, [("applied".to_owned(), 45_000, 0)]);
    assert_eq!(invoice_status(&bot, &sent.payload).await, "paid");
    assert!(refunds(&bot).await.is_empty());
}

#[tokio::test]
async fn an_english_customer_reads_the_invoice_in_english() {
    let clock = clock();
    let bot = prepaid_salon(&clock).await;
    let alice = bot.user("Alice", "en").await;
    let menu = bot.menu(&alice).await;
    let times = times(&bot, &alice, &menu, false).await;
    let (check, asked, invoice) = invoice(&bot, &alice, &times, "10:00", "Confirm").await;
    assert!(
        check
            .text()
            .contains("Deposit: 450\u{a0}₽, paid here in Telegram after “Confirm”."),
        "{}",
        check.text()
    );
    assert!(
        asked.text().contains("Deposit: 450\u{a0}₽"),
        "{}",
        asked.text()
    );
    assert!(
        asked
            .text()
            .contains("We hold the time for 15 minutes: pay, and your booking is confirmed."),
        "{}",
        asked.text()
    );
    let sent = invoice.invoice.clone().unwrap();
    assert_eq!(sent.prices[0].label, "Deposit");
    assert!(
        sent.description.contains("with Anna"),
        "{}",
        sent.description
    );
    let PaymentOutcome::Paid { .. } = pay(&bot, &alice, invoice.message_id).await else {
        panic!("the payment did not go through");
    };
    let done = bot.next(&alice).await;
    assert!(
        done.text()
            .starts_with("✅ Paid 450\u{a0}₽ · You are booked"),
        "{}",
        done.text()
    );
}

#[tokio::test]
async fn a_lapsed_hold_nobody_took_is_held_again_and_paid() {
    let clock = clock();
    let bot = prepaid_salon(&clock).await;
    let olga = bot.user("Ольга", "ru").await;
    let menu = menu_ru(&bot, &olga).await;
    let times = times(&bot, &olga, &menu, true).await;
    let (_, _, invoice) = invoice(&bot, &olga, &times, "09:00", "Подтвердить").await;
    clock.set(clock.now() + Duration::minutes(20));
    let PaymentOutcome::Paid { .. } = pay(&bot, &olga, invoice.message_id).await else {
        panic!("the payment did not go through");
    };
    let done = bot.next(&olga).await;
    assert!(done.text().starts_with("✅ Оплачено"), "{}", done.text());
    assert_eq!(bookings(&bot).await[0].1, "confirmed");
}

/// Olga's hold lapses and Boris books her time: her Pay is refused with the nearest free
/// times, and nothing overlaps.
#[tokio::test]
async fn pre_checkout_for_a_time_taken_meanwhile_is_refused_with_the_nearest_times() {
    let clock = clock();
    let bot = prepaid_salon(&clock).await;
    let olga = bot.user("Ольга", "ru").await;
    let menu = menu_ru(&bot, &olga).await;
    let times = times(&bot, &olga, &menu, true).await;
    let (_, _, invoice) = invoice(&bot, &olga, &times, "09:00", "Подтвердить").await;
    let payload = invoice.invoice.clone().unwrap().payload;

    clock.set(clock.now() + Duration::minutes(16));
    let boris = bot.user("Борис", "ru").await;
    let _ = menu_ru(&bot, &boris).await;
    take_olgas_time(&bot, &boris).await;
    // Her hold gave way, and its invoice went void with it.
    assert_eq!(invoice_status(&bot, &payload).await, "void");

    let PaymentOutcome::Refused { error_message, .. } = pay(&bot, &olga, invoice.message_id).await
    else {
        panic!("the payment was not refused");
    };
    assert!(
        error_message.starts_with("Пока вы оплачивали, это время заняли. Ближайшее свободное: "),
        "{error_message}"
    );
    // At least one free time, as "dd.mm hh:mm" (which ones depends on the hour the test runs).
    let offered = error_message
        .trim_start_matches("Пока вы оплачивали, это время заняли. Ближайшее свободное: ")
        .split(", ")
        .next()
        .unwrap_or_default();
    assert!(
        offered.len() >= 11 && offered.as_bytes()[2] == b'.' && offered.as_bytes()[8] == b':',
        "{error_message}"
    );
    assert!(error_message.chars().count() <= 255);
    let statuses: Vec<String> = bookings(&bot).await.into_iter().map(|b| b.1).collect();
    assert_eq!(statuses, ["expired", "confirmed"]);
    assert!(payments(&bot).await.is_empty());
}

/// Boris books the time of the only booking there is (Olga's), straight in storage.
async fn take_olgas_time(bot: &TestBot, boris: &TestUser) {
    let boris = customer(bot, boris).await;
    let mut tx = bot.db.tx(bot.tenant_id()).await;
    let row = sqlx::query("select starts_at from bookings order by booking_id limit 1")
        .fetch_one(tx.conn())
        .await
        .unwrap();
    let request = BookingRequest {
        customer: boris,
        service: bot.salon.haircut,
        staff: Some(bot.salon.anna.id),
        start: row.get("starts_at"),
        source: None,
        actor: Actor::System,
        rules: Rules::Staff,
    };
    service::book(&mut tx, &request, bot.clock.now())
        .await
        .unwrap();
    tx.commit().await.unwrap();
}

/// A payment that Telegram delivers after the time was taken (pre-checkout passed, then the
/// hold lapsed and someone booked): recorded as late, a refund opened, no second booking.
/// The sandbox plays pre-checkout and payment back to back, so the late `successful_payment`
/// goes through the handler's storage path (`checkout::receive`) with what Telegram sends.
#[tokio::test]
async fn a_payment_after_the_time_was_taken_is_late_and_given_back() {
    let clock = clock();
    let bot = prepaid_salon(&clock).await;
    let olga = bot.user("Ольга", "ru").await;
    let menu = menu_ru(&bot, &olga).await;
    let times = times(&bot, &olga, &menu, true).await;
    let (_, _, invoice) = invoice(&bot, &olga, &times, "09:00", "Подтвердить").await;
    let payload = invoice.invoice.clone().unwrap().payload;
    clock.set(clock.now() + Duration::minutes(16));
    let boris = bot.user("Борис", "ru").await;
    let _ = menu_ru(&bot, &boris).await;
    take_olgas_time(&bot, &boris).await;

    let olga_id = customer(&bot, &olga).await;
    let charge = Charge {
        paying: Paying {
            payload: &payload,
            currency: "RUB",
            total_minor: 45_000,
            customer: olga_id,
            actor: Actor::Customer(telegram(&olga)),
        },
        telegram_charge_id: "tg-charge-late",
        provider_charge_id: "yk-late",
    };
    let mut tx = bot.db.tx(bot.tenant_id()).await;
    let received = checkout::receive(&mut tx, &charge, Method::ByHand, clock.now())
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert!(matches!(received, Received::Late { .. }), "{received:?}");
    assert_eq!(payments(&bot).await, [("late".to_owned(), 45_000, 45_000)]);
    assert_eq!(
        refunds(&bot).await,
        [(
            "late_payment".to_owned(),
            "by_hand".to_owned(),
            "to_do".to_owned(),
            45_000
        )]
    );
    let statuses: Vec<String> = bookings(&bot).await.into_iter().map(|b| b.1).collect();
    assert_eq!(statuses, ["expired", "confirmed"]);
}

/// A redelivered `successful_payment` (the same Telegram charge) changes nothing; a second
/// charge of a paid invoice is a duplicate, recorded and given back, never a second booking.
#[tokio::test]
async fn a_payment_is_recorded_once_and_a_second_one_is_given_back() {
    let clock = clock();
    let bot = prepaid_salon(&clock).await;
    let olga = bot.user("Ольга", "ru").await;
    let menu = menu_ru(&bot, &olga).await;
    let times = times(&bot, &olga, &menu, true).await;
    let (_, _, invoice) = invoice(&bot, &olga, &times, "09:00", "Подтвердить").await;
    let PaymentOutcome::Paid {
        successful_payment, ..
    } = pay(&bot, &olga, invoice.message_id).await
    else {
        panic!("the payment did not go through");
    };
    let _ = bot.next(&olga).await;

    // Paying the paid invoice again is refused by Telegram itself (the sandbox too); the
    // same update delivered twice goes through the handler's storage path again.
    let olga_id = customer(&bot, &olga).await;
    let paying = Paying {
        payload: &successful_payment.invoice_payload,
        currency: &successful_payment.currency,
        total_minor: i64::from(successful_payment.total_amount),
        customer: olga_id,
        actor: Actor::Customer(telegram(&olga)),
    };
    let again = Charge {
        paying: paying.clone(),
        telegram_charge_id: &successful_payment.telegram_payment_charge_id.0,
        provider_charge_id: &successful_payment.provider_payment_charge_id,
    };
    let mut tx = bot.db.tx(bot.tenant_id()).await;
    let received = checkout::receive(&mut tx, &again, Method::Yookassa, clock.now())
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert!(
        matches!(received, Received::AlreadyRecorded(_)),
        "{received:?}"
    );
    assert_eq!(payments(&bot).await, [("applied".to_owned(), 45_000, 0)]);

    let second = Charge {
        paying,
        telegram_charge_id: "tg-charge-second",
        provider_charge_id: "yk-second",
    };
    let mut tx = bot.db.tx(bot.tenant_id()).await;
    let received = checkout::receive(&mut tx, &second, Method::Yookassa, clock.now())
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert!(
        matches!(received, Received::Duplicate { .. }),
        "{received:?}"
    );
    assert_eq!(
        payments(&bot).await,
        [
            ("applied".to_owned(), 45_000, 0),
            ("duplicate".to_owned(), 45_000, 45_000)
        ]
    );
    assert_eq!(
        refunds(&bot).await,
        [(
            "duplicate_payment".to_owned(),
            "yookassa".to_owned(),
            "pending".to_owned(),
            45_000
        )]
    );
    let statuses: Vec<String> = bookings(&bot).await.into_iter().map(|b| b.1).collect();
    assert_eq!(statuses, ["confirmed"]);
}

/// An invoice sent with the bot's token but a payload the bot never issued, and one that
/// carries another customer's real payload: both refused at pre-checkout, nothing changes.
#[tokio::test]
async fn a_forged_or_foreign_payload_changes_nothing() {
    let clock = clock();
    let bot = prepaid_salon(&clock).await;
    let olga = bot.user("Ольга", "ru").await;
    let menu = menu_ru(&bot, &olga).await;
    let times = times(&bot, &olga, &menu, true).await;
    let (_, _, invoice) = invoice(&bot, &olga, &times, "09:00", "Подтвердить").await;
    let olgas = invoice.invoice.clone().unwrap().payload;
    let boris = bot.user("Борис", "ru").await;
    let _ = menu_ru(&bot, &boris).await;

    for payload in ["forged-payload-0123456789abcdef", olgas.as_str()] {
        let forged = forged_invoice(&bot, &boris, payload).await;
        let PaymentOutcome::Refused { error_message, .. } = pay(&bot, &boris, forged).await else {
            panic!("a forged invoice was not refused");
        };
        assert_eq!(
            error_message,
            "Этот счёт не найден. Пожалуйста, запишитесь заново через меню бота."
        );
    }
    let statuses: Vec<String> = bookings(&bot).await.into_iter().map(|b| b.1).collect();
    assert_eq!(statuses, ["held"]);
    assert!(payments(&bot).await.is_empty());
    assert_eq!(invoice_status(&bot, &olgas).await, "open");
}

/// An invoice with `payload` in `user`'s chat, sent with the bot's own token (as anyone who
/// had it could); its message id.
async fn forged_invoice(bot: &TestBot, user: &TestUser, payload: &str) -> MessageId {
    use teloxide::{
        payloads::SendInvoiceSetters as _,
        prelude::Requester as _,
        types::{ChatId, LabeledPrice},
    };
    let tg = teloxide::Bot::new(bot.info.token.as_str()).set_api_url(bot.client.api_url());
    let chat = ChatId(i64::try_from(user.id.0).unwrap());
    tg.send_invoice(
        chat,
        "Haircut",
        "forged",
        payload,
        "RUB",
        [LabeledPrice::new("Предоплата", 45_000)],
    )
    .provider_token("381764678:TEST:sandbox")
    .await
    .unwrap()
    .id
}

/// A business that has not given its provider token cannot take money: its service is booked
/// on Confirm as before.
#[tokio::test]
async fn without_a_provider_token_the_service_is_booked_as_before() {
    let clock = clock();
    let bot = salon(&clock, false).await;
    let alice = bot.user("Alice", "en").await;
    let menu = bot.menu(&alice).await;
    let times = times(&bot, &alice, &menu, false).await;
    let (_, check) = bot.press(&alice, &times, "09:00").await;
    let (_, done) = bot.press(&alice, &check, "Confirm").await;
    assert!(done.text().contains("You are booked"), "{}", done.text());
    assert_eq!(bookings(&bot).await[0].1, "confirmed");
    let mut tx = bot.db.tx(bot.tenant_id()).await;
    let invoices: i64 = sqlx::query("select count(*) as n from invoices")
        .fetch_one(tx.conn())
        .await
        .unwrap()
        .get("n");
    assert_eq!(invoices, 0);
}

/// "Another time" under the invoice gives the hold back, and the invoice with it: paying it
/// afterwards is refused.
#[tokio::test]
async fn leaving_the_invoice_for_another_time_voids_it() {
    let clock = clock();
    let bot = prepaid_salon(&clock).await;
    let olga = bot.user("Ольга", "ru").await;
    let menu = menu_ru(&bot, &olga).await;
    let times = times(&bot, &olga, &menu, true).await;
    let (_, asked, invoice) = invoice(&bot, &olga, &times, "09:00", "Подтвердить").await;
    let payload = invoice.invoice.clone().unwrap().payload;
    let (_, again) = bot.press(&olga, &asked, "Другое время").await;
    assert!(
        again.button_data("09:00").is_some(),
        "{:?}",
        again.buttons()
    );
    assert_eq!(invoice_status(&bot, &payload).await, "void");
    let PaymentOutcome::Refused { error_message, .. } = pay(&bot, &olga, invoice.message_id).await
    else {
        panic!("the payment was not refused");
    };
    assert_eq!(
        error_message,
        "Этот счёт больше не действует. Пожалуйста, выберите время заново через меню бота."
    );
    assert_eq!(bookings(&bot).await[0].1, "cancelled");
    assert!(payments(&bot).await.is_empty());
}

/// The whole path of a deposit: paid inside Telegram (the sandbox), then cancelled in time,
/// and given back through YooKassa's refunds API under the payment id Telegram handed the bot.
#[tokio::test]
async fn a_deposit_paid_in_telegram_comes_back_through_yookassa_on_a_cancellation_in_time() {
    const SHOP: &str = "506751";
    const SECRET: &str = "test_secret_key";
    let fake = test_support::yookassa::FakeYooKassa::start(SHOP, SECRET).await;
    let clock = clock();
    let mut bot = unlaunched(&clock, true).await;
    bot.config.yookassa_api_url = fake.api_url();
    let key = TenantSecretsKey::parse(bot.config.tenant_secrets_key.as_ref().unwrap()).unwrap();
    let mut tx = bot.db.tx(bot.tenant_id()).await;
    let shop = settings::Shop {
        id: SHOP.to_owned(),
        secret: SecretString::from(SECRET.to_owned()),
    };
    settings::set_shop(&mut tx, &key, Some(&shop))
        .await
        .unwrap();
    tx.commit().await.unwrap();
    bot.launch().await;

    let olga = bot.user("Ольга", "ru").await;
    let menu = menu_ru(&bot, &olga).await;
    let times = times(&bot, &olga, &menu, true).await;
    let (_, _, invoice) = invoice(&bot, &olga, &times, "09:00", "Подтвердить").await;
    let PaymentOutcome::Paid {
        successful_payment, ..
    } = pay(&bot, &olga, invoice.message_id).await
    else {
        panic!("the payment did not go through");
    };
    let charge = successful_payment.provider_payment_charge_id.clone();
    fake.paid_in_telegram_as(&charge, 45_000, "RUB");
    let _booked = bot.next(&olga).await;

    bot.command(&olga, "/my").await;
    let mine = bot.next(&olga).await;
    let (_, ask) = bot.press(&olga, &mine, "❌ Отменить #1").await;
    let (_, done) = bot.press(&olga, &ask, "✅ Да, отменить").await;
    assert!(
        done.text()
            .replace('\u{a0}', " ")
            .contains("Предоплата 450 ₽ вернётся на карту в течение нескольких дней."),
        "{}",
        done.text()
    );
    crate::support::eventually("YooKassa made the refund", || async {
        fake.refunds().len() == 1
    })
    .await;
    let made = &fake.refunds()[0];
    assert_eq!(made["payment_id"], charge.as_str());
    assert_eq!(made["amount"]["value"], "450.00");
    assert_eq!(made["status"], "succeeded");
    assert_eq!(
        payments(&bot).await,
        [("applied".to_owned(), 45_000, 45_000)]
    );
}
