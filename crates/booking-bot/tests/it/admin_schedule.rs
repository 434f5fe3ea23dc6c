//! The schedule: week and day views per staff member, a booking's card, cancel and move with
//! the customer notified, done and no-show, and bookings for customers who phoned in.

use booking_bot::admin::callback::AdminAction as A;
use booking_core::{Tz, booking::BookingStatus};
use chrono::{Datelike as _, Duration, Utc, Weekday};
use storage::tenant::{admins::AdminRole, customers};

use crate::{
    admin_support::{
        admin, audit, booking_at, booking_with, boris, customer, get, notices, panel, say, status,
        tid,
    },
    support::TestBot,
};

const ZONE: Tz = chrono_tz::Europe::Moscow;

#[tokio::test]
async fn the_owner_finds_a_booking_in_the_week_and_cancels_it_with_the_customer_told() {
    let bot = TestBot::start().await;
    let boris = boris(&bot).await;
    let carol = bot.user("Carol", "en").await;
    let _menu = bot.menu(&carol).await;
    let carol_id = customer(&bot, &carol).await;
    let dave = bot.user("Dave", "en").await;
    let dave_id = customer(&bot, &dave).await;
    let annas = booking_with(&bot, carol_id, bot.salon.anna.id, 7).await;
    let _borises = booking_with(&bot, dave_id, boris.id, 7).await;
    let day = annas.start.with_timezone(&ZONE).date_naive();

    let olga = admin(&bot, "Olga", AdminRole::Owner).await;
    let menu = panel(&bot, &olga).await;
    let (_, week) = bot.press(&olga, &menu, "Week").await;
    let (_, next_week) = bot.press(&olga, &week, "▶").await;
    assert!(
        next_week.text().contains("Carol") && next_week.text().contains("Dave"),
        "{}",
        next_week.text()
    );
    let (_, the_day) = bot
        .press(&olga, &next_week, &day.format("%d.%m").to_string())
        .await;
    let label = format!("{} Carol", annas.start.with_timezone(&ZONE).format("%H:%M"));
    let (_, card) = bot.press(&olga, &the_day, &label).await;
    for part in [
        "Haircut · Anna",
        "Carol",
        "confirmed",
        "History",
        "Visits: 0",
    ] {
        assert!(card.text().contains(part), "{part:?} in {}", card.text());
    }
    let (_, ask) = bot.press(&olga, &card, "Cancel").await;
    let (answer, after) = bot.press(&olga, &ask, "Yes, cancel").await;
    assert_eq!(answer.text.as_deref(), Some("Cancelled."));
    assert!(after.text().contains("cancelled"), "{}", after.text());
    assert_eq!(status(&bot, annas.id).await, BookingStatus::Cancelled);

    // Carol is told, with the nearest free times as one-press buttons of the customer codec.
    let sent = notices(&bot).await;
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert_eq!(sent[0].0, tid(&carol).get());
    let told = bot.next(&carol).await;
    assert!(told.text().contains("cancel"), "{}", told.text());
    let times = told
        .buttons()
        .into_iter()
        .filter(|(_, d)| d.starts_with("v1:t:"))
        .count();
    assert_eq!(times, 3, "{:?}", told.buttons());
    assert!(audit(&bot).await.contains(&(
        tid(&olga).get(),
        "booking.cancel".to_owned(),
        format!("booking:{}", annas.id)
    )));

    // Anna's own account sees her day only: Dave (Boris's customer) is not in it.
    let anna = admin(&bot, "AnnaTg", AdminRole::Staff(bot.salon.anna.id)).await;
    let staff_menu = panel(&bot, &anna).await;
    let (_, her_week) = bot.press(&anna, &staff_menu, "Week").await;
    let (_, her_next) = bot.press(&anna, &her_week, "▶").await;
    assert!(!her_next.text().contains("Dave"), "{}", her_next.text());
    assert!(her_next.text().contains("Anna"), "{}", her_next.text());
}

