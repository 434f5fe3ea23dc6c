//! The booking service writes every consequence of a change in the change's transaction:
//! who is told (outbox rows), what is audited, and nothing for a rolled-back change.

use booking_core::{
    booking::{Actor, BookingStatus},
    change::ChangeKind,
    ids::{BookingId, TelegramUserId},
    policy::Rules,
};
use chrono::Duration;
use sqlx::Row;
use storage::{
    TenantTx,
    tenant::{
        admins::{self, AdminRole},
        bookings::{
            model::BookingRequest,
            service::{self, Caller, Cancellation},
        },
        outbox::message::Message,
    },
};
use test_support::{Salon, TestDb, salon};

use crate::{customer, monday_morning, utc};

const OWNER: i64 = 900;
const ADMIN: i64 = 901;
/// A staff member's own account: hears only of their own bookings.
const OTHER_STAFF: i64 = 902;

async fn staffed(tx: &mut TenantTx) -> Salon {
    let s = salon(tx).await;
    let other = storage::tenant::catalogue::create_staff(tx, "Boris", &[s.haircut])
        .await
        .unwrap();
    for (id, role) in [
        (OWNER, AdminRole::Owner),
        (ADMIN, AdminRole::Admin),
        (OTHER_STAFF, AdminRole::Staff(other.id)),
    ] {
        admins::upsert(tx, TelegramUserId(id), role, "x", None)
            .await
            .unwrap();
    }
    s
}

/// (kind, chat) of every outbox row about `booking` that is not a scheduled reminder.
async fn told(tx: &mut TenantTx, booking: BookingId) -> Vec<(String, i64)> {
    let rows = sqlx::query(
        "select kind, chat_id from outbox where booking_id = $1 \
           and kind in ('customer_notice', 'admin_notice') order by kind, chat_id",
    )
    .bind(booking.get())
    .fetch_all(tx.conn())
    .await
    .unwrap();
    rows.iter()
        .map(|r| (r.get("kind"), r.get("chat_id")))
        .collect()
}

async fn audited(tx: &mut TenantTx) -> Vec<(Option<i64>, String)> {
    let rows = sqlx::query("select actor_id, action from audit_log order by audit_id")
        .fetch_all(tx.conn())
        .await
        .unwrap();
    rows.iter()
        .map(|r| (r.get("actor_id"), r.get("action")))
        .collect()
}

fn request(
    customer: booking_core::ids::CustomerId,
    s: &Salon,
    actor: Actor,
    rules: Rules,
) -> BookingRequest {
    BookingRequest {
        customer,
        service: s.haircut,
        staff: Some(s.anna.id),
        start: utc(2026, 6, 2, 6, 0),
        source: None,
        actor,
        rules,
    }
}

#[tokio::test]
async fn an_api_booking_tells_the_customer_and_the_admins_who_follow_its_staff() {
    let t = TestDb::new().await;
    let (tenant, _) = t.tenant("Salon", chrono_tz::Europe::Moscow).await;
    let mut tx = t.tx(tenant.id).await;
    let s = staffed(&mut tx).await;
    let c = customer(&mut tx, 1).await;
    let now = monday_morning();
    let booked = service::book(
        &mut tx,
        &request(c, &s, Actor::Api(3), Rules::Customer),
        now,
    )
    .await
    .unwrap();
    assert_eq!(booked.kind, ChangeKind::Booked);
    assert_eq!(
        told(&mut tx, booked.booking.id).await,
        vec![
            ("admin_notice".to_owned(), OWNER),
            ("admin_notice".to_owned(), ADMIN),
            ("customer_notice".to_owned(), 1),
        ],
        "Boris's account hears only of Boris's bookings"
    );
    assert_eq!(
        audited(&mut tx).await,
        vec![(None, "booking.book".to_owned())]
    );

    // The API cancels it: the same people hear of that too, with the reason.
    let cancelled = service::cancel(
        &mut tx,
        booked.booking.id,
        &Caller::api(3),
        Cancellation {
            reason: Some("double entry".into()),
            apology: false,
        },
        now,
    )
    .await
    .unwrap();
    assert_eq!(
        cancelled.kind,
        ChangeKind::Cancelled {
            reason: Some("double entry".into()),
            apology: false
        }
    );
    assert_eq!(told(&mut tx, booked.booking.id).await.len(), 6);
    let payload: serde_json::Value = sqlx::query_scalar(
        "select payload from outbox where kind = 'customer_notice' order by outbox_id desc limit 1",
    )
    .fetch_one(tx.conn())
    .await
    .unwrap();
    assert_eq!(
        Message::from_parts("customer_notice", &payload).unwrap(),
        Message::CustomerNotice {
            change: cancelled.kind.clone()
        }
    );
    // Its reminders are gone with it.
    let pending: i64 = sqlx::query_scalar(
        "select count(*) from outbox where booking_id = $1 and kind = 'reminder' \
           and cancelled_at is null",
    )
    .bind(booked.booking.id.get())
    .fetch_one(tx.conn())
    .await
    .unwrap();
    assert_eq!(pending, 0);
}

