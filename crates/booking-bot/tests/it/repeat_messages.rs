//! Next-visit nudges and win-backs through the real bot and the outbox, with the injected
//! clock moved: set up from the admin panel, arriving once on the right day in the customer's
//! language, one tap from the confirm screen; nobody with a booking ahead or who asked to stop
//! gets one, and a kind switched off sends nothing.

use std::sync::Arc;

use booking_core::{
    booking::{Actor, BookingStatus},
    clock::ManualClock,
    ids::TelegramUserId,
};
use chrono::{DateTime, Duration, Utc};
use sqlx::Row as _;
use storage::tenant::{
    admins::AdminRole,
    bookings::{
        model::Booking,
        service::{self, Caller, Cancellation},
    },
};
use tg_sandbox::{ChatMessage, TestUser};

use crate::{
    admin_support::{admin, panel},
    support::{TestBot, booked, telegram},
};

async fn bot_with_clock() -> (TestBot, ManualClock) {
    let mut bot = TestBot::prepare(crate::support::REDIS).await;
    let clock = ManualClock::new(Utc::now());
    bot.clock = Arc::new(clock.clone());
    bot.launch().await;
    (bot, clock)
}

/// /start from a Russian Telegram, phone skipped: the customer's language is Russian from then
/// on (Telegram's, so nobody asked).
async fn russian(bot: &TestBot, name: &str) -> TestUser {
    let user = bot.user(name, "ru").await;
    bot.command(&user, "/start").await;
    let _menu = bot.next(&user).await;
    let _ask_phone = bot.next(&user).await;
    user
}

async fn english(bot: &TestBot, name: &str) -> TestUser {
    let user = bot.user(name, "en").await;
    bot.menu(&user).await;
    user
}

/// The owner sets the haircut's interval to four weeks from the panel.
async fn four_weekly_haircuts(bot: &TestBot) {
    let olga = admin(bot, "Olga", AdminRole::Owner).await;
    let menu = panel(bot, &olga).await;
    let (_, availability) = bot.press(&olga, &menu, "Availability").await;
    let (_, repeat) = bot.press(&olga, &availability, "Repeat visits").await;
    assert!(repeat.text().contains("Haircut: off"), "{}", repeat.text());
    let (_, haircut) = bot.press(&olga, &repeat, "Haircut: off").await;
    let (answer, repeat) = bot.press(&olga, &haircut, "4 wk").await;
    assert_eq!(answer.text.as_deref(), Some("Saved."));
    assert!(repeat.text().contains("Haircut: 4 wk"), "{}", repeat.text());
}

/// (kind, sent, cancelled) of the repeat messages to `user`.
async fn repeat_rows(bot: &TestBot, user: &TestUser) -> Vec<(String, bool, bool)> {
    let mut tx = bot.db.tx(bot.tenant_id()).await;
    sqlx::query(
        "select kind, sent_at is not null as sent, cancelled_at is not null as cancelled \
           from outbox where chat_id = $1 and kind in ('nudge', 'win_back') \
          order by due_at, outbox_id",
    )
    .bind(telegram(user).get())
    .fetch_all(tx.conn())
    .await
    .unwrap()
    .into_iter()
    .map(|r| (r.get("kind"), r.get("sent"), r.get("cancelled")))
    .collect()
}

/// Whether a message is a nudge or a win-back (only they carry "Not now").
fn is_repeat_offer(message: &ChatMessage) -> bool {
    message.buttons().iter().any(|(_, data)| data == "v1:q")
}

/// A notice due at `at` on the bot's clock: once it has arrived, anything due earlier has too.
/// Reminders and follow-ups may come before it; a nudge or win-back may not.
async fn sentinel(bot: &TestBot, user: &TestUser, at: DateTime<Utc>, text: &str) {
    let mut tx = bot.db.tx(bot.tenant_id()).await;
    sqlx::query(
        "insert into outbox (kind, chat_id, payload, due_at) values ('notice', $1, $2, $3)",
    )
    .bind(telegram(user).get())
    .bind(serde_json::json!({ "text": text }))
    .bind(at)
    .execute(tx.conn())
    .await
    .unwrap();
    tx.commit().await.unwrap();
    for _ in 0..10 {
        let next = bot.next(user).await;
        assert!(
            !is_repeat_offer(&next),
            "before the sentinel: {}",
            next.text()
        );
        if next.text() == text {
            return;
        }
    }
    panic!("the sentinel did not come");
}

