//! Someone pressing buttons too fast is told once, and every press is still answered. The
//! limit is the tenant's: read from its policy at start, and changed in the admin panel.

use booking_core::policy::{Policy, UpdateLimit};
use storage::tenant::{admins::AdminRole, settings};
use tg_sandbox::TestUser;

use crate::{
    admin_support::{admin, panel, say},
    support::TestBot,
};

const WARNING: &str = "Too many requests. Please wait a few seconds.";

/// Presses a no-op button `presses` times and returns after which presses the warning came.
async fn flood(bot: &TestBot, user: &TestUser, presses: usize) -> Vec<usize> {
    let noop = bot.forged_buttons(user, &["v1:n".to_owned()]).await;
    let mut warned = Vec::new();
    for i in 1..=presses {
        let (answer, _) = bot.press_data(user, &noop, "v1:n").await;
        if answer.text.as_deref() == Some(WARNING) {
            warned.push(i);
        }
    }
    warned
}

#[tokio::test]
async fn a_flood_of_presses_is_warned_once_and_every_press_is_answered() {
    let bot = TestBot::start().await;
    let alice = bot.user("Alice", "en").await;
    let _menu = bot.menu(&alice).await;
    // One update so far (/start: an English Telegram is not asked the language); the default
    // allows 20 in 10 seconds, so the 20th press is the 21st update.
    assert_eq!(flood(&bot, &alice, 25).await, [20]);
}

#[tokio::test]
async fn the_limit_stored_in_the_tenants_policy_applies_from_the_start() {
    let mut bot = TestBot::prepare(crate::support::REDIS).await;
    let mut tx = bot.db.tx(bot.tenant_id()).await;
    let strict = Policy {
        update_limit: UpdateLimit {
            events: 5,
            window_secs: 60,
        },
        ..Policy::default()
    };
    settings::set_policy(&mut tx, &strict).await.unwrap();
    tx.commit().await.unwrap();
    bot.launch().await;

    let alice = bot.user("Alice", "en").await;
    let _menu = bot.menu(&alice).await;
    // /start is one of the five.
    assert_eq!(flood(&bot, &alice, 8).await, [5]);
}

#[tokio::test]
async fn an_admin_changes_the_limit_and_it_applies_to_the_next_update() {
    let bot = TestBot::start().await;
    let olga = admin(&bot, "Olga", AdminRole::Owner).await;
    let menu = panel(&bot, &olga).await;
    let (_, availability) = bot.press(&olga, &menu, "Availability").await;
    let (_, rules) = bot.press(&olga, &availability, "Booking rules").await;
    assert!(rules.text().contains("ratelimit 20/10"), "{}", rules.text());
    let bad = say(&bot, &olga, "ratelimit 2/10").await;
    assert!(bad.text().contains("rate limit"), "{}", bad.text());
    let saved = say(&bot, &olga, "ratelimit 6/60").await;
    assert!(saved.text().contains("ratelimit 6/60"), "{}", saved.text());
    let mut tx = bot.db.tx(bot.tenant_id()).await;
    let stored = settings::profile(&mut tx)
        .await
        .unwrap()
        .policy
        .update_limit;
    tx.commit().await.unwrap();
    assert_eq!(
        stored,
        UpdateLimit {
            events: 6,
            window_secs: 60
        }
    );

    let bob = bot.user("Bob", "en").await;
    let _menu = bot.menu(&bob).await;
    // /start is one of the six.
    assert_eq!(flood(&bot, &bob, 8).await, [6]);
}
