use booking_core::{
    booking::{Actor, BookingRejection, BookingStatus},
    ids::TelegramUserId,
    policy::Rules,
    time::Interval,
};
use chrono::{Duration, NaiveDate};
use storage::{
    BookingError,
    tenant::{
        bookings::{
            self,
            model::BookingRequest,
            service::{self, BookingChange, Caller, Cancellation},
        },
        catalogue, schedule,
    },
};
use test_support::{TestDb, salon};

use crate::{customer, monday_morning, utc};

fn tuesday() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 6, 2).unwrap()
}

fn request(
    customer: booking_core::ids::CustomerId,
    s: &test_support::Salon,
    start: chrono::DateTime<chrono::Utc>,
) -> BookingRequest {
    BookingRequest {
        customer,
        service: s.haircut,
        staff: Some(s.anna.id),
        start,
        source: Some("test".to_owned()),
        actor: Actor::Customer(TelegramUserId(1)),
        rules: Rules::Customer,
    }
}

fn rejected(r: Result<BookingChange, BookingError>) -> BookingRejection {
    match r {
        Err(BookingError::Rejected(why)) => why,
        other => panic!("expected a rejection, got {other:?}"),
    }
}

#[tokio::test]
async fn free_slots_exclude_bookings_live_holds_and_blocked_periods() {
    let t = TestDb::new().await;
    let (tenant, _) = t.tenant("Salon", chrono_tz::Europe::Moscow).await;
    let mut tx = t.tx(tenant.id).await;
    let s = salon(&mut tx).await;
    let (c1, c2) = (customer(&mut tx, 1).await, customer(&mut tx, 2).await);
    let now = monday_morning();
    let all = bookings::slots::free(&mut tx, s.haircut, None, tuesday(), tuesday(), now)
        .await
        .unwrap();
    // 09..13 and 14..18 Moscow: eight hourly slots.
    assert_eq!(all.len(), 8);

    service::book(&mut tx, &request(c1, &s, utc(2026, 6, 2, 6, 0)), now)
        .await
        .unwrap(); // 09:00
    service::hold(&mut tx, &request(c2, &s, utc(2026, 6, 2, 7, 0)), now)
        .await
        .unwrap(); // 10:00
    schedule::block(
        &mut tx,
        None,
        Interval::new(utc(2026, 6, 2, 11, 0), utc(2026, 6, 2, 13, 0)).unwrap(),
        "training",
        None,
    )
    .await
    .unwrap(); // 14:00-16:00
    let free: Vec<_> = bookings::slots::free(&mut tx, s.haircut, None, tuesday(), tuesday(), now)
        .await
        .unwrap()
        .into_iter()
        .map(|f| f.start)
        .collect();
    assert_eq!(
        free,
        vec![
            utc(2026, 6, 2, 8, 0),
            utc(2026, 6, 2, 9, 0),
            utc(2026, 6, 2, 13, 0),
            utc(2026, 6, 2, 14, 0)
        ]
    );
    // Past the hold's five minutes, the held time is offered again.
    let later = now + Duration::minutes(6);
    let free = bookings::slots::free(&mut tx, s.haircut, None, tuesday(), tuesday(), later)
        .await
        .unwrap();
    assert!(free.iter().any(|f| f.start == utc(2026, 6, 2, 7, 0)));
    // And the blocked time cannot be booked by a forged request either.
    let c3 = customer(&mut tx, 3).await;
    assert_eq!(
        rejected(service::book(&mut tx, &request(c3, &s, utc(2026, 6, 2, 11, 0)), now).await),
        BookingRejection::Blocked
    );
}

