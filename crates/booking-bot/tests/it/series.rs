//! Recurring visits through the real bot, in Russian, on the injected clock: a weekly series
//! of four whose third week collides with a block is shown with the nearest free time instead,
//! booked whole (each visit with its reminders), and "cancel this and the rest" cancels the
//! later ones.

use std::sync::Arc;

use booking_core::{
    clock::{Clock as _, ManualClock},
    time::Interval,
};
use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc, Weekday};
use sqlx::Row as _;
use storage::tenant::{schedule, settings};
use tg_sandbox::{ChatMessage, TestUser};

use crate::support::{TestBot, telegram};

const ZONE: chrono_tz::Tz = chrono_tz::Europe::Moscow;
const RU_DAYS: [&str; 7] = ["Пн", "Вт", "Ср", "Чт", "Пт", "Сб", "Вс"];

fn at(day: NaiveDate, hour: u32) -> DateTime<Utc> {
    ZONE.from_local_datetime(&day.and_hms_opt(hour, 0, 0).unwrap())
        .unwrap()
        .with_timezone(&Utc)
}

/// "Вт 15.12 10:00", as the bot labels a time.
fn label(day: NaiveDate, hour: u32) -> String {
    format!(
        "{} {} {hour:02}:00",
        RU_DAYS[day.weekday().num_days_from_monday() as usize],
        day.format("%d.%m")
    )
}

/// The customer's bookings: (id, start, status, series).
async fn bookings_of(
    bot: &TestBot,
    user: &TestUser,
) -> Vec<(i64, DateTime<Utc>, String, Option<i64>)> {
    let mut tx = bot.db.tx(bot.tenant_id()).await;
    sqlx::query(
        "select b.booking_id, b.starts_at, b.status, b.series_id from bookings b \
           join customers c using (customer_id) where c.telegram_user_id = $1 \
          order by b.starts_at",
    )
    .bind(telegram(user).get())
    .fetch_all(tx.conn())
    .await
    .unwrap()
    .into_iter()
    .map(|r| {
        (
            r.get("booking_id"),
            r.get("starts_at"),
            r.get("status"),
            r.get("series_id"),
        )
    })
    .collect()
}

/// (reminders waiting, reminders cancelled) of a booking.
async fn reminders(bot: &TestBot, id: i64) -> (i64, i64) {
    let mut tx = bot.db.tx(bot.tenant_id()).await;
    let row = sqlx::query(
        "select count(*) filter (where cancelled_at is null and sent_at is null) as waiting, \
                count(*) filter (where cancelled_at is not null) as cancelled \
           from outbox where booking_id = $1 and kind = 'reminder'",
    )
    .bind(id)
    .fetch_one(tx.conn())
    .await
    .unwrap();
    (row.get("waiting"), row.get("cancelled"))
}

fn data_of(message: &ChatMessage, label: &str) -> String {
    message
        .buttons()
        .into_iter()
        .find(|(l, _)| l == label)
        .unwrap_or_else(|| panic!("no button {label:?} in {:?}", message.buttons()))
        .1
}

