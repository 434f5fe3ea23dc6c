//! Group classes: seats in a session, enforced by the database.

use std::sync::Arc;

use booking_core::{
    booking::{Actor, BookingRejection},
    catalogue::Seats,
    ids::{CustomerId, ServiceId, StaffId, TelegramUserId},
    policy::Rules,
};
use chrono::{DateTime, NaiveDate, Utc};
use storage::{
    BookingError, TenantTx,
    db::PoolSize,
    tenant::{
        bookings::{
            self,
            model::BookingRequest,
            service::{self, Caller, Cancellation},
        },
        catalogue_admin::{self, ServiceField},
    },
};
use test_support::{Salon, TestDb, salon};

use crate::{customer, monday_morning, utc};

fn tuesday() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 6, 2).unwrap()
}

/// 10:00 Moscow on Tuesday.
fn ten() -> DateTime<Utc> {
    utc(2026, 6, 2, 7, 0)
}

fn request(customer: CustomerId, s: &Salon, service: ServiceId) -> BookingRequest {
    request_with(customer, s.anna.id, service)
}

fn request_with(customer: CustomerId, staff: StaffId, service: ServiceId) -> BookingRequest {
    BookingRequest {
        customer,
        service,
        staff: Some(staff),
        start: ten(),
        source: None,
        actor: Actor::Customer(TelegramUserId(customer.get())),
        rules: Rules::Customer,
    }
}

async fn make_class(tx: &mut TenantTx, s: &Salon, seats: i64) -> ServiceId {
    let field = ServiceField::Seats(Some(Seats::new(seats).unwrap()));
    assert!(
        catalogue_admin::update_service(tx, s.haircut, &field)
            .await
            .unwrap()
    );
    s.haircut
}

async fn seats_taken(tx: &mut TenantTx) -> Vec<(i32, i32)> {
    sqlx::query_as("select seats, seats_taken from class_sessions order by session_id")
        .fetch_all(tx.conn())
        .await
        .unwrap()
}

/// 100 customers race, each in its own task and connection, for a class of 10 seats: exactly
/// 10 are booked, the other 90 are told the class is full, and the counter agrees with the
/// rows.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_hundred_customers_racing_for_ten_seats_book_exactly_ten() {
    let t = TestDb::with_pool(PoolSize(25)).await;
    let (tenant, _) = t.tenant("Yoga", chrono_tz::Europe::Moscow).await;
    let mut tx = t.tx(tenant.id).await;
    let s = salon(&mut tx).await;
    let class = make_class(&mut tx, &s, 10).await;
    let mut ids = Vec::new();
    for n in 0..100 {
        ids.push(customer(&mut tx, 20_000 + n).await);
    }
    tx.commit().await.unwrap();

    let db = Arc::new(t.db.clone());
    let now = monday_morning();
    let tasks: Vec<_> = ids
        .into_iter()
        .map(|customer| {
            let db = Arc::clone(&db);
            let staff = s.anna.id;
            tokio::spawn(async move {
                let mut tx = db
                    .tenant(&booking_core::tenant::TenantSchema::for_tenant(tenant.id))
                    .await?;
                let result =
                    service::book(&mut tx, &request_with(customer, staff, class), now).await;
                if result.is_ok() {
                    tx.commit().await?;
                }
                Ok::<_, BookingError>(result)
            })
        })
        .collect();

    let (mut booked, mut full) = (0, 0);
    for task in tasks {
        match task.await.expect("no panic").expect("a transaction opens") {
            Ok(_) => booked += 1,
            Err(BookingError::Rejected(BookingRejection::ClassFull)) => full += 1,
            Err(other) => panic!("unexpected outcome: {other:?}"),
        }
    }
    assert_eq!((booked, full), (10, 90));

    let mut tx = t.tx(tenant.id).await;
    let live: i64 = sqlx::query_scalar(
        "select count(*) from bookings where status = 'confirmed' and session_id is not null",
    )
    .fetch_one(tx.conn())
    .await
    .unwrap();
    assert_eq!(live, 10);
    assert_eq!(seats_taken(&mut tx).await, vec![(10, 10)]);
}

/// The counter holds even against SQL that skips the service: an eleventh seat written
/// straight into the table is refused by the database.
#[tokio::test]
async fn the_database_refuses_a_seat_over_the_count_whoever_writes_it() {
    let t = TestDb::new().await;
    let (tenant, _) = t.tenant("Yoga", chrono_tz::Europe::Moscow).await;
    let mut tx = t.tx(tenant.id).await;
    let s = salon(&mut tx).await;
    let class = make_class(&mut tx, &s, 2).await;
    let now = monday_morning();
    for n in 1..=2 {
        let c = customer(&mut tx, n).await;
        service::book(&mut tx, &request(c, &s, class), now)
            .await
            .unwrap();
    }
    let c3 = customer(&mut tx, 3).await;
    let err = sqlx::query(
        "insert into bookings (customer_id, service_id, staff_id, starts_at, ends_at, occupied, status, session_id) \
         select $1, service_id, staff_id, starts_at, ends_at, occupied, 'confirmed', session_id \
         from bookings limit 1",
    )
    .bind(c3.get())
    .execute(tx.conn())
    .await
    .unwrap_err();
    assert!(matches!(
        BookingError::from(err),
        BookingError::Rejected(BookingRejection::ClassFull)
    ));
}

