//! A tenant's text override applies within a moment, and a reset brings the default back,
//! without restarting the bot. (Written here, outside the bot, the change reaches it by the
//! database's `tenant_changed` notification, which may arrive just after the next update:
//! the held configuration allows a screen to be a moment out of date, never a booking.)

use std::time::{Duration, Instant};

use booking_bot::texts::Key;
use booking_core::locale::Locale;
use chrono::Utc;
use storage::tenant::texts;

use tg_sandbox::TestUser;

use crate::support::TestBot;

/// The menu `/start` draws, asked again until it reads `expected` or five seconds pass.
async fn menu_becomes(bot: &TestBot, user: &TestUser, expected: &str) {
    let until = Instant::now() + Duration::from_secs(5);
    loop {
        bot.command(user, "/start").await;
        let menu = bot.next(user).await;
        if menu.text() == expected || Instant::now() > until {
            assert_eq!(menu.text(), expected);
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

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
    menu_becomes(&bot, &alice, "Welcome to Salon!").await;

    let mut tx = bot.db.tx(bot.tenant_id()).await;
    assert!(
        texts::reset(&mut tx, Key::Menu.code(), Locale::En)
            .await
            .unwrap()
    );
    tx.commit().await.unwrap();
    menu_becomes(&bot, &alice, "Salon: how can we help?").await;
}
