//! The panel speaks the admin's language: a Russian owner reads Russian errors, units, dates
//! and history, types Russian keywords and durations, and every press is answered.

use booking_core::Tz;
use chrono::{Datelike as _, Duration, Utc};
use storage::tenant::admins::AdminRole;
use tg_sandbox::TestUser;

use crate::{
    admin_support::{admin_speaking, booking_with, customer, say},
    support::TestBot,
};

const ZONE: Tz = chrono_tz::Europe::Moscow;
const WEEKDAYS: [&str; 7] = ["пн", "вт", "ср", "чт", "пт", "сб", "вс"];

async fn panel(bot: &TestBot, user: &TestUser) -> tg_sandbox::ChatMessage {
    bot.command(user, "/admin").await;
    let menu = bot.next(user).await;
    assert!(menu.text().contains("Админ-панель"), "{}", menu.text());
    menu
}

#[tokio::test]
async fn a_russian_owner_reads_and_types_the_panel_in_russian() {
    let bot = TestBot::start().await;
    let carol = bot.user("Карина", "ru").await;
    let carol_id = customer(&bot, &carol).await;
    let booked = booking_with(&bot, carol_id, bot.salon.anna.id, 7).await;
    let olga = admin_speaking(&bot, "Ольга", AdminRole::Owner, "ru").await;

    // A new service: the wrong shape, a duration it cannot read, then Russian units and a
    // price written with a space; nothing is created until the line is right.
    let menu = panel(&bot, &olga).await;
    let (_, services) = bot.press(&olga, &menu, "Услуги и мастера").await;
    let (_, ask) = bot.press(&olga, &services, "Новая услуга").await;
    assert!(ask.text().contains("1 ч 30 мин"), "{}", ask.text());
    let shape = say(&bot, &olga, "Окрашивание 90 минут 4500").await;
    assert_eq!(
        shape.text(),
        "⚠️ Нужно три части через «;»: название; длительность; цена — например: Стрижка; 1 час; 1500."
    );
    let unit = say(&bot, &olga, "Окрашивание; полтора часа; 4500").await;
    assert_eq!(
        unit.text(),
        "⚠️ Не понимаю длительность «полтора часа». Пишите, например: 90, 90 мин, 1 час, 1 ч 30 мин."
    );
    let created = say(&bot, &olga, "Окрашивание; 1 ч 30 мин; 4 500").await;
    assert_eq!(created.text(), "Создано.");
    let card = bot.next(&olga).await;
    for part in ["Длительность: 1 час 30 минут", "Цена: 4\u{a0}500\u{a0}₽"]
    {
        assert!(card.text().contains(part), "{part:?} in {}", card.text());
    }
    let (_, ask) = bot.press(&olga, &card, "✏️ Длительность").await;
    assert!(ask.text().contains("1 час"), "{}", ask.text());
    let saved = say(&bot, &olga, "1 час").await;
    assert_eq!(saved.text(), "Сохранено.");
    let card = bot.next(&olga).await;
    assert!(
        card.text().contains("Длительность: 1 час\n"),
        "{}",
        card.text()
    );

    // Weekly hours in Russian words: a run of days, a break, a day off.
    let menu = panel(&bot, &olga).await;
    let (_, availability) = bot.press(&olga, &menu, "Доступность").await;
    let (_, ask) = bot.press(&olga, &availability, "🕘 Часы работы").await;
    assert!(
        ask.text().contains("пн-пт 09:00-18:00 перерыв 13:00-14:00"),
        "{}",
        ask.text()
    );
    let bad = say(&bot, &olga, "пн-пт 10:00-19:00\nвоскр 10:00-12:00").await;
    assert_eq!(
        bad.text(),
        "⚠️ Не знаю день недели «воскр». Пишите пн, вт, ср, чт, пт, сб, вс (или подряд: пн-пт)."
    );
    let saved = say(
        &bot,
        &olga,
        "пн-сб 09:00-19:00 перерыв 14:00-15:00\nвс выходной",
    )
    .await;
    for part in [
        "пн 09:00-19:00 перерыв 14:00-15:00",
        "сб 09:00-19:00 перерыв 14:00-15:00",
        "вс выходной",
    ] {
        assert!(saved.text().contains(part), "{part:?} in {}", saved.text());
    }

    // Blocking time: the example is tomorrow; pressing a staff member is answered and shows
    // whose block it is; a bad date is named in Russian.
    let (_, availability) = bot.press(&olga, &saved, "Доступность").await;
    let (_, ask) = bot.press(&olga, &availability, "Заблокировать время").await;
    let tomorrow = (Utc::now().with_timezone(&ZONE).date_naive() + Duration::days(1))
        .format("%d.%m.%Y")
        .to_string();
    assert!(
        ask.text().contains("Блокировка для: все мастера")
            && ask.text().contains(&format!("{tomorrow} — весь день")),
        "{}",
        ask.text()
    );
    let (answer, ask) = bot.press(&olga, &ask, "Anna").await;
    assert_eq!(answer.text.as_deref(), Some("🔒 Anna"));
    assert!(
        ask.text().contains("Блокировка для: Anna"),
        "{}",
        ask.text()
    );
    assert!(ask.button("✅ Anna").is_some(), "{:?}", ask.buttons());
    let bad = say(&bot, &olga, "32.13").await;
    assert_eq!(
        bad.text(),
        "⚠️ Не понимаю дату «32.13». Пишите ДД.ММ.ГГГГ или ДД.ММ, например 25.12."
    );

    // The week and the day carry Russian weekdays; the card's history is in words.
    let day = booked.start.with_timezone(&ZONE).date_naive();
    let weekday = WEEKDAYS[usize::try_from(day.weekday().num_days_from_monday()).unwrap()];
    let menu = panel(&bot, &olga).await;
    let (_, week) = bot.press(&olga, &menu, "Неделя").await;
    let (_, next_week) = bot.press(&olga, &week, "▶").await;
    assert!(
        next_week
            .text()
            .contains(&format!("{weekday} {}", day.format("%d.%m"))),
        "{}",
        next_week.text()
    );
    let (_, the_day) = bot
        .press(&olga, &next_week, &day.format("%d.%m").to_string())
        .await;
    assert!(
        the_day
            .text()
            .starts_with(&format!("📅 {weekday} {}", day.format("%d.%m.%Y"))),
        "{}",
        the_day.text()
    );
    let label = format!(
        "{} Карина",
        booked.start.with_timezone(&ZONE).format("%H:%M")
    );
    let (_, card) = bot.press(&olga, &the_day, &label).await;
    for part in [
        "Статус: подтверждена",
        "История:",
        "запись создана (бот)",
        &format!("{weekday} {}", day.format("%d.%m.%Y")),
    ] {
        assert!(card.text().contains(part), "{part:?} in {}", card.text());
    }
}
