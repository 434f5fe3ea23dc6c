//! The whole booking flow through the calendar, to a confirmed row in the database.

use booking_core::{booking::BookingStatus, ids::TelegramUserId};
use chrono::Utc;
use storage::tenant::{bookings, customers};

use crate::support::{TestBot, first_data};

#[tokio::test]
async fn a_customer_books_through_the_calendar_and_the_booking_is_confirmed() {
    let bot = TestBot::start().await;
    let alice = bot.user("Alice", "en").await;
    let menu = bot.menu(&alice).await;
    let calendar = bot.calendar(&alice, &menu).await;

    // Next month is always within the 60-day horizon and has working days.
    let (_, next_month) = bot.press(&alice, &calendar, "▶").await;
    // Days that cannot be booked (Sundays here) are not pressable.
    let sunday_cells = next_month.inline_keyboard[2..]
        .iter()
        .filter_map(|row| row.get(6))
        .filter(|b| b.text != " ")
        .collect::<Vec<_>>();
    assert!(
        sunday_cells
            .iter()
            .all(|b| b.callback_data.as_deref() == Some("v1:n")),
        "{sunday_cells:?}"
    );

    let day = first_data(&next_month, "v1:d:");
    let (_, times) = bot.press_data(&alice, &next_month, &day).await;
    assert!(
        times.text().contains("Times are in Moscow time"),
        "{}",
        times.text()
    );
    // 09:00-18:00 with a break at 13:00: eight one-hour slots.
    assert!(times.text().contains("8 free times"), "{}", times.text());
    assert!(
        times.button_data("09:00").is_some(),
        "{:?}",
        times.buttons()
    );

    let (_, confirm) = bot.press(&alice, &times, "09:00").await;
    assert!(
        confirm.text().contains("Haircut with Anna"),
        "{}",
        confirm.text()
    );
    assert!(
        confirm.text().contains("09:00 (Moscow time)"),
        "{}",
        confirm.text()
    );
    assert!(
        confirm.text().contains("held for you for 5 minutes"),
        "{}",
        confirm.text()
    );

    let mut tx = bot.db.tx(bot.tenant_id()).await;
    let customer =
        customers::by_telegram(&mut tx, TelegramUserId(i64::try_from(alice.id.0).unwrap()))
            .await
            .unwrap()
            .unwrap();
    drop(tx);

    let (answer, done) = bot.press(&alice, &confirm, "Confirm").await;
    assert!(!answer.show_alert);
    assert!(done.text().contains("You are booked"), "{}", done.text());

    let mut tx = bot.db.tx(bot.tenant_id()).await;
    let upcoming = bookings::views::for_customer(&mut tx, customer.id, true, Utc::now(), 10)
        .await
        .unwrap();
    assert_eq!(upcoming.len(), 1);
    let booking = &upcoming[0].booking;
    assert_eq!(booking.status, BookingStatus::Confirmed);
    assert_eq!(booking.staff_id, bot.salon.anna.id);
    assert_eq!(booking.service_id, bot.salon.haircut);
    let local = booking.start.with_timezone(&chrono_tz::Europe::Moscow);
    assert_eq!(local.format("%H:%M").to_string(), "09:00");
    assert_eq!(format!("v1:d:{}", local.format("%Y%m%d")), day);

    // My bookings lists it.
    let (_, menu) = bot.press(&alice, &done, "Menu").await;
    let (_, mine) = bot.press(&alice, &menu, "My bookings").await;
    assert!(
        mine.text().contains("You have 1 booking:"),
        "{}",
        mine.text()
    );
    assert!(mine.text().contains("#1 Haircut"), "{}", mine.text());
}

#[tokio::test]
async fn a_time_taken_meanwhile_is_refused_with_the_nearest_free_times() {
    let bot = TestBot::start().await;
    let alice = bot.user("Alice", "en").await;
    let bob = bot.user("Bob", "en").await;
    let alice_menu = bot.menu(&alice).await;
    let bob_menu = bot.menu(&bob).await;
    let alice_cal = bot.calendar(&alice, &alice_menu).await;
    let bob_cal = bot.calendar(&bob, &bob_menu).await;
    let (_, alice_month) = bot.press(&alice, &alice_cal, "▶").await;
    let (_, bob_month) = bot.press(&bob, &bob_cal, "▶").await;
    let day = first_data(&alice_month, "v1:d:");
    let (_, alice_times) = bot.press_data(&alice, &alice_month, &day).await;
    let (_, bob_times) = bot.press_data(&bob, &bob_month, &day).await;

    // Alice holds 09:00; Bob's screen still offers it.
    let (_, confirm) = bot.press(&alice, &alice_times, "09:00").await;
    assert!(
        confirm.text().contains("Please check"),
        "{}",
        confirm.text()
    );
    let (answer, taken) = bot.press(&bob, &bob_times, "09:00").await;
    assert_eq!(
        answer.text.as_deref(),
        Some("This time has just been taken.")
    );
    assert!(
        taken.text().contains("The nearest free times"),
        "{}",
        taken.text()
    );
    let offered = taken.buttons();
    assert!(
        offered.iter().any(|(label, _)| label.ends_with("10:00")),
        "{offered:?}"
    );
    let held = format!("{}.{} 09:00", &day[11..13], &day[9..11]);
    assert!(
        !offered.iter().any(|(label, _)| *label == held),
        "{offered:?}"
    );
}

#[tokio::test]
async fn the_active_booking_limit_is_explained_at_the_hold() {
    let bot = TestBot::start().await;
    let alice = bot.user("Alice", "en").await;
    let menu = bot.menu(&alice).await;
    let _first = crate::support::booked(&bot, &alice).await;
    let mut tx = bot.db.tx(bot.tenant_id()).await;
    let mut policy = storage::tenant::settings::profile(&mut tx)
        .await
        .unwrap()
        .policy;
    policy.max_active_bookings = 1;
    storage::tenant::settings::set_policy(&mut tx, &policy)
        .await
        .unwrap();
    tx.commit().await.unwrap();

    let calendar = bot.calendar(&alice, &menu).await;
    let (_, month) = bot.press(&alice, &calendar, "▶").await;
    let day = first_data(&month, "v1:d:");
    let (_, times) = bot.press_data(&alice, &month, &day).await;
    let (answer, after) = bot.press(&alice, &times, "17:00").await;
    assert_eq!(
        answer.text.as_deref(),
        Some("You already have 1 booking, the most allowed. Cancel one to book again.")
    );
    assert!(answer.show_alert);
    assert_eq!(after.edit_count, times.edit_count);
}