/// The next nudge or win-back, skipping reminders and follow-ups.
async fn next_offer(bot: &TestBot, user: &TestUser) -> ChatMessage {
    for _ in 0..10 {
        let next = bot.next(user).await;
        if is_repeat_offer(&next) {
            return next;
        }
    }
    panic!("no nudge or win-back came");
}

fn offers(message: &ChatMessage) -> Vec<(String, String)> {
    message
        .buttons()
        .into_iter()
        .filter(|(_, data)| data.starts_with("v1:o:"))
        .collect()
}

#[tokio::test]
async fn a_nudge_arrives_once_on_the_right_day_in_the_customers_language() {
    let (bot, clock) = bot_with_clock().await;
    four_weekly_haircuts(&bot).await;
    let vera = russian(&bot, "Вера").await;
    let visit = booked(&bot, &vera).await;
    assert_eq!(
        repeat_rows(&bot, &vera).await,
        [("nudge".to_owned(), false, false)]
    );

    // The day before: nothing.
    let due = visit.end + Duration::days(28);
    clock.set(due - Duration::days(1));
    sentinel(&bot, &vera, due - Duration::days(1), "день до").await;

    // On the day: one message, in Russian, with three times with Anna.
    clock.set(due + Duration::minutes(1));
    let nudge = next_offer(&bot, &vera).await;
    assert!(
        nudge
            .text()
            .starts_with("Пора снова на «Haircut»? Прошлый визит к мастеру Anna был"),
        "{}",
        nudge.text()
    );
    assert!(
        nudge.text().contains("Ближайшее свободное время"),
        "{}",
        nudge.text()
    );
    let times = offers(&nudge);
    assert_eq!(times.len(), 3, "{:?}", nudge.buttons());
    let labels: Vec<String> = nudge.buttons().into_iter().map(|(l, _)| l).collect();
    for wanted in ["◀️ Другое время", "Не сейчас", "🔕 Больше не присылать"]
    {
        assert!(labels.iter().any(|l| l == wanted), "{labels:?}");
    }
    // Once: a later sentinel comes next, and the row is sent.
    sentinel(&bot, &vera, due + Duration::minutes(1), "после").await;
    assert_eq!(
        repeat_rows(&bot, &vera).await,
        [("nudge".to_owned(), true, false)]
    );

    // One tap on a time: the confirm screen for it; confirmed, it is Anna's haircut.
    let (_, confirm) = bot.press(&vera, &nudge, &times[0].0).await;
    assert!(confirm.text().contains("Haircut"), "{}", confirm.text());
    let (_, done) = bot.press(&vera, &confirm, "Подтвердить").await;
    assert!(done.text().contains("Вы записаны"), "{}", done.text());
    let mut tx = bot.db.tx(bot.tenant_id()).await;
    let next: (i64, String) = sqlx::query_as(
        "select staff_id, status from bookings where customer_id = $1 and starts_at > $2",
    )
    .bind(visit.customer_id.get())
    .bind(due)
    .fetch_one(tx.conn())
    .await
    .unwrap();
    assert_eq!(next, (bot.salon.anna.id.get(), "confirmed".to_owned()));
}

