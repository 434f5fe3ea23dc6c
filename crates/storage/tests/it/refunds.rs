//! What the booking service does with a payment when its booking ends without the visit
//! (issue 19), in the change's own transaction: the sums `RefundPolicy::settle` gives, one
//! refund at most, through YooKassa when the shop is set (its call queued in the outbox) or by
//! the owner's hand; the owner's decisions; what each YooKassa answer leads to. The payment
//! is a stand-in (`test_support::prepaid`).

use booking_core::{
    booking::{Actor, BookingRejection, BookingStatus},
    catalogue::Minutes,
    ids::{BookingId, CustomerId, TelegramUserId},
    policy::Rules,
};
use chrono::{DateTime, Duration, Utc};
use secrecy::SecretString;
use sqlx::Row;
use storage::{
    BookingError, TenantTx,
    tenant::{
        admins::{self, AdminRole},
        bookings::{
            model::BookingRequest,
            service::{self, Caller, Cancellation},
        },
        payments::{
            refunds::{self, Attempt, Decision, RefundId, Status},
            settings::{self as payment_settings, Shop},
        },
        settings,
    },
};
use test_support::{Salon, TestDb, prepaid, salon};

use crate::{customer, monday_morning, utc};

const DEPOSIT: i64 = 45_000;
const OWNER: i64 = 900;

/// A salon whose haircut asks for a deposit under `policy`, with an owner; the shop set when
/// `shop`.
async fn setup(t: &TestDb, policy: &str, keep: i16, shop: bool) -> (TenantTx, Salon, CustomerId) {
    let (tenant, _) = t.tenant("Salon", chrono_tz::Europe::Moscow).await;
    let mut tx = t.tx(tenant.id).await;
    let s = salon(&mut tx).await;
    prepaid::deposit_terms(&mut tx, s.haircut, DEPOSIT, policy, keep).await;
    admins::upsert(&mut tx, TelegramUserId(OWNER), AdminRole::Owner, "x", None)
        .await
        .unwrap();
    if shop {
        let key = t.data_key.tenant_secrets_key(tenant.id);
        payment_settings::set_shop(
            &mut tx,
            &key,
            Some(&Shop {
                id: "506751".into(),
                secret: SecretString::from("test_secret".to_owned()),
            }),
        )
        .await
        .unwrap();
    }
    let c = customer(&mut tx, 1).await;
    (tx, s, c)
}

/// Tomorrow 09:00 in Moscow, booked by the customer and paid for.
async fn paid_visit(
    tx: &mut TenantTx,
    s: &Salon,
    c: CustomerId,
    start: DateTime<Utc>,
) -> BookingId {
    let booked = service::book(
        tx,
        &BookingRequest {
            customer: c,
            service: s.haircut,
            staff: Some(s.anna.id),
            start,
            source: None,
            actor: Actor::Customer(TelegramUserId(1)),
            rules: Rules::Customer,
        },
        monday_morning(),
    )
    .await
    .unwrap();
    prepaid::paid(
        tx,
        booked.booking.id,
        DEPOSIT,
        "2f0a6a8f-000f-5000-9000-1b2c3d4e5f60",
    )
    .await;
    booked.booking.id
}

fn tomorrow() -> DateTime<Utc> {
    utc(2026, 6, 2, 6, 0)
}

fn me(c: CustomerId) -> Caller {
    Caller::customer(Actor::Customer(TelegramUserId(1)), c)
}

/// (kept, refunded) of the booking's payment.
async fn settled(tx: &mut TenantTx, booking: BookingId) -> (i64, i64) {
    let row = sqlx::query("select kept_minor, refunded_minor from payments where booking_id = $1")
        .bind(booking.get())
        .fetch_one(tx.conn())
        .await
        .unwrap();
    (row.get(0), row.get(1))
}

/// (id, amount, reason, method, status) of the booking's refund.
async fn refund_of(
    tx: &mut TenantTx,
    booking: BookingId,
) -> Option<(RefundId, i64, String, String, String)> {
    sqlx::query(
        "select r.refund_id, r.amount_minor, r.reason, r.method, r.status \
         from refunds r join payments p using (payment_id) where p.booking_id = $1",
    )
    .bind(booking.get())
    .fetch_optional(tx.conn())
    .await
    .unwrap()
    .map(|r| (RefundId(r.get(0)), r.get(1), r.get(2), r.get(3), r.get(4)))
}

/// (due, dedupe key) of the queued refund calls, oldest first.
async fn calls(tx: &mut TenantTx) -> Vec<(DateTime<Utc>, String)> {
    sqlx::query(
        "select due_at, dedupe_key from outbox where kind = 'refund_call' order by outbox_id",
    )
    .fetch_all(tx.conn())
    .await
    .unwrap()
    .iter()
    .map(|r| (r.get(0), r.get(1)))
    .collect()
}

