//! My bookings → Move → the calendar → a new time → moved, the same booking row.

use booking_core::{booking::BookingStatus, catalogue::Minutes};
use storage::tenant::{bookings, settings};

use crate::support::{TestBot, booked, first_data};

#[tokio::test]
async fn a_booking_is_moved_through_the_calendar() {
    let bot = TestBot::start().await;
    let alice = bot.user("Alice", "en").await;
    let _menu = bot.menu(&alice).await;
    let booking = booked(&bot, &alice).await;

    bot.command(&alice, "/my").await;
    let mine = bot.next(&alice).await;
    let (_, calendar) = bot.press(&alice, &mine, "Move #1").await;
    assert!(
        calendar.text().starts_with("Moving: Haircut"),
        "{}",
        calendar.text()
    );
    let (_, next_month) = bot.press(&alice, &calendar, "▶").await;
    let day = first_data(&next_month, "v1:d:");
    let (_, times) = bot.press_data(&alice, &next_month, &day).await;
    let (_, ask) = bot.press(&alice, &times, "16:00").await;
    assert!(ask.text().starts_with("Move Haircut"), "{}", ask.text());
    assert!(
        ask.text().contains("at 16:00 (Moscow time)?"),
        "{}",
        ask.text()
    );
    let (_, moved) = bot.press(&alice, &ask, "Move").await;
    assert!(moved.text().contains("Moved: Haircut"), "{}", moved.text());

    let mut tx = bot.db.tx(bot.tenant_id()).await;
    let after = bookings::views::get(&mut tx, booking.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(after.status, BookingStatus::Confirmed);
    let local = after.start.with_timezone(&chrono_tz::Europe::Moscow);
    assert_eq!(local.format("%H:%M").to_string(), "16:00");
    assert_eq!(format!("v1:d:{}", local.format("%Y%m%d")), day);

    // The button cannot be used twice: the dialogue is over.
    let again = ask.button_data("Move").unwrap();
    let stale = bot
        .forged_buttons(&alice, std::slice::from_ref(&again))
        .await;
    let (answer, _) = bot.press_data(&alice, &stale, &again).await;
    assert_eq!(
        answer.text.as_deref(),
        Some("This button is out of date. Please start again from the menu: /start")
    );
}

#[tokio::test]
async fn past_the_reschedule_cut_off_the_reason_is_shown() {
    let bot = TestBot::start().await;
    let alice = bot.user("Alice", "en").await;
    let _menu = bot.menu(&alice).await;
    let booking = booked(&bot, &alice).await;
    let mut tx = bot.db.tx(bot.tenant_id()).await;
    let mut policy = settings::profile(&mut tx).await.unwrap().policy;
    policy.reschedule_cutoff = Minutes::new(30 * 24 * 60);
    settings::set_policy(&mut tx, &policy).await.unwrap();
    tx.commit().await.unwrap();

    bot.command(&alice, "/my").await;
    let mine = bot.next(&alice).await;
    let (answer, after) = bot.press(&alice, &mine, "Move #1").await;
    assert_eq!(
        answer.text.as_deref(),
        Some("Bookings can be moved up to 30 days before the visit.")
    );
    assert_eq!(after.edit_count, mine.edit_count);
    let mut tx = bot.db.tx(bot.tenant_id()).await;
    let still = bookings::views::get(&mut tx, booking.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(still.start, booking.start);
}
