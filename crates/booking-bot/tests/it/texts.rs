//! A tenant's text override applies to the very next update, and a reset brings the default
//! back, without restarting the bot.

use booking_bot::texts::Key;
use booking_core::locale::Locale;
use chrono::Utc;
use storage::tenant::texts;

use crate::support::TestBot;

#[tokio::test]
async fn an_override_applies_at_once_and_a_reset_restores_the_default() {
    let bot = TestBot::start().await;
    let alice = bot.user("Alice", "en").await;
    let _menu = bot.menu(&alice).await;

    let mut tx = bot.db.tx(bot.tenant_id()).await;
    texts::set(
        &mut tx,
        Key::Menu.code(),
        Locale::En,
        "Welcome to {business}!",
        None,
        Utc::now(),
    )
    .await
    .unwrap();
    // The Russian text is not overridden: Alice reads English, so she must see the override.
    tx.commit().await.unwrap();
    bot.command(&alice, "/start").await;
    let menu = bot.next(&alice).await;
    assert_eq!(menu.text(), "Welcome to Salon!");

    let mut tx = bot.db.tx(bot.tenant_id()).await;
    assert!(
        texts::reset(&mut tx, Key::Menu.code(), Locale::En)
            .await
            .unwrap()
    );
    tx.commit().await.unwrap();
    bot.command(&alice, "/start").await;
    let menu = bot.next(&alice).await;
    assert_eq!(menu.text(), "Salon: how can we help?");
}