#[tokio::test]
async fn a_customers_own_booking_tells_only_the_business_and_a_hold_tells_nobody() {
    let t = TestDb::new().await;
    let (tenant, _) = t.tenant("Salon", chrono_tz::Europe::Moscow).await;
    let mut tx = t.tx(tenant.id).await;
    let s = staffed(&mut tx).await;
    let c = customer(&mut tx, 1).await;
    let me = Actor::Customer(TelegramUserId(1));
    let now = monday_morning();
    let held = service::hold(&mut tx, &request(c, &s, me, Rules::Customer), now)
        .await
        .unwrap();
    assert_eq!(held.kind, ChangeKind::Held);
    assert!(told(&mut tx, held.booking.id).await.is_empty());
    let released = service::cancel(
        &mut tx,
        held.booking.id,
        &Caller::customer(me, c),
        Cancellation::default(),
        now,
    )
    .await
    .unwrap();
    assert_eq!(released.kind, ChangeKind::HoldReleased);
    assert!(told(&mut tx, held.booking.id).await.is_empty());

    let held = service::hold(&mut tx, &request(c, &s, me, Rules::Customer), now)
        .await
        .unwrap();
    let booked = service::confirm(&mut tx, held.booking.id, c, me, now)
        .await
        .unwrap();
    assert_eq!(booked.booking.status, BookingStatus::Confirmed);
    assert_eq!(
        told(&mut tx, booked.booking.id).await,
        vec![
            ("admin_notice".to_owned(), OWNER),
            ("admin_notice".to_owned(), ADMIN),
        ]
    );
    // A customer's own changes are in the booking's history, not the audit log.
    assert!(audited(&mut tx).await.is_empty());
}

#[tokio::test]
async fn an_admins_move_tells_the_customer_and_the_other_admins_not_the_mover() {
    let t = TestDb::new().await;
    let (tenant, _) = t.tenant("Salon", chrono_tz::Europe::Moscow).await;
    let mut tx = t.tx(tenant.id).await;
    let s = staffed(&mut tx).await;
    let c = customer(&mut tx, 1).await;
    let admin = Actor::Admin(TelegramUserId(ADMIN));
    let now = monday_morning();
    let booked = service::book(&mut tx, &request(c, &s, admin, Rules::Staff), now)
        .await
        .unwrap();
    let from = booked.booking.start;
    let moved = service::reschedule(
        &mut tx,
        booked.booking.id,
        &Caller::staff(admin),
        from + Duration::hours(2),
        now,
    )
    .await
    .unwrap();
    assert_eq!(moved.kind, ChangeKind::Moved { from });
    let notices = told(&mut tx, booked.booking.id).await;
    assert!(
        notices.iter().all(|(_, chat)| *chat != ADMIN),
        "the mover is not told what they did: {notices:?}"
    );
    assert_eq!(
        notices,
        vec![
            ("admin_notice".to_owned(), OWNER),
            ("admin_notice".to_owned(), OWNER),
            ("customer_notice".to_owned(), 1),
            ("customer_notice".to_owned(), 1),
        ]
    );
    assert_eq!(
        audited(&mut tx).await,
        vec![
            (Some(ADMIN), "booking.book".to_owned()),
            (Some(ADMIN), "booking.reschedule".to_owned()),
        ]
    );
}

#[tokio::test]
async fn a_rolled_back_change_leaves_no_notice() {
    let t = TestDb::new().await;
    let (tenant, _) = t.tenant("Salon", chrono_tz::Europe::Moscow).await;
    let mut tx = t.tx(tenant.id).await;
    staffed(&mut tx).await;
    customer(&mut tx, 1).await;
    tx.commit().await.unwrap();
    let mut tx = t.tx(tenant.id).await;
    let s = salon_ids(&mut tx).await;
    let c = customer(&mut tx, 1).await;
    let booked = service::book(
        &mut tx,
        &request(c, &s, Actor::Api(1), Rules::Customer),
        monday_morning(),
    )
    .await
    .unwrap();
    tx.rollback().await.unwrap();
    let mut tx = t.tx(tenant.id).await;
    assert!(told(&mut tx, booked.booking.id).await.is_empty());
    let rows: i64 = sqlx::query_scalar("select count(*) from outbox")
        .fetch_one(tx.conn())
        .await
        .unwrap();
    assert_eq!(rows, 0);
}

/// The salon made by an earlier transaction.
async fn salon_ids(tx: &mut TenantTx) -> Salon {
    let services = storage::tenant::catalogue::services(tx, false)
        .await
        .unwrap();
    let staff = storage::tenant::catalogue::staff(tx, false).await.unwrap();
    Salon {
        haircut: services[0].id,
        anna: staff[0].clone(),
    }
}

#[tokio::test]
async fn times_out_of_reach_are_refused_not_panicked_on() {
    let t = TestDb::new().await;
    let (tenant, _) = t.tenant("Salon", chrono_tz::Europe::Moscow).await;
    let mut tx = t.tx(tenant.id).await;
    let s = staffed(&mut tx).await;
    let c = customer(&mut tx, 1).await;
    let now = monday_morning();
    for start in [
        chrono::DateTime::<chrono::Utc>::MAX_UTC,
        chrono::DateTime::<chrono::Utc>::MIN_UTC,
    ] {
        let mut req = request(c, &s, Actor::Api(1), Rules::Customer);
        req.start = start;
        let refused = service::book(&mut tx, &req, now).await;
        assert!(
            matches!(refused, Err(storage::BookingError::Rejected(_))),
            "{refused:?}"
        );
        req.rules = Rules::Staff;
        assert!(service::book(&mut tx, &req, now).await.is_err());
    }
    let far = chrono::NaiveDate::MAX;
    let none = storage::tenant::bookings::slots::free(&mut tx, s.haircut, None, far, far, now)
        .await
        .unwrap();
    assert!(none.is_empty());
}
