//! What the booking service and the outbox tell Prometheus: committed changes by change and
//! actor kind (never by tenant), and the outbox's backlog.

use booking_core::{booking::Actor, ids::TelegramUserId, policy::Rules};
use chrono::Duration;
use metrics_exporter_prometheus::PrometheusBuilder;
use storage::tenant::{
    bookings::{
        model::BookingRequest,
        service::{self, Caller, Cancellation},
    },
    outbox,
};
use test_support::{TestDb, salon};

use crate::{customer, monday_morning, utc};

/// Counted once committed, by change and actor kind; a change rolled back is not counted.
#[tokio::test]
async fn committed_booking_changes_are_counted_and_rolled_back_ones_are_not() {
    // This thread's own recorder: the test's counts only (tokio::test runs on this thread).
    let recorder = PrometheusBuilder::new().build_recorder();
    let rendered = recorder.handle();
    let _local = metrics::set_default_local_recorder(&recorder);
    let t = TestDb::new().await;
    let (tenant, _) = t.tenant("Salon", chrono_tz::Europe::Moscow).await;
    let mut tx = t.tx(tenant.id).await;
    let s = salon(&mut tx).await;
    let c = customer(&mut tx, 1).await;
    tx.commit().await.unwrap();
    let now = monday_morning();
    let request = |start| BookingRequest {
        customer: c,
        service: s.haircut,
        staff: Some(s.anna.id),
        start,
        source: None,
        actor: Actor::Customer(TelegramUserId(1)),
        rules: Rules::Customer,
    };

    let mut tx = t.tx(tenant.id).await;
    let booked = service::book(&mut tx, &request(utc(2026, 6, 2, 6, 0)), now)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let mut tx = t.tx(tenant.id).await;
    service::cancel(
        &mut tx,
        booked.booking.id,
        &Caller::api(3),
        Cancellation::default(),
        now,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    // Booked, then rolled back: never happened.
    let mut tx = t.tx(tenant.id).await;
    service::book(&mut tx, &request(utc(2026, 6, 2, 7, 0)), now)
        .await
        .unwrap();
    tx.rollback().await.unwrap();

    let text = rendered.render();
    assert!(
        text.contains(r#"booking_changes_total{change="book",actor="customer"} 1"#),
        "{text}"
    );
    assert!(
        text.contains(r#"booking_changes_total{change="cancel",actor="api"} 1"#),
        "{text}"
    );
    assert!(!text.contains("tenant"), "{text}");
}

/// The backlog counts what is due and unsent, and dates the oldest.
#[tokio::test]
async fn the_outbox_backlog_counts_due_messages_and_dates_the_oldest() {
    let t = TestDb::new().await;
    let (tenant, _) = t.tenant("Salon", chrono_tz::Europe::Moscow).await;
    let now = monday_morning();
    let mut tx = t.tx(tenant.id).await;
    let empty = outbox::backlog(&mut tx, now).await.unwrap();
    assert_eq!((empty.due, empty.oldest_age_secs(now)), (0, 0.0));
    for (minutes, chat) in [(-30, 1), (-5, 2), (10, 3)] {
        outbox::enqueue(
            &mut tx,
            &outbox::NewMessage {
                message: outbox::message::Message::Notice(outbox::message::Notice::text("hello")),
                booking: None,
                chat_id: chat,
                due_at: now + Duration::minutes(minutes),
                dedupe_key: None,
            },
        )
        .await
        .unwrap();
    }
    let backlog = outbox::backlog(&mut tx, now).await.unwrap();
    assert_eq!(backlog.due, 2, "the one due in 10 minutes is not late");
    assert!((backlog.oldest_age_secs(now) - 1800.0).abs() < 0.001);
}
