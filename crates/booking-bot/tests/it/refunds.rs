//! Refunds of payments made in advance (issue 19), end to end through the real bot: a
//! cancellation in time gives the deposit back through the fake YooKassa once (also when the
//! first call's answer is lost to a 500), a late one keeps it as the service's terms say, a
//! no-show keeps it, the business cancelling gives it back, by hand when no shop is set, and
//! the owner decides under the `owner` policy. The payment itself is a stand-in
//! (`test_support::prepaid`): the customer's paying is tested apart.

use std::sync::Arc;

use booking_core::{
    booking::BookingStatus, catalogue::Minutes, clock::ManualClock, ids::BookingId,
};
use chrono::{Duration, Utc};
use secrecy::SecretString;
use sqlx::Row as _;
use storage::{
    crypto::tenant_secrets::TenantSecretsKey,
    tenant::{
        admins::AdminRole,
        payments::settings::{self as payment_settings, Shop},
        settings,
    },
};
use test_support::{
    prepaid,
    yookassa::{FakeYooKassa, Fault},
};
use tg_sandbox::TestUser;

use crate::{
    admin_support::{admin, audit, booking_at, customer, panel, status},
    support::{TestBot, booked, eventually},
};

const SHOP: &str = "506751";
const SECRET: &str = "test_secret_key";
const DEPOSIT: i64 = 45_000;

