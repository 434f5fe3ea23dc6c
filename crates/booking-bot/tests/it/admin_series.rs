//! A phoned-in series from the admin panel: planned before anything is booked (a blocked date
//! with the nearest free time instead), a time taken meanwhile fails the whole confirm with a
//! fresh plan, and the confirm books every visit linked as one series.

use chrono::{DateTime, Datelike as _, Duration, NaiveDate, TimeZone as _, Utc, Weekday};
use storage::tenant::{admins::AdminRole, schedule};

use crate::{
    admin_support::{admin, booking_at, customer, panel, say},
    support::TestBot,
};

const ZONE: chrono_tz::Tz = chrono_tz::Europe::Moscow;

fn at(day: NaiveDate, hour: u32) -> DateTime<Utc> {
    ZONE.from_local_datetime(&day.and_hms_opt(hour, 0, 0).unwrap())
        .unwrap()
        .with_timezone(&Utc)
}

fn shown(day: NaiveDate, hour: u32) -> String {
    format!("{} {hour:02}:00", day.format("%d.%m.%Y"))
}

/// (start, series) of every booking of the phone-only customers.
async fn phoned_in(bot: &TestBot) -> Vec<(DateTime<Utc>, Option<i64>)> {
    let mut tx = bot.db.tx(bot.tenant_id()).await;
    let rows = sqlx::query_as(
        "select b.starts_at, b.series_id from bookings b join customers c using (customer_id) \
          where c.telegram_user_id < 0 and b.status = 'confirmed' order by b.starts_at",
    )
    .fetch_all(tx.conn())
    .await
    .unwrap();
    tx.commit().await.unwrap();
    rows
}

#[tokio::test]
async fn a_phoned_in_series_is_planned_then_booked_whole_or_planned_afresh() {
    let bot = TestBot::start().await;
    let mut first = Utc::now().with_timezone(&ZONE).date_naive() + Duration::days(2);
    while first.weekday() != Weekday::Wed {
        first += Duration::days(1);
    }
    let second = first + Duration::weeks(2);
    let mut tx = bot.db.tx(bot.tenant_id()).await;
    schedule::block(
        &mut tx,
        Some(bot.salon.anna.id),
        booking_core::time::Interval {
            start: at(second, 9),
            end: at(second, 13),
        },
        "training",
        None,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();

    let olga = admin(&bot, "Olga", AdminRole::Owner).await;
    let menu = panel(&bot, &olga).await;
    let (_, services) = bot.press(&olga, &menu, "Phoned-in").await;
    let (_, staff) = bot.press(&olga, &services, "Haircut").await;
    let (_, ask) = bot.press(&olga, &staff, "Anna").await;
    assert!(ask.text().contains("4 weekly"), "{}", ask.text());

    let unreadable = say(
        &bot,
        &olga,
        &format!(
            "{} 10:00; Maria; +7 900 123-45-67; 30 weekly",
            first.format("%d.%m.%Y")
        ),
    )
    .await;
    assert!(
        unreadable.text().contains("2 to 12"),
        "{}",
        unreadable.text()
    );

    let plan = say(
        &bot,
        &olga,
        &format!(
            "{} 10:00; Maria; +7 900 123-45-67; 3 every 2 weeks",
            first.format("%d.%m.%Y")
        ),
    )
    .await;
    let text = plan.text();
    assert!(
        text.contains(&format!("1. {} — free", shown(first, 10))),
        "{text}"
    );
    let blocked = format!(
        "2. {} — not possible: This time is blocked. Nearest free: {}",
        shown(second, 10),
        shown(second, 14)
    );
    assert!(text.contains(&blocked), "{blocked} in {text}");
    let third = first + Duration::weeks(4);
    assert!(
        text.contains(&format!("3. {} — free", shown(third, 10))),
        "{text}"
    );
    assert!(
        phoned_in(&bot).await.is_empty(),
        "nothing is booked before the press"
    );

    // Someone takes the time offered instead before the admin presses: nothing is booked, and
    // the fresh plan offers the next nearest time.
    let carol = bot.user("Carol", "en").await;
    let carol = customer(&bot, &carol).await;
    booking_at(&bot, carol, bot.salon.anna.id, at(second, 14)).await;
    let (_, fresh) = bot.press(&olga, &plan, "With the times instead (3)").await;
    assert!(
        fresh
            .text()
            .starts_with("Some of these times were taken meanwhile"),
        "{}",
        fresh.text()
    );
    assert!(
        fresh
            .text()
            .contains(&format!("Nearest free: {}", shown(second, 15))),
        "{}",
        fresh.text()
    );
    assert!(phoned_in(&bot).await.is_empty(), "not half a series");

    let (answer, card) = bot.press(&olga, &fresh, "With the times instead (3)").await;
    assert_eq!(answer.text.as_deref(), Some("Booked 3 visits."));
    assert!(card.text().contains("Maria"), "{}", card.text());
    let booked = phoned_in(&bot).await;
    let starts: Vec<DateTime<Utc>> = booked.iter().map(|b| b.0).collect();
    assert_eq!(starts, [at(first, 10), at(second, 15), at(third, 10)]);
    let series = booked[0].1.expect("a series");
    assert!(booked.iter().all(|b| b.1 == Some(series)), "{booked:?}");
}
