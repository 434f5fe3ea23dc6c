//! The scheduled pass: pending payments polled (a lost notification still activates its
//! order), stale orders expired, paid orders provisioned and their buyers told. A flagged
//! order (its payment did not match it) is re-checked a bounded number of times, then left for
//! an operator with an alert (`storage::control::order_review`), not polled forever.
//!
//! Every step reads its work from the database, so the pass can run at any time, twice, or
//! after a crash; the interval only decides how soon.

use std::{future::Future, sync::Arc, time::Duration};

use chrono::Duration as Span;
use storage::control::{
    order_review::{self, Review},
    orders::{self, Order, OrderKind, OrderStatus},
};

use crate::{
    app::Sales,
    checkout,
    error::SalesError,
    follow_up, renewals,
    settle::{self, Settled},
    texts::Texts,
};

/// YooKassa keeps an Idempotence-Key for 24 hours; after that a resend would make a second
/// payment, so an order whose payment was never confirmed is not resent past this age.
const KEY_LIFETIME: Span = Span::hours(23);

/// What one pass did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PassReport {
    pub activated: usize,
    pub expired: usize,
    pub provisioned: usize,
    pub announced: usize,
    /// Renewal charges attempted.
    pub renewals: usize,
    /// Flagged orders this pass left for an operator.
    pub left_for_review: usize,
    pub failures: usize,
}

/// Runs a pass every `every` until `stop` resolves.
pub async fn run(sales: Arc<Sales>, every: Duration, stop: impl Future<Output = ()>) {
    tokio::pin!(stop);
    let mut ticks = tokio::time::interval(every);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    // The first tick is immediate; the first pass comes one interval after start, so a
    // restart loop cannot turn into a polling storm.
    ticks.tick().await;
    loop {
        tokio::select! {
            () = &mut stop => return,
            _ = ticks.tick() => {}
        }
        let report = pass(&sales).await;
        if report != PassReport::default() {
            tracing::info!(?report, "reconciliation pass");
        }
    }
}

/// One pass.
pub async fn pass(sales: &Sales) -> PassReport {
    let mut report = PassReport::default();
    match orders::pending(sales.db.pool(), 200).await {
        Ok(pending) => {
            for order in pending {
                match poll(sales, &order).await {
                    Ok(Polled::Activated(order)) => {
                        report.activated += 1;
                        after_activation(sales, &order).await;
                    }
                    Ok(Polled::Expired) => report.expired += 1,
                    Ok(Polled::LeftForReview) => report.left_for_review += 1,
                    Ok(Polled::Nothing) => {}
                    Err(e) => {
                        report.failures += 1;
                        tracing::warn!(order = %order.id, error = %e, "could not poll an order");
                    }
                }
            }
        }
        Err(e) => {
            report.failures += 1;
            tracing::warn!(error = %e, "could not list pending orders");
        }
    }
    match orders::unprovisioned(sales.db.pool(), 50).await {
        Ok(list) => {
            for order in list {
                match follow_up::provision_order(sales, &order).await {
                    Ok(()) => report.provisioned += 1,
                    Err(e) => {
                        report.failures += 1;
                        tracing::error!(order = %order.id, error = %e, "could not provision a paid order");
                    }
                }
            }
        }
        Err(e) => {
            report.failures += 1;
            tracing::warn!(error = %e, "could not list paid orders");
        }
    }
    match renewals::charge_due(sales).await {
        Ok(n) => report.renewals += n,
        Err(e) => {
            report.failures += 1;
            tracing::warn!(error = %e, "could not charge renewals");
        }
    }
    match follow_up::announce_live(sales).await {
        Ok(n) => report.announced += n,
        Err(e) => {
            report.failures += 1;
            tracing::warn!(error = %e, "could not announce live bots");
        }
    }
    report
}

enum Polled {
    Activated(Box<Order>),
    Expired,
    LeftForReview,
    Nothing,
}

async fn poll(sales: &Sales, order: &Order) -> Result<Polled, SalesError> {
    let now = sales.now();
    if sales.payments.is_some() {
        let settled = match &order.payment_id {
            Some(id) => Some(settle::settle(sales, id).await?),
            // Created, but YooKassa's answer never reached us (a crash, a 500): resending
            // with the same key returns that payment, or makes the one we meant to make.
            None if now - order.created_at < KEY_LIFETIME && now < order.expires_at => {
                let payment = checkout::ensure_payment(sales, order).await?;
                Some(settle::settle(sales, &payment.id).await?)
            }
            None => None,
        };
        match settled {
            Some(Settled::Activated(order)) => return Ok(Polled::Activated(order)),
            Some(settled @ Settled::Canceled { .. }) => {
                after_cancel(sales, order, settled).await?;
                return Ok(Polled::Nothing);
            }
            Some(Settled::Pending | Settled::Unknown) | None => {}
            Some(Settled::AlreadyPaid) => return Ok(Polled::Nothing),
            Some(Settled::Flagged(_)) => {
                let review = order_review::rechecked(sales.db.pool(), order.id, now).await?;
                if review != Review::LeftForOperator {
                    return Ok(Polled::Nothing);
                }
                metrics::counter!("sales_orders_left_for_review_total").increment(1);
                tracing::error!(order = %order.id, "a flagged order is left for an operator");
                return Ok(Polled::LeftForReview);
            }
        }
    }
    if now >= order.expires_at
        && orders::close(sales.db.pool(), order.id, OrderStatus::Expired).await?
    {
        metrics::counter!("sales_orders_closed_total", "status" => "expired").increment(1);
        let t = Texts::new(order.locale);
        follow_up::tell(sales, order.telegram_user, &t.expired()).await;
        return Ok(Polled::Expired);
    }
    Ok(Polled::Nothing)
}

/// After a payment was canceled: a buyer is told; a renewal's owner is told and a method that
/// can never work is dropped. Only the call that closed the order acts.
pub async fn after_cancel(
    sales: &Sales,
    order: &Order,
    settled: Settled,
) -> Result<(), SalesError> {
    if !matches!(
        settled,
        Settled::Canceled {
            closed_now: true,
            ..
        }
    ) {
        return Ok(());
    }
    if order.kind == OrderKind::Renewal {
        let method = renewals::saved_method(sales, order)
            .await?
            .unwrap_or_default();
        return renewals::on_settled(sales, order, &method, settled).await;
    }
    let t = Texts::new(order.locale);
    follow_up::tell(sales, order.telegram_user, &t.canceled()).await;
    Ok(())
}

/// Right after an order is paid: tell the buyer, provision, deploy. Failures are left to the
/// next pass.
pub async fn after_activation(sales: &Sales, order: &Order) {
    if order.kind == OrderKind::Renewal {
        if let Err(e) = renewals::renewed(sales, order).await {
            tracing::error!(order = %order.id, error = %e, "after a renewal");
        }
        return;
    }
    let t = Texts::new(order.locale);
    follow_up::tell(sales, order.telegram_user, &t.paid()).await;
    if let Err(e) = follow_up::provision_order(sales, order).await {
        tracing::error!(order = %order.id, error = %e, "provisioning failed; the next pass retries");
    }
}
