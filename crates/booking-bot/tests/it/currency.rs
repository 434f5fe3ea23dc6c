//! The business's currency: the owner sets it in the panel (an ISO 4217 code, checked), and
//! every price follows it, for customers and admins, in Russian and English.

use storage::tenant::{admins::AdminRole, settings};

use crate::{
    admin_support::{admin_speaking, say},
    support::TestBot,
};

#[tokio::test]
async fn the_owner_sets_the_currency_and_every_price_follows_it() {
    let bot = TestBot::start().await;
    let olga = admin_speaking(&bot, "Ольга", AdminRole::Owner, "ru").await;
    bot.command(&olga, "/admin").await;
    let panel = bot.next(&olga).await;
    let (_, setup) = bot.press(&olga, &panel, "Настройка").await;
    let (_, ask) = bot.press(&olga, &setup, "Валюта: RUB").await;
    assert!(
        ask.text().contains("Сейчас: RUB (1\u{a0}500\u{a0}₽)") && ask.text().contains("GEL"),
        "{}",
        ask.text()
    );

    // Not a code the bot knows: a clear error, nothing saved, the question still open.
    let wrong = say(&bot, &olga, "лари").await;
    assert!(
        wrong
            .text()
            .starts_with("⚠️ Такого кода валюты бот не знает")
            && wrong.text().contains("GEL"),
        "{}",
        wrong.text()
    );
    let saved = say(&bot, &olga, "gel").await;
    assert!(
        saved
            .text()
            .starts_with("✅ Цены теперь показываются так: GEL (1\u{a0}500\u{a0}₾)"),
        "{}",
        saved.text()
    );
    let mut tx = bot.db.tx(bot.tenant_id()).await;
    let profile = settings::profile(&mut tx).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(profile.currency.code(), "GEL");

    // The admin's catalogue.
    bot.command(&olga, "/admin").await;
    let panel = bot.next(&olga).await;
    let (_, catalogue) = bot.press(&olga, &panel, "Услуги и мастера").await;
    assert!(
        catalogue.button_data("1\u{a0}500\u{a0}₾").is_some(),
        "{:?}",
        catalogue.buttons()
    );

    // A Russian customer: the services, About and the confirm screen.
    let vera = bot.user("Вера", "ru").await;
    bot.command(&vera, "/start").await;
    let menu = bot.next(&vera).await;
    let _ask_phone = bot.next(&vera).await;
    let (_, services) = bot.press(&vera, &menu, "Записаться").await;
    assert!(
        services
            .button("1\u{a0}500\u{a0}₾")
            .is_some_and(|b| b.text.starts_with("Haircut · ")),
        "{:?}",
        services.buttons()
    );
    bot.command(&vera, "/about").await;
    let about = bot.next(&vera).await;
    assert!(
        about.text().contains("1\u{a0}500\u{a0}₾"),
        "{}",
        about.text()
    );

    // An English customer reads the same currency.
    let alice = bot.user("Alice", "en").await;
    let menu = bot.menu(&alice).await;
    let calendar = bot.calendar(&alice, &menu).await;
    let (_, month) = bot.press(&alice, &calendar, "▶").await;
    let day = crate::support::first_data(&month, "v1:d:");
    let (_, times) = bot.press_data(&alice, &month, &day).await;
    let time = crate::support::first_data(&times, "v1:t:");
    let (_, confirm) = bot.press_data(&alice, &times, &time).await;
    assert!(
        confirm.text().contains("Price: 1,500\u{a0}₾"),
        "{}",
        confirm.text()
    );
}