#[tokio::test]
async fn a_booking_ahead_or_stopping_the_messages_means_no_nudge() {
    let (bot, clock) = bot_with_clock().await;
    four_weekly_haircuts(&bot).await;

    // Bob has booked again already, for after the nudge's day: it is dropped.
    let bob = english(&bot, "Bob").await;
    let first = booked(&bot, &bob).await;
    let due = first.end + Duration::days(28);
    later_booking(&bot, &bob, due + Duration::days(3)).await;
    // Carl stops the messages on his first nudge; his second visit's nudge never comes.
    let carl = english(&bot, "Carl").await;
    let carls = booked(&bot, &carl).await;
    let carls_second = later_booking(&bot, &carl, carls.end + Duration::days(2)).await;

    clock.set(carls.end + Duration::days(28) + Duration::minutes(1));
    let nudge = next_offer(&bot, &carl).await;
    assert!(
        nudge.text().starts_with("Time for your next Haircut?"),
        "{}",
        nudge.text()
    );
    let (_, stopped) = bot.press(&carl, &nudge, "Stop these messages").await;
    assert!(
        stopped
            .text()
            .starts_with("We will not send these suggestions any more."),
        "{}",
        stopped.text()
    );

    let late = (carls_second.end + Duration::days(28)).max(due) + Duration::minutes(1);
    clock.set(late);
    sentinel(&bot, &bob, late, "bob sentinel").await;
    sentinel(&bot, &carl, late, "carl sentinel").await;
    let bobs = repeat_rows(&bot, &bob).await;
    assert!(bobs.iter().all(|(_, sent, _)| !sent), "{bobs:?}");
    let carls_rows = repeat_rows(&bot, &carl).await;
    assert_eq!(
        carls_rows,
        [
            ("nudge".to_owned(), true, false),
            ("nudge".to_owned(), false, true)
        ]
    );
}

/// A confirmed booking of `user` at the first free time from `from` on.
async fn later_booking(bot: &TestBot, user: &TestUser, from: DateTime<Utc>) -> Booking {
    let mut tx = bot.db.tx(bot.tenant_id()).await;
    let day = from.date_naive();
    let slot = storage::tenant::bookings::slots::free(
        &mut tx,
        bot.salon.haircut,
        None,
        day,
        day + Duration::days(7),
        Utc::now(),
    )
    .await
    .unwrap()[0];
    let customer = storage::tenant::customers::by_telegram(&mut tx, telegram(user))
        .await
        .unwrap()
        .unwrap();
    let request = storage::tenant::bookings::model::BookingRequest {
        customer: customer.id,
        service: bot.salon.haircut,
        staff: None,
        start: slot.start,
        source: None,
        actor: Actor::Customer(customer.telegram_user_id),
        // Further than the customer's horizon: the business books it.
        rules: booking_core::policy::Rules::Staff,
    };
    let booking = service::book(&mut tx, &request, Utc::now())
        .await
        .unwrap()
        .booking;
    tx.commit().await.unwrap();
    booking
}