/// Seats share the staff member's time with each other and nobody else; the free-times screen
/// shows the class while seats remain (with how many), a cancelled seat frees one, and an
/// individual service cannot be booked over the class.
#[tokio::test]
async fn seats_share_the_time_count_down_and_come_back_on_cancel() {
    let t = TestDb::new().await;
    let (tenant, _) = t.tenant("Yoga", chrono_tz::Europe::Moscow).await;
    let mut tx = t.tx(tenant.id).await;
    let s = salon(&mut tx).await;
    let class = make_class(&mut tx, &s, 2).await;
    let now = monday_morning();
    let seats_at_ten = |slots: &[storage::tenant::bookings::model::StaffSlot]| {
        slots
            .iter()
            .find(|x| x.start == ten())
            .map(|x| x.seats_left)
    };
    let free = bookings::slots::free(&mut tx, class, None, tuesday(), tuesday(), now)
        .await
        .unwrap();
    assert_eq!(seats_at_ten(&free), Some(Some(2)));

    let (c1, c2, c3) = (
        customer(&mut tx, 1).await,
        customer(&mut tx, 2).await,
        customer(&mut tx, 3).await,
    );
    let first = service::book(&mut tx, &request(c1, &s, class), now)
        .await
        .unwrap();
    // The same customer twice: refused, and the seat count is untouched.
    let twice = service::book(&mut tx, &request(c1, &s, class), now).await;
    assert!(matches!(
        twice,
        Err(BookingError::Rejected(BookingRejection::AlreadyInClass))
    ));
    let free = bookings::slots::free(&mut tx, class, None, tuesday(), tuesday(), now)
        .await
        .unwrap();
    assert_eq!(seats_at_ten(&free), Some(Some(1)));

    service::book(&mut tx, &request(c2, &s, class), now)
        .await
        .unwrap();
    let free = bookings::slots::free(&mut tx, class, None, tuesday(), tuesday(), now)
        .await
        .unwrap();
    assert_eq!(seats_at_ten(&free), None, "a full class is not offered");
    let third = service::book(&mut tx, &request(c3, &s, class), now).await;
    assert!(matches!(
        third,
        Err(BookingError::Rejected(BookingRejection::ClassFull))
    ));

    // A seat is not moved: it belongs to its session.
    let moved = service::reschedule(
        &mut tx,
        first.booking.id,
        &Caller::customer(first.actor, c1),
        utc(2026, 6, 2, 11, 0),
        now,
    )
    .await;
    assert!(matches!(
        moved,
        Err(BookingError::Rejected(BookingRejection::SeatNotMovable))
    ));

    service::cancel(
        &mut tx,
        first.booking.id,
        &Caller::customer(first.actor, c1),
        Cancellation::default(),
        now,
    )
    .await
    .unwrap();
    assert_eq!(seats_taken(&mut tx).await, vec![(2, 1)]);
    let free = bookings::slots::free(&mut tx, class, None, tuesday(), tuesday(), now)
        .await
        .unwrap();
    assert_eq!(seats_at_ten(&free), Some(Some(1)));
    service::book(&mut tx, &request(c3, &s, class), now)
        .await
        .unwrap();

    // The staff member's time is the class's: an individual visit cannot go over it.
    let massage = storage::tenant::catalogue::create_service(
        &mut tx,
        &storage::tenant::catalogue::NewService {
            name: "Massage".to_owned(),
            description: String::new(),
            timing: booking_core::catalogue::ServiceTiming::simple(
                booking_core::catalogue::Minutes::new(60),
            )
            .unwrap(),
            price: booking_core::catalogue::Price(0),
            sort_order: 1,
        },
    )
    .await
    .unwrap();
    storage::tenant::catalogue_admin::toggle_staff_service(&mut tx, s.anna.id, massage.id)
        .await
        .unwrap();
    let over = service::book(&mut tx, &request(c1, &s, massage.id), now).await;
    assert!(matches!(
        over,
        Err(BookingError::Rejected(BookingRejection::SlotTaken))
    ));
    let free = bookings::slots::free(&mut tx, massage.id, None, tuesday(), tuesday(), now)
        .await
        .unwrap();
    assert!(
        free.iter()
            .all(|x| x.start != ten() && x.seats_left.is_none())
    );
}

/// An owner who adds seats to a full class opens them in its sessions already booked; one who
/// removes seats never takes a booked seat away.
#[tokio::test]
async fn a_new_class_size_applies_to_sessions_already_open() {
    let t = TestDb::new().await;
    let (tenant, _) = t.tenant("Yoga", chrono_tz::Europe::Moscow).await;
    let mut tx = t.tx(tenant.id).await;
    let s = salon(&mut tx).await;
    let class = make_class(&mut tx, &s, 2).await;
    let now = monday_morning();
    let mut customers = Vec::new();
    for n in 1..=4 {
        customers.push(customer(&mut tx, n).await);
    }
    for c in &customers[..2] {
        service::book(&mut tx, &request(*c, &s, class), now)
            .await
            .unwrap();
    }
    let full = service::book(&mut tx, &request(customers[2], &s, class), now).await;
    assert!(
        matches!(
            full,
            Err(BookingError::Rejected(BookingRejection::ClassFull))
        ),
        "{full:?}"
    );

    make_class(&mut tx, &s, 3).await;
    assert_eq!(seats_taken(&mut tx).await, vec![(3, 2)]);
    service::book(&mut tx, &request(customers[2], &s, class), now)
        .await
        .unwrap();

    // Fewer seats than are taken: the session keeps its three, and is full.
    make_class(&mut tx, &s, 2).await;
    assert_eq!(seats_taken(&mut tx).await, vec![(3, 3)]);
    let full = service::book(&mut tx, &request(customers[3], &s, class), now).await;
    assert!(
        matches!(
            full,
            Err(BookingError::Rejected(BookingRejection::ClassFull))
        ),
        "{full:?}"
    );
}
