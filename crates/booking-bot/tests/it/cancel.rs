//! My bookings → Cancel → confirmation → cancelled; the cut-off is explained.

use booking_core::{booking::BookingStatus, catalogue::Minutes};
use storage::tenant::{bookings, settings};

use crate::support::{TestBot, booked};

#[tokio::test]
async fn cancelling_asks_first_then_cancels() {
    let bot = TestBot::start().await;
    let alice = bot.user("Alice", "en").await;
    let menu = bot.menu(&alice).await;
    let booking = booked(&bot, &alice).await;

    bot.command(&alice, "/my").await;
    let mine = bot.next(&alice).await;
    assert!(
        mine.text().contains("You have 1 booking:"),
        "{}",
        mine.text()
    );

    let (_, ask) = bot.press(&alice, &mine, "Cancel #1").await;
    assert!(
        ask.text().contains("Cancel this booking?"),
        "{}",
        ask.text()
    );

    // "No" keeps it.
    let (_, kept) = bot.press(&alice, &ask, "No, keep it").await;
    assert!(
        kept.text().contains("You have 1 booking:"),
        "{}",
        kept.text()
    );
    let (_, ask) = bot.press(&alice, &kept, "Cancel #1").await;

    let (answer, done) = bot.press(&alice, &ask, "Yes, cancel").await;
    assert_eq!(answer.text.as_deref(), Some("The booking is cancelled."));
    assert!(
        done.text().contains("You have no upcoming bookings."),
        "{}",
        done.text()
    );

    let mut tx = bot.db.tx(bot.tenant_id()).await;
    let after = bookings::views::get(&mut tx, booking.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(after.status, BookingStatus::Cancelled);
    drop(menu);
}

#[tokio::test]
async fn past_the_cut_off_the_reason_is_shown_and_nothing_changes() {
    let bot = TestBot::start().await;
    let alice = bot.user("Alice", "ru").await;
    bot.command(&alice, "/start").await;
    let menu = bot.next(&alice).await;
    let ask_phone = bot.next(&alice).await;
    assert!(
        ask_phone.text().contains("номером телефона"),
        "{}",
        ask_phone.text()
    );
    let booking = booked(&bot, &alice).await;

    // The business allows cancelling only 30 days ahead, so next week is too late.
    let mut tx = bot.db.tx(bot.tenant_id()).await;
    let mut policy = settings::profile(&mut tx).await.unwrap().policy;
    policy.cancel_cutoff = Minutes::new(30 * 24 * 60);
    settings::set_policy(&mut tx, &policy).await.unwrap();
    tx.commit().await.unwrap();

    let (_, mine) = bot.press(&alice, &menu, "Мои записи").await;
    assert!(mine.text().contains("У вас 1 запись:"), "{}", mine.text());
    let (answer, after) = bot.press(&alice, &mine, "Отменить #1").await;
    assert_eq!(
        answer.text.as_deref(),
        Some("Отменить запись можно не позднее чем за 30 дней до визита. Свяжитесь с нами.")
    );
    assert!(answer.show_alert);
    assert_eq!(after.edit_count, mine.edit_count);

    // A forged "yes" skips the question, not the rule.
    let yes = format!("v1:X:{}", booking.id);
    let forged = bot.forged_buttons(&alice, std::slice::from_ref(&yes)).await;
    let (answer, _) = bot.press_data(&alice, &forged, &yes).await;
    assert!(answer.text.unwrap().contains("30 дней"));
    let mut tx = bot.db.tx(bot.tenant_id()).await;
    let still = bookings::views::get(&mut tx, booking.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(still.status, BookingStatus::Confirmed);
}
