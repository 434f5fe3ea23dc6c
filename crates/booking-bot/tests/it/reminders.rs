//! The outbox dispatcher: reminders go out once (also across a restart of the bot, with time
//! moved by the injected clock), a customer who blocked the bot is marked and not retried,
//! and notices are sent verbatim.

use std::sync::Arc;

use booking_core::clock::ManualClock;
use chrono::{Duration, Utc};
use sqlx::Row as _;
use storage::tenant::customers;
use tg_sandbox::TestUser;

use crate::support::{TestBot, booked, eventually, telegram};

/// A bot whose clock the test moves, with Alice through the first visit.
async fn bot_with_clock() -> (TestBot, ManualClock, TestUser) {
    let mut bot = TestBot::prepare(crate::support::REDIS).await;
    let clock = ManualClock::new(Utc::now());
    bot.clock = Arc::new(clock.clone());
    bot.launch().await;
    let alice = bot.user("Alice", "en").await;
    let _menu = bot.menu(&alice).await;
    (bot, clock, alice)
}

/// (kind, sent, cancelled, attempts) of every outbox row to `chat`, oldest due first.
async fn rows(bot: &TestBot, chat: i64) -> Vec<(String, bool, bool, i32)> {
    let mut tx = bot.db.tx(bot.tenant_id()).await;
    sqlx::query(
        "select kind, sent_at is not null as sent, cancelled_at is not null as cancelled, attempts \
         from outbox where chat_id = $1 order by due_at, outbox_id",
    )
    .bind(chat)
    .fetch_all(tx.conn())
    .await
    .unwrap()
    .into_iter()
    .map(|r| {
        (
            r.get("kind"),
            r.get("sent"),
            r.get("cancelled"),
            r.get("attempts"),
        )
    })
    .collect()
}

/// A `notice` row as any writer could leave it, well-formed or not (the typed `NewMessage`
/// cannot write a malformed one, but a row is a row).
async fn enqueue_notice(bot: &TestBot, chat: i64, payload: serde_json::Value, key: &str) {
    let mut tx = bot.db.tx(bot.tenant_id()).await;
    sqlx::query(
        "insert into outbox (kind, chat_id, payload, due_at, dedupe_key) \
         values ('notice', $1, $2, $3, $4)",
    )
    .bind(chat)
    .bind(payload)
    .bind(Utc::now() - Duration::days(1))
    .bind(key)
    .execute(tx.conn())
    .await
    .unwrap();
    tx.commit().await.unwrap();
}

#[tokio::test]
async fn reminders_are_sent_exactly_once_across_a_restart() {
    let (mut bot, clock, alice) = bot_with_clock().await;
    let chat = telegram(&alice).get();
    let booking = booked(&bot, &alice).await;
    // Confirming scheduled two reminders (24 h and 2 h before) and the follow-up.
    let kinds: Vec<String> = rows(&bot, chat).await.into_iter().map(|r| r.0).collect();
    assert_eq!(kinds, ["reminder", "reminder", "follow_up"]);

    clock.set(booking.start - Duration::hours(24) + Duration::minutes(1));
    let first = bot.next(&alice).await;
    assert!(
        first.text().starts_with("⏰ Reminder: Haircut"),
        "{}",
        first.text()
    );
    let labels: Vec<String> = first.buttons().into_iter().map(|(l, _)| l).collect();
    assert_eq!(labels, ["✅ I'll be there", "🔄 Reschedule", "❌ Cancel"]);

    bot.stop().await;
    bot.launch().await;
    clock.set(booking.start - Duration::hours(2) + Duration::minutes(1));
    let second = bot.next(&alice).await;
    assert!(
        second.text().starts_with("⏰ Reminder: Haircut"),
        "{}",
        second.text()
    );

    // A notice due after both reminders: once it has arrived, any second copy of a reminder
    // (due earlier, so claimed no later) would have arrived too.
    enqueue_notice(
        &bot,
        chat,
        serde_json::json!({"text": "sentinel"}),
        "sentinel",
    )
    .await;
    // Its due time is a day in the past on the wall clock; on the bot's clock it is due.
    let sentinel = bot.next(&alice).await;
    assert_eq!(sentinel.text(), "sentinel");
    let chat_log = bot.client.chat(&bot.info.token, alice.id).await.unwrap();
    let reminders = chat_log
        .iter()
        .filter(|m| m.text().starts_with("⏰ Reminder"))
        .count();
    assert_eq!(reminders, 2);
    let state = rows(&bot, chat).await;
    let reminder_rows: Vec<_> = state.iter().filter(|r| r.0 == "reminder").collect();
    assert_eq!(reminder_rows.len(), 2, "{state:?}");
    assert!(
        reminder_rows
            .iter()
            .all(|(_, sent, _, attempts)| *sent && *attempts == 1),
        "{state:?}"
    );

    // "I'll be there" on the reminder is recorded and shown.
    let (answer, confirmed) = bot.press(&alice, &second, "✅ I'll be there").await;
    assert_eq!(answer.text.as_deref(), Some("Thank you, see you then!"));
    assert!(
        confirmed.text().contains("Visit confirmed"),
        "{}",
        confirmed.text()
    );
    let mut tx = bot.db.tx(bot.tenant_id()).await;
    assert!(
        storage::tenant::reminders::is_confirmed_by_customer(&mut tx, booking.id)
            .await
            .unwrap()
    );
}

