//! Availability: blocks that first list the bookings under them, then cancel them (customers
//! told and offered the nearest free times), unblock, the list; weekly hours, exceptions and the policy typed with
//! clear errors; "can't work today".

use booking_core::{Tz, booking::BookingStatus};
use chrono::{Datelike as _, Duration, Utc, Weekday};
use storage::tenant::{admins::AdminRole, bookings, settings};

use crate::{
    admin_support::{
        admin, audit, booking_at, booking_with, customer, notices, panel, say, status,
    },
    support::TestBot,
};

const ZONE: Tz = chrono_tz::Europe::Moscow;

#[tokio::test]
async fn blocking_a_day_cancels_its_bookings_with_the_customers_offered_other_times() {
    let bot = TestBot::start().await;
    let carol = bot.user("Carol", "en").await;
    let _menu = bot.menu(&carol).await;
    let carol_id = customer(&bot, &carol).await;
    let booking = booking_with(&bot, carol_id, bot.salon.anna.id, 7).await;
    let day = booking.start.with_timezone(&ZONE).date_naive();
    let untouched = booking_with(&bot, carol_id, bot.salon.anna.id, 21).await;

    let olga = admin(&bot, "Olga", AdminRole::Owner).await;
    let menu = panel(&bot, &olga).await;
    let (_, availability) = bot.press(&olga, &menu, "Availability").await;
    let (_, ask) = bot.press(&olga, &availability, "Block time").await;
    assert!(ask.text().contains("the whole day"), "{}", ask.text());
    let bad = say(&bot, &olga, "32.13.2026").await;
    assert!(bad.text().starts_with("⚠️ Not a date"), "{}", bad.text());
    assert_eq!(status(&bot, booking.id).await, BookingStatus::Confirmed);

    // First the bookings the block touches, and nothing changed yet.
    let preview = say(
        &bot,
        &olga,
        &format!("{}; staff training", day.format("%d.%m.%Y")),
    )
    .await;
    assert!(
        preview.text().contains("This change touches bookings (1)")
            && preview.text().contains("Carol"),
        "{}",
        preview.text()
    );
    assert_eq!(status(&bot, booking.id).await, BookingStatus::Confirmed);
    let (_, done) = bot
        .press(&olga, &preview, "Save and cancel the bookings")
        .await;
    assert!(
        done.text()
            .contains("Bookings cancelled: 1, customers notified: 1"),
        "{}",
        done.text()
    );
    assert_eq!(status(&bot, booking.id).await, BookingStatus::Cancelled);
    assert_eq!(status(&bot, untouched.id).await, BookingStatus::Confirmed);
    assert_eq!(notices(&bot).await.len(), 1);
    // Carol reads it in Telegram, with the block's reason.
    let told = bot.next(&carol).await;
    assert!(told.text().contains("staff training"), "{}", told.text());
    // Offered times are free and not on the blocked day.
    let mut tx = bot.db.tx(bot.tenant_id()).await;
    for (_, data) in told
        .buttons()
        .into_iter()
        .filter(|(_, d)| d.starts_with("v1:t:"))
    {
        let secs: i64 = data[5..].parse().unwrap();
        let at = chrono::DateTime::from_timestamp(secs, 0).unwrap();
        assert_ne!(at.with_timezone(&ZONE).date_naive(), day);
        let date = at.with_timezone(&ZONE).date_naive();
        let free = bookings::slots::free(&mut tx, bot.salon.haircut, None, date, date, Utc::now())
            .await
            .unwrap();
        assert!(free.iter().any(|s| s.start == at), "{at} is free");
    }
    tx.commit().await.unwrap();

    let (_, list) = bot.press(&olga, &done, "Blocks").await;
    assert!(list.text().contains("staff training"), "{}", list.text());
    let (answer, list) = bot.press(&olga, &list, "🔓").await;
    assert_eq!(answer.text.as_deref(), Some("Unblocked."));
    assert!(list.text().contains("none"), "{}", list.text());
    // The cancelled booking is audited by the booking service, in the block's transaction.
    let actions: Vec<String> = audit(&bot).await.into_iter().map(|a| a.1).collect();
    assert_eq!(actions, ["block.create", "booking.cancel", "block.remove"]);
}

