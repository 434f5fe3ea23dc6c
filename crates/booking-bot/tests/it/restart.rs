//! A bot restarted mid-dialogue continues where the customer was.

use crate::support::{TestBot, first_data};

#[tokio::test]
async fn a_restarted_bot_continues_the_booking_in_progress() {
    let mut bot = TestBot::start().await;
    let alice = bot.user("Alice", "en").await;
    let menu = bot.menu(&alice).await;
    let calendar = bot.calendar(&alice, &menu).await;

    bot.stop().await;
    bot.launch().await;

    // The calendar's buttons carry only the month or the day: service and staff member come
    // from the dialogue state, which survived in Redis.
    let (_, next_month) = bot.press(&alice, &calendar, "▶").await;
    let day = first_data(&next_month, "v1:d:");
    let (_, times) = bot.press_data(&alice, &next_month, &day).await;
    assert!(times.text().starts_with("Haircut, "), "{}", times.text());
    let (_, confirm) = bot.press(&alice, &times, "10:00").await;
    let (_, done) = bot.press(&alice, &confirm, "Confirm").await;
    assert!(done.text().contains("You are booked"), "{}", done.text());
}
