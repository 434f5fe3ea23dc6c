//! The waitlist: a full day offers it in the calendar; when time frees up the waiting
//! customers are offered it and the first to press gets it, the others are told it was taken
//! and offered the nearest free times.

use booking_core::{
    booking::Actor,
    ids::{StaffId, TelegramUserId},
    policy::Rules,
    time::Interval,
};
use chrono::{Datelike, Duration, NaiveDate, TimeZone, Utc, Weekday};
use chrono_tz::Europe::Moscow;
use storage::tenant::{
    bookings::{
        self,
        model::{Booking, BookingRequest},
        service::{self, Caller, Cancellation},
    },
    customers::{self, TelegramProfile},
    schedule,
};
use tg_sandbox::{ChatMessage, TestUser};

use crate::support::TestBot;

/// A Wednesday at least a week ahead, in the salon's zone.
pub(crate) fn full_day() -> NaiveDate {
    let mut day = Utc::now().with_timezone(&Moscow).date_naive() + Duration::days(7);
    while day.weekday() != Weekday::Wed {
        day += Duration::days(1);
    }
    day
}

pub(crate) fn at(day: NaiveDate, hour: u32) -> chrono::DateTime<Utc> {
    Moscow
        .from_local_datetime(&day.and_hms_opt(hour, 0, 0).unwrap())
        .single()
        .unwrap()
        .with_timezone(&Utc)
}

/// Anna's `day` blocked but for 17:00-18:00, which Bob books: the day is full.
pub(crate) async fn fill(bot: &TestBot, day: NaiveDate, anna: StaffId) -> Booking {
    let mut tx = bot.db.tx(bot.tenant_id()).await;
    let period = Interval {
        start: at(day, 9),
        end: at(day, 17),
    };
    schedule::block(&mut tx, Some(anna), period, "training", None)
        .await
        .unwrap();
    let bob = customers::upsert(
        &mut tx,
        &TelegramProfile {
            telegram_user_id: TelegramUserId(990_000_001),
            first_name: "Bob".into(),
            last_name: None,
            username: None,
        },
        None,
        Utc::now(),
    )
    .await
    .unwrap();
    let request = BookingRequest {
        customer: bob.id,
        service: bot.salon.haircut,
        staff: Some(anna),
        start: at(day, 17),
        source: None,
        actor: Actor::Customer(bob.telegram_user_id),
        rules: Rules::Customer,
    };
    let booking = service::book(&mut tx, &request, Utc::now())
        .await
        .unwrap()
        .booking;
    tx.commit().await.unwrap();
    booking
}