#[tokio::test]
async fn an_expired_hold_blocks_nobody_and_an_unwanted_one_can_still_be_confirmed() {
    let t = TestDb::new().await;
    let (tenant, _) = t.tenant("Salon", chrono_tz::Europe::Moscow).await;
    let mut tx = t.tx(tenant.id).await;
    let s = salon(&mut tx).await;
    let (slow, fast) = (customer(&mut tx, 1).await, customer(&mut tx, 2).await);
    let now = monday_morning();
    let ten = utc(2026, 6, 2, 7, 0);

    let held = service::hold(&mut tx, &request(slow, &s, ten), now)
        .await
        .unwrap()
        .booking;
    assert_eq!(held.status, BookingStatus::Held);
    // While the hold is live, nobody else gets the time.
    assert_eq!(
        rejected(service::book(&mut tx, &request(fast, &s, ten), now + Duration::minutes(1)).await),
        BookingRejection::SlotTaken
    );
    // After it lapses, the other customer does, and the hold is marked expired.
    let taken = service::book(&mut tx, &request(fast, &s, ten), now + Duration::minutes(6))
        .await
        .unwrap()
        .booking;
    assert_eq!(taken.status, BookingStatus::Confirmed);
    assert_eq!(
        bookings::views::get(&mut tx, held.id)
            .await
            .unwrap()
            .unwrap()
            .status,
        BookingStatus::Expired
    );
    // The slow customer's late confirm is told the time was taken.
    let late = service::confirm(
        &mut tx,
        held.id,
        slow,
        Actor::Customer(TelegramUserId(1)),
        now + Duration::minutes(7),
    )
    .await;
    assert_eq!(rejected(late), BookingRejection::SlotTaken);

    // A lapsed hold nobody wanted is confirmed as if on time.
    let eleven = utc(2026, 6, 2, 8, 0);
    let held = service::hold(&mut tx, &request(slow, &s, eleven), now)
        .await
        .unwrap()
        .booking;
    let confirmed = service::confirm(
        &mut tx,
        held.id,
        slow,
        Actor::Customer(TelegramUserId(1)),
        now + Duration::minutes(30),
    )
    .await
    .unwrap()
    .booking;
    assert_eq!(confirmed.status, BookingStatus::Confirmed);
    // Someone else's hold is not found, whatever its id.
    let other = service::hold(&mut tx, &request(fast, &s, utc(2026, 6, 2, 9, 0)), now)
        .await
        .unwrap()
        .booking;
    assert_eq!(
        rejected(
            service::confirm(
                &mut tx,
                other.id,
                slow,
                Actor::Customer(TelegramUserId(1)),
                now
            )
            .await
        ),
        BookingRejection::NotFound
    );
}

#[tokio::test]
async fn rescheduling_to_a_taken_time_keeps_the_old_booking_and_history_records_every_change() {
    let t = TestDb::new().await;
    let (tenant, _) = t.tenant("Salon", chrono_tz::Europe::Moscow).await;
    let mut tx = t.tx(tenant.id).await;
    let s = salon(&mut tx).await;
    let (c1, c2) = (customer(&mut tx, 1).await, customer(&mut tx, 2).await);
    let now = monday_morning();
    let mine = service::book(&mut tx, &request(c1, &s, utc(2026, 6, 2, 6, 0)), now)
        .await
        .unwrap()
        .booking;
    service::book(&mut tx, &request(c2, &s, utc(2026, 6, 2, 8, 0)), now)
        .await
        .unwrap();
    tx.commit().await.unwrap();

    let actor = Actor::Customer(TelegramUserId(1));
    let mut tx = t.tx(tenant.id).await;
    let clash = service::reschedule(
        &mut tx,
        mine.id,
        &Caller {
            actor,
            rules: Rules::Customer,
            customer: Some(c1),
        },
        utc(2026, 6, 2, 8, 0),
        now,
    )
    .await;
    assert!(
        matches!(
            clash,
            Err(BookingError::Rejected(BookingRejection::SlotTaken))
        ),
        "{clash:?}"
    );
    tx.commit().await.unwrap(); // even committing after the failure keeps the old time

    let mut tx = t.tx(tenant.id).await;
    let kept = bookings::views::get(&mut tx, mine.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (kept.start, kept.status),
        (utc(2026, 6, 2, 6, 0), BookingStatus::Confirmed)
    );

    let moved = service::reschedule(
        &mut tx,
        mine.id,
        &Caller {
            actor,
            rules: Rules::Customer,
            customer: Some(c1),
        },
        utc(2026, 6, 2, 11, 0),
        now,
    )
    .await
    .unwrap();
    assert_eq!(moved.booking.start, utc(2026, 6, 2, 11, 0));
    assert_eq!(moved.booking.id, mine.id);
    // Another customer cannot move or cancel it.
    let theirs = service::cancel(
        &mut tx,
        mine.id,
        &Caller {
            actor: Actor::Customer(TelegramUserId(2)),
            rules: Rules::Customer,
            customer: Some(c2),
        },
        Cancellation::default(),
        now,
    )
    .await;
    assert!(matches!(
        theirs,
        Err(BookingError::Rejected(BookingRejection::NotFound))
    ));
    service::cancel(
        &mut tx,
        mine.id,
        &Caller {
            actor,
            rules: Rules::Customer,
            customer: Some(c1),
        },
        Cancellation {
            reason: Some("plans changed".to_owned()),
            apology: false,
        },
        now,
    )
    .await
    .unwrap();
    let actions: Vec<_> = bookings::views::history(&mut tx, mine.id)
        .await
        .unwrap()
        .into_iter()
        .map(|h| (h.action, h.actor_kind))
        .collect();
    assert_eq!(
        actions,
        vec![
            ("create".to_owned(), "customer".to_owned()),
            ("reschedule".to_owned(), "customer".to_owned()),
            ("cancel".to_owned(), "customer".to_owned())
        ]
    );
}

