//! Exports: bookings and customers as CSV documents, downloaded and parsed.

use booking_core::catalogue::Price;
use storage::tenant::{admins::AdminRole, offline_customers};

use crate::{
    admin_support::{admin, booking_with, csv_document, customer, panel, tid},
    support::TestBot,
};

#[tokio::test]
async fn bookings_and_customers_are_exported_as_csv_matching_the_database() {
    let bot = TestBot::start().await;
    let carol = bot.user("Carol", "en").await;
    let carol_id = customer(&bot, &carol).await;
    let first = booking_with(&bot, carol_id, bot.salon.anna.id, 3).await;
    let second = booking_with(&bot, carol_id, bot.salon.anna.id, 10).await;
    let mut tx = bot.db.tx(bot.tenant_id()).await;
    let maria = offline_customers::find_or_create(&mut tx, "Мария, \"VIP\"", "+7 900 000-00-00")
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let maria_booking = booking_with(&bot, maria, bot.salon.anna.id, 5).await;

    let olga = admin(&bot, "Olga", AdminRole::Admin).await;
    let menu = panel(&bot, &olga).await;
    let (_, exports) = bot.press(&olga, &menu, "Exports").await;
    let _ = bot.press(&olga, &exports, "Bookings").await;
    let (name, records) = csv_document(&bot, &olga).await;
    assert_eq!(name, "bookings.csv");
    assert_eq!(records[0][0], "booking_id");
    let ids: Vec<String> = records[1..].iter().map(|r| r[0].clone()).collect();
    assert_eq!(
        ids,
        [first.id, maria_booking.id, second.id].map(|i| i.to_string())
    );
    let maria_row = &records[2];
    assert_eq!(maria_row[4], "confirmed");
    assert_eq!(maria_row[5], "Haircut");
    assert_eq!(maria_row[7], "Мария, \"VIP\"", "quotes and commas survive");
    assert_eq!(maria_row[10], Price(150_000).decimal());

    let _ = bot.press(&olga, &exports, "Customers").await;
    let (name, records) = csv_document(&bot, &olga).await;
    assert_eq!(name, "customers.csv");
    // Carol, Maria, and Olga (who wrote to the bot) are customers.
    let carol_row = records.iter().find(|r| r[2] == "Carol").unwrap();
    assert_eq!(carol_row[1], tid(&carol).to_string());
    assert_eq!(carol_row[10], "0");
    let maria_row = records.iter().find(|r| r[4] == "+7 900 000-00-00").unwrap();
    assert_eq!(maria_row[1], "", "no Telegram id for a phoned-in customer");
}