#[tokio::test]
async fn a_booking_is_moved_by_typing_the_new_time_and_bad_input_loses_nothing() {
    let bot = TestBot::start().await;
    let carol = bot.user("Carol", "en").await;
    let _menu = bot.menu(&carol).await;
    let carol_id = customer(&bot, &carol).await;
    let booking = booking_with(&bot, carol_id, bot.salon.anna.id, 7).await;
    let olga = admin(&bot, "Olga", AdminRole::Admin).await;
    let _ = panel(&bot, &olga).await;
    let forged = bot
        .forged_buttons(&olga, &[A::Booking(booking.id).to_string()])
        .await;
    let (_, card) = bot
        .press_data(&olga, &forged, &A::Booking(booking.id).to_string())
        .await;
    let (_, ask) = bot.press(&olga, &card, "Move").await;
    assert!(ask.text().contains("send the new date"), "{}", ask.text());

    let bad = say(&bot, &olga, "tomorrow at three").await;
    assert!(bad.text().starts_with("⚠️"), "{}", bad.text());
    let day = booking.start.with_timezone(&ZONE).date_naive();
    let closed = say(&bot, &olga, &format!("{} 13:30", day.format("%d.%m.%Y"))).await;
    assert!(
        closed.text().starts_with("⚠️ Not possible"),
        "{}",
        closed.text()
    );
    assert_eq!(get(&bot, booking.id).await.start, booking.start);

    let moved = say(&bot, &olga, &format!("{} 15:00", day.format("%d.%m.%Y"))).await;
    assert_eq!(moved.text(), "Moved.");
    let card = bot.next(&olga).await;
    assert!(card.text().contains("15:00"), "{}", card.text());
    let now = get(&bot, booking.id).await;
    assert_eq!(
        now.start.with_timezone(&ZONE).format("%H:%M").to_string(),
        "15:00"
    );
    assert_eq!(now.status, BookingStatus::Confirmed);
    assert_eq!(notices(&bot).await.len(), 1);
    let told = bot.next(&carol).await;
    assert!(told.text().contains("→"), "{}", told.text());
    assert!(told.text().contains("15:00"), "{}", told.text());
    assert_eq!(audit(&bot).await.len(), 1);
    // The step is over: another text is not taken as a time.
    let after = say(&bot, &olga, "hello").await;
    assert!(!after.text().starts_with("⚠️"), "{}", after.text());
}

#[tokio::test]
async fn a_phoned_in_customer_is_booked_under_staff_rules_and_found_again_by_phone() {
    let bot = TestBot::start().await;
    let olga = admin(&bot, "Olga", AdminRole::Owner).await;
    let menu = panel(&bot, &olga).await;
    let (_, services) = bot.press(&olga, &menu, "Phoned-in").await;
    let (_, staff) = bot.press(&olga, &services, "Haircut").await;
    let (_, ask) = bot.press(&olga, &staff, "Anna").await;
    assert!(ask.text().contains("name; phone"), "{}", ask.text());

    let mut day = Utc::now().with_timezone(&ZONE).date_naive() + Duration::days(2);
    while day.weekday() == Weekday::Sun {
        day += Duration::days(1);
    }
    let bad = say(&bot, &olga, "Maria; +7 900").await;
    assert!(bad.text().starts_with("⚠️"), "{}", bad.text());
    let bad_phone = say(
        &bot,
        &olga,
        &format!("{} 10:00; Maria; call me", day.format("%d.%m.%Y")),
    )
    .await;
    assert!(bad_phone.text().contains("phone"), "{}", bad_phone.text());
    let booked = say(
        &bot,
        &olga,
        &format!("{} 10:00; Maria; +7 900 123-45-67", day.format("%d.%m.%Y")),
    )
    .await;
    assert_eq!(booked.text(), "Booked.");
    let card = bot.next(&olga).await;
    assert!(
        card.text().contains("Maria") && card.text().contains("+7 900 123-45-67"),
        "{}",
        card.text()
    );

    let mut tx = bot.db.tx(bot.tenant_id()).await;
    let found = storage::tenant::bookings::views::for_day(&mut tx, day, None)
        .await
        .unwrap();
    assert_eq!(found.len(), 1);
    assert!(
        found[0].telegram_user_id.get() < 0,
        "a phone-only customer has no chat"
    );
    let maria = customers::get(&mut tx, found[0].booking.customer_id)
        .await
        .unwrap()
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(maria.phone.as_deref(), Some("+79001234567"));

    // The same phone again, written the other way Russians write it, is the same customer.
    let (_, services) = bot.press(&olga, &card, "Day").await;
    let (_, menu) = bot.press(&olga, &services, "Panel").await;
    let (_, services) = bot.press(&olga, &menu, "Phoned-in").await;
    let (_, staff) = bot.press(&olga, &services, "Haircut").await;
    let _ = bot.press(&olga, &staff, "Anna").await;
    let again = say(
        &bot,
        &olga,
        &format!("{} 11:00; Maria; 8 (900) 123-45-67", day.format("%d.%m.%Y")),
    )
    .await;
    assert_eq!(again.text(), "Booked.");
    let mut tx = bot.db.tx(bot.tenant_id()).await;
    let found = storage::tenant::bookings::views::for_day(&mut tx, day, None)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(found.len(), 2);
    assert_eq!(found[0].booking.customer_id, found[1].booking.customer_id);
    // No notices for a customer without a chat.
    assert!(notices(&bot).await.is_empty());
}

