use std::sync::Arc;

use booking_core::{
    booking::{Actor, BookingRejection},
    ids::TelegramUserId,
    policy::Rules,
};
use chrono::Duration;
use storage::{
    BookingError,
    db::PoolSize,
    tenant::bookings::{self, model::BookingRequest, service},
};
use test_support::{TestDb, salon};

use crate::{customer, monday_morning, utc};

/// 500 customers try to book overlapping times with one staff member at once: one wins, the
/// other 499 get a typed "slot taken", none panics or sees an internal error.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn five_hundred_concurrent_overlapping_bookings_yield_exactly_one() {
    let t = TestDb::with_pool(PoolSize(20)).await;
    let (tenant, _) = t.tenant("Salon", chrono_tz::Europe::Moscow).await;
    let mut tx = t.tx(tenant.id).await;
    let s = salon(&mut tx).await;
    // The service lasts 60 minutes with a 30-minute grid, so 10:00, 10:30 and 11:00 overlap
    // one another pairwise (10:00 and 11:00 only touch). Customers pick 10:00 or 10:30.
    sqlx::query("update services set interval_min = 30")
        .execute(tx.conn())
        .await
        .unwrap();
    let mut ids = Vec::new();
    for n in 0..500 {
        ids.push(customer(&mut tx, 10_000 + n).await);
    }
    tx.commit().await.unwrap();

    let db = Arc::new(t.db.clone());
    let now = monday_morning();
    let tasks: Vec<_> = ids
        .into_iter()
        .enumerate()
        .map(|(n, customer)| {
            let db = Arc::clone(&db);
            let start = if n % 2 == 0 {
                utc(2026, 6, 2, 7, 0)
            } else {
                utc(2026, 6, 2, 7, 30)
            };
            tokio::spawn(async move {
                let mut tx = db
                    .tenant(&booking_core::tenant::TenantSchema::for_tenant(tenant.id))
                    .await?;
                let req = BookingRequest {
                    customer,
                    service: s.haircut,
                    staff: Some(s.anna.id),
                    start,
                    source: None,
                    actor: Actor::Customer(TelegramUserId(n as i64)),
                    rules: Rules::Customer,
                };
                let result = service::book(&mut tx, &req, now).await;
                if result.is_ok() {
                    tx.commit().await?;
                }
                Ok::<_, BookingError>(result)
            })
        })
        .collect();

    let (mut won, mut taken) = (0, 0);
    for task in tasks {
        match task
            .await
            .expect("no panic")
            .expect("no storage error opening a transaction")
        {
            Ok(_) => won += 1,
            Err(BookingError::Rejected(BookingRejection::SlotTaken)) => taken += 1,
            Err(other) => panic!("expected a typed slot-taken error, got {other:?}"),
        }
    }
    assert_eq!((won, taken), (1, 499));

    let mut tx = t.tx(tenant.id).await;
    let live: i64 =
        sqlx::query_scalar("select count(*) from bookings where status in ('held', 'confirmed')")
            .fetch_one(tx.conn())
            .await
            .unwrap();
    assert_eq!(live, 1);
    // And the winner's slot is gone from the free list, its neighbours with it.
    let free = bookings::slots::free(
        &mut tx,
        s.haircut,
        None,
        utc(2026, 6, 2, 0, 0).date_naive(),
        utc(2026, 6, 2, 0, 0).date_naive(),
        now,
    )
    .await
    .unwrap();
    let taken_start =
        sqlx::query_scalar::<_, chrono::DateTime<chrono::Utc>>("select starts_at from bookings")
            .fetch_one(tx.conn())
            .await
            .unwrap();
    assert!(
        free.iter()
            .all(|f| (f.start - taken_start).abs() >= Duration::minutes(60))
    );
}

/// One customer tapping Book many times at once cannot slip past the active-booking limit:
/// requests of one customer are serialised, and each counts with a snapshot taken after the
/// previous one committed.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_requests_of_one_customer_respect_the_active_limit() {
    let t = TestDb::with_pool(PoolSize(12)).await;
    let (tenant, _) = t.tenant("Salon", chrono_tz::Europe::Moscow).await;
    let mut tx = t.tx(tenant.id).await;
    let s = salon(&mut tx).await;
    let policy = booking_core::policy::Policy {
        max_active_bookings: 2,
        ..Default::default()
    };
    storage::tenant::settings::set_policy(&mut tx, &policy)
        .await
        .unwrap();
    let me = customer(&mut tx, 1).await;
    tx.commit().await.unwrap();

    let db = Arc::new(t.db.clone());
    let now = monday_morning();
    // Twenty different free times on Tuesday to Thursday, all requested at once.
    let starts: Vec<_> = (0..20)
        .map(|n| {
            utc(
                2026,
                6,
                2 + n / 6,
                [6, 7, 8, 9, 11, 12][(n % 6) as usize],
                0,
            )
        })
        .collect();
    let tasks: Vec<_> = starts
        .into_iter()
        .map(|start| {
            let db = Arc::clone(&db);
            tokio::spawn(async move {
                let mut tx = db
                    .tenant(&booking_core::tenant::TenantSchema::for_tenant(tenant.id))
                    .await?;
                let req = BookingRequest {
                    customer: me,
                    service: s.haircut,
                    staff: Some(s.anna.id),
                    start,
                    source: None,
                    actor: Actor::Customer(TelegramUserId(1)),
                    rules: Rules::Customer,
                };
                let result = service::book(&mut tx, &req, now).await;
                if result.is_ok() {
                    tx.commit().await?;
                }
                Ok::<_, BookingError>(result)
            })
        })
        .collect();
    let (mut won, mut limited) = (0, 0);
    for task in tasks {
        match task.await.unwrap().unwrap() {
            Ok(_) => won += 1,
            Err(BookingError::Rejected(BookingRejection::LimitReached { limit: 2 })) => {
                limited += 1
            }
            Err(other) => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!((won, limited), (2, 18));
}
