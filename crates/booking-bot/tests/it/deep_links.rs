//! Deep links preselect the booking flow and record their source; unknown ones are ignored
//! politely. About shows the address, contacts and opening hours.

use storage::tenant::{about, bookings, customers, settings};

use crate::support::{TestBot, first_data, telegram};

#[tokio::test]
async fn a_link_with_service_staff_and_source_opens_the_calendar_and_tags_the_booking() {
    let bot = TestBot::start().await;
    let alice = bot.user("Alice", "en").await;
    let _menu = bot.menu(&alice).await;

    let link = format!(
        "/start s{}-m{}-src_insta",
        bot.salon.haircut, bot.salon.anna.id
    );
    bot.command(&alice, &link).await;
    let calendar = bot.next(&alice).await;
    assert!(
        calendar.text().starts_with("Haircut\nChoose a day"),
        "{}",
        calendar.text()
    );
    let (_, next_month) = bot.press(&alice, &calendar, "▶").await;
    let day = first_data(&next_month, "v1:d:");
    let (_, times) = bot.press_data(&alice, &next_month, &day).await;
    let time = first_data(&times, "v1:t:");
    let (_, confirm) = bot.press_data(&alice, &times, &time).await;
    let (_, done) = bot.press(&alice, &confirm, "Confirm").await;
    assert!(done.text().contains("You are booked"), "{}", done.text());

    let mut tx = bot.db.tx(bot.tenant_id()).await;
    let customer = customers::by_telegram(&mut tx, telegram(&alice))
        .await
        .unwrap()
        .unwrap();
    // The first visit had no tag, so the first source is this one too.
    assert_eq!(customer.source.as_deref(), Some("src_insta"));
    let mine = bookings::views::for_customer(&mut tx, customer.id, true, chrono::Utc::now(), 5)
        .await
        .unwrap();
    assert_eq!(mine[0].booking.source.as_deref(), Some("src_insta"));
}

#[tokio::test]
async fn a_first_visit_through_a_link_chooses_the_language_then_follows_it() {
    let bot = TestBot::start().await;
    // German is not a language the bot speaks, so the visitor chooses one first.
    let bob = bot.user("Bob", "de").await;
    bot.command(&bob, &format!("/start s{}", bot.salon.haircut))
        .await;
    let choice = bot.next(&bob).await;
    let (_, staff) = bot.press(&bob, &choice, "English").await;
    assert!(
        staff.text().starts_with("Haircut\nChoose a staff member"),
        "{}",
        staff.text()
    );
    assert!(staff.button_data("Anna").is_some());
    let ask = bot.next(&bob).await;
    assert!(ask.text().contains("phone number"), "{}", ask.text());
}

#[tokio::test]
async fn a_first_visit_through_a_link_from_a_russian_telegram_follows_it_in_russian_at_once() {
    let bot = TestBot::start().await;
    let vera = bot.user("Вера", "ru").await;
    bot.command(&vera, &format!("/start s{}", bot.salon.haircut))
        .await;
    let staff = bot.next(&vera).await;
    assert!(
        staff.text().starts_with("Haircut\nВыберите мастера"),
        "{}",
        staff.text()
    );
    assert!(staff.button_data("Anna").is_some());
    // The first visit's offer to share the phone number still comes, in Russian.
    let ask = bot.next(&vera).await;
    assert!(ask.text().contains("номером телефона"), "{}", ask.text());
    let mut tx = bot.db.tx(bot.tenant_id()).await;
    let customer = customers::by_telegram(&mut tx, telegram(&vera))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(customer.locale, Some(booking_core::locale::Locale::Ru));
}

#[tokio::test]
async fn an_unknown_link_is_ignored_with_a_word_and_the_menu() {
    let bot = TestBot::start().await;
    let carol = bot.user("Carol", "en").await;
    let _menu = bot.menu(&carol).await;
    for link in ["/start s999999", "/start hello", "/start m1-s1;x"] {
        bot.command(&carol, link).await;
        let menu = bot.next(&carol).await;
        assert!(
            menu.text().contains("how can we help"),
            "{link}: {}",
            menu.text()
        );
        let word = bot.next(&carol).await;
        assert_eq!(
            word.text(),
            "This link is out of date or incomplete — here is our menu.",
            "{link}"
        );
    }
}

#[tokio::test]
async fn about_shows_address_contacts_and_opening_hours() {
    let bot = TestBot::start().await;
    let mut tx = bot.db.tx(bot.tenant_id()).await;
    settings::set(&mut tx, about::ADDRESS, "1 Main St")
        .await
        .unwrap();
    settings::set(&mut tx, about::CONTACTS, "+7 999 000-00-00")
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let dan = bot.user("Dan", "en").await;
    let menu = bot.menu(&dan).await;
    let (_, about) = bot.press(&dan, &menu, "About").await;
    let text = about.text();
    for want in [
        "Haircut — 1 hour, 1,500\u{a0}₽",
        "📍 Address: 1 Main St",
        "📞 Contacts: +7 999 000-00-00",
        "Mo: 09:00–18:00",
        "Su: closed",
    ] {
        assert!(text.contains(want), "{want} not in {text}");
    }
}
