//! A group class through the real bot, in Russian: a customer books a seat, the next one sees
//! one seat less, and once the class is full the next customer is offered the waitlist (from
//! the calendar, and from a time button pressed after the last seat went).

use booking_core::catalogue::Seats;
use chrono::{Datelike, Duration, NaiveDate, Utc, Weekday};
use chrono_tz::Europe::Moscow;
use storage::tenant::{
    catalogue_admin::{self, ServiceField},
    schedule::{self},
};
use tg_sandbox::{ChatMessage, TestUser};

use crate::support::{REDIS, TestBot};

/// A Wednesday at least a week ahead, in the salon's zone.
fn class_day() -> NaiveDate {
    let mut day = Utc::now().with_timezone(&Moscow).date_naive() + Duration::days(7);
    while day.weekday() != Weekday::Wed {
        day += Duration::days(1);
    }
    day
}

/// /start from a Russian Telegram (the bot asks no language), to the main menu.
async fn menu_ru(bot: &TestBot, user: &TestUser) -> ChatMessage {
    bot.command(user, "/start").await;
    let menu = bot.next(user).await;
    assert!(menu.text().contains("чем можем помочь"), "{}", menu.text());
    let ask = bot.next(user).await;
    assert!(ask.text().contains("поделитесь номером"), "{}", ask.text());
    menu
}

/// Menu → Записаться → the class → Anna: the calendar of the class's month.
async fn calendar_ru(bot: &TestBot, user: &TestUser, day: NaiveDate) -> ChatMessage {
    let menu = menu_ru(bot, user).await;
    let (_, services) = bot.press(user, &menu, "Записаться").await;
    let (_, staff) = bot.press(user, &services, "Haircut").await;
    let (_, mut calendar) = bot.press(user, &staff, "Anna").await;
    assert!(
        calendar.text().contains("Выберите день"),
        "{}",
        calendar.text()
    );
    let today = Utc::now().with_timezone(&Moscow).date_naive();
    if (day.year(), day.month()) != (today.year(), today.month()) {
        calendar = bot.press(user, &calendar, "▶").await.1;
    }
    calendar
}

/// The times of `day` on the calendar.
async fn times_ru(
    bot: &TestBot,
    user: &TestUser,
    calendar: &ChatMessage,
    day: NaiveDate,
) -> ChatMessage {
    let data = format!("v1:d:{}", day.format("%Y%m%d"));
    assert!(
        calendar.buttons().iter().any(|(_, d)| *d == data),
        "{:?}",
        calendar.buttons()
    );
    bot.press_data(user, calendar, &data).await.1
}

/// Presses 10:00 and confirms: a seat is booked.
async fn take_seat(bot: &TestBot, user: &TestUser, times: &ChatMessage) {
    let (_, confirm) = bot.press(user, times, "10:00").await;
    assert!(confirm.text().contains("Haircut"), "{}", confirm.text());
    let (_, done) = bot.press(user, &confirm, "Подтвердить").await;
    assert!(done.text().contains("Вы записаны"), "{}", done.text());
}

#[tokio::test]
async fn seats_count_down_in_russian_and_a_full_class_offers_the_waitlist() {
    let mut bot = TestBot::prepare(REDIS).await;
    // The salon's haircut becomes a class of two, given once a day at 10:00.
    {
        let mut tx = bot.db.tx(bot.tenant_id()).await;
        let seats = ServiceField::Seats(Some(Seats::new(2).unwrap()));
        assert!(
            catalogue_admin::update_service(&mut tx, bot.salon.haircut, &seats)
                .await
                .unwrap()
        );
        let plan = booking_core::schedule::DayPlan::new(
            vec![booking_core::schedule::LocalRange::parse("10:00-11:00").unwrap()],
            vec![],
        )
        .unwrap();
        schedule::set_weekly(
            &mut tx,
            None,
            &booking_core::schedule::WeeklyHours::uniform(&plan, &[0, 1, 2, 3, 4, 5]),
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
    }
    bot.launch().await;
    let day = class_day();

    // Alice: two seats free; she takes one.
    let alice = bot.user("Алиса", "ru").await;
    let calendar = calendar_ru(&bot, &alice, day).await;
    let times = times_ru(&bot, &alice, &calendar, day).await;
    assert!(
        times.text().contains("10:00 — свободно 2 места"),
        "{}",
        times.text()
    );
    take_seat(&bot, &alice, &times).await;

    // Boris sees one seat less, and keeps his time screen open a while.
    let boris = bot.user("Борис", "ru").await;
    let calendar = calendar_ru(&bot, &boris, day).await;
    let times = times_ru(&bot, &boris, &calendar, day).await;
    assert!(
        times.text().contains("10:00 — свободно 1 место"),
        "{}",
        times.text()
    );
    // Vera opens the same day meanwhile, then Boris takes the last seat.
    let vera = bot.user("Вера", "ru").await;
    let calendar = calendar_ru(&bot, &vera, day).await;
    let stale = times_ru(&bot, &vera, &calendar, day).await;
    take_seat(&bot, &boris, &times).await;

    // Vera presses 10:00 on her stale screen: the class is full, and the day's waitlist is
    // offered instead.
    let (answer, ask) = bot.press(&vera, &stale, "10:00").await;
    assert!(
        answer
            .text
            .as_deref()
            .unwrap_or_default()
            .contains("не осталось свободных мест"),
        "{answer:?}"
    );
    assert!(
        ask.text().contains("Встать в лист ожидания?"),
        "{}",
        ask.text()
    );

    // Galina, the next customer: the day is full in the calendar (🔔) and she joins its
    // waitlist from there.
    let galina = bot.user("Галина", "ru").await;
    let calendar = calendar_ru(&bot, &galina, day).await;
    let wait = format!("v1:w:{}", day.format("%Y%m%d"));
    assert!(
        calendar.buttons().iter().any(|(_, d)| *d == wait),
        "{:?}",
        calendar.buttons()
    );
    let (_, ask) = bot.press_data(&galina, &calendar, &wait).await;
    assert!(
        ask.text().contains("Встать в лист ожидания?"),
        "{}",
        ask.text()
    );
    let (_, joined) = bot.press(&galina, &ask, "Встать в лист ожидания").await;
    assert!(
        joined.text().starts_with("Вы в листе ожидания"),
        "{}",
        joined.text()
    );

    // Two seats, two confirmed bookings, one class session.
    let mut tx = bot.db.tx(bot.tenant_id()).await;
    let seats: (i64, i32) = sqlx::query_as(
        "select (select count(*) from bookings where status = 'confirmed'), \
                (select seats_taken from class_sessions)",
    )
    .fetch_one(tx.conn())
    .await
    .unwrap();
    assert_eq!(seats, (2, 2));
}
