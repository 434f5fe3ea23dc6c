//! End to end with the outbox dispatcher: a booking the business cancels reaches the customer
//! in Telegram with the nearest free times, and one press on a time rebooks (then Confirm).

use booking_bot::admin::callback::AdminAction as A;
use booking_core::booking::BookingStatus;
use storage::tenant::{admins::AdminRole, bookings};

use crate::{
    admin_support::{admin, booking_with, customer, panel, status},
    support::TestBot,
};

#[tokio::test]
async fn a_customer_told_of_a_cancellation_rebooks_in_one_press() {
    let bot = TestBot::start().await;
    let carol = bot.user("Carol", "en").await;
    let _menu = bot.menu(&carol).await;
    let carol_id = customer(&bot, &carol).await;
    let booking = booking_with(&bot, carol_id, bot.salon.anna.id, 7).await;

    let olga = admin(&bot, "Olga", AdminRole::Owner).await;
    let _ = panel(&bot, &olga).await;
    let data = A::CancelYes(booking.id).to_string();
    let forged = bot.forged_buttons(&olga, std::slice::from_ref(&data)).await;
    let (answer, _) = bot.press_data(&olga, &forged, &data).await;
    assert_eq!(answer.text.as_deref(), Some("Cancelled."));
    assert_eq!(status(&bot, booking.id).await, BookingStatus::Cancelled);

    let notice = bot.next(&carol).await;
    assert!(
        notice
            .text()
            .starts_with("❌ The business had to cancel your visit"),
        "{}",
        notice.text()
    );
    let times: Vec<(String, String)> = notice
        .buttons()
        .into_iter()
        .filter(|(_, d)| d.starts_with("v1:t:"))
        .collect();
    assert_eq!(times.len(), 3, "{:?}", notice.buttons());
    let (_, confirm) = bot.press(&carol, &notice, &times[0].0).await;
    let (_, done) = bot.press(&carol, &confirm, "Confirm").await;
    assert!(!done.text().is_empty());

    let mut tx = bot.db.tx(bot.tenant_id()).await;
    let upcoming = bookings::views::for_customer(&mut tx, carol_id, true, chrono::Utc::now(), 10)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(upcoming.len(), 1, "rebooked");
    let secs: i64 = times[0].1[5..].parse().unwrap();
    assert_eq!(upcoming[0].booking.start.timestamp(), secs);
}