#[tokio::test]
async fn policy_rules_refuse_with_their_reason() {
    let t = TestDb::new().await;
    let (tenant, _) = t.tenant("Salon", chrono_tz::Europe::Moscow).await;
    let mut tx = t.tx(tenant.id).await;
    let s = salon(&mut tx).await;
    let c = customer(&mut tx, 1).await;
    let now = monday_morning(); // 08:00 Moscow; default notice is one hour

    assert_eq!(
        rejected(service::book(&mut tx, &request(c, &s, utc(2026, 6, 1, 5, 30)), now).await),
        BookingRejection::TooSoon {
            min_notice: booking_core::catalogue::Minutes::new(60)
        }
    );
    assert_eq!(
        rejected(service::book(&mut tx, &request(c, &s, utc(2026, 6, 2, 10, 0)), now).await),
        BookingRejection::OutsideWorkingHours, // 13:00 Moscow is the break
    );
    assert_eq!(
        rejected(service::book(&mut tx, &request(c, &s, utc(2026, 6, 7, 7, 0)), now).await),
        BookingRejection::OutsideWorkingHours, // Sunday
    );
    assert_eq!(
        rejected(service::book(&mut tx, &request(c, &s, utc(2026, 9, 1, 7, 0)), now).await),
        BookingRejection::BeyondHorizon { days: 60 }
    );
    // Three active bookings is the default limit.
    for h in [6, 7, 8] {
        service::book(&mut tx, &request(c, &s, utc(2026, 6, 3, h, 0)), now)
            .await
            .unwrap();
    }
    assert_eq!(
        rejected(service::book(&mut tx, &request(c, &s, utc(2026, 6, 4, 6, 0)), now).await),
        BookingRejection::LimitReached { limit: 3 }
    );
    // Staff booking for a customer who phoned in is not held to the customer limit or notice.
    let now = utc(2026, 6, 1, 5, 30); // 08:30 Moscow, half an hour before 09:00
    let mut staff = request(c, &s, utc(2026, 6, 1, 6, 0));
    assert_eq!(
        rejected(service::book(&mut tx, &staff, now).await),
        BookingRejection::LimitReached { limit: 3 }
    );
    staff.rules = Rules::Staff;
    staff.actor = Actor::Admin(TelegramUserId(99));
    service::book(&mut tx, &staff, now).await.unwrap();
    // The cancel cut-off (two hours) applies to customers.
    let soon = bookings::views::for_customer(&mut tx, c, true, now, 10)
        .await
        .unwrap();
    let first = soon.first().unwrap();
    assert_eq!(first.booking.start, utc(2026, 6, 1, 6, 0));
    assert_eq!(
        rejected(
            service::cancel(
                &mut tx,
                first.booking.id,
                &Caller {
                    actor: Actor::Customer(TelegramUserId(1)),
                    rules: Rules::Customer,
                    customer: Some(c)
                },
                Cancellation::default(),
                now
            )
            .await
        ),
        BookingRejection::CancelCutoffPassed {
            cutoff: booking_core::catalogue::Minutes::new(120)
        }
    );
}

#[tokio::test]
async fn any_staff_falls_through_to_whoever_is_free() {
    let t = TestDb::new().await;
    let (tenant, _) = t.tenant("Salon", chrono_tz::Europe::Moscow).await;
    let mut tx = t.tx(tenant.id).await;
    let s = salon(&mut tx).await;
    let boris = catalogue::create_staff(&mut tx, "Boris", &[s.haircut])
        .await
        .unwrap();
    let (c1, c2, c3) = (
        customer(&mut tx, 1).await,
        customer(&mut tx, 2).await,
        customer(&mut tx, 3).await,
    );
    let now = monday_morning();
    let ten = utc(2026, 6, 2, 7, 0);
    let any = |c| BookingRequest {
        staff: None,
        ..request(c, &s, ten)
    };
    let first = service::book(&mut tx, &any(c1), now).await.unwrap().booking;
    let second = service::book(&mut tx, &any(c2), now).await.unwrap().booking;
    assert_eq!((first.staff_id, second.staff_id), (s.anna.id, boris.id));
    assert_eq!(
        rejected(service::book(&mut tx, &any(c3), now).await),
        BookingRejection::SlotTaken
    );
    let day = bookings::views::for_day(&mut tx, tuesday(), None)
        .await
        .unwrap();
    assert_eq!(day.len(), 2);
    assert_eq!(day[0].customer_name, "Customer 1");
    let only_boris = bookings::views::for_day(&mut tx, tuesday(), Some(boris.id))
        .await
        .unwrap();
    assert_eq!(only_boris.len(), 1);
}
