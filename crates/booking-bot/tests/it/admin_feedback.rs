//! What customers write is shown to the business: a service's description on the customer's
//! screens, "I'll be there" and the rating with its comment on the booking's card, a low
//! rating told to the owner with its comment, the ratings in analytics, and an automatic
//! release told to the business.

use std::sync::Arc;

use booking_core::clock::ManualClock;
use chrono::{Duration, Utc};
use storage::tenant::{
    admins::AdminRole,
    catalogue_admin::{self, ServiceField},
    settings,
};

use crate::{
    admin_support::{admin, panel},
    support::{TestBot, booked},
};

#[tokio::test]
async fn the_business_reads_what_its_customers_said() {
    let mut bot = TestBot::prepare(crate::support::REDIS).await;
    let clock = ManualClock::new(Utc::now());
    bot.clock = Arc::new(clock.clone());
    bot.launch().await;
    let mut tx = bot.db.tx(bot.tenant_id()).await;
    catalogue_admin::update_service(
        &mut tx,
        bot.salon.haircut,
        &ServiceField::Description("Wash, cut and styling.".to_owned()),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let olga = admin(&bot, "Olga", AdminRole::Owner).await;
    // Olga writes to the bot first, so it may write to her.
    let _ = panel(&bot, &olga).await;

    // The customer reads the description once she picks the service.
    let alice = bot.user("Alice", "en").await;
    let menu = bot.menu(&alice).await;
    let (_, services) = bot.press(&alice, &menu, "Book").await;
    let (_, staff) = bot.press(&alice, &services, "Haircut").await;
    assert!(
        staff
            .text()
            .starts_with("Haircut\nWash, cut and styling.\n"),
        "{}",
        staff.text()
    );

    let booking = booked(&bot, &alice).await;
    // The notice to the business is due when it was written, by the real clock.
    clock.set(Utc::now() + Duration::seconds(1));
    // Notices to the business are in the business's language (Russian here).
    let told = bot.next(&olga).await;
    assert!(
        told.text().starts_with("🔔 Новая запись"),
        "{}",
        told.text()
    );

    // The day before, she confirms from the reminder; the card says so.
    clock.set(booking.start - Duration::hours(23));
    let reminder = bot.next(&alice).await;
    let (_, _) = bot.press(&alice, &reminder, "I'll be there").await;
    let (_, card) = bot.press(&olga, &told, "Открыть запись").await;
    assert!(
        card.text()
            .contains("✅ The customer confirmed they will come"),
        "{}",
        card.text()
    );

    // After the visit she rates it 1 with a comment: the owner hears of it, comment included.
    clock.set(booking.end + Duration::hours(2) + Duration::minutes(1));
    let mut follow_up = bot.next(&alice).await;
    while !follow_up.text().starts_with("How was your visit") {
        // The 2-hour reminder of a visit now past is dropped, but skip anything before.
        follow_up = bot.next(&alice).await;
    }
    let (_, _thanks) = bot.press(&alice, &follow_up, "1 ⭐").await;
    bot.client
        .send_text(&bot.info.token, alice.id, "Waited 40 minutes")
        .await
        .unwrap();
    let _saved = bot.next(&alice).await;
    let low = bot.next(&olga).await;
    assert!(
        low.text()
            .contains("Низкая оценка — 1 из 5: Haircut, мастер Anna")
            && low.text().contains("Комментарий: «Waited 40 minutes»"),
        "{}",
        low.text()
    );
    let (_, card) = bot.press(&olga, &low, "Открыть запись").await;
    assert!(
        card.text().contains("⭐ Rating: 1/5 — «Waited 40 minutes»"),
        "{}",
        card.text()
    );

    // Analytics: the average, the spread and the comment.
    let menu = panel(&bot, &olga).await;
    let (_, analytics) = bot.press(&olga, &menu, "Analytics").await;
    let (_, ratings) = bot.press(&olga, &analytics, "Ratings").await;
    for part in [
        "Average: 1.0 (ratings: 1)",
        "⭐: 1",
        "⭐⭐⭐⭐⭐: 0",
        "Haircut · Anna: «Waited 40 minutes»",
    ] {
        assert!(
            ratings.text().contains(part),
            "{part:?} in {}",
            ratings.text()
        );
    }
}

#[tokio::test]
async fn an_automatic_release_is_told_to_the_business_too() {
    let mut bot = TestBot::prepare(crate::support::REDIS).await;
    let clock = ManualClock::new(Utc::now());
    bot.clock = Arc::new(clock.clone());
    bot.launch().await;
    let mut tx = bot.db.tx(bot.tenant_id()).await;
    let mut policy = settings::profile(&mut tx).await.unwrap().policy;
    policy.auto_release = Some(booking_core::catalogue::Minutes::new(60));
    policy.validate().unwrap();
    settings::set_policy(&mut tx, &policy).await.unwrap();
    tx.commit().await.unwrap();
    let olga = admin(&bot, "Olga", AdminRole::Owner).await;
    let _ = panel(&bot, &olga).await;
    let alice = bot.user("Alice", "en").await;
    let _menu = bot.menu(&alice).await;
    let booking = booked(&bot, &alice).await;
    // The notice to the business is due when it was written, by the real clock.
    clock.set(Utc::now() + Duration::seconds(1));
    let booked_notice = bot.next(&olga).await;
    assert!(booked_notice.text().starts_with("🔔 Новая запись"));

    clock.set(booking.start - Duration::minutes(59));
    let released = bot.next(&olga).await;
    assert!(
        released
            .text()
            .starts_with("⌛ Запись снята автоматически — клиент не подтвердил визит"),
        "{}",
        released.text()
    );
    assert!(released.button("Открыть запись").is_some());
}
