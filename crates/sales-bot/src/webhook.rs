//! `POST /yookassa/notifications`: YooKassa's HTTP notifications.
//!
//! YooKassa does not sign notifications. A notification is believed only as far as the two
//! documented checks take it: it must come from YooKassa's addresses, and the object is
//! fetched again from the API; only that answer is acted on. The body says nothing more than
//! "look at object X".
//!
//! Answers: 200 for everything processed, duplicate, irrelevant or not ours (anything else
//! makes YooKassa redeliver for 24 hours); an error status only when nothing was changed and a
//! redelivery can help (YooKassa or our database unreachable), or for requests that are not
//! notifications at all.

use std::{net::SocketAddr, sync::Arc};

use axum::{
    Router,
    body::Bytes,
    extract::{ConnectInfo, State},
    http::{HeaderMap, StatusCode},
    routing::post,
};
use storage::control::payments;
use telemetry::client_ip::{Allowlist, client_ip};

use crate::{
    app::Sales,
    settle::{Settled, settle_fetched},
    yookassa::{RetryPolicy, YooKassa, model::Notification},
};

/// Where notifications are accepted.
pub const PATH: &str = "/yookassa/notifications";

/// The webhook's state.
#[derive(Clone, Debug)]
pub struct Webhook {
    pub sales: Arc<Sales>,
    pub allowed: Allowlist,
    pub proxies: Allowlist,
}

/// The webhook route (needs `ConnectInfo<SocketAddr>` from the server).
pub fn router(webhook: Webhook) -> Router {
    Router::new()
        .route(PATH, post(notification))
        .with_state(Arc::new(webhook))
}

async fn notification(
    State(hook): State<Arc<Webhook>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    let status = checked(&hook, peer, &headers, &body).await;
    metrics::counter!("sales_notifications_total", "outcome" => outcome(status)).increment(1);
    status
}

async fn checked(
    hook: &Webhook,
    peer: SocketAddr,
    headers: &HeaderMap,
    body: &Bytes,
) -> StatusCode {
    // Every line: a proxy may add its own instead of appending to the sender's. A line that is
    // not text reads as junk, which stops the walk at the peer.
    let forwarded: Vec<&str> = headers
        .get_all("x-forwarded-for")
        .iter()
        .map(|v| v.to_str().unwrap_or("?"))
        .collect();
    let source = client_ip(peer.ip(), &forwarded, &hook.proxies);
    if !hook.allowed.contains(source) {
        tracing::warn!(%source, %peer, "a notification from outside YooKassa's addresses; ignored");
        return StatusCode::FORBIDDEN;
    }
    let Ok(note) = serde_json::from_slice::<Notification>(body) else {
        tracing::warn!(%source, "an unreadable notification");
        return StatusCode::BAD_REQUEST;
    };
    if note.kind != "notification" {
        return StatusCode::BAD_REQUEST;
    }
    match handle(&hook.sales, &note).await {
        Ok(()) => StatusCode::OK,
        Err(status) => status,
    }
}

async fn handle(sales: &Arc<Sales>, note: &Notification) -> Result<(), StatusCode> {
    let id = note.object.id.as_str();
    let pool = sales.db.pool();
    let Some(payments_cfg) = sales.payments.as_ref() else {
        // Nothing can be checked without the shop's credentials; YooKassa retries.
        return Err(StatusCode::SERVICE_UNAVAILABLE);
    };
    let seen = payments::event_seen(pool, &note.event, id)
        .await
        .map_err(|e| internal(&e))?;
    if seen {
        tracing::info!(event = %note.event, object = %id, "a duplicate notification");
        return Ok(());
    }
    match note.event.as_str() {
        "payment.succeeded" | "payment.canceled" | "payment.waiting_for_capture" => {
            let fetched = once(&payments_cfg.yookassa)
                .get_payment(id)
                .await
                .map_err(|e| {
                    tracing::warn!(error = %e, object = %id, "could not fetch the payment; YooKassa will redeliver");
                    StatusCode::BAD_GATEWAY
                })?;
            let Some(payment) = fetched else {
                tracing::warn!(event = %note.event, object = %id, "a notification of a payment YooKassa does not know");
                return Ok(());
            };
            let settled = settle_fetched(sales, payments_cfg, &payment)
                .await
                .map_err(|e| internal(&e))?;
            tracing::info!(event = %note.event, object = %id, status = payment.status.as_str(), ?settled, "notification handled");
            match settled {
                Settled::Activated(order) => {
                    let sales = Arc::clone(sales);
                    tokio::spawn(async move {
                        crate::reconcile::after_activation(&sales, &order).await;
                    });
                }
                settled @ Settled::Canceled {
                    closed_now: true, ..
                } => after_cancel(sales, &payment, settled).await,
                _ => {}
            }
            // Recorded only when the API confirms what the event says: a forged "succeeded"
            // for a pending payment must not shadow the real notification that follows.
            if payment.status.event() == Some(note.event.as_str()) {
                payments::record_event(pool, &note.event, id)
                    .await
                    .map_err(|e| internal(&e))?;
            }
            Ok(())
        }
        "refund.succeeded" => {
            let refund = once(&payments_cfg.yookassa)
                .get_refund(id)
                .await
                .map_err(|e| {
                    tracing::warn!(error = %e, object = %id, "could not fetch the refund");
                    StatusCode::BAD_GATEWAY
                })?;
            let Some(refund) = refund.filter(|r| r.status == "succeeded") else {
                tracing::warn!(object = %id, "a refund notification YooKassa does not confirm");
                return Ok(());
            };
            crate::refunds::record(sales, &refund)
                .await
                .map_err(|e| internal(&e))?;
            payments::record_event(pool, &note.event, id)
                .await
                .map_err(|e| internal(&e))?;
            Ok(())
        }
        other => {
            tracing::info!(event = %other, object = %id, "a notification we do not act on");
            Ok(())
        }
    }
}

/// The follow-up of a cancellation this notification made (see `reconcile::after_cancel`);
/// a failure is logged: the order is closed either way.
async fn after_cancel(sales: &Sales, payment: &crate::yookassa::model::Payment, settled: Settled) {
    let order = match payment.metadata.get("order_id").map(|id| id.parse()) {
        Some(Ok(id)) => storage::control::orders::get(sales.db.pool(), id)
            .await
            .ok()
            .flatten(),
        _ => None,
    };
    if let Some(order) = order
        && let Err(e) = crate::reconcile::after_cancel(sales, &order, settled).await
    {
        tracing::warn!(order = %order.id, error = %e, "after a canceled payment");
    }
}

/// The client asking once: a failed check is answered with an error and YooKassa redelivers.
fn once(client: &YooKassa) -> YooKassa {
    client.with_retry(RetryPolicy {
        attempts: 1,
        ..RetryPolicy::default()
    })
}

fn outcome(status: StatusCode) -> &'static str {
    match status.as_u16() {
        200 => "ok",
        403 => "forbidden_source",
        400 => "malformed",
        _ => "retry",
    }
}

fn internal(e: &dyn std::fmt::Display) -> StatusCode {
    tracing::error!(error = %e, "a notification could not be processed; YooKassa will redeliver");
    StatusCode::INTERNAL_SERVER_ERROR
}