#[tokio::test]
async fn a_customer_who_blocked_the_bot_is_marked_and_their_messages_are_not_retried() {
    let (bot, clock, alice) = bot_with_clock().await;
    let id = telegram(&alice);
    let booking = booked(&bot, &alice).await;

    bot.client
        .block_bot(&bot.info.token, alice.id)
        .await
        .unwrap();
    let blocked = || async {
        let mut tx = bot.db.tx(bot.tenant_id()).await;
        customers::by_telegram(&mut tx, id)
            .await
            .unwrap()
            .unwrap()
            .blocked_bot_at
            .is_some()
    };
    eventually("the membership update marks the customer", blocked).await;
    // As if that update had been lost: only the 403 of a send can tell now.
    let mut tx = bot.db.tx(bot.tenant_id()).await;
    sqlx::query("update customers set blocked_bot_at = null where telegram_user_id = $1")
        .bind(id.get())
        .execute(tx.conn())
        .await
        .unwrap();
    tx.commit().await.unwrap();

    clock.set(booking.start - Duration::hours(2) + Duration::minutes(1));
    eventually("the 403 marks the customer again", blocked).await;
    let state = rows(&bot, id.get()).await;
    // Both due reminders were claimed once; the first got the 403 and every message to Alice,
    // due or not, was cancelled with it: nothing waits for a retry.
    assert!(
        state
            .iter()
            .all(|(_, sent, cancelled, attempts)| !sent && *cancelled && *attempts <= 1),
        "{state:?}"
    );
}

#[tokio::test]
async fn notices_are_sent_verbatim_and_malformed_ones_dropped() {
    let (bot, _clock, alice) = bot_with_clock().await;
    let chat = telegram(&alice).get();
    enqueue_notice(&bot, chat, serde_json::json!({"buttons": []}), "broken").await;
    enqueue_notice(
        &bot,
        chat,
        serde_json::json!({
            "text": "Your visit is moved to 11:00 by the salon.",
            "buttons": [[{"text": "Open the menu", "data": "v1:m:main"}]],
        }),
        "moved",
    )
    .await;
    let notice = bot.next(&alice).await;
    assert_eq!(notice.text(), "Your visit is moved to 11:00 by the salon.");
    let (_, menu) = bot.press(&alice, &notice, "Open the menu").await;
    assert!(menu.text().contains("how can we help"), "{}", menu.text());

    // Marking sent follows the send, so it is waited for rather than read at once.
    let want = [
        ("notice".to_owned(), false, true, 1),
        ("notice".to_owned(), true, false, 1),
    ];
    eventually(
        "the broken notice dropped, the good one marked sent",
        || async { rows(&bot, chat).await == want },
    )
    .await;
    let mut tx = bot.db.tx(bot.tenant_id()).await;
    let error: String = sqlx::query("select last_error from outbox where dedupe_key = 'broken'")
        .fetch_one(tx.conn())
        .await
        .unwrap()
        .get(0);
    assert!(error.starts_with("malformed notice"), "{error}");
}