#[tokio::test]
async fn win_backs_follow_a_cancellation_and_a_no_show_when_switched_on() {
    let (bot, clock) = bot_with_clock().await;
    let olga = admin(&bot, "Olga", AdminRole::Owner).await;
    let menu = panel(&bot, &olga).await;
    let (_, availability) = bot.press(&olga, &menu, "Availability").await;
    let (_, repeat) = bot.press(&olga, &availability, "Repeat visits").await;
    assert!(
        repeat.text().contains("After the customer cancels: off"),
        "{}",
        repeat.text()
    );
    // Both rows of choices have "3 d"; the first is the no-show's.
    let no_show_3 = "a1:wb:n:3";
    let cancelled_7 = "a1:wb:c:7";
    let (_, repeat) = bot.press_data(&olga, &repeat, no_show_3).await;
    let (_, repeat) = bot.press_data(&olga, &repeat, cancelled_7).await;
    assert!(
        repeat.text().contains("After a no-show: 3 d"),
        "{}",
        repeat.text()
    );
    assert!(
        repeat.text().contains("After the customer cancels: 1 wk"),
        "{}",
        repeat.text()
    );

    // Alice cancels her visit herself: a week later, another time is offered.
    let alice = english(&bot, "Alice").await;
    let visit = booked(&bot, &alice).await;
    let now = booking_core::clock::Clock::now(&clock);
    let mut tx = bot.db.tx(bot.tenant_id()).await;
    service::cancel(
        &mut tx,
        visit.id,
        &Caller::customer(
            Actor::Customer(TelegramUserId(telegram(&alice).get())),
            visit.customer_id,
        ),
        Cancellation::default(),
        now,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    clock.set(now + Duration::days(7) + Duration::minutes(1));
    let win_back = next_offer(&bot, &alice).await;
    assert!(
        win_back.text().starts_with("You cancelled Haircut on")
            && win_back
                .text()
                .contains("Shall we find another time with Anna?"),
        "{}",
        win_back.text()
    );
    let times = offers(&win_back);
    assert_eq!(times.len(), 3, "{:?}", win_back.buttons());
    let (_, confirm) = bot.press(&alice, &win_back, &times[1].0).await;
    assert!(
        confirm.text().contains("Haircut with Anna"),
        "{}",
        confirm.text()
    );

    // Bob did not come: three days after it was marked, he is asked back.
    let bob = english(&bot, "Bob").await;
    let bobs = booked(&bot, &bob).await;
    let carl = english(&bot, "Carl").await;
    let carls = booked(&bot, &carl).await;
    let after_visits = bobs.end.max(carls.end) + Duration::hours(1);
    clock.set(after_visits);
    no_show(&bot, &bobs, after_visits).await;
    clock.set(after_visits + Duration::days(3) + Duration::minutes(1));
    let win_back = next_offer(&bot, &bob).await;
    assert!(
        win_back
            .text()
            .starts_with("Sorry we missed you at Haircut on")
            && win_back
                .text()
                .contains("Would you like another time with Anna?"),
        "{}",
        win_back.text()
    );
    assert_eq!(offers(&win_back).len(), 3, "{:?}", win_back.buttons());

    // The owner switches no-shows off: Carl's brings nothing.
    let (_, _) = bot.press_data(&olga, &repeat, "a1:wb:n:0").await;
    let marked = after_visits + Duration::days(3) + Duration::minutes(2);
    no_show(&bot, &carls, marked).await;
    clock.set(marked + Duration::days(3) + Duration::minutes(1));
    sentinel(&bot, &carl, marked + Duration::days(3), "carl sentinel").await;
    assert!(repeat_rows(&bot, &carl).await.is_empty());
}

async fn no_show(bot: &TestBot, visit: &Booking, at: DateTime<Utc>) {
    let mut tx = bot.db.tx(bot.tenant_id()).await;
    service::mark_outcome(&mut tx, visit.id, BookingStatus::NoShow, Actor::System, at)
        .await
        .unwrap();
    tx.commit().await.unwrap();
}

/// A customer who cancels several visits at once (a whole series) is won back once, not once a
/// visit: one win-back waits, however many bookings the cancellation ended.
#[tokio::test]
async fn cancelling_several_visits_schedules_one_win_back() {
    let (bot, clock) = bot_with_clock().await;
    let olga = admin(&bot, "Olga", AdminRole::Owner).await;
    let menu = panel(&bot, &olga).await;
    let (_, availability) = bot.press(&olga, &menu, "Availability").await;
    let (_, repeat) = bot.press(&olga, &availability, "Repeat visits").await;
    let (_, repeat) = bot.press_data(&olga, &repeat, "a1:wb:c:7").await;
    assert!(
        repeat.text().contains("After the customer cancels: 1 wk"),
        "{}",
        repeat.text()
    );

    let alice = english(&bot, "Alice").await;
    let first = booked(&bot, &alice).await;
    let second = later_booking(&bot, &alice, first.start + Duration::days(1)).await;
    let now = booking_core::clock::Clock::now(&clock);
    let mut tx = bot.db.tx(bot.tenant_id()).await;
    let by = Caller::customer(
        Actor::Customer(TelegramUserId(telegram(&alice).get())),
        first.customer_id,
    );
    for visit in [&first, &second] {
        service::cancel(&mut tx, visit.id, &by, Cancellation::default(), now)
            .await
            .unwrap();
    }
    tx.commit().await.unwrap();
    let waiting: Vec<_> = repeat_rows(&bot, &alice)
        .await
        .into_iter()
        .filter(|(kind, sent, cancelled)| kind == "win_back" && !sent && !cancelled)
        .collect();
    assert_eq!(waiting.len(), 1, "{waiting:?}");
}
