//! The business's admins hear about bookings made, cancelled and moved by customers.

use booking_core::ids::TelegramUserId;
use storage::tenant::admins::{self, AdminRole};

use crate::support::{TestBot, first_data};

#[tokio::test]
async fn the_owner_is_told_of_a_new_booking_and_of_its_cancellation() {
    let bot = TestBot::start().await;
    // The owner wrote to the bot once, so the bot may write to them.
    let olga = bot.user("Olga", "ru").await;
    bot.command(&olga, "/start").await;
    // The menu and the offer to share a phone number.
    let _ = bot.next(&olga).await;
    let _ = bot.next(&olga).await;
    let mut tx = bot.db.tx(bot.tenant_id()).await;
    admins::upsert(
        &mut tx,
        TelegramUserId(i64::try_from(olga.id.0).unwrap()),
        AdminRole::Owner,
        "Olga",
        None,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();

    let alice = bot.user("Alice", "en").await;
    let menu = bot.menu(&alice).await;
    let calendar = bot.calendar(&alice, &menu).await;
    let (_, month) = bot.press(&alice, &calendar, "▶").await;
    let day = first_data(&month, "v1:d:");
    let (_, times) = bot.press_data(&alice, &month, &day).await;
    let (_, confirm) = bot.press(&alice, &times, "11:00").await;
    let _ = bot.press(&alice, &confirm, "Confirm").await;

    // The business's language (Russian) for the owner, whatever the customer speaks.
    let booked = bot.next(&olga).await;
    assert!(
        booked
            .text()
            .starts_with("🔔 Новая запись (клиент): Haircut, мастер Anna,"),
        "{}",
        booked.text()
    );
    assert!(
        booked.text().contains("11:00. Клиент: Alice"),
        "{}",
        booked.text()
    );
    // One press opens the booking's card in the admin panel.
    let (_, card) = bot.press(&olga, &booked, "📋 Открыть запись").await;
    assert!(card.text().contains("Alice"), "{}", card.text());

    bot.command(&alice, "/my").await;
    let mine = bot.next(&alice).await;
    let (_, ask) = bot.press(&alice, &mine, "Cancel #1").await;
    let _ = bot.press(&alice, &ask, "Yes, cancel").await;
    let cancelled = bot.next(&olga).await;
    assert!(
        cancelled
            .text()
            .starts_with("❌ Запись отменена (клиент): Haircut"),
        "{}",
        cancelled.text()
    );
}