#[tokio::test]
async fn cancelling_in_time_opens_one_refund_through_yookassa_and_queues_its_call() {
    let t = TestDb::new().await;
    let (mut tx, s, c) = setup(&t, "cutoff", 100, true).await;
    let id = paid_visit(&mut tx, &s, c, tomorrow()).await;
    let now = monday_morning();
    service::cancel(&mut tx, id, &me(c), Cancellation::default(), now)
        .await
        .unwrap();
    let (refund, amount, reason, method, status) = refund_of(&mut tx, id).await.unwrap();
    assert_eq!(
        (amount, reason.as_str(), method.as_str(), status.as_str()),
        (DEPOSIT, "cancelled_in_time", "yookassa", "pending")
    );
    assert_eq!(settled(&mut tx, id).await, (0, DEPOSIT));
    assert_eq!(
        calls(&mut tx).await,
        vec![(now, format!("refund_call:{}:0", refund.0))]
    );
    let money = refunds::of_booking(&mut tx, id).await.unwrap().unwrap();
    assert_eq!(money.refund.unwrap().status, Status::Pending);
}

#[tokio::test]
async fn after_the_cut_off_only_a_paid_visit_can_be_cancelled_and_the_policy_keeps_its_share() {
    let t = TestDb::new().await;
    let (mut tx, s, c) = setup(&t, "cutoff", 50, false).await;
    let mut policy = settings::profile(&mut tx).await.unwrap().policy;
    policy.cancel_cutoff = Minutes::new(48 * 60);
    settings::set_policy(&mut tx, &policy).await.unwrap();
    let now = monday_morning();
    // An unpaid visit is refused as before.
    let unpaid = service::book(
        &mut tx,
        &BookingRequest {
            customer: c,
            service: s.haircut,
            staff: Some(s.anna.id),
            start: tomorrow() + Duration::hours(2),
            source: None,
            actor: Actor::Customer(TelegramUserId(1)),
            rules: Rules::Customer,
        },
        now,
    )
    .await
    .unwrap()
    .booking
    .id;
    let refused = service::cancel(&mut tx, unpaid, &me(c), Cancellation::default(), now).await;
    assert!(
        matches!(
            refused,
            Err(BookingError::Rejected(
                BookingRejection::CancelCutoffPassed { .. }
            ))
        ),
        "{refused:?}"
    );

    let id = paid_visit(&mut tx, &s, c, tomorrow()).await;
    let done = service::cancel(&mut tx, id, &me(c), Cancellation::default(), now)
        .await
        .unwrap();
    assert_eq!(done.booking.status, BookingStatus::Cancelled);
    assert_eq!(settled(&mut tx, id).await, (22_500, 22_500));
    let (_, amount, reason, method, status) = refund_of(&mut tx, id).await.unwrap();
    assert_eq!(
        (amount, reason.as_str(), method.as_str(), status.as_str()),
        (22_500, "cancelled_late", "by_hand", "to_do")
    );
}

#[tokio::test]
async fn a_no_show_keeps_the_deposit_and_the_business_cancelling_gives_it_all_back() {
    let t = TestDb::new().await;
    let (mut tx, s, c) = setup(&t, "cutoff", 100, true).await;
    let now = monday_morning();
    let missed = paid_visit(&mut tx, &s, c, tomorrow()).await;
    service::mark_outcome(
        &mut tx,
        missed,
        BookingStatus::NoShow,
        Actor::Admin(TelegramUserId(OWNER)),
        tomorrow() + Duration::hours(2),
    )
    .await
    .unwrap();
    assert_eq!(settled(&mut tx, missed).await, (DEPOSIT, 0));
    assert_eq!(refund_of(&mut tx, missed).await, None);

    let other = paid_visit(&mut tx, &s, c, tomorrow() + Duration::hours(2)).await;
    service::cancel(
        &mut tx,
        other,
        &Caller::staff(Actor::Admin(TelegramUserId(OWNER))),
        Cancellation::default(),
        now,
    )
    .await
    .unwrap();
    assert_eq!(settled(&mut tx, other).await, (0, DEPOSIT));
    let (_, amount, reason, _, _) = refund_of(&mut tx, other).await.unwrap();
    assert_eq!(
        (amount, reason.as_str()),
        (DEPOSIT, "cancelled_by_business")
    );
}

