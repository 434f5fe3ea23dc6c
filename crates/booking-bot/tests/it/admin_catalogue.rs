//! The catalogue: services created, edited (with errors named), reordered and switched off;
//! staff created, given services, renamed and switched off; nothing with bookings destroyed.

use booking_core::catalogue::Price;
use storage::tenant::{admins::AdminRole, bookings, catalogue};

use crate::{
    admin_support::{admin, audit, booking_with, customer, panel, say, status},
    support::TestBot,
};

#[tokio::test]
async fn services_and_staff_are_created_edited_reordered_and_switched_off() {
    let bot = TestBot::start().await;
    let carol = bot.user("Carol", "en").await;
    let carol_id = customer(&bot, &carol).await;
    let booked = booking_with(&bot, carol_id, bot.salon.anna.id, 7).await;
    let olga = admin(&bot, "Olga", AdminRole::Owner).await;
    let menu = panel(&bot, &olga).await;
    let (_, services) = bot.press(&olga, &menu, "Services & staff").await;
    let (_, ask) = bot.press(&olga, &services, "New service").await;
    assert!(ask.text().contains("name; duration"), "{}", ask.text());
    let bad = say(&bot, &olga, "Beard trim; thirty; 800").await;
    assert!(bad.text().starts_with("⚠️"), "{}", bad.text());
    let created = say(&bot, &olga, "Beard trim; 30; 800.50").await;
    assert_eq!(created.text(), "Created.");
    let card = bot.next(&olga).await;
    assert!(
        card.text().contains("Beard trim") && card.text().contains("800.50"),
        "{}",
        card.text()
    );

    // Edit the price: a typo is refused and changes nothing; then the right value.
    let (_, ask) = bot.press(&olga, &card, "Price").await;
    assert!(ask.text().contains("1500.50"), "{}", ask.text());
    let typo = say(&bot, &olga, "8o0").await;
    assert!(typo.text().contains("Not a price"), "{}", typo.text());
    let saved = say(&bot, &olga, "900").await;
    assert_eq!(saved.text(), "Saved.");
    let card = bot.next(&olga).await;
    assert!(card.text().contains("900\u{a0}₽"), "{}", card.text());
    let (_, ask) = bot.press(&olga, &card, "Slot interval").await;
    let _ = ask;
    let too_long = say(&bot, &olga, "99999").await;
    assert!(too_long.text().starts_with("⚠️"), "{}", too_long.text());
    let _ = say(&bot, &olga, "15").await;
    let card = bot.next(&olga).await;
    assert!(
        card.text().contains("Slot interval: 15 minutes"),
        "{}",
        card.text()
    );

    // Up: the new service moves before the haircut.
    let (_, list) = bot.press(&olga, &card, "⬆️").await;
    let labels: Vec<String> = list.buttons().into_iter().map(|b| b.0).collect();
    assert!(
        labels[0].contains("Beard trim") && labels[1].contains("Haircut"),
        "{labels:?}"
    );

    // Switch the haircut off: its booking stays, and customers cannot pick it any more.
    let (_, haircut) = bot.press(&olga, &list, "Haircut").await;
    let (_, off) = bot.press(&olga, &haircut, "Switch off").await;
    assert!(off.text().starts_with("🚫 Haircut"), "{}", off.text());
    assert_eq!(
        status(&bot, booked.id).await,
        booking_core::booking::BookingStatus::Confirmed
    );
    let mut tx = bot.db.tx(bot.tenant_id()).await;
    let active: Vec<String> = catalogue::services(&mut tx, false)
        .await
        .unwrap()
        .into_iter()
        .map(|s| s.name)
        .collect();
    let trim = catalogue::services(&mut tx, true)
        .await
        .unwrap()
        .into_iter()
        .find(|s| s.name == "Beard trim")
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(active, ["Beard trim"]);
    assert_eq!(trim.price, Price(90_000));
    assert_eq!(trim.timing.interval.get(), 15);

    // Staff: a new member, given the beard trim, renamed, then switched off.
    let (_, services) = bot.press(&olga, &off, "Services").await;
    let (_, staff) = bot.press(&olga, &services, "Staff").await;
    let (_, _ask) = bot.press(&olga, &staff, "New member").await;
    let created = say(&bot, &olga, "Vera").await;
    assert_eq!(created.text(), "Created.");
    let member = bot.next(&olga).await;
    let (_, member) = bot.press(&olga, &member, "▫️ Beard trim").await;
    assert!(
        member.button("✅ Beard trim").is_some(),
        "{:?}",
        member.buttons()
    );
    let (_, _ask) = bot.press(&olga, &member, "Rename").await;
    let member = say(&bot, &olga, "Vera K.").await;
    assert!(member.text().contains("Vera K."), "{}", member.text());
    let mut tx = bot.db.tx(bot.tenant_id()).await;
    let givers = catalogue::staff_for_service(&mut tx, trim.id)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(
        givers.iter().map(|s| s.name.as_str()).collect::<Vec<_>>(),
        ["Vera K."]
    );
    let (_, off) = bot.press(&olga, &member, "Switch off").await;
    assert!(off.text().starts_with("🚫"), "{}", off.text());
    let mut tx = bot.db.tx(bot.tenant_id()).await;
    assert!(
        catalogue::staff_for_service(&mut tx, trim.id)
            .await
            .unwrap()
            .is_empty()
    );
    // Every service and staff member still exists; the booking and its history too.
    assert_eq!(catalogue::services(&mut tx, true).await.unwrap().len(), 2);
    assert_eq!(catalogue::staff(&mut tx, true).await.unwrap().len(), 2);
    assert!(
        !bookings::views::history(&mut tx, booked.id)
            .await
            .unwrap()
            .is_empty()
    );
    tx.commit().await.unwrap();
    let actions: Vec<String> = audit(&bot).await.into_iter().map(|a| a.1).collect();
    assert_eq!(
        actions,
        [
            "service.create",
            "service.edit",
            "service.edit",
            "service.reorder",
            "service.active",
            "staff.create",
            "staff.services",
            "staff.rename",
            "staff.active"
        ]
    );
}