/// A bot whose clock the test moves, its refunds made through `fake` when given.
async fn bot(fake: Option<&FakeYooKassa>) -> (TestBot, ManualClock) {
    let mut bot = TestBot::prepare(crate::support::REDIS).await;
    let clock = ManualClock::new(Utc::now());
    bot.clock = Arc::new(clock.clone());
    if let Some(fake) = fake {
        bot.config.yookassa_api_url = fake.api_url();
        let key = TenantSecretsKey::parse(bot.config.tenant_secrets_key.as_ref().unwrap()).unwrap();
        let mut tx = bot.db.tx(bot.tenant_id()).await;
        payment_settings::set_shop(
            &mut tx,
            &key,
            Some(&Shop {
                id: SHOP.to_owned(),
                secret: SecretString::from(SECRET.to_owned()),
            }),
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
    }
    bot.launch().await;
    (bot, clock)
}

async fn terms(bot: &TestBot, policy: &str, keep_percent: i16) {
    let mut tx = bot.db.tx(bot.tenant_id()).await;
    prepaid::deposit_terms(&mut tx, bot.salon.haircut, DEPOSIT, policy, keep_percent).await;
    tx.commit().await.unwrap();
}

/// `booking` paid for with a deposit YooKassa holds as `provider_id`.
async fn pay(bot: &TestBot, booking: BookingId, provider_id: &str) {
    let mut tx = bot.db.tx(bot.tenant_id()).await;
    prepaid::paid(&mut tx, booking, DEPOSIT, provider_id).await;
    tx.commit().await.unwrap();
}

/// The booking's refund as stored: (amount, reason, method, status, attempts, key).
async fn refund(
    bot: &TestBot,
    booking: BookingId,
) -> Option<(i64, String, String, String, i32, String)> {
    let mut tx = bot.db.tx(bot.tenant_id()).await;
    let row = sqlx::query(
        "select r.amount_minor, r.reason, r.method, r.status, r.attempts, \
                r.idempotence_key::text as key \
         from refunds r join payments p using (payment_id) where p.booking_id = $1",
    )
    .bind(booking.get())
    .fetch_optional(tx.conn())
    .await
    .unwrap();
    tx.commit().await.unwrap();
    row.map(|r| {
        (
            r.get("amount_minor"),
            r.get("reason"),
            r.get("method"),
            r.get("status"),
            r.get("attempts"),
            r.get("key"),
        )
    })
}

/// (kept, refunded) of the booking's payment.
async fn settled(bot: &TestBot, booking: BookingId) -> (i64, i64) {
    let mut tx = bot.db.tx(bot.tenant_id()).await;
    let row = sqlx::query(
        "select kept_minor, refunded_minor from payments where booking_id = $1 and outcome = 'applied'",
    )
    .bind(booking.get())
    .fetch_one(tx.conn())
    .await
    .unwrap();
    tx.commit().await.unwrap();
    (row.get("kept_minor"), row.get("refunded_minor"))
}

/// Alice cancels her one booking from «My bookings»; the ask and the reply after it.
async fn cancel_mine(bot: &TestBot, alice: &TestUser) -> (String, String) {
    bot.command(alice, "/my").await;
    let mine = bot.next(alice).await;
    let (_, ask) = bot.press(alice, &mine, "Cancel #1").await;
    let (_, done) = bot.press(alice, &ask, "Yes, cancel").await;
    (plain(ask.text()), plain(done.text()))
}

/// The bot's next message to `user` that says `needle`, passing over those before it (the
/// calendar file that follows a cancellation).
async fn next_saying(bot: &TestBot, user: &TestUser, needle: &str) -> String {
    for _ in 0..5 {
        let text = plain(bot.next(user).await.text());
        if text.contains(needle) {
            return text;
        }
    }
    panic!("no message saying {needle:?}");
}

/// The text with the non-breaking spaces of prices («450 ₽») as plain ones.
fn plain(text: &str) -> String {
    text.replace('\u{a0}', " ")
}

#[tokio::test]
async fn cancelling_in_time_refunds_once_through_yookassa_even_after_a_lost_answer() {
    let fake = FakeYooKassa::start(SHOP, SECRET).await;
    let (bot, clock) = bot(Some(&fake)).await;
    terms(&bot, "cutoff", 100).await;
    let alice = bot.user("Alice", "en").await;
    let _menu = bot.menu(&alice).await;
    let booking = booked(&bot, &alice).await;
    let charge = fake.paid_in_telegram(DEPOSIT, "RUB");
    pay(&bot, booking.id, &charge).await;
    // YooKassa makes the refund but its answer is lost: the bot cannot know it was made.
    fake.fail_next(Fault::Error500Applied);

    let (_, done) = cancel_mine(&bot, &alice).await;
    assert!(
        done.contains("Your prepayment of 450 ₽ will be back on your card within a few days."),
        "{done}"
    );
    eventually("the first refund call is answered", || async {
        refund(&bot, booking.id).await.is_some_and(|r| r.4 == 1)
    })
    .await;
    let (amount, reason, method, state, _, key) = refund(&bot, booking.id).await.unwrap();
    assert_eq!(
        (amount, reason.as_str(), method.as_str(), state.as_str()),
        (DEPOSIT, "cancelled_in_time", "yookassa", "pending"),
        "a 500 is no answer: asked again later"
    );
    assert_eq!(settled(&bot, booking.id).await, (0, DEPOSIT));

    // A minute later the same call, with the same key, learns that the refund was made.
    clock.advance(Duration::minutes(2));
    let told = next_saying(&bot, &alice, "has been returned").await;
    assert!(
        told.starts_with("↩️ Your prepayment of 450 ₽ for Haircut on"),
        "{told}"
    );
    assert_eq!(refund(&bot, booking.id).await.unwrap().3, "succeeded");
    let calls: Vec<_> = fake
        .received()
        .into_iter()
        .filter(|r| r.method == "POST" && r.path == "/v3/refunds")
        .collect();
    assert_eq!(calls.len(), 2, "{calls:?}");
    assert!(
        calls
            .iter()
            .all(|c| c.idempotence_key.as_deref() == Some(key.as_str())),
        "every call carries the refund's one key: {calls:?}"
    );
    assert_eq!(calls[0].body["payment_id"], charge.as_str());
    assert_eq!(calls[0].body["amount"]["value"], "450.00");
    assert_eq!(calls[0].body["amount"]["currency"], "RUB");
    assert_eq!(fake.refunds().len(), 1, "refunded once");
    assert_eq!(
        fake.payment(&charge).unwrap()["refunded_amount"]["value"],
        "450.00"
    );
}

#[tokio::test]
async fn cancelling_after_the_cut_off_keeps_the_deposit_and_says_so_first() {
    let (bot, _clock) = bot(None).await;
    terms(&bot, "cutoff", 100).await;
    let alice = bot.user("Alice", "en").await;
    let _menu = bot.menu(&alice).await;
    let booking = booked(&bot, &alice).await;
    pay(&bot, booking.id, "2f0a6a8f-000f-5000-9000-1b2c3d4e5f60").await;
    // Cancelling is allowed 30 days ahead at the latest, so next week is late.
    let mut tx = bot.db.tx(bot.tenant_id()).await;
    let mut policy = settings::profile(&mut tx).await.unwrap().policy;
    policy.cancel_cutoff = Minutes::new(30 * 24 * 60);
    settings::set_policy(&mut tx, &policy).await.unwrap();
    tx.commit().await.unwrap();

    let (ask, done) = cancel_mine(&bot, &alice).await;
    assert!(
        ask.contains(
            "The visit is less than 30 days away: under the business's rules, 450 ₽ of your \
             prepayment of 450 ₽ will not be returned."
        ),
        "{ask}"
    );
    assert!(
        done.contains(
            "Under the business's rules, the prepayment of 450 ₽ is not returned when a visit is \
             cancelled less than 30 days ahead."
        ),
        "{done}"
    );
    assert_eq!(status(&bot, booking.id).await, BookingStatus::Cancelled);
    assert_eq!(settled(&bot, booking.id).await, (DEPOSIT, 0));
    assert_eq!(refund(&bot, booking.id).await, None, "nothing goes back");
}

#[tokio::test]
async fn a_no_show_keeps_the_deposit_and_the_card_shows_it() {
    let (bot, _clock) = bot(None).await;
    terms(&bot, "cutoff", 100).await;
    let carol = bot.user("Carol", "en").await;
    let carol_id = customer(&bot, &carol).await;
    let visit = booking_at(
        &bot,
        carol_id,
        bot.salon.anna.id,
        Utc::now() - Duration::hours(3),
    )
    .await;
    pay(&bot, visit, "2f0a6a8f-000f-5000-9000-1b2c3d4e5f61").await;
    let owner = admin(&bot, "Olga", AdminRole::Owner).await;
    let _ = panel(&bot, &owner).await;
    let data = [storage_action(visit)];
    let forged = bot.forged_buttons(&owner, &data).await;
    let (_, card) = bot.press_data(&owner, &forged, &data[0]).await;
    assert!(
        plain(card.text()).contains("💳 Prepayment 450 ₽ · paid"),
        "{}",
        card.text()
    );

    let (_, after) = bot.press(&owner, &card, "No-show").await;
    assert!(
        plain(after.text()).contains("💳 Prepayment 450 ₽ · paid · kept 450 ₽"),
        "{}",
        after.text()
    );
    assert_eq!(status(&bot, visit).await, BookingStatus::NoShow);
    assert_eq!(settled(&bot, visit).await, (DEPOSIT, 0));
    assert_eq!(refund(&bot, visit).await, None);
}

fn storage_action(id: BookingId) -> String {
    booking_bot::admin::callback::AdminAction::Booking(id).to_string()
}

#[tokio::test]
async fn the_business_cancelling_gives_everything_back_by_hand_without_a_shop() {
    let (bot, _clock) = bot(None).await;
    // Even a policy that would keep it all: the business cancelled, not the customer.
    terms(&bot, "cutoff", 100).await;
    let alice = bot.user("Alice", "en").await;
    let _menu = bot.menu(&alice).await;
    let booking = booked(&bot, &alice).await;
    pay(&bot, booking.id, "2f0a6a8f-000f-5000-9000-1b2c3d4e5f62").await;
    let owner = admin(&bot, "Olga", AdminRole::Owner).await;
    let _ = panel(&bot, &owner).await;
    let data = [storage_action(booking.id)];
    let forged = bot.forged_buttons(&owner, &data).await;
    let (_, card) = bot.press_data(&owner, &forged, &data[0]).await;
    let (_, ask) = bot.press(&owner, &card, "Cancel").await;
    let (_, _) = bot.press(&owner, &ask, "Yes, cancel").await;

    let notice = bot.next(&alice).await;
    assert!(
        plain(notice.text())
            .contains("The business will return your prepayment of 450 ₽ and will be in touch."),
        "{}",
        notice.text()
    );
    let (amount, reason, method, state, _, _) = refund(&bot, booking.id).await.unwrap();
    assert_eq!(
        (amount, reason.as_str(), method.as_str(), state.as_str()),
        (DEPOSIT, "cancelled_by_business", "by_hand", "to_do")
    );

    // The owner gives it back and marks it; a second press of the same button changes nothing.
    let menu = panel(&bot, &owner).await;
    let (_, list) = bot.press(&owner, &menu, "💸 Refunds").await;
    assert!(
        plain(list.text()).contains("Give back 450 ₽ by hand"),
        "{}",
        list.text()
    );
    let label = format!("✅ Given back #{}", booking.id);
    let (answer, after) = bot.press(&owner, &list, &label).await;
    assert_eq!(answer.text.as_deref(), Some("✅ Marked as given back."));
    assert!(
        after.text().contains("Nothing to give back by hand"),
        "{}",
        after.text()
    );
    assert_eq!(refund(&bot, booking.id).await.unwrap().3, "done");
    let done = booking_bot::admin::callback::AdminAction::RefundDone(1).to_string();
    let forged = bot
        .forged_buttons(&owner, std::slice::from_ref(&done))
        .await;
    let (again, _) = bot.press_data(&owner, &forged, &done).await;
    assert_eq!(
        again.text.as_deref(),
        Some("This refund was already settled.")
    );
    let log = audit(&bot).await;
    assert!(
        log.iter().any(|(_, action, target)| action == "refund.done"
            && *target == format!("booking:{}", booking.id)),
        "{log:?}"
    );
}

#[tokio::test]
async fn under_the_owners_policy_the_owner_chooses_and_a_refund_goes_through_yookassa() {
    let fake = FakeYooKassa::start(SHOP, SECRET).await;
    let (bot, _clock) = bot(Some(&fake)).await;
    terms(&bot, "owner", 100).await;
    let alice = bot.user("Alice", "en").await;
    let _menu = bot.menu(&alice).await;
    let booking = booked(&bot, &alice).await;
    let charge = fake.paid_in_telegram(DEPOSIT, "RUB");
    pay(&bot, booking.id, &charge).await;

    let (_, done) = cancel_mine(&bot, &alice).await;
    assert!(
        done.contains("Whether your prepayment of 450 ₽ is returned is up to the business."),
        "{done}"
    );
    assert_eq!(refund(&bot, booking.id).await.unwrap().3, "ask_owner");

    // A staff member may not decide; the owner may.
    let anna = admin(&bot, "AnnaTg", AdminRole::Staff(bot.salon.anna.id)).await;
    let _ = panel(&bot, &anna).await;
    let give = booking_bot::admin::callback::AdminAction::RefundGive(1).to_string();
    let forged = bot.forged_buttons(&anna, std::slice::from_ref(&give)).await;
    let (refused, _) = bot.press_data(&anna, &forged, &give).await;
    assert!(crate::admin_support::is_refusal(&refused), "{refused:?}");
    assert_eq!(refund(&bot, booking.id).await.unwrap().3, "ask_owner");

    let owner = admin(&bot, "Olga", AdminRole::Owner).await;
    let menu = panel(&bot, &owner).await;
    let (_, list) = bot.press(&owner, &menu, "💸 Refunds").await;
    assert!(
        plain(list.text()).contains("Give back the prepayment of 450 ₽?"),
        "{}",
        list.text()
    );
    let (answer, _) = bot
        .press(&owner, &list, &format!("↩️ Give back #{}", booking.id))
        .await;
    assert_eq!(
        answer.text.as_deref(),
        Some("↩️ It goes back through YooKassa.")
    );
    next_saying(&bot, &alice, "has been returned").await;
    assert_eq!(refund(&bot, booking.id).await.unwrap().3, "succeeded");
    assert_eq!(settled(&bot, booking.id).await, (0, DEPOSIT));
    assert_eq!(fake.refunds().len(), 1);
    let log = audit(&bot).await;
    assert!(
        log.iter().any(|(_, action, _)| action == "refund.decided"),
        "{log:?}"
    );
}

#[tokio::test]
async fn a_refund_yookassa_refuses_is_flagged_to_the_owner_to_give_back_by_hand() {
    let fake = FakeYooKassa::start(SHOP, SECRET).await;
    let (bot, _clock) = bot(Some(&fake)).await;
    terms(&bot, "cutoff", 100).await;
    let owner = admin(&bot, "Olga", AdminRole::Owner).await;
    let _ = panel(&bot, &owner).await;
    let alice = bot.user("Alice", "en").await;
    let _menu = bot.menu(&alice).await;
    let booking = booked(&bot, &alice).await;
    // A payment YooKassa does not know (another shop's, say): it answers 400.
    pay(&bot, booking.id, "2f0a6a8f-000f-5000-9000-0000000000ff").await;

    let _ = cancel_mine(&bot, &alice).await;
    // In the business's language, as every notice to its people.
    let flagged = next_saying(&bot, &owner, "ЮKassa не смогла вернуть").await;
    assert!(
        flagged.contains(&format!("450 ₽ по записи #{}", booking.id))
            && flagged.contains("отметьте это в разделе «💸 Возвраты»"),
        "{flagged}"
    );
    let (_, _, method, state, attempts, _) = refund(&bot, booking.id).await.unwrap();
    assert_eq!(
        (method.as_str(), state.as_str(), attempts),
        ("yookassa", "failed", 1)
    );
    assert!(fake.refunds().is_empty());

    let menu = panel(&bot, &owner).await;
    let (_, list) = bot.press(&owner, &menu, "💸 Refunds").await;
    assert!(
        plain(list.text()).contains("Give back 450 ₽ by hand: YooKassa would not"),
        "{}",
        list.text()
    );
    let (answer, _) = bot
        .press(&owner, &list, &format!("✅ Given back #{}", booking.id))
        .await;
    assert_eq!(answer.text.as_deref(), Some("✅ Marked as given back."));
    assert_eq!(refund(&bot, booking.id).await.unwrap().3, "done");
}
