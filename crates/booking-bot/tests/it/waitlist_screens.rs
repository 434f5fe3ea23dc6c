//! The waitlist seen and left by the customer (My bookings), seen by the business (the admin
//! panel, a staff member only their part), and offered time the schedule opens (a block
//! lifted), in Russian.

use booking_core::{ids::WaitlistId, time::Interval};
use chrono::{Datelike as _, Duration, NaiveDate, Utc};
use chrono_tz::Europe::Moscow;
use storage::tenant::{admins::AdminRole, customers, schedule};
use tg_sandbox::{ChatMessage, TestUser};

use crate::{
    admin_support::{admin_speaking, boris, customer, is_refusal, tid},
    support::TestBot,
    waitlist::{at, fill, free, full_day, join},
};

const WEEKDAYS: [&str; 7] = ["пн", "вт", "ср", "чт", "пт", "сб", "вс"];

/// "ср, 16.12.2026", as the customer reads a date.
fn russian_date(day: NaiveDate) -> String {
    let weekday = WEEKDAYS[day.weekday().num_days_from_monday() as usize];
    format!("{weekday}, {}", day.format("%d.%m.%Y"))
}

/// A customer whose Telegram speaks Russian: /start is the Russian menu at once.
async fn russian(bot: &TestBot, name: &str) -> (TestUser, ChatMessage) {
    let user = bot.user(name, "ru").await;
    bot.command(&user, "/start").await;
    let menu = bot.next(&user).await;
    assert!(menu.text().contains("чем можем помочь"), "{}", menu.text());
    let _ask_phone = bot.next(&user).await;
    (user, menu)
}

/// From the Russian menu to the full day's waitlist, with Anna.
async fn join_in_russian(bot: &TestBot, user: &TestUser, menu: &ChatMessage, day: NaiveDate) {
    let (_, services) = bot.press(user, menu, "Записаться").await;
    let (_, staff) = bot.press(user, &services, "Haircut").await;
    let (_, mut calendar) = bot.press(user, &staff, "Anna").await;
    let today = Utc::now().with_timezone(&Moscow).date_naive();
    if (day.year(), day.month()) != (today.year(), today.month()) {
        calendar = bot.press(user, &calendar, "▶").await.1;
    }
    assert!(
        calendar.text().contains("Дни с 🔔 заняты"),
        "{}",
        calendar.text()
    );
    let (_, ask) = bot
        .press(user, &calendar, &format!("{}🔔", day.day()))
        .await;
    assert!(
        ask.text().contains("свободного времени нет"),
        "{}",
        ask.text()
    );
    let (_, joined) = bot.press(user, &ask, "Встать в лист ожидания").await;
    assert!(
        joined.text().starts_with("Вы в листе ожидания на"),
        "{}",
        joined.text()
    );
}

/// /admin, Availability, Waitlist.
async fn admin_waitlist(bot: &TestBot, admin: &TestUser) -> ChatMessage {
    bot.command(admin, "/admin").await;
    let panel = bot.next(admin).await;
    assert!(panel.text().contains("Админ-панель"), "{}", panel.text());
    let (_, availability) = bot.press(admin, &panel, "Доступность").await;
    let (answer, list) = bot.press(admin, &availability, "Лист ожидания").await;
    assert!(!is_refusal(&answer), "{answer:?}");
    list
}

async fn entry_status(bot: &TestBot, id: i64) -> String {
    let mut tx = bot.db.tx(bot.tenant_id()).await;
    let status: String = sqlx::query_scalar("select status from waitlist where waitlist_id = $1")
        .bind(id)
        .fetch_one(tx.conn())
        .await
        .unwrap();
    tx.commit().await.unwrap();
    status
}

async fn entry_of(bot: &TestBot, user: &TestUser) -> i64 {
    let mut tx = bot.db.tx(bot.tenant_id()).await;
    let id: i64 = sqlx::query_scalar(
        "select w.waitlist_id from waitlist w join customers c using (customer_id) \
         where c.telegram_user_id = $1",
    )
    .bind(tid(user).get())
    .fetch_one(tx.conn())
    .await
    .unwrap();
    tx.commit().await.unwrap();
    id
}