#[tokio::test]
async fn a_weekly_series_lists_the_blocked_week_with_a_time_instead_and_cancels_the_rest() {
    let mut bot = TestBot::prepare(crate::support::REDIS).await;
    let clock = ManualClock::new(Utc::now());
    bot.clock = Arc::new(clock.clone());
    bot.launch().await;
    let now = clock.now();

    // The first visit: a Tuesday at least two days ahead, 10:00; the third week's morning is
    // blocked for Anna. Room for the whole series under the active-booking limit.
    let mut first = now.with_timezone(&ZONE).date_naive() + Duration::days(2);
    while first.weekday() != Weekday::Tue {
        first += Duration::days(1);
    }
    let third = first + Duration::weeks(2);
    let mut tx = bot.db.tx(bot.tenant_id()).await;
    schedule::block(
        &mut tx,
        Some(bot.salon.anna.id),
        Interval {
            start: at(third, 9),
            end: at(third, 13),
        },
        "учёба",
        None,
    )
    .await
    .unwrap();
    let mut policy = settings::profile(&mut tx).await.unwrap().policy;
    policy.max_active_bookings = 10;
    settings::set_policy(&mut tx, &policy).await.unwrap();
    tx.commit().await.unwrap();

    // A customer whose Telegram speaks Russian: /start (no language asked), no phone.
    let maria = bot.user("Мария", "ru").await;
    bot.command(&maria, "/start").await;
    let menu = bot.next(&maria).await;
    assert!(menu.text().contains("чем можем помочь"), "{}", menu.text());
    let _ask_phone = bot.next(&maria).await;
    let (_, services) = bot.press(&maria, &menu, "Записаться").await;
    let (_, staff) = bot.press(&maria, &services, "Haircut").await;
    let (_, calendar) = bot.press(&maria, &staff, "Anna").await;
    let day = format!("v1:d:{}", first.format("%Y%m%d"));
    let has_day = |m: &ChatMessage| m.buttons().iter().any(|(_, d)| *d == day);
    let calendar = if has_day(&calendar) {
        calendar
    } else {
        bot.press(&maria, &calendar, "▶").await.1
    };
    assert!(has_day(&calendar), "{:?}", calendar.buttons());
    let (_, times) = bot.press_data(&maria, &calendar, &day).await;
    let (_, confirm) = bot.press(&maria, &times, "10:00").await;
    assert!(confirm.text().contains("10:00"), "{}", confirm.text());

    let (_, every) = bot.press(&maria, &confirm, "🔁 Повторять").await;
    assert!(every.text().contains("как часто"), "{}", every.text());
    let (_, times) = bot.press(&maria, &every, "Каждую неделю").await;
    assert!(
        times.text().contains("Повторять каждую неделю"),
        "{}",
        times.text()
    );
    let (_, plan) = bot.press_data(&maria, &times, &data_of(&times, "4")).await;
    let text = plan.text();
    assert!(text.contains("каждую неделю, 4 записи"), "{text}");
    for (n, day) in [
        (1, first),
        (2, first + Duration::weeks(1)),
        (4, first + Duration::weeks(3)),
    ] {
        let line = format!("{n}. {} — свободно", label(day, 10));
        assert!(text.contains(&line), "{line} in {text}");
    }
    let collision = format!(
        "3. {} — не получится. Это время закрыто. Ближайшее свободное: {}",
        label(third, 10),
        label(third, 14)
    );
    assert!(text.contains(&collision), "{collision} in {text}");
    // Nothing is booked before the confirm.
    assert!(
        bookings_of(&bot, &maria)
            .await
            .iter()
            .all(|(.., status, _)| status == "held"),
        "{:?}",
        bookings_of(&bot, &maria).await
    );

    let (_, done) = bot.press(&maria, &plan, "✅ Со временем взамен (4)").await;
    assert!(
        done.text().starts_with("Готово! Вы записаны"),
        "{}",
        done.text()
    );
    assert!(done.text().contains(&label(third, 14)), "{}", done.text());

    let booked = bookings_of(&bot, &maria).await;
    let starts: Vec<DateTime<Utc>> = booked.iter().map(|b| b.1).collect();
    assert_eq!(
        starts,
        [
            at(first, 10),
            at(first + Duration::weeks(1), 10),
            at(third, 14),
            at(first + Duration::weeks(3), 10)
        ]
    );
    let series = booked[0].0;
    for (id, _, status, in_series) in &booked {
        assert_eq!(status, "confirmed");
        assert_eq!(*in_series, Some(series));
        let (waiting, _) = reminders(&bot, *id).await;
        assert!(waiting >= 1, "booking {id} has no reminder");
    }

    // My bookings: the second visit, "cancel this and the rest".
    let (_, mine) = bot.press(&maria, &done, "Меню").await;
    let (_, mine) = bot.press(&maria, &mine, "Мои записи").await;
    let (_, ask) = bot.press(&maria, &mine, "Отменить #2").await;
    assert!(ask.text().contains("часть серии"), "{}", ask.text());
    assert!(
        ask.buttons()
            .iter()
            .any(|(l, _)| l == "Отменить только эту"),
        "{:?}",
        ask.buttons()
    );
    let (answer, after) = bot
        .press(&maria, &ask, "Отменить эту и следующие (3)")
        .await;
    assert_eq!(answer.text.as_deref(), Some("Отменено: 3 записи."));
    assert!(
        after.text().starts_with("Отменено: 3 записи."),
        "{}",
        after.text()
    );

    let now_booked = bookings_of(&bot, &maria).await;
    let statuses: Vec<&str> = now_booked.iter().map(|b| b.2.as_str()).collect();
    assert_eq!(
        statuses,
        ["confirmed", "cancelled", "cancelled", "cancelled"]
    );
    assert_eq!(reminders(&bot, now_booked[0].0).await.1, 0);
    for (id, ..) in &now_booked[1..] {
        let (waiting, cancelled) = reminders(&bot, *id).await;
        assert_eq!(waiting, 0, "booking {id}");
        assert!(cancelled >= 1, "booking {id}");
    }
}
