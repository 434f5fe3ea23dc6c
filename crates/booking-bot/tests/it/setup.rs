//! A new owner's first hour, through the real bot and real buttons: `/start` tells them about
//! `/admin` (and their chat's command menu has it, customers' does not); `/admin` on a bot
//! that cannot take bookings shows the setup checklist and leads through each step; a service
//! nobody gives is never offered; the About lines are set; the panel makes the bot's links
//! and a QR code of each.

use std::time::Duration;

use storage::tenant::admins::{self, AdminRole};
use tg_sandbox::{ChatMessage, TestUser};

use crate::{
    admin_support::tid,
    support::{REDIS, TestBot},
};

/// The salon's bot with nothing set up: no services, staff or hours, and its owner.
async fn empty_salon() -> (TestBot, TestUser) {
    let mut bot = TestBot::prepare(REDIS).await;
    let owner = bot.user("Olga", "en").await;
    let mut tx = bot.db.tx(bot.tenant_id()).await;
    for table in ["staff_services", "working_hours", "staff", "services"] {
        sqlx::query(sqlx::AssertSqlSafe(format!("delete from {table}")))
            .execute(tx.conn())
            .await
            .unwrap();
    }
    admins::upsert(&mut tx, tid(&owner), AdminRole::Owner, "Olga", None)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    bot.launch().await;
    (bot, owner)
}

/// `/admin`, and its answer: the next message containing `expected` (a typed step's notice
/// may come first).
async fn admin(bot: &TestBot, who: &TestUser, expected: &str) -> ChatMessage {
    bot.command(who, "/admin").await;
    bot.chat(who)
        .wait_for(expected, Duration::from_secs(15))
        .await
        .unwrap_or_else(|| panic!("/admin did not answer with {expected:?}"))
}

/// A typed step's answer: the text goes in, the bot's next message comes out.
async fn type_in(bot: &TestBot, who: &TestUser, text: &str) -> ChatMessage {
    bot.chat(who).say(text).await;
    bot.next(who).await
}

