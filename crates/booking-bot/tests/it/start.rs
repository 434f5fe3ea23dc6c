//! /start, the language choice, the menu, deep links, commands.

use booking_core::{ids::TelegramUserId, locale::Locale};
use storage::tenant::customers;

use crate::support::TestBot;

#[tokio::test]
async fn start_asks_the_language_then_shows_the_menu_and_records_the_deep_link() {
    let bot = TestBot::start().await;
    let alice = bot.user("Alice", "ru").await;

    bot.command(&alice, "/start promo_autumn").await;
    let choice = bot.next(&alice).await;
    // Telegram says Russian, so the greeting is in Russian first.
    assert!(
        choice.text().contains("Здравствуйте, Alice"),
        "{}",
        choice.text()
    );
    assert!(choice.button_data("English").is_some());

    let (answer, menu) = bot.press(&alice, &choice, "English").await;
    assert!(!answer.show_alert);
    assert!(
        menu.text().contains("Salon: how can we help?"),
        "{}",
        menu.text()
    );
    for label in ["Book", "My bookings", "About", "Help"] {
        assert!(menu.button_data(label).is_some(), "{label}");
    }

    let mut tx = bot.db.tx(bot.tenant_id()).await;
    let customer =
        customers::by_telegram(&mut tx, TelegramUserId(i64::try_from(alice.id.0).unwrap()))
            .await
            .unwrap()
            .unwrap();
    assert_eq!(customer.source.as_deref(), Some("promo_autumn"));
    assert_eq!(customer.locale, Some(Locale::En));

    // A returning customer goes straight to the menu, in their language.
    bot.command(&alice, "/start").await;
    let again = bot.next(&alice).await;
    assert!(again.text().contains("how can we help"), "{}", again.text());

    let (_, help) = bot.press(&alice, &again, "Help").await;
    assert!(help.text().contains("/book"), "{}", help.text());
    let (_, menu) = bot.press(&alice, &help, "Menu").await;
    let (_, about) = bot.press(&alice, &menu, "About").await;
    assert!(
        about.text().contains("Haircut — 1 hour, 1500"),
        "{}",
        about.text()
    );

    let commands = bot.client.commands(&bot.info.token).await.unwrap();
    let text = format!("{commands:?}");
    assert!(
        text.contains("book") && text.contains("Записаться") && text.contains("Book a visit"),
        "{text}"
    );
}