/// The salon cancels Bob's visit, which frees 17:00.
pub(crate) async fn free(bot: &TestBot, booking: &Booking) {
    let mut tx = bot.db.tx(bot.tenant_id()).await;
    service::cancel(
        &mut tx,
        booking.id,
        &Caller::staff(Actor::Admin(TelegramUserId(1))),
        Cancellation {
            reason: Some("Bob called".to_owned()),
            apology: false,
        },
        Utc::now(),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
}

/// Alice (or anyone) from the menu to the full day's "join the waitlist", and joins.
pub(crate) async fn join(bot: &TestBot, user: &TestUser, day: NaiveDate) {
    let menu = bot.menu(user).await;
    let mut calendar = bot.calendar(user, &menu).await;
    let today = Utc::now().with_timezone(&Moscow).date_naive();
    if (day.year(), day.month()) != (today.year(), today.month()) {
        calendar = bot.press(user, &calendar, "▶").await.1;
    }
    assert!(
        calendar.text().contains("Days with 🔔 are full"),
        "{}",
        calendar.text()
    );
    let (_, ask) = bot
        .press(user, &calendar, &format!("{}🔔", day.day()))
        .await;
    assert!(
        ask.text()
            .contains("there is no free time. Join the waitlist?"),
        "{}",
        ask.text()
    );
    let (_, joined) = bot.press(user, &ask, "🔔 Join the waitlist").await;
    assert!(
        joined.text().starts_with("You are on the waitlist for"),
        "{}",
        joined.text()
    );
}

async fn offer(bot: &TestBot, user: &TestUser) -> ChatMessage {
    let offer = bot.next(user).await;
    assert!(
        offer.text().starts_with("🔔 Time has freed up: Haircut"),
        "{}",
        offer.text()
    );
    let labels: Vec<String> = offer.buttons().into_iter().map(|(l, _)| l).collect();
    assert_eq!(labels, ["17:00"]);
    offer
}

#[tokio::test]
async fn a_waiting_customer_is_offered_freed_time_and_gets_it() {
    let bot = TestBot::start().await;
    let day = full_day();
    let bobs = fill(&bot, day, bot.salon.anna.id).await;
    let alice = bot.user("Alice", "en").await;
    join(&bot, &alice, day).await;

    free(&bot, &bobs).await;
    let offered = offer(&bot, &alice).await;
    let (_, booked) = bot.press(&alice, &offered, "17:00").await;
    assert!(
        booked.text().contains("You are booked"),
        "{}",
        booked.text()
    );
    let mut tx = bot.db.tx(bot.tenant_id()).await;
    let on_day = bookings::views::for_day(&mut tx, day, Some(bot.salon.anna.id))
        .await
        .unwrap();
    assert_eq!(on_day.len(), 1);
    assert_eq!(on_day[0].customer_name, "Alice");
    assert_eq!(on_day[0].booking.start, at(day, 17));
}

#[tokio::test]
async fn the_first_to_press_gets_the_time_and_the_next_is_offered_the_nearest() {
    let bot = TestBot::start().await;
    let day = full_day();
    let bobs = fill(&bot, day, bot.salon.anna.id).await;
    let alice = bot.user("Alice", "en").await;
    let carol = bot.user("Carol", "en").await;
    join(&bot, &alice, day).await;
    join(&bot, &carol, day).await;

    free(&bot, &bobs).await;
    let to_alice = offer(&bot, &alice).await;
    let to_carol = offer(&bot, &carol).await;
    let (_, booked) = bot.press(&alice, &to_alice, "17:00").await;
    assert!(
        booked.text().contains("You are booked"),
        "{}",
        booked.text()
    );

    let (answer, nearest) = bot.press(&carol, &to_carol, "17:00").await;
    assert_eq!(
        answer.text.as_deref(),
        Some("This time has just been taken.")
    );
    assert!(
        nearest.text().contains("The nearest free times"),
        "{}",
        nearest.text()
    );
    // The nearest times are real buttons: pressing one holds it for Carol.
    let time = crate::support::first_data(&nearest, "v1:t:");
    let (_, confirm) = bot.press_data(&carol, &nearest, &time).await;
    assert!(
        confirm.text().starts_with("Please check"),
        "{}",
        confirm.text()
    );
}

#[tokio::test]
async fn forged_waitlist_rating_and_confirm_buttons_change_nothing() {
    use booking_bot::customer::callback::CallbackData as C;

    let bot = TestBot::start().await;
    let day = full_day();
    let bobs = fill(&bot, day, bot.salon.anna.id).await;
    let alice = bot.user("Alice", "en").await;
    join(&bot, &alice, day).await;
    let mut tx = bot.db.tx(bot.tenant_id()).await;
    let alices_entry: i64 = sqlx::query_scalar("select waitlist_id from waitlist")
        .fetch_one(tx.conn())
        .await
        .unwrap();
    drop(tx);

    let carol = bot.user("Carol", "en").await;
    let _menu = bot.menu(&carol).await;
    let forged = [
        C::WaitTake(booking_core::ids::WaitlistId(alices_entry), at(day, 17)),
        C::WaitJoin(day),
        C::Rate(bobs.id, 1),
        C::ConfirmVisit(bobs.id),
    ];
    let data: Vec<String> = forged.iter().map(ToString::to_string).collect();
    let message = bot.forged_buttons(&carol, &data).await;
    let answers = [
        "This offer is no longer valid.",
        "This button is out of date. Please start again from the menu: /start",
        "There is no such booking.",
        "There is no such booking.",
    ];
    for (d, want) in data.iter().zip(answers) {
        let (answer, _) = bot.press_data(&carol, &message, d).await;
        assert_eq!(answer.text.as_deref(), Some(want), "{d}");
    }

    let mut tx = bot.db.tx(bot.tenant_id()).await;
    let waiting: i64 = sqlx::query_scalar("select count(*) from waitlist where status = 'waiting'")
        .fetch_one(tx.conn())
        .await
        .unwrap();
    assert_eq!(waiting, 1, "only Alice waits");
    let row: (String, Option<i16>, bool) = sqlx::query_as(
        "select status, rating, customer_confirmed_at is not null from bookings where booking_id = $1",
    )
    .bind(bobs.id.get())
    .fetch_one(tx.conn())
    .await
    .unwrap();
    assert_eq!(row, ("confirmed".to_owned(), None, false));
}
