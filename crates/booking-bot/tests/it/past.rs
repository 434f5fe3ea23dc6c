//! Past visits, and booking the same again from one.

use chrono::Utc;
use storage::tenant::bookings::service::{self, Caller, Cancellation};

use crate::support::{TestBot, booked, first_data};

#[tokio::test]
async fn a_past_visit_is_listed_and_booked_again() {
    let bot = TestBot::start().await;
    let alice = bot.user("Alice", "en").await;
    let menu = bot.menu(&alice).await;
    let old = booked(&bot, &alice).await;
    let mut tx = bot.db.tx(bot.tenant_id()).await;
    service::cancel(
        &mut tx,
        old.id,
        &Caller::SYSTEM,
        Cancellation::default(),
        Utc::now(),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();

    let (_, mine) = bot.press(&alice, &menu, "My bookings").await;
    assert!(
        mine.text().contains("You have no upcoming bookings."),
        "{}",
        mine.text()
    );
    let (_, past) = bot.press(&alice, &mine, "Past visits").await;
    assert!(
        past.text().starts_with("Your past visits:"),
        "{}",
        past.text()
    );
    assert!(past.text().contains("#1 Haircut"), "{}", past.text());
    assert!(
        past.text().contains("with Anna — cancelled"),
        "{}",
        past.text()
    );

    // "Again" offers concrete times; "Another time" opens the calendar.
    let (_, offers) = bot.press(&alice, &past, "Again #1").await;
    assert!(
        offers.text().starts_with("Haircut with Anna again?"),
        "{}",
        offers.text()
    );
    let (_, calendar) = bot.press(&alice, &offers, "Another time").await;
    assert!(
        calendar.text().starts_with("Haircut\nChoose a day"),
        "{}",
        calendar.text()
    );
    let (_, month) = bot.press(&alice, &calendar, "▶").await;
    let day = first_data(&month, "v1:d:");
    let (_, times) = bot.press_data(&alice, &month, &day).await;
    let (_, confirm) = bot.press(&alice, &times, "14:00").await;
    assert!(
        confirm.text().contains("Haircut with Anna"),
        "{}",
        confirm.text()
    );
    let (_, done) = bot.press(&alice, &confirm, "Confirm").await;
    assert!(done.text().contains("You are booked"), "{}", done.text());
}
