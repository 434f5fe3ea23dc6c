//! Forged and stale buttons change nothing and always get an answer.

use booking_core::{
    booking::{Actor, BookingStatus},
    ids::TelegramUserId,
    policy::Rules,
};
use chrono::{Duration, Utc};
use storage::tenant::{
    bookings::{self, model::BookingRequest, service},
    customers::{self, TelegramProfile},
};

use crate::support::TestBot;

#[tokio::test]
async fn forged_buttons_change_nothing_and_are_answered() {
    let bot = TestBot::start().await;

    // Someone else's confirmed booking, next week.
    let mut tx = bot.db.tx(bot.tenant_id()).await;
    let carol = customers::upsert(
        &mut tx,
        &TelegramProfile {
            telegram_user_id: TelegramUserId(424_242),
            first_name: "Carol".to_owned(),
            last_name: None,
            username: None,
        },
        None,
        Utc::now(),
    )
    .await
    .unwrap();
    let today = Utc::now().date_naive();
    let slot = bookings::slots::free(
        &mut tx,
        bot.salon.haircut,
        None,
        today + Duration::days(7),
        today + Duration::days(14),
        Utc::now(),
    )
    .await
    .unwrap()[0];
    let request = BookingRequest {
        customer: carol.id,
        service: bot.salon.haircut,
        staff: None,
        start: slot.start,
        source: None,
        actor: Actor::Customer(carol.telegram_user_id),
        rules: Rules::Customer,
    };
    let carols = service::book(&mut tx, &request, Utc::now())
        .await
        .unwrap()
        .booking;
    tx.commit().await.unwrap();

    let alice = bot.user("Alice", "en").await;
    let menu = bot.menu(&alice).await;
    let _calendar = bot.calendar(&alice, &menu).await;

    let cases = [
        (format!("v1:X:{}", carols.id), "There is no such booking."),
        (format!("v1:x:{}", carols.id), "There is no such booking."),
        (format!("v1:c:{}", carols.id), "There is no such booking."),
        (
            format!("v1:t:{}", (Utc::now() - Duration::days(1)).timestamp()),
            "This time is in the past.",
        ),
        ("v1:s:999999".to_owned(), "This service is not available."),
        (
            "v1:f:999999".to_owned(),
            "This staff member does not give this service.",
        ),
        (
            (Utc::now() + Duration::days(200))
                .format("v1:d:%Y%m%d")
                .to_string(),
            "There is no free time on this day.",
        ),
        (
            (Utc::now() + Duration::days(400))
                .format("v1:M:%Y%m")
                .to_string(),
            "This button is out of date. Please start again from the menu: /start",
        ),
        // A time in the year 262142: out of date, not a panic.
        (
            "v1:t:8210235340800".to_owned(),
            "This button is out of date. Please start again from the menu: /start",
        ),
        ("hello".to_owned(), "Unknown button. Nothing has changed."),
        ("v1:s:-5".to_owned(), "Unknown button. Nothing has changed."),
        (
            "v9:s:1".to_owned(),
            "This button is from an earlier version of the bot. Please open the menu again: /start",
        ),
    ];
    let all: Vec<String> = cases.iter().map(|(data, _)| data.clone()).collect();
    let forged = bot.forged_buttons(&alice, &all).await;
    for (data, expected) in cases {
        let (answer, after) = bot.press_data(&alice, &forged, &data).await;
        assert_eq!(answer.text.as_deref(), Some(expected), "{data}");
        assert!(answer.show_alert, "{data}");
        assert_eq!(after.edit_count, 0, "{data} changed the screen");
    }

    let mut tx = bot.db.tx(bot.tenant_id()).await;
    let still = bookings::views::get(&mut tx, carols.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(still.status, BookingStatus::Confirmed);
    let alice_customer =
        customers::by_telegram(&mut tx, TelegramUserId(i64::try_from(alice.id.0).unwrap()))
            .await
            .unwrap()
            .unwrap();
    let alices = bookings::views::for_customer(&mut tx, alice_customer.id, true, Utc::now(), 10)
        .await
        .unwrap();
    assert!(alices.is_empty());
    let history = bookings::views::history(&mut tx, carols.id).await.unwrap();
    assert_eq!(history.len(), 1, "{history:?}");
}

#[tokio::test]
async fn a_day_button_without_a_booking_in_progress_says_what_to_do() {
    let bot = TestBot::start().await;
    let alice = bot.user("Alice", "en").await;
    let menu = bot.menu(&alice).await;
    let day = (Utc::now() + Duration::days(3))
        .format("v1:d:%Y%m%d")
        .to_string();
    let stale = bot.forged_buttons(&alice, std::slice::from_ref(&day)).await;
    let (answer, after) = bot.press_data(&alice, &stale, &day).await;
    assert_eq!(
        answer.text.as_deref(),
        Some("This button is out of date. Please start again from the menu: /start")
    );
    assert_eq!(after.edit_count, 0);
    drop(menu);
}
