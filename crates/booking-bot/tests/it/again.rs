//! One-tap "again": from past visits and from the post-visit message, concrete times with the
//! same staff member on the visit's weekday and time of day, one tap to the confirm screen.

use booking_core::{booking::BookingStatus, ids::BookingId};
use chrono::{Datelike, Duration, TimeZone, Utc, Weekday};
use storage::tenant::bookings;

use crate::{
    admin_support::{booking_at, customer},
    support::TestBot,
};

const ZONE: chrono_tz::Tz = chrono_tz::Europe::Moscow;
const EN_DAYS: [&str; 7] = ["Mo", "Tu", "We", "Th", "Fr", "Sa", "Su"];

/// A completed visit two weeks ago (three, if that was a Sunday, when the salon is closed) at
/// 11:00 Moscow time; its weekday's abbreviation.
async fn completed_visit(bot: &TestBot, user: &tg_sandbox::TestUser) -> (BookingId, &'static str) {
    let id = customer(bot, user).await;
    let today = Utc::now().with_timezone(&ZONE).date_naive();
    let mut day = today - Duration::days(14);
    if day.weekday() == Weekday::Sun {
        day -= Duration::days(1);
    }
    let start = ZONE
        .from_local_datetime(&day.and_hms_opt(11, 0, 0).unwrap())
        .unwrap()
        .with_timezone(&Utc);
    let visit = booking_at(bot, id, bot.salon.anna.id, start).await;
    let mut tx = bot.db.tx(bot.tenant_id()).await;
    sqlx::query("update bookings set status = 'completed' where booking_id = $1")
        .bind(visit.get())
        .execute(tx.conn())
        .await
        .unwrap();
    tx.commit().await.unwrap();
    (
        visit,
        EN_DAYS[day.weekday().num_days_from_monday() as usize],
    )
}

#[tokio::test]
async fn again_from_past_visits_offers_the_same_weekday_and_time_one_tap_from_confirm() {
    let bot = TestBot::start().await;
    let alice = bot.user("Alice", "en").await;
    let menu = bot.menu(&alice).await;
    let (visit, weekday) = completed_visit(&bot, &alice).await;

    let (_, mine) = bot.press(&alice, &menu, "My bookings").await;
    let (_, past) = bot.press(&alice, &mine, "Past visits").await;
    let (_, offers) = bot.press(&alice, &past, "Again #1").await;
    assert!(
        offers
            .text()
            .starts_with("Haircut with Anna again? The nearest times like your last visit"),
        "{}",
        offers.text()
    );
    let times: Vec<(String, String)> = offers
        .buttons()
        .into_iter()
        .filter(|(_, data)| data.starts_with("v1:o:"))
        .collect();
    assert!(!times.is_empty(), "{:?}", offers.buttons());
    // The visit's weekday at its time comes first: every offer is a later one of them (the
    // salon is free for four weeks ahead).
    for (label, _) in &times {
        assert!(
            label.starts_with(weekday) && label.ends_with("11:00"),
            "{label} in {:?}",
            offers.buttons()
        );
    }

    let (first_label, _) = times[0].clone();
    let (_, confirm) = bot.press(&alice, &offers, &first_label).await;
    assert!(
        confirm.text().contains("Haircut with Anna"),
        "{}",
        confirm.text()
    );
    assert!(confirm.text().contains("11:00"), "{}", confirm.text());
    let (_, done) = bot.press(&alice, &confirm, "Confirm").await;
    assert!(done.text().contains("You are booked"), "{}", done.text());

    let mut tx = bot.db.tx(bot.tenant_id()).await;
    let old = bookings::views::get(&mut tx, visit).await.unwrap().unwrap();
    let upcoming = bookings::views::for_customer(&mut tx, old.customer_id, true, Utc::now(), 10)
        .await
        .unwrap();
    assert_eq!(upcoming.len(), 1);
    let new = &upcoming[0].booking;
    assert_eq!(new.status, BookingStatus::Confirmed);
    assert_eq!(
        (new.service_id, new.staff_id),
        (old.service_id, old.staff_id)
    );
    let local = new.start.with_timezone(&ZONE);
    assert_eq!(local.weekday(), old.start.with_timezone(&ZONE).weekday());
    assert_eq!(local.format("%H:%M").to_string(), "11:00");
}

/// The post-visit message carries "Book again"; a forged offer for a staff member who does not
/// give the service is refused, and nothing is held.
#[tokio::test]
async fn again_from_the_post_visit_message_and_forged_offers_are_refused() {
    let bot = TestBot::start().await;
    let alice = bot.user("Alice", "en").await;
    bot.menu(&alice).await;
    let (visit, weekday) = completed_visit(&bot, &alice).await;

    // The follow-up of the visit, queued as the booking service queues it.
    let mut tx = bot.db.tx(bot.tenant_id()).await;
    sqlx::query(
        "insert into outbox (kind, booking_id, chat_id, payload, due_at) \
         values ('follow_up', $1, $2, '{}', now())",
    )
    .bind(visit.get())
    .bind(i64::try_from(alice.id.0).unwrap())
    .execute(tx.conn())
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let follow_up = bot.next(&alice).await;
    assert!(
        follow_up.button_data("Book again").is_some(),
        "{:?}",
        follow_up.buttons()
    );
    let (_, offers) = bot.press(&alice, &follow_up, "Book again").await;
    let first = offers
        .buttons()
        .into_iter()
        .find(|(_, data)| data.starts_with("v1:o:"))
        .unwrap_or_else(|| panic!("no offer in {:?}", offers.buttons()));
    assert!(first.0.starts_with(weekday), "{first:?}");
    let (_, confirm) = bot.press(&alice, &offers, &first.0).await;
    assert!(
        confirm.text().contains("Haircut with Anna"),
        "{}",
        confirm.text()
    );

    // Forged: a staff member who does not exist. Refused with the reason, nothing held.
    let start = first.1.rsplit(':').next().unwrap();
    let forged = format!("v1:o:{}:999999:{start}", bot.salon.haircut);
    let message = bot
        .forged_buttons(&alice, std::slice::from_ref(&forged))
        .await;
    let (answer, _) = bot.press_data(&alice, &message, &forged).await;
    assert!(answer.show_alert, "{answer:?}");
    let held: i64 = sqlx::query_scalar("select count(*) from bookings where staff_id = 999999")
        .fetch_one(bot.db.tx(bot.tenant_id()).await.conn())
        .await
        .unwrap();
    assert_eq!(held, 0);
}