#[tokio::test]
async fn hours_exceptions_and_rules_are_typed_with_clear_errors() {
    let bot = TestBot::start().await;
    let olga = admin(&bot, "Olga", AdminRole::Admin).await;
    let menu = panel(&bot, &olga).await;
    let (_, availability) = bot.press(&olga, &menu, "Availability").await;
    let (_, ask) = bot.press(&olga, &availability, "🕘 Anna").await;
    assert!(
        ask.text().contains("follows the business"),
        "{}",
        ask.text()
    );
    let bad = say(&bot, &olga, "mon 12:00-10:00").await;
    assert!(bad.text().starts_with("⚠️"), "{}", bad.text());
    let saved = say(
        &bot,
        &olga,
        "mon 10:00-12:00\ntue 10:00-18:00 break 12:00-15:00",
    )
    .await;
    assert!(saved.text().contains("mon 10:00-12:00"), "{}", saved.text());

    let mut monday = Utc::now().with_timezone(&ZONE).date_naive() + Duration::days(2);
    while monday.weekday() != Weekday::Mon {
        monday += Duration::days(1);
    }
    let mut tx = bot.db.tx(bot.tenant_id()).await;
    let free = bookings::slots::free(
        &mut tx,
        bot.salon.haircut,
        Some(bot.salon.anna.id),
        monday,
        monday,
        Utc::now(),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let times: Vec<String> = free
        .iter()
        .map(|s| s.start.with_timezone(&ZONE).format("%H:%M").to_string())
        .collect();
    assert_eq!(times, ["10:00", "11:00"]);

    // A day off for the business on that Monday.
    let (_, availability) = bot.press(&olga, &saved, "Availability").await;
    let (_, _ask) = bot.press(&olga, &availability, "Exception").await;
    let bad = say(&bot, &olga, "someday off").await;
    assert!(bad.text().starts_with("⚠️"), "{}", bad.text());
    let ok = say(&bot, &olga, &format!("{} off", monday.format("%d.%m.%Y"))).await;
    assert!(ok.text().contains("saved"), "{}", ok.text());
    let mut tx = bot.db.tx(bot.tenant_id()).await;
    let free = bookings::slots::free(&mut tx, bot.salon.haircut, None, monday, monday, Utc::now())
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert!(free.is_empty());

    // The rules: a bad line changes nothing; good lines are saved together.
    let (_, availability) = bot.press(&olga, &ok, "Availability").await;
    let (_, rules) = bot.press(&olga, &availability, "Booking rules").await;
    assert!(rules.text().contains("limit 3"), "{}", rules.text());
    let bad = say(&bot, &olga, "limit 5\nhorizon 0").await;
    assert!(bad.text().contains("horizon"), "{}", bad.text());
    let mut tx = bot.db.tx(bot.tenant_id()).await;
    assert_eq!(
        settings::profile(&mut tx)
            .await
            .unwrap()
            .policy
            .max_active_bookings,
        3
    );
    tx.commit().await.unwrap();
    let saved = say(&bot, &olga, "limit 5\nreminders 1440,60\nrelease 30").await;
    assert!(saved.text().contains("limit 5"), "{}", saved.text());
    let mut tx = bot.db.tx(bot.tenant_id()).await;
    let policy = settings::profile(&mut tx).await.unwrap().policy;
    tx.commit().await.unwrap();
    assert_eq!(policy.max_active_bookings, 5);
    assert_eq!(policy.auto_release.map(|m| m.get()), Some(30));
    let actions: Vec<String> = audit(&bot).await.into_iter().map(|a| a.1).collect();
    assert_eq!(actions, ["hours.set", "exception.set", "policy.set"]);
}

#[tokio::test]
async fn a_staff_member_who_cannot_work_today_cancels_the_day_and_customers_get_an_apology() {
    let bot = TestBot::start().await;
    let carol = bot.user("Carol", "en").await;
    let _menu = bot.menu(&carol).await;
    let carol_id = customer(&bot, &carol).await;
    let soon = booking_at(
        &bot,
        carol_id,
        bot.salon.anna.id,
        Utc::now() + Duration::minutes(2),
    )
    .await;
    let next_week = booking_with(&bot, carol_id, bot.salon.anna.id, 7).await;
    let anna = admin(&bot, "AnnaTg", AdminRole::Staff(bot.salon.anna.id)).await;
    let menu = panel(&bot, &anna).await;
    let (_, availability) = bot.press(&anna, &menu, "Availability").await;
    // A staff member manages only their own time: no business hours or rules for her.
    assert!(!availability.text().contains("Booking rules"));
    let (_, ask) = bot.press(&anna, &availability, "can't work today").await;
    assert!(
        ask.text().contains("Bookings left today: 1"),
        "{}",
        ask.text()
    );
    let (_, done) = bot.press(&anna, &ask, "Yes").await;
    assert!(
        done.text().contains("Bookings cancelled: 1"),
        "{}",
        done.text()
    );
    assert_eq!(status(&bot, soon).await, BookingStatus::Cancelled);
    assert_eq!(status(&bot, next_week.id).await, BookingStatus::Confirmed);
    assert_eq!(notices(&bot).await.len(), 1);
    let told = bot.next(&carol).await;
    assert!(told.text().contains("sorry"), "{}", told.text());
    assert!(told.buttons().len() >= 2, "{:?}", told.buttons());
    // The rest of her day is blocked.
    let mut tx = bot.db.tx(bot.tenant_id()).await;
    let today = Utc::now().with_timezone(&ZONE).date_naive();
    let free = bookings::slots::free(
        &mut tx,
        bot.salon.haircut,
        Some(bot.salon.anna.id),
        today,
        today,
        Utc::now(),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    assert!(free.is_empty(), "{free:?}");
}