#[tokio::test]
async fn after_the_visit_the_customer_rates_it_and_comments() {
    let (bot, clock, alice) = bot_with_clock().await;
    let booking = booked(&bot, &alice).await;
    // Past the visit: the reminders are dropped (no longer upcoming), the follow-up is due.
    clock.set(booking.end + Duration::hours(2) + Duration::minutes(1));
    let follow_up = bot.next(&alice).await;
    assert!(
        follow_up
            .text()
            .starts_with("How was your visit (Haircut, "),
        "{}",
        follow_up.text()
    );
    let (_, thanks) = bot.press(&alice, &follow_up, "5 ⭐").await;
    assert!(
        thanks
            .text()
            .starts_with("Thank you for rating us ⭐⭐⭐⭐⭐!"),
        "{}",
        thanks.text()
    );
    bot.client
        .send_text(&bot.info.token, alice.id, "Lovely, thank you")
        .await
        .unwrap();
    let saved = bot.next(&alice).await;
    assert_eq!(saved.text(), "Thank you for your comment!");

    let mut tx = bot.db.tx(bot.tenant_id()).await;
    let row = sqlx::query("select rating, rating_comment from bookings where booking_id = $1")
        .bind(booking.id.get())
        .fetch_one(tx.conn())
        .await
        .unwrap();
    assert_eq!(row.get::<Option<i16>, _>("rating"), Some(5));
    assert_eq!(
        row.get::<Option<String>, _>("rating_comment").as_deref(),
        Some("Lovely, thank you")
    );
    let reminders_sent: i64 = sqlx::query_scalar(
        "select count(*) from outbox where booking_id = $1 and kind = 'reminder' and sent_at is not null",
    )
    .bind(booking.id.get())
    .fetch_one(tx.conn())
    .await
    .unwrap();
    assert_eq!(
        reminders_sent, 0,
        "reminders of a past visit are not sent late"
    );
}

#[tokio::test]
async fn an_unconfirmed_booking_is_released_and_the_customer_told() {
    let (bot, clock, alice) = bot_with_clock().await;
    let mut tx = bot.db.tx(bot.tenant_id()).await;
    let mut policy = storage::tenant::settings::profile(&mut tx)
        .await
        .unwrap()
        .policy;
    policy.auto_release = Some(booking_core::catalogue::Minutes::new(60));
    policy.validate().unwrap();
    storage::tenant::settings::set_policy(&mut tx, &policy)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let booking = booked(&bot, &alice).await;

    clock.set(booking.start - Duration::minutes(59));
    // Both reminders were due first and went out; then the release, and its notice.
    for _ in 0..2 {
        let reminder = bot.next(&alice).await;
        assert!(
            reminder.text().starts_with("⏰ Reminder"),
            "{}",
            reminder.text()
        );
    }
    let released = bot.next(&alice).await;
    assert!(
        released.text().starts_with("Your booking for Haircut on "),
        "{}",
        released.text()
    );
    let mut tx = bot.db.tx(bot.tenant_id()).await;
    let now = storage::tenant::bookings::views::get(&mut tx, booking.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(now.status, booking_core::booking::BookingStatus::Cancelled);
}

/// When the booking's unsent, uncancelled reminders are due.
async fn pending(bot: &TestBot, id: booking_core::ids::BookingId) -> Vec<chrono::DateTime<Utc>> {
    let mut tx = bot.db.tx(bot.tenant_id()).await;
    sqlx::query_scalar(
        "select due_at from outbox where booking_id = $1 and kind = 'reminder' \
           and sent_at is null and cancelled_at is null order by due_at",
    )
    .bind(id.get())
    .fetch_all(tx.conn())
    .await
    .unwrap()
}

#[tokio::test]
async fn a_moved_booking_has_its_reminders_again_for_the_new_time_and_a_cancelled_one_none() {
    let (bot, _clock, alice) = bot_with_clock().await;
    let booking = booked(&bot, &alice).await;
    assert_eq!(
        pending(&bot, booking.id).await,
        [
            booking.start - Duration::hours(24),
            booking.start - Duration::hours(2)
        ]
    );

    let new_start = booking.start + Duration::days(7);
    let mut tx = bot.db.tx(bot.tenant_id()).await;
    let moved = storage::tenant::bookings::service::reschedule(
        &mut tx,
        booking.id,
        &storage::tenant::bookings::service::Caller::SYSTEM,
        new_start,
        Utc::now(),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(
        pending(&bot, booking.id).await,
        [
            moved.booking.start - Duration::hours(24),
            moved.booking.start - Duration::hours(2)
        ]
    );

    let mut tx = bot.db.tx(bot.tenant_id()).await;
    storage::tenant::bookings::service::cancel(
        &mut tx,
        booking.id,
        &storage::tenant::bookings::service::Caller::SYSTEM,
        storage::tenant::bookings::service::Cancellation::default(),
        Utc::now(),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    assert!(pending(&bot, booking.id).await.is_empty());
}
