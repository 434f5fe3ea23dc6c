//! Admins: added by Telegram id or a forwarded message, roles changed, removed, with the
//! person told; owners only; the audit log viewed and exported as CSV.

use booking_bot::admin::callback::AdminAction as A;
use storage::tenant::{admin_views, admins::AdminRole};

use crate::{
    admin_support::{admin, audit, csv_document, is_refusal, notices, panel, say, tid},
    support::TestBot,
};

#[tokio::test]
async fn the_owner_adds_changes_and_removes_admins_and_the_audit_log_shows_it() {
    let bot = TestBot::start().await;
    let olga = admin(&bot, "Olga", AdminRole::Owner).await;
    let pavel = bot.user("Pavel", "en").await;
    let viktor = bot.user("Viktor", "en").await;
    let menu = panel(&bot, &olga).await;
    let (_, admins) = bot.press(&olga, &menu, "Admins").await;
    assert!(admins.text().contains("Olga"), "{}", admins.text());

    // By id: a typo first, then the id.
    let (_, _ask) = bot.press(&olga, &admins, "Add admin").await;
    let bad = say(&bot, &olga, "pavel").await;
    assert!(
        bad.text().starts_with("⚠️ Not a Telegram id"),
        "{}",
        bad.text()
    );
    let added = say(&bot, &olga, &tid(&pavel).to_string()).await;
    assert_eq!(added.text(), "Added.");
    let card = bot.next(&olga).await;
    assert!(card.text().contains("Role: admin"), "{}", card.text());

    // By a forwarded message: Viktor's name comes with it.
    let (_, list) = bot.press(&olga, &card, "Admins").await;
    let (_, _ask) = bot.press(&olga, &list, "Add admin").await;
    bot.client
        .forward_from(&bot.info.token, olga.id, viktor.id, "hi, it's Viktor")
        .await
        .unwrap();
    assert_eq!(bot.next(&olga).await.text(), "Added.");
    let card = bot.next(&olga).await;
    assert!(card.text().contains("Viktor"), "{}", card.text());

    // Pavel can open the panel; then he becomes Anna's staff account.
    let pavels = panel(&bot, &pavel).await;
    assert!(
        pavels.text().contains("Your role: admin"),
        "{}",
        pavels.text()
    );
    let forged = bot
        .forged_buttons(&olga, &[A::AdminItem(tid(&pavel)).to_string()])
        .await;
    let (_, card) = bot
        .press_data(&olga, &forged, &A::AdminItem(tid(&pavel)).to_string())
        .await;
    let (_, card) = bot.press(&olga, &card, "Staff: Anna").await;
    assert!(card.text().contains("Role: staff Anna"), "{}", card.text());
    let mut tx = bot.db.tx(bot.tenant_id()).await;
    let role = admin_views::admin(&mut tx, tid(&pavel))
        .await
        .unwrap()
        .unwrap()
        .role;
    tx.commit().await.unwrap();
    assert_eq!(role, AdminRole::Staff(bot.salon.anna.id));
    // Now a staff member, Pavel cannot manage admins.
    let data = A::AdminRemove(tid(&viktor)).to_string();
    let forged = bot
        .forged_buttons(&pavel, std::slice::from_ref(&data))
        .await;
    let (answer, _) = bot.press_data(&pavel, &forged, &data).await;
    assert!(is_refusal(&answer), "{answer:?}");

    // Olga removes Viktor, but not herself.
    let forged = bot
        .forged_buttons(
            &olga,
            &[
                A::AdminRemove(tid(&olga)).to_string(),
                A::AdminItem(tid(&viktor)).to_string(),
            ],
        )
        .await;
    let (answer, _) = bot
        .press_data(&olga, &forged, &A::AdminRemove(tid(&olga)).to_string())
        .await;
    assert_eq!(answer.text.as_deref(), Some("You cannot remove yourself."));
    let (_, card) = bot
        .press_data(&olga, &forged, &A::AdminItem(tid(&viktor)).to_string())
        .await;
    let (_, ask) = bot.press(&olga, &card, "Remove").await;
    let (answer, _) = bot.press(&olga, &ask, "Yes, remove").await;
    assert_eq!(answer.text.as_deref(), Some("Removed."));
    bot.command(&viktor, "/admin").await;
    assert!(bot.next(&viktor).await.text().starts_with("⛔"));

    // Each person concerned was told; each action is in the log, by Olga.
    let told: Vec<i64> = notices(&bot).await.into_iter().map(|n| n.0).collect();
    assert_eq!(
        told,
        [
            tid(&pavel).get(),
            tid(&viktor).get(),
            tid(&pavel).get(),
            tid(&viktor).get()
        ]
    );
    let log = audit(&bot).await;
    let actions: Vec<&str> = log.iter().map(|e| e.1.as_str()).collect();
    assert_eq!(
        actions,
        ["admin.add", "admin.add", "admin.role", "admin.remove"]
    );
    assert!(log.iter().all(|e| e.0 == tid(&olga).get()));

    let menu = panel(&bot, &olga).await;
    let (_, page) = bot.press(&olga, &menu, "Audit log").await;
    assert!(
        page.text().contains("Audit log (4)") && page.text().contains("admin.remove"),
        "{}",
        page.text()
    );
    // An entry older than the export's window stays out of it.
    let mut tx = bot.db.tx(bot.tenant_id()).await;
    sqlx::query(
        "insert into audit_log (at, actor_id, action) values (now() - interval '100 days', 1, 'old')",
    )
    .execute(tx.conn())
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let _ = bot.press(&olga, &page, "Export CSV").await;
    let (name, records) = csv_document(&bot, &olga).await;
    assert_eq!(name, "audit_log.csv");
    assert_eq!(
        records[0],
        ["at", "actor_id", "action", "target", "details"]
    );
    let exported: Vec<&str> = records[1..].iter().map(|r| r[2].as_str()).collect();
    assert_eq!(
        exported,
        ["admin.remove", "admin.role", "admin.add", "admin.add"]
    );
    assert!(records[1..].iter().all(|r| r[1] == tid(&olga).to_string()));
}