#[tokio::test]
async fn visits_are_marked_done_or_no_show_once_they_started() {
    let bot = TestBot::start().await;
    let carol = bot.user("Carol", "en").await;
    let carol_id = customer(&bot, &carol).await;
    let past = booking_at(
        &bot,
        carol_id,
        bot.salon.anna.id,
        Utc::now() - Duration::hours(3),
    )
    .await;
    let earlier = booking_at(
        &bot,
        carol_id,
        bot.salon.anna.id,
        Utc::now() - Duration::hours(5),
    )
    .await;
    let future = booking_with(&bot, carol_id, bot.salon.anna.id, 7).await;
    let anna = admin(&bot, "AnnaTg", AdminRole::Staff(bot.salon.anna.id)).await;
    let _ = panel(&bot, &anna).await;
    let data =
        [A::Booking(past), A::Booking(earlier), A::Booking(future.id)].map(|a| a.to_string());
    let forged = bot.forged_buttons(&anna, &data[..1]).await;
    let (_, card) = bot.press_data(&anna, &forged, &data[0]).await;
    let (_, done) = bot.press(&anna, &card, "Done").await;
    assert!(done.text().contains("Status: done"), "{}", done.text());
    assert_eq!(status(&bot, past).await, BookingStatus::Completed);

    let forged = bot.forged_buttons(&anna, &data[1..2]).await;
    let (_, card) = bot.press_data(&anna, &forged, &data[1]).await;
    let (_, noshow) = bot.press(&anna, &card, "No-show").await;
    assert!(noshow.text().contains("no-show"), "{}", noshow.text());
    assert_eq!(status(&bot, earlier).await, BookingStatus::NoShow);

    let forged = bot.forged_buttons(&anna, &data[2..]).await;
    let (_, card) = bot.press_data(&anna, &forged, &data[2]).await;
    let (answer, _) = bot.press(&anna, &card, "Done").await;
    assert_eq!(
        answer.text.as_deref(),
        Some("The visit has not started yet.")
    );
    assert_eq!(status(&bot, future.id).await, BookingStatus::Confirmed);
    let log = audit(&bot).await;
    assert_eq!(log.len(), 2, "{log:?}");
    assert!(
        card.text().contains("Visits: 1 · no-shows: 1"),
        "{}",
        card.text()
    );
}

#[tokio::test]
async fn notes_on_a_visit_and_on_the_customer_are_kept_and_shown_on_the_card() {
    let bot = TestBot::start().await;
    let carol = bot.user("Carol", "en").await;
    let carol_id = customer(&bot, &carol).await;
    let first = booking_with(&bot, carol_id, bot.salon.anna.id, 7).await;
    let second = booking_with(&bot, carol_id, bot.salon.anna.id, 8).await;
    let anna = admin(&bot, "AnnaTg", AdminRole::Staff(bot.salon.anna.id)).await;
    let _ = panel(&bot, &anna).await;
    let data = A::Booking(first.id).to_string();
    let forged = bot.forged_buttons(&anna, std::slice::from_ref(&data)).await;
    let (_, card) = bot.press_data(&anna, &forged, &data).await;

    let (_, ask) = bot.press(&anna, &card, "Visit note").await;
    assert!(ask.text().contains("Note on this visit"), "{}", ask.text());
    let too_long = say(&bot, &anna, &"x".repeat(1001)).await;
    assert!(too_long.text().starts_with("⚠️"), "{}", too_long.text());
    let saved = say(&bot, &anna, "Bring the colour chart").await;
    assert_eq!(saved.text(), "Saved.");
    let card = bot.next(&anna).await;
    assert!(
        card.text()
            .contains("📝 Booking notes: Bring the colour chart"),
        "{}",
        card.text()
    );

    let (_, ask) = bot.press(&anna, &card, "Customer note").await;
    assert!(
        ask.text().contains("Note on the customer"),
        "{}",
        ask.text()
    );
    assert_eq!(
        say(&bot, &anna, "Allergic to lavender").await.text(),
        "Saved."
    );
    let _ = bot.next(&anna).await;

    // The customer's note shows on her other visit too; the visit's note does not.
    let data = A::Booking(second.id).to_string();
    let forged = bot.forged_buttons(&anna, std::slice::from_ref(&data)).await;
    let (_, other) = bot.press_data(&anna, &forged, &data).await;
    assert!(
        other
            .text()
            .contains("📝 Customer notes: Allergic to lavender")
            && !other.text().contains("colour chart"),
        "{}",
        other.text()
    );

    // "-" clears a note.
    let (_, ask) = bot.press(&anna, &other, "Customer note").await;
    assert!(
        ask.text().contains("Now: Allergic to lavender"),
        "{}",
        ask.text()
    );
    assert_eq!(say(&bot, &anna, "-").await.text(), "Saved.");
    let cleared = bot.next(&anna).await;
    assert!(
        !cleared.text().contains("Customer notes"),
        "{}",
        cleared.text()
    );

    let actions: Vec<String> = audit(&bot).await.into_iter().map(|a| a.1).collect();
    assert_eq!(actions, ["booking.note", "customer.note", "customer.note"]);
    // The log records the notes' lengths, never what they say.
    let mut tx = bot.db.tx(bot.tenant_id()).await;
    let details: Vec<serde_json::Value> = sqlx::query_scalar(
        "select details from audit_log where action like '%.note' order by audit_id",
    )
    .fetch_all(tx.conn())
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let lengths: Vec<i64> = details
        .iter()
        .map(|d| d["length"].as_i64().unwrap())
        .collect();
    assert_eq!(lengths, [22, 20, 0]);
    assert!(
        details.iter().all(|d| !d.to_string().contains("lavender")),
        "{details:?}"
    );
}
