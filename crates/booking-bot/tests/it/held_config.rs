//! The bot holds the tenant's configuration between updates: a change shows on the customer's
//! next screen, whether the admin panel of the same process made it (dropped at once) or
//! another process wrote it (the REST API, the master's CLI: dropped when the database's
//! `tenant_changed` notification arrives).

use std::time::Duration;

use booking_core::catalogue::Price;
use storage::tenant::catalogue_admin::{self, ServiceField};
use test_support::holds_within;

use crate::{
    admin_support::{admin, panel, say, tid},
    support::TestBot,
};
use storage::tenant::admins::AdminRole;

/// The labels of a screen's buttons.
fn labels(m: &tg_sandbox::ChatMessage) -> Vec<String> {
    m.buttons().into_iter().map(|b| b.0).collect()
}

/// Whether the services screen's first button is `name` at `price`.
fn shows(services: &tg_sandbox::ChatMessage, name: &str, price: &str) -> bool {
    labels(services)
        .first()
        .is_some_and(|l| l.starts_with(&format!("{name} · ")) && l.ends_with(price))
}

#[tokio::test]
async fn an_edit_in_the_admin_panel_shows_on_the_customers_next_screen() {
    let bot = TestBot::start().await;
    let carol = bot.user("Carol", "en").await;
    let menu = bot.menu(&carol).await;
    // The services screen is drawn from what the bot holds.
    let (_, services) = bot.press(&carol, &menu, "Book").await;
    assert!(
        shows(&services, "Haircut", "1,500\u{a0}₽"),
        "{:?}",
        labels(&services)
    );

    let olga = admin(&bot, "Olga", AdminRole::Owner).await;
    let panel = panel(&bot, &olga).await;
    let (_, list) = bot.press(&olga, &panel, "Services & staff").await;
    let (_, haircut) = bot.press(&olga, &list, "Haircut").await;
    let (_, _ask) = bot.press(&olga, &haircut, "Name").await;
    assert_eq!(say(&bot, &olga, "Long haircut").await.text(), "Saved.");
    let card = bot.next(&olga).await;
    let (_, _ask) = bot.press(&olga, &card, "Price").await;
    assert_eq!(say(&bot, &olga, "1750").await.text(), "Saved.");

    // No wait: the customer's very next screen has the new name and price.
    let (_, back) = bot.press(&carol, &services, "🏠 Menu").await;
    let (_, services) = bot.press(&carol, &back, "Book").await;
    assert!(
        shows(&services, "Long haircut", "1,750\u{a0}₽"),
        "{:?}",
        labels(&services)
    );
    let (_, staff) = bot.press(&carol, &services, "Long haircut").await;
    assert!(staff.text().contains("Long haircut"), "{}", staff.text());
}

#[tokio::test]
async fn a_change_written_by_another_process_shows_after_its_notification() {
    let bot = TestBot::start().await;
    let carol = bot.user("Carol", "en").await;
    let menu = bot.menu(&carol).await;
    let (_, services) = bot.press(&carol, &menu, "Book").await;
    assert!(
        shows(&services, "Haircut", "1,500\u{a0}₽"),
        "{:?}",
        labels(&services)
    );

    // Written straight to the database, as the REST API's process does.
    let mut tx = bot.db.tx(bot.tenant_id()).await;
    catalogue_admin::update_service(
        &mut tx,
        bot.salon.haircut,
        &ServiceField::Price(Price(99_900)),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();

    // The notification arrives in moments; each look is the customer pressing Book again.
    let chat = bot.chat(&carol);
    let (chat, services) = (&chat, &services);
    let seen = holds_within(
        Duration::from_secs(10),
        Duration::from_millis(100),
        || async move {
            let now = chat.current(services).await;
            let (_, menu) = chat.press(&now, "🏠 Menu").await;
            let (_, shown) = chat.press(&menu, "📅 Book").await;
            shows(&shown, "Haircut", "999\u{a0}₽")
        },
    )
    .await;
    assert!(seen, "the new price never showed");
}

/// The bot holds a customer's row between presses (a press reads none), and forgets it when
/// the row changes anywhere: a language written straight to the database, as another process
/// would, shows on the customer's next screen once its notification arrives.
#[tokio::test]
async fn a_customer_changed_by_another_process_is_read_again() {
    let bot = TestBot::start().await;
    let carol = bot.user("Carol", "en").await;
    let menu = bot.menu(&carol).await;
    let (_, services) = bot.press(&carol, &menu, "Book").await;
    let (_, menu) = bot.press(&carol, &services, "Menu").await;
    assert!(
        labels(&menu).iter().any(|l| l == "📅 Book"),
        "{:?}",
        labels(&menu)
    );

    let mut tx = bot.db.tx(bot.tenant_id()).await;
    sqlx::query("update customers set locale = 'ru' where telegram_user_id = $1")
        .bind(tid(&carol).get())
        .execute(tx.conn())
        .await
        .unwrap();
    tx.commit().await.unwrap();

    let chat = bot.chat(&carol);
    let (chat, menu) = (&chat, &menu);
    let seen = holds_within(
        Duration::from_secs(10),
        Duration::from_millis(100),
        || async move {
            let now = chat.current(menu).await;
            let Some(book) = labels(&now).into_iter().find(|l| l.contains("📅")) else {
                return false;
            };
            let (_, shown) = chat.press(&now, &book).await;
            let (_, back) = chat.press(&shown, "🏠").await;
            labels(&back).iter().any(|l| l == "📅 Записаться")
        },
    )
    .await;
    assert!(seen, "the customer's new language never showed");
}
