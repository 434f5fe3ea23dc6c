//! The Texts screen: keys listed with default and override; an override with a wrong
//! placeholder is refused and nothing saved; a valid one reaches customers at once; reset.

use booking_bot::texts::Key;
use storage::tenant::admins::AdminRole;

use crate::{
    admin_support::{admin, audit, panel, say},
    support::TestBot,
};

#[tokio::test]
async fn an_override_is_validated_shown_to_customers_and_reset() {
    let bot = TestBot::start().await;
    let olga = admin(&bot, "Olga", AdminRole::Admin).await;
    let menu = panel(&bot, &olga).await;
    let (_, texts) = bot.press(&olga, &menu, "Texts").await;
    assert!(texts.text().contains("page 1/"), "{}", texts.text());
    let (_, key) = bot
        .press(&olga, &texts, &format!("📄 {}", Key::Menu.code()))
        .await;
    assert!(
        key.text().contains("{business}: how can we help?"),
        "{}",
        key.text()
    );
    assert!(
        key.text().contains("Placeholders: {business}"),
        "{}",
        key.text()
    );

    let (_, _ask) = bot.press(&olga, &key, "✏️ en").await;
    let typo = say(&bot, &olga, "Welcome to {bussiness}!").await;
    assert_eq!(typo.text(), "⚠️ This text has no placeholder {bussiness}.");
    let missing = say(&bot, &olga, "Welcome!").await;
    assert_eq!(missing.text(), "⚠️ Keep the placeholder {business}.");
    let saved = say(&bot, &olga, "Welcome to {business}! What shall we do?").await;
    assert_eq!(saved.text(), "Saved.");
    let key = bot.next(&olga).await;
    assert!(
        key.text()
            .contains("[en] override:\nWelcome to {business}! What shall we do?"),
        "{}",
        key.text()
    );

    // A customer sees it straight away.
    let alice = bot.user("Alice", "en").await;
    bot.command(&alice, "/start").await;
    let menu = bot.next(&alice).await;
    assert_eq!(menu.text(), "Welcome to Salon! What shall we do?");
    // (A first visit is then offered to share a phone number.)
    let _ = bot.next(&alice).await;

    let (answer, key) = bot.press(&olga, &key, "Reset en").await;
    assert_eq!(answer.text.as_deref(), Some("Back to the default."));
    assert!(!key.text().contains("override"), "{}", key.text());
    bot.command(&alice, "/start").await;
    let menu = bot.next(&alice).await;
    assert!(menu.text().contains("how can we help"), "{}", menu.text());
    let actions: Vec<String> = audit(&bot).await.into_iter().map(|a| a.1).collect();
    assert_eq!(actions, ["text.set", "text.reset"]);
}