#[tokio::test]
async fn a_customer_sees_their_waitlist_in_my_bookings_and_leaves_it_and_only_theirs() {
    let bot = TestBot::start().await;
    let day = full_day();
    let bobs = fill(&bot, day, bot.salon.anna.id).await;
    let (vera, menu) = russian(&bot, "Вера").await;
    join_in_russian(&bot, &vera, &menu, day).await;
    let carol = bot.user("Carol", "en").await;
    join(&bot, &carol, day).await;
    let (veras, carols) = (entry_of(&bot, &vera).await, entry_of(&bot, &carol).await);

    bot.command(&vera, "/my").await;
    let mine = bot.next(&vera).await;
    assert!(
        mine.text().contains(&format!(
            "🔔 Вы в листе ожидания:\n🔔1 Haircut, {}, мастер Anna",
            russian_date(day)
        )),
        "{}",
        mine.text()
    );
    assert!(mine.button_data("Не ждать 🔔1").is_some(), "{mine:?}");

    // Another customer's entry, pressed through a forged button: refused, nothing changes.
    let leave =
        |id| booking_bot::customer::callback::CallbackData::WaitLeave(WaitlistId(id)).to_string();
    let forged = bot
        .forged_buttons(&vera, &[leave(carols), leave(veras)])
        .await;
    let (answer, _) = bot.press_data(&vera, &forged, &leave(carols)).await;
    assert_eq!(
        answer.text.as_deref(),
        Some("Этой записи в листе ожидания уже нет.")
    );
    assert_eq!(entry_status(&bot, carols).await, "waiting");

    let (answer, after) = bot.press(&vera, &mine, "Не ждать 🔔1").await;
    let left = format!("Вы больше не в листе ожидания на {}.", russian_date(day));
    assert_eq!(answer.text.as_deref(), Some(left.as_str()));
    assert!(after.text().starts_with(&left), "{}", after.text());
    assert!(!after.text().contains("🔔1"), "{}", after.text());
    assert_eq!(entry_status(&bot, veras).await, "cancelled");
    assert_eq!(entry_status(&bot, carols).await, "waiting");
    // Her own entry again, through a stale button: out of date, nothing changes.
    let (answer, _) = bot.press_data(&vera, &forged, &leave(veras)).await;
    assert_eq!(
        answer.text.as_deref(),
        Some("Этой записи в листе ожидания уже нет.")
    );

    // Time freed on the day is offered to Carol only.
    free(&bot, &bobs).await;
    let offer = bot.next(&carol).await;
    assert!(
        offer.text().starts_with("🔔 Time has freed up"),
        "{}",
        offer.text()
    );
    let mut tx = bot.db.tx(bot.tenant_id()).await;
    let offers: i64 =
        sqlx::query_scalar("select count(*) from outbox where kind = 'waitlist_offer'")
            .fetch_one(tx.conn())
            .await
            .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(offers, 1);
}

#[tokio::test]
async fn the_admin_panel_lists_who_waits_and_a_staff_member_sees_only_their_part() {
    let bot = TestBot::start().await;
    let boris = boris(&bot).await;
    let day = full_day();
    fill(&bot, day, bot.salon.anna.id).await;
    let (vera, menu) = russian(&bot, "Вера").await;
    join_in_russian(&bot, &vera, &menu, day).await;
    let vera_id = customer(&bot, &vera).await;
    let mut tx = bot.db.tx(bot.tenant_id()).await;
    customers::set_phone(&mut tx, vera_id, "+79990001122")
        .await
        .unwrap();
    tx.commit().await.unwrap();

    let olga = admin_speaking(&bot, "Ольга", AdminRole::Owner, "ru").await;
    let list = admin_waitlist(&bot, &olga).await;
    let line = format!(
        "{} {} · Haircut · Anna · Вера · +79990001122",
        WEEKDAYS[day.weekday().num_days_from_monday() as usize],
        day.format("%d.%m.%Y")
    );
    assert!(
        list.text().starts_with("🔔 Лист ожидания (1)") && list.text().contains(&line),
        "{}",
        list.text()
    );
    assert!(list.button_data("Доступность").is_some(), "{list:?}");

    // Boris's staff account: Vera waits for Anna, so not for him.
    let borya = admin_speaking(&bot, "Боря", AdminRole::Staff(boris.id), "ru").await;
    let his = admin_waitlist(&bot, &borya).await;
    assert!(
        his.text().starts_with("🔔 Лист ожидания (0)") && his.text().contains("Никто не ждёт."),
        "{}",
        his.text()
    );
    // Anna's sees her.
    let anna = admin_speaking(&bot, "Аня", AdminRole::Staff(bot.salon.anna.id), "ru").await;
    let hers = admin_waitlist(&bot, &anna).await;
    assert!(hers.text().contains(&line), "{}", hers.text());
}

#[tokio::test]
async fn lifting_a_block_offers_the_day_to_whoever_waits_for_it() {
    let bot = TestBot::start().await;
    let day = full_day();
    // Anna's whole day is blocked, so it is full.
    let mut tx = bot.db.tx(bot.tenant_id()).await;
    let whole_day = Interval::new(at(day, 0), at(day + Duration::days(1), 0)).unwrap();
    schedule::block(&mut tx, Some(bot.salon.anna.id), whole_day, "учёба", None)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let (vera, menu) = russian(&bot, "Вера").await;
    join_in_russian(&bot, &vera, &menu, day).await;

    let olga = admin_speaking(&bot, "Ольга", AdminRole::Owner, "ru").await;
    bot.command(&olga, "/admin").await;
    let panel = bot.next(&olga).await;
    let (_, availability) = bot.press(&olga, &panel, "Доступность").await;
    let (_, blocks) = bot.press(&olga, &availability, "Блокировки").await;
    assert!(blocks.text().contains("учёба"), "{}", blocks.text());
    let (answer, _) = bot.press(&olga, &blocks, "🔓").await;
    assert_eq!(answer.text.as_deref(), Some("Разблокировано."));

    let offer = bot.next(&vera).await;
    assert!(
        offer.text().starts_with(&format!(
            "🔔 Освободилось время: Haircut, {}",
            russian_date(day)
        )),
        "{}",
        offer.text()
    );
    // The whole day is free again: the first times of it are offered.
    let labels: Vec<String> = offer.buttons().into_iter().map(|(l, _)| l).collect();
    assert!(labels.iter().any(|l| l == "10:00"), "{labels:?}");
}
