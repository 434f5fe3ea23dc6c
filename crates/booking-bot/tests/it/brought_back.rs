//! A booking made from a next-visit nudge's button is attributed to the nudge, and the admin's
//! analytics count it in the month it was made, next to the nudges sent.

use std::sync::Arc;

use booking_core::{
    clock::{Clock as _, ManualClock},
    locale::Locale,
};
use chrono::{Datelike as _, Duration, Utc};
use storage::tenant::admins::AdminRole;
use tg_sandbox::{ChatMessage, TestUser};

use crate::{
    admin_support::{admin, panel},
    support::{TestBot, booked},
};

/// The next nudge or win-back (only they carry "Not now"), skipping reminders and follow-ups.
async fn next_offer(bot: &TestBot, user: &TestUser) -> ChatMessage {
    for _ in 0..10 {
        let next = bot.next(user).await;
        if next.buttons().iter().any(|(_, data)| data == "v1:q") {
            return next;
        }
    }
    panic!("no nudge came");
}

#[tokio::test]
async fn a_booking_from_a_nudge_counts_for_nudges_in_its_month() {
    let mut bot = TestBot::prepare(crate::support::REDIS).await;
    let clock = ManualClock::new(Utc::now());
    bot.clock = Arc::new(clock.clone());
    bot.launch().await;

    // Haircuts are nudged four weeks after the visit.
    let mut tx = bot.db.tx(bot.tenant_id()).await;
    sqlx::query("update services set repeat_after_days = 28 where service_id = $1")
        .bind(bot.salon.haircut.get())
        .execute(tx.conn())
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let alice = bot.user("Alice", "en").await;
    bot.menu(&alice).await;
    let visit = booked(&bot, &alice).await;

    let due = visit.end + Duration::days(28) + Duration::minutes(1);
    clock.set(due);
    let nudge = next_offer(&bot, &alice).await;
    let (label, data) = nudge
        .buttons()
        .into_iter()
        .find(|(_, data)| data.starts_with("v1:o:"))
        .expect("an offered time");
    assert!(data.ends_with(":n"), "{data}");
    let (_, confirm) = bot.press(&alice, &nudge, &label).await;
    let (_, done) = bot.press(&alice, &confirm, "Confirm").await;
    assert!(done.text().contains("You are booked"), "{}", done.text());

    let mut tx = bot.db.tx(bot.tenant_id()).await;
    let brought: Vec<(String, Option<String>)> = sqlx::query_as(
        "select status, brought_by from bookings where customer_id = $1 order by starts_at",
    )
    .bind(visit.customer_id.get())
    .fetch_all(tx.conn())
    .await
    .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(brought.len(), 2, "{brought:?}");
    assert_eq!(brought[0].1, None);
    assert_eq!(
        brought[1],
        ("confirmed".to_owned(), Some("nudge".to_owned()))
    );

    let olga = admin(&bot, "Olga", AdminRole::Owner).await;
    let menu = panel(&bot, &olga).await;
    let (_, analytics) = bot.press(&olga, &menu, "Analytics").await;
    let (_, report) = bot.press(&olga, &analytics, "Brought back").await;
    let text = report.text();
    let local = clock.now().with_timezone(&chrono_tz::Europe::Moscow);
    let month = format!("{} {}:", Locale::En.month(local.month0()), local.year());
    assert!(text.contains(&month), "{month} in {text}");
    let after_month = &text[text.find(&month).unwrap()..];
    assert!(
        after_month.contains("Next-visit nudge: sent 1, booked 1"),
        "{text}"
    );
    assert!(!text.contains("Win-back"), "{text}");
}

/// With nothing to count, the report says so and sends no empty chart.
#[tokio::test]
async fn a_report_with_nothing_to_count_sends_no_empty_chart() {
    let bot = TestBot::start().await;
    let olga = admin(&bot, "Olga", AdminRole::Owner).await;
    let menu = panel(&bot, &olga).await;
    let (_, analytics) = bot.press(&olga, &menu, "Analytics").await;
    let (_, report) = bot.press(&olga, &analytics, "Brought back").await;
    assert!(
        report
            .text()
            .contains("No such messages were sent in this period."),
        "{}",
        report.text()
    );
    // Updates of a chat are answered in order: once this press is answered, a chart of the
    // report before it would be in the chat already.
    let _ = bot.press(&olga, &report, "Analytics").await;
    let history = bot.chat(&olga).history().await;
    assert!(history.iter().all(|m| m.photo.is_none()), "{history:?}");
}
