//! Renewals: a subscription with a saved payment method is charged before its period ends.
//!
//! Each attempt is a renewal order with its own Idempotence-Key, stored before the charge, so
//! a retried or resumed charge is the same one payment. A success extends the subscription
//! through the same activation as a first payment (and restarts a tenant the monitor had
//! suspended). A failure tells the owner; the method is dropped when the reason says it can
//! never work again (revoked, expired card...), otherwise the next attempt comes a day later.
//! The grace period itself is the subscription monitor's (master-bot): once the period ends
//! unpaid it marks the subscription past due with its grace, then suspends.

use chrono::Duration;
use storage::control::{
    orders::{self, Order},
    renewals, subscription_steps,
};

use crate::{
    app::Sales,
    checkout,
    error::SalesError,
    follow_up,
    settle::{self, Settled},
    texts::Texts,
};

/// How long before the period ends the first charge is made.
pub const AHEAD: Duration = Duration::days(3);
/// Between two attempts for one subscription.
pub const BETWEEN_ATTEMPTS: Duration = Duration::days(1);

/// Cancellation reasons after which a saved method is never charged again.
const PERMANENT: [&str; 5] = [
    "permission_revoked",
    "card_expired",
    "payment_method_restricted",
    "invalid_card_number",
    "fraud_suspected",
];

/// Charges every subscription that is due; returns how many attempts were made.
pub async fn charge_due(sales: &Sales) -> Result<usize, SalesError> {
    if sales.payments.is_none() {
        return Ok(0);
    }
    let due = renewals::due(sales.db.pool(), sales.now(), AHEAD, BETWEEN_ATTEMPTS).await?;
    for renewal in &due {
        // One failure (YooKassa down) does not hold up the others; the next pass retries.
        if let Err(e) = charge(sales, renewal).await {
            tracing::warn!(tenant = %renewal.tenant, error = %e, "a renewal charge could not be made");
        }
    }
    Ok(due.len())
}

async fn charge(sales: &Sales, renewal: &renewals::DueRenewal) -> Result<(), SalesError> {
    let order = orders::insert_renewal(
        sales.db.pool(),
        renewal.tenant,
        renewal.owner,
        renewal.plan,
        renewal.price_minor,
        &renewal.currency,
        Some(renewal.payment_method_id.as_str()),
        sales.now(),
        sales.now() + sales.order_ttl,
    )
    .await?;
    tracing::info!(tenant = %renewal.tenant, order = %order.id, "charging a renewal");
    let payment = checkout::ensure_payment(sales, &order).await?;
    let settled = settle::settle(sales, &payment.id).await?;
    on_settled(sales, &order, &renewal.payment_method_id, settled).await
}

/// What follows a renewal charge's outcome (also when reconciliation learns it later).
pub async fn on_settled(
    sales: &Sales,
    order: &Order,
    method: &str,
    settled: Settled,
) -> Result<(), SalesError> {
    let t = Texts::new(order.locale);
    let Some(tenant) = order.tenant else {
        return Ok(());
    };
    match settled {
        Settled::Activated(order) => renewed(sales, &order).await,
        // Only the call that closed the order acts, so a notification racing the charge's own
        // answer does not tell the owner twice.
        Settled::Canceled {
            reason,
            closed_now: true,
        } => {
            let reason = reason.unwrap_or_default();
            if PERMANENT.contains(&reason.as_str()) {
                renewals::forget_method(sales.db.pool(), tenant, method).await?;
            }
            tracing::warn!(%tenant, order = %order.id, %reason, "a renewal charge failed");
            follow_up::tell(
                sales,
                order.telegram_user,
                &t.renewal_failed(&order.business_name),
            )
            .await;
            Ok(())
        }
        Settled::Canceled { .. }
        | Settled::Pending
        | Settled::AlreadyPaid
        | Settled::Flagged(_)
        | Settled::Unknown => Ok(()),
    }
}

/// A renewal was paid: a tenant suspended for non-payment runs again; the owner is told.
pub async fn renewed(sales: &Sales, order: &Order) -> Result<(), SalesError> {
    let Some(tenant) = order.tenant else {
        return Ok(());
    };
    subscription_steps::reactivate(sales.db.pool(), tenant, "system:sales-bot", sales.now())
        .await?;
    let mut conn = sales
        .db
        .pool()
        .acquire()
        .await
        .map_err(storage::StorageError::from)?;
    let until = storage::control::subscriptions::get(&mut conn, tenant)
        .await?
        .map(|s| {
            s.current_period_end
                .with_timezone(&order.time_zone)
                .format("%d.%m.%Y")
                .to_string()
        })
        .unwrap_or_default();
    let t = Texts::new(order.locale);
    follow_up::tell(
        sales,
        order.telegram_user,
        &t.renewed(&order.business_name, &until),
    )
    .await;
    Ok(())
}

/// The saved method of a renewal order's subscription.
pub async fn saved_method(sales: &Sales, order: &Order) -> Result<Option<String>, SalesError> {
    // An order paid by hand on YooKassa's page charged no saved method: its failure (the card
    // typed there) says nothing about the one saved.
    if order.charge_method.is_none() {
        return Ok(None);
    }
    match order.tenant {
        Some(tenant) => Ok(renewals::method(sales.db.pool(), tenant).await?),
        None => Ok(None),
    }
}