#[tokio::test]
async fn a_new_owner_is_led_from_an_empty_bot_to_bookings_links_and_qr_codes() {
    let (bot, owner) = empty_salon().await;
    let customer = bot.user("Ivan", "en").await;

    // The owner's /start: the usual first screen, then a word about /admin.
    bot.command(&owner, "/start").await;
    let note = bot
        .chat(&owner)
        .wait_for("/admin", Duration::from_secs(15))
        .await
        .expect("a note about /admin");
    assert!(
        note.text().contains("you are the owner")
            && note.text().contains("Customers cannot book yet"),
        "{}",
        note.text()
    );
    // The owner's chat has /admin in its menu, in their language; a customer's does not
    // (the menus as the sandbox resolves them, like Telegram: the chat's scope first).
    let menu = |who: &TestUser, language: &'static str| {
        let (client, token, chat) = (bot.client.clone(), bot.info.token.clone(), who.id);
        async move {
            client
                .menu(
                    &token,
                    teloxide::types::ChatId(i64::try_from(chat.0).unwrap()),
                    Some(language),
                )
                .await
                .unwrap()
                .into_iter()
                .map(|c| (c.command, c.description))
                .collect::<Vec<_>>()
        }
    };
    let owners = menu(&owner, "en").await;
    assert!(
        owners.contains(&("admin".to_owned(), "Admin panel".to_owned()))
            && owners.iter().any(|(c, _)| c == "book"),
        "{owners:?}"
    );
    let in_russian = menu(&owner, "ru").await;
    assert!(
        in_russian.contains(&("admin".to_owned(), "Админ-панель".to_owned())),
        "{in_russian:?}"
    );
    let customers = menu(&customer, "en").await;
    assert!(
        customers.iter().any(|(c, _)| c == "book") && customers.iter().all(|(c, _)| c != "admin"),
        "{customers:?}"
    );

    // /admin on the empty bot: the checklist, not the panel.
    let list = admin(&bot, &owner, "Customers can book once").await;
    assert!(
        list.text()
            .contains("Customers can book once both of these are done")
            && list
                .text()
                .contains("⬜ A service and a staff member who gives it: add a service first")
            && list.text().contains("⬜ Working hours"),
        "{}",
        list.text()
    );
    assert!(!list.text().contains("Admin panel"), "{}", list.text());

    // Step 1: a service. It is not offered to customers while nobody gives it.
    let (_, ask) = bot.press(&owner, &list, "Add a service").await;
    assert!(ask.text().contains("name; duration"), "{}", ask.text());
    type_in(&bot, &owner, "Haircut; 60; 1500").await;
    bot.command(&customer, "/book").await;
    let offered = bot.next(&customer).await;
    assert!(
        offered.button("Haircut").is_none(),
        "a service nobody gives is offered: {offered:?}"
    );

    // ...then a staff member, who gives it.
    let list = admin(&bot, &owner, "add a staff member").await;
    assert!(
        list.text().contains("add a staff member"),
        "{}",
        list.text()
    );
    let (_, ask) = bot.press(&owner, &list, "Add a staff member").await;
    assert!(ask.text().contains("name"), "{}", ask.text());
    let card = type_in(&bot, &owner, "Anna").await;
    let list = admin(&bot, &owner, "no staff member gives").await;
    assert!(
        list.text()
            .contains("no staff member gives any service yet"),
        "{}",
        list.text()
    );
    let _ = card;
    let (_, staff) = bot.press(&owner, &list, "Staff and their services").await;
    let (_, card) = bot.press(&owner, &staff, "Anna").await;
    let _ = bot.press(&owner, &card, "Haircut").await;

    // Step 2: working hours; then /admin is the panel.
    let list = admin(&bot, &owner, "✅ A service").await;
    assert!(
        list.text()
            .contains("✅ A service and a staff member who gives it"),
        "{}",
        list.text()
    );
    let (_, ask) = bot.press(&owner, &list, "Working hours").await;
    assert!(ask.text().contains("Weekly hours"), "{}", ask.text());
    type_in(
        &bot,
        &owner,
        "mon 10:00-19:00\ntue 10:00-19:00\nwed 10:00-19:00\nthu 10:00-19:00\n\
         fri 10:00-19:00\nsat 10:00-19:00\nsun 10:00-19:00",
    )
    .await;
    let panel = admin(&bot, &owner, "Admin panel").await;
    assert!(panel.text().contains("Admin panel"), "{}", panel.text());

    // The About lines, from the panel's Setup.
    let (_, list) = bot.press(&owner, &panel, "Setup, links and QR codes").await;
    assert!(
        list.text().contains("Customers can book now") && list.text().contains("⬜ Address"),
        "{}",
        list.text()
    );
    let (_, ask) = bot.press(&owner, &list, "Address").await;
    assert!(ask.text().contains("not set yet"), "{}", ask.text());
    let saved = type_in(&bot, &owner, "7 Tverskaya St, Moscow").await;
    assert!(
        saved.text().contains("Address saved") && saved.text().contains("✅ Address"),
        "{}",
        saved.text()
    );
    let (_, ask) = bot.press(&owner, &saved, "A few words about you").await;
    assert!(ask.text().contains("About"), "{}", ask.text());
    let too_long = "x".repeat(1001);
    bot.chat(&owner).say(&too_long).await;
    let refused = bot.next(&owner).await;
    assert!(refused.text().contains("Too long"), "{}", refused.text());
    type_in(&bot, &owner, "A cosy salon since 2015.").await;
    bot.command(&customer, "/about").await;
    let about = bot.next(&customer).await;
    assert!(
        about.text().contains("A cosy salon since 2015.")
            && about.text().contains("7 Tverskaya St, Moscow")
            && about.text().contains("Haircut"),
        "{}",
        about.text()
    );

    // The bot's links and a QR code of the service's.
    let list = admin(&bot, &owner, "Admin panel").await;
    let panel_list = if list.text().contains("Admin panel") {
        bot.press(&owner, &list, "Setup, links and QR codes")
            .await
            .1
    } else {
        list
    };
    let (_, links) = bot.press(&owner, &panel_list, "Links and QR codes").await;
    let haircut = {
        let mut tx = bot.db.tx(bot.tenant_id()).await;
        let services = storage::tenant::catalogue::bookable_services(&mut tx)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        services[0].id
    };
    let service_link = format!("https://t.me/salon_bot?start=s{haircut}-src_link");
    assert!(
        links
            .text()
            .contains("https://t.me/salon_bot?start=src_link")
            && links.text().contains(&service_link)
            && links
                .text()
                .contains("Anna: https://t.me/salon_bot?start=m"),
        "{}",
        links.text()
    );
    bot.chat(&owner)
        .press_answer(&links, &tg_sandbox::chat::button(&links, "QR: Haircut"))
        .await;
    let picture = bot.next(&owner).await;
    assert!(
        picture
            .text()
            .contains(&format!("https://t.me/salon_bot?start=s{haircut}-src_qr")),
        "{picture:?}"
    );
    let file = picture.photo.clone().expect("a photo");
    let png = bot.client.download(&file).await.unwrap();
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"));
    let width = u32::from_be_bytes(png[16..20].try_into().unwrap());
    let height = u32::from_be_bytes(png[20..24].try_into().unwrap());
    assert!(width == height && width >= 200, "{width}x{height}");

    // The QR code's link, as a customer's phone opens it: the haircut chosen, on to Anna, the
    // customer tagged as come from the QR code.
    bot.command(&customer, &format!("/start s{haircut}-src_qr"))
        .await;
    // A first visit from an English Telegram is not asked the language: the link is followed.
    let landed = bot.next(&customer).await;
    let followed = bot
        .chat(&customer)
        .wait_for("Choose a day", Duration::from_secs(15))
        .await;
    assert!(
        followed.is_some() || landed.button("Anna").is_some(),
        "the link did not lead to the haircut: {landed:?}"
    );
    let mut tx = bot.db.tx(bot.tenant_id()).await;
    let tagged: i64 =
        sqlx::query_scalar("select count(*) from customers where last_source = 'src_qr'")
            .fetch_one(tx.conn())
            .await
            .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(tagged, 1);
}

