//! /start, the language choice, the menu, deep links, commands.

use booking_core::{ids::TelegramUserId, locale::Locale};
use storage::tenant::customers;

use crate::support::{TestBot, telegram};

#[tokio::test]
async fn a_russian_telegram_is_not_asked_the_language_and_gets_the_russian_menu() {
    let bot = TestBot::start().await;
    let olga = bot.user("Ольга", "ru").await;

    bot.command(&olga, "/start").await;
    let menu = bot.next(&olga).await;
    assert!(
        menu.text().contains("Salon: чем можем помочь?"),
        "{}",
        menu.text()
    );
    assert!(
        menu.button_data("English").is_none(),
        "{:?}",
        menu.buttons()
    );
    for label in ["Записаться", "Мои записи"] {
        assert!(
            menu.button_data(label).is_some(),
            "{label}: {:?}",
            menu.buttons()
        );
    }
    let ask = bot.next(&olga).await;
    assert!(ask.text().contains("номером телефона"), "{}", ask.text());

    let mut tx = bot.db.tx(bot.tenant_id()).await;
    let customer = customers::by_telegram(&mut tx, telegram(&olga))
        .await
        .unwrap()
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(customer.locale, Some(Locale::Ru));

    // /language still changes it.
    bot.command(&olga, "/language").await;
    let choice = bot.next(&olga).await;
    let (_, menu) = bot.press(&olga, &choice, "English").await;
    assert!(menu.text().contains("how can we help"), "{}", menu.text());
}

#[tokio::test]
async fn start_asks_the_language_then_shows_the_menu_and_records_the_deep_link() {
    let bot = TestBot::start().await;
    // Telegram says German, which the bot does not speak: the visitor is asked.
    let alice = bot.user("Alice", "de").await;

    bot.command(&alice, "/start promo_autumn").await;
    let choice = bot.next(&alice).await;
    assert!(choice.text().contains("Alice"), "{}", choice.text());
    assert!(choice.button_data("Русский").is_some());
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

    // A first visit is offered to share the phone number through the contact button.
    let ask = bot.next(&alice).await;
    assert!(
        ask.text().contains("share your phone number"),
        "{}",
        ask.text()
    );
    assert_eq!(
        ask.reply_keyboard_labels(),
        ["📱 Share my phone number", "Skip"]
    );
    assert!(ask.reply_keyboard.as_ref().unwrap()[0][0].request_contact);
    bot.client
        .send_contact(&bot.info.token, alice.id, "+79991234567")
        .await
        .unwrap();
    let thanks = bot.next(&alice).await;
    assert_eq!(thanks.text(), "Thank you, your number is saved.");
    assert!(thanks.remove_keyboard);
    let menu = bot.next(&alice).await;
    assert!(menu.text().contains("how can we help"), "{}", menu.text());

    let mut tx = bot.db.tx(bot.tenant_id()).await;
    let customer =
        customers::by_telegram(&mut tx, TelegramUserId(i64::try_from(alice.id.0).unwrap()))
            .await
            .unwrap()
            .unwrap();
    assert_eq!(customer.source.as_deref(), Some("promo_autumn"));
    assert_eq!(customer.locale, Some(Locale::En));
    assert_eq!(customer.phone.as_deref(), Some("+79991234567"));

    // A returning customer goes straight to the menu, in their language.
    bot.command(&alice, "/start").await;
    let again = bot.next(&alice).await;
    assert!(again.text().contains("how can we help"), "{}", again.text());

    let (_, help) = bot.press(&alice, &again, "Help").await;
    assert!(help.text().contains("/book"), "{}", help.text());
    let (_, menu) = bot.press(&alice, &help, "Menu").await;
    let (_, about) = bot.press(&alice, &menu, "About").await;
    assert!(
        about.text().contains("Haircut — 1 hour, 1,500\u{a0}₽"),
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

#[tokio::test]
async fn the_phone_can_be_skipped() {
    let bot = TestBot::start().await;
    let bob = bot.user("Bob", "en").await;
    let _menu = bot.menu(&bob).await;

    bot.client
        .send_text(&bot.info.token, bob.id, "Skip")
        .await
        .unwrap();
    let skipped = bot.next(&bob).await;
    assert_eq!(skipped.text(), "All right, no number.");
    assert!(skipped.remove_keyboard);
    let menu = bot.next(&bob).await;
    assert!(menu.button_data("Book").is_some());
}
