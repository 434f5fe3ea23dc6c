//! What a bot host listens to instead of polling: every statement that queues outbox messages
//! notifies the `outbox` channel with the tenant and the earliest due time, and every change
//! of a tenant's configuration notifies `tenant_changed`; a rolled-back one says nothing.

use std::time::Duration;

use booking_core::{booking::Actor, ids::TelegramUserId, policy::Rules};
use sqlx::postgres::PgListener;
use storage::tenant::{
    bookings::{model::BookingRequest, service},
    changes::{self, Changed, Part},
    outbox::{self, Queued},
    settings,
};
use test_support::{TestDb, salon};

use crate::{customer, monday_morning, utc};

#[tokio::test]
async fn queued_messages_wake_whoever_listens_and_rolled_back_ones_do_not() {
    let t = TestDb::new().await;
    let (tenant, _) = t.tenant("Salon", chrono_tz::Europe::Moscow).await;
    let mut listener = PgListener::connect_with(t.db.pool()).await.unwrap();
    listener.listen(outbox::CHANNEL).await.unwrap();

    let mut tx = t.tx(tenant.id).await;
    let s = salon(&mut tx).await;
    let c = customer(&mut tx, 7).await;
    let request = BookingRequest {
        customer: c,
        service: s.haircut,
        staff: Some(s.anna.id),
        start: utc(2026, 6, 2, 6, 0),
        source: None,
        actor: Actor::Customer(TelegramUserId(7)),
        rules: Rules::Customer,
    };
    let booked = service::book(&mut tx, &request, monday_morning())
        .await
        .unwrap();
    // Nothing is said before the commit.
    assert!(
        tokio::time::timeout(Duration::from_millis(300), listener.recv())
            .await
            .is_err()
    );
    let next = outbox::next_due(&mut tx).await.unwrap();
    tx.commit().await.unwrap();

    let note = tokio::time::timeout(Duration::from_secs(5), listener.recv())
        .await
        .unwrap()
        .unwrap();
    let queued = Queued::parse(note.payload()).unwrap();
    // The earliest is the reminder a day before the visit.
    assert_eq!(
        queued,
        Queued {
            tenant: tenant.id,
            due: booked.booking.start - chrono::Duration::hours(24),
        }
    );
    assert_eq!(next, Some(queued.due));

    let mut tx = t.tx(tenant.id).await;
    let mut later = request.clone();
    later.start = utc(2026, 6, 2, 8, 0);
    service::book(&mut tx, &later, monday_morning())
        .await
        .unwrap();
    tx.rollback().await.unwrap();
    assert!(
        tokio::time::timeout(Duration::from_millis(500), listener.recv())
            .await
            .is_err(),
        "a rolled-back booking wakes nobody"
    );
}

#[tokio::test]
async fn a_configuration_change_is_announced_once_committed() {
    let t = TestDb::new().await;
    let (tenant, _) = t.tenant("Salon", chrono_tz::Europe::Moscow).await;
    let mut listener = PgListener::connect_with(t.db.pool()).await.unwrap();
    listener.listen(changes::CHANNEL).await.unwrap();

    let mut tx = t.tx(tenant.id).await;
    salon(&mut tx).await;
    tx.commit().await.unwrap();
    let mut parts = Vec::new();
    while let Ok(Ok(n)) = tokio::time::timeout(Duration::from_millis(500), listener.recv()).await {
        parts.push(Changed::parse(n.payload()).unwrap());
    }
    assert!(parts.iter().all(|c| c.tenant == tenant.id));
    assert!(parts.iter().any(|c| c.part == Part::Catalogue), "{parts:?}");
    assert!(parts.iter().any(|c| c.part == Part::Hours), "{parts:?}");

    let mut tx = t.tx(tenant.id).await;
    let mut profile = settings::profile(&mut tx).await.unwrap();
    profile.policy.horizon_days = 30;
    settings::set_policy(&mut tx, &profile.policy)
        .await
        .unwrap();
    tx.rollback().await.unwrap();
    assert!(
        tokio::time::timeout(Duration::from_millis(500), listener.recv())
            .await
            .is_err(),
        "a rolled-back change is not announced"
    );
}
