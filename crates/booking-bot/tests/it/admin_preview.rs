//! Changes that touch bookings are previewed: switching a staff member off, new weekly hours
//! and a day off first list the bookings they leave without a place; the admin drops the
//! change, keeps the bookings, or cancels them with the customers told and offered times.

use booking_core::{Tz, booking::BookingStatus};
use storage::tenant::{admins::AdminRole, catalogue};

use crate::{
    admin_support::{admin, audit, booking_with, customer, panel, say, status},
    support::TestBot,
};

const ZONE: Tz = chrono_tz::Europe::Moscow;

async fn anna_active(bot: &TestBot) -> bool {
    let mut tx = bot.db.tx(bot.tenant_id()).await;
    let active = catalogue::staff(&mut tx, true)
        .await
        .unwrap()
        .into_iter()
        .find(|s| s.id == bot.salon.anna.id)
        .unwrap()
        .active;
    tx.commit().await.unwrap();
    active
}

#[tokio::test]
async fn changes_that_touch_bookings_are_listed_first_and_the_admin_chooses() {
    let bot = TestBot::start().await;
    let carol = bot.user("Carol", "en").await;
    let _menu = bot.menu(&carol).await;
    let carol_id = customer(&bot, &carol).await;
    let booking = booking_with(&bot, carol_id, bot.salon.anna.id, 7).await;
    let day = booking.start.with_timezone(&ZONE).date_naive();
    let olga = admin(&bot, "Olga", AdminRole::Owner).await;

    // Switching Anna off lists Carol's visit; "Don't save" leaves everything as it was.
    let menu = panel(&bot, &olga).await;
    let (_, services) = bot.press(&olga, &menu, "Services & staff").await;
    let (_, staff) = bot.press(&olga, &services, "Staff").await;
    let (_, anna) = bot.press(&olga, &staff, "Anna").await;
    let (_, preview) = bot.press(&olga, &anna, "Switch off").await;
    assert!(
        preview.text().contains("This change touches bookings (1)")
            && preview.text().contains("Haircut · Anna · Carol"),
        "{}",
        preview.text()
    );
    assert!(anna_active(&bot).await);
    let (answer, _) = bot.press(&olga, &preview, "Don't save").await;
    assert_eq!(answer.text.as_deref(), Some("Not saved."));
    assert!(anna_active(&bot).await);

    // New hours for Anna that leave the visit outside: kept on the admin's word.
    let menu = panel(&bot, &olga).await;
    let (_, availability) = bot.press(&olga, &menu, "Availability").await;
    let (_, _ask) = bot.press(&olga, &availability, "🕘 Anna").await;
    let preview = say(&bot, &olga, "mon 21:00-22:00").await;
    assert!(
        preview.text().contains("This change touches bookings (1)"),
        "{}",
        preview.text()
    );
    let (_, saved) = bot.press(&olga, &preview, "Save, keep the bookings").await;
    assert!(
        saved.text().contains("mon 21:00-22:00") && saved.text().contains("Bookings kept: 1"),
        "{}",
        saved.text()
    );
    assert_eq!(status(&bot, booking.id).await, BookingStatus::Confirmed);

    // A day off on that date: cancelled, and Carol is told and offered other times.
    let (_, availability) = bot.press(&olga, &saved, "Availability").await;
    let (_, _ask) = bot.press(&olga, &availability, "Exception").await;
    let preview = say(&bot, &olga, &format!("{} off", day.format("%d.%m.%Y"))).await;
    assert!(preview.text().contains("Carol"), "{}", preview.text());
    assert_eq!(status(&bot, booking.id).await, BookingStatus::Confirmed);
    let (_, done) = bot
        .press(&olga, &preview, "Save and cancel the bookings")
        .await;
    assert!(
        done.text().contains("saved") && done.text().contains("Bookings cancelled: 1"),
        "{}",
        done.text()
    );
    assert_eq!(status(&bot, booking.id).await, BookingStatus::Cancelled);
    let told = bot.next(&carol).await;
    assert!(
        told.text().contains("cancel") && told.button("Another time").is_some(),
        "{} {:?}",
        told.text(),
        told.buttons()
    );
    let actions: Vec<String> = audit(&bot).await.into_iter().map(|a| a.1).collect();
    assert_eq!(
        actions,
        ["hours.set", "exception.set", "booking.cancel"],
        "a dropped change leaves no trace"
    );
}