/// A customer's /start says nothing of /admin, and a forged setup button from a customer is
/// refused like any other admin button.
#[tokio::test]
async fn customers_hear_nothing_of_admin_and_cannot_press_setup_buttons() {
    let (bot, _owner) = empty_salon().await;
    let customer = bot.user("Ivan", "en").await;
    bot.command(&customer, "/start").await;
    let first = bot.next(&customer).await;
    assert!(!first.text().contains("/admin"), "{}", first.text());
    assert!(
        bot.chat(&customer)
            .wait_for("/admin", Duration::from_millis(500))
            .await
            .is_none()
    );
    let forged = bot
        .forged_buttons(&customer, &["a1:pr:a".to_owned(), "a1:lq:b".to_owned()])
        .await;
    for (_, data) in forged.buttons() {
        let answer = bot.chat(&customer).press_answer(&forged, &data).await;
        assert!(
            answer.text.as_deref().unwrap_or_default().contains("⛔"),
            "{answer:?}"
        );
    }
}

/// A platform notice with a link button (the monitor's "renew the subscription") reaches the
/// owner as a real URL button; a notice whose link Telegram would refuse is dropped alone.
#[tokio::test]
async fn a_notice_with_a_renewal_link_reaches_the_owner_as_a_url_button() {
    use storage::tenant::outbox::{
        self, NewMessage,
        message::{Button, Message, Notice},
    };
    let (bot, owner) = empty_salon().await;
    bot.command(&owner, "/start").await;
    bot.next(&owner).await;
    let notice = |text: &str, url: &str, key: &str| NewMessage {
        message: Message::Notice(Notice {
            text: text.to_owned(),
            buttons: vec![vec![Button::link("💳 Renew the subscription", url)]],
        }),
        booking: None,
        chat_id: tid(&owner).get(),
        due_at: chrono::Utc::now(),
        dedupe_key: Some(key.to_owned()),
    };
    let mut tx = bot.db.tx(bot.tenant_id()).await;
    outbox::enqueue(
        &mut tx,
        &notice("bad link", "javascript:alert(1)", "renew:bad"),
    )
    .await
    .unwrap();
    outbox::enqueue(
        &mut tx,
        &notice(
            "Your subscription ends soon.",
            "https://t.me/platform_sales_bot?start=renew_7",
            "renew:good",
        ),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let warning = bot
        .chat(&owner)
        .wait_for("subscription ends soon", Duration::from_secs(15))
        .await
        .expect("the warning is delivered");
    let button = warning.button("Renew").expect("a renew button");
    assert_eq!(
        button.url.as_deref(),
        Some("https://t.me/platform_sales_bot?start=renew_7")
    );
    assert!(
        bot.chat(&owner)
            .history()
            .await
            .iter()
            .all(|m| !m.text().contains("bad link")),
        "a notice with a link Telegram refuses is not sent"
    );
}