#[tokio::test]
async fn the_owner_decides_once_and_a_refund_by_hand_is_marked_done_once() {
    let t = TestDb::new().await;
    let (mut tx, s, c) = setup(&t, "owner", 100, false).await;
    let now = monday_morning();
    let owner = TelegramUserId(OWNER);
    let kept = paid_visit(&mut tx, &s, c, tomorrow()).await;
    service::cancel(&mut tx, kept, &me(c), Cancellation::default(), now)
        .await
        .unwrap();
    let (refund, amount, reason, _, status) = refund_of(&mut tx, kept).await.unwrap();
    assert_eq!(
        (amount, reason.as_str(), status.as_str()),
        (DEPOSIT, "owner_choice", "ask_owner")
    );
    assert_eq!(
        settled(&mut tx, kept).await,
        (0, 0),
        "nothing settled before the choice"
    );
    assert_eq!(refunds::to_settle(&mut tx).await.unwrap().len(), 1);
    assert_eq!(
        refunds::decide(&mut tx, refund, Decision::Keep, owner, now)
            .await
            .unwrap(),
        Some(Status::Declined)
    );
    assert_eq!(settled(&mut tx, kept).await, (DEPOSIT, 0));
    assert_eq!(
        refunds::decide(&mut tx, refund, Decision::GiveBack, owner, now)
            .await
            .unwrap(),
        None,
        "decided already"
    );

    let back = paid_visit(&mut tx, &s, c, tomorrow() + Duration::hours(2)).await;
    service::cancel(&mut tx, back, &me(c), Cancellation::default(), now)
        .await
        .unwrap();
    let (refund, ..) = refund_of(&mut tx, back).await.unwrap();
    assert_eq!(
        refunds::decide(&mut tx, refund, Decision::GiveBack, owner, now)
            .await
            .unwrap(),
        Some(Status::ToDo),
        "no shop: by hand"
    );
    assert_eq!(settled(&mut tx, back).await, (0, DEPOSIT));
    assert!(
        refunds::mark_done(&mut tx, refund, owner, now)
            .await
            .unwrap()
    );
    assert!(
        !refunds::mark_done(&mut tx, refund, owner, now)
            .await
            .unwrap()
    );
    let (.., status) = refund_of(&mut tx, back).await.unwrap();
    assert_eq!(status, "done");
    let actions: Vec<(Option<i64>, String)> = sqlx::query(
        "select actor_id, action from audit_log where action like 'refund.%' order by audit_id",
    )
    .fetch_all(tx.conn())
    .await
    .unwrap()
    .iter()
    .map(|r| (r.get(0), r.get(1)))
    .collect();
    assert_eq!(
        actions,
        vec![
            (Some(OWNER), "refund.decided".to_owned()),
            (Some(OWNER), "refund.decided".to_owned()),
            (Some(OWNER), "refund.done".to_owned()),
        ]
    );
}

#[tokio::test]
async fn each_answer_of_yookassa_is_recorded_once_with_what_it_leads_to() {
    let t = TestDb::new().await;
    let (mut tx, s, c) = setup(&t, "cutoff", 100, true).await;
    let now = monday_morning();
    let id = paid_visit(&mut tx, &s, c, tomorrow()).await;
    service::cancel(&mut tx, id, &me(c), Cancellation::default(), now)
        .await
        .unwrap();
    let (refund_id, ..) = refund_of(&mut tx, id).await.unwrap();
    let refund = refunds::get(&mut tx, refund_id).await.unwrap().unwrap();
    let later = now + Duration::minutes(1);
    let retry = Attempt::Retry {
        error: "HTTP 500".into(),
        next_at: later,
    };
    assert!(
        refunds::record(&mut tx, &refund, &retry, now)
            .await
            .unwrap()
    );
    let refund = refunds::get(&mut tx, refund_id).await.unwrap().unwrap();
    assert_eq!((refund.attempts, refund.status), (1, Status::Pending));
    assert_eq!(
        calls(&mut tx).await.last().unwrap(),
        &(later, format!("refund_call:{}:1", refund_id.0))
    );
    let made = Attempt::Succeeded {
        provider_id: "2f0a6a8f-0016-5000-9000-000000000001".into(),
    };
    assert!(
        refunds::record(&mut tx, &refund, &made, later)
            .await
            .unwrap()
    );
    assert!(
        !refunds::record(&mut tx, &refund, &made, later)
            .await
            .unwrap(),
        "a second answer changes nothing"
    );
    let told: Vec<(String, i64)> = sqlx::query(
        "select kind, chat_id from outbox where kind like 'refund_%' and kind <> 'refund_call'",
    )
    .fetch_all(tx.conn())
    .await
    .unwrap()
    .iter()
    .map(|r| (r.get(0), r.get(1)))
    .collect();
    assert_eq!(told, vec![("refund_made".to_owned(), 1)]);
    let refund = refunds::get(&mut tx, refund_id).await.unwrap().unwrap();
    assert_eq!(refund.status, Status::Succeeded);
    assert_eq!(
        refund.provider_refund_id.as_deref(),
        Some("2f0a6a8f-0016-5000-9000-000000000001")
    );
}
