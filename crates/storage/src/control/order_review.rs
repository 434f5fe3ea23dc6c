//! Orders an operator has to look at: a payment that succeeded but does not match its order
//! (amount, currency, shop, test flag) flags the order and activates nothing.
//!
//! A flagged order stays pending, and reconciliation fetches its payment again on each pass
//! (a configuration mistake, once fixed, then pays it). It does so a bounded number of times:
//! after [`MAX_REVIEW_CHECKS`] re-checks, or [`MAX_REVIEW_AGE`] after it was flagged, it is left
//! for an operator with an alert and no longer polled.

use booking_core::ids::TenantId;
use chrono::{DateTime, Duration, Utc};
use sqlx::{PgPool, Row as _};

use super::{
    alerts::{self, AlertKind, NewAlert},
    orders::OrderId,
};
use crate::error::StorageError;

/// Re-checks of a flagged order before it is left for an operator.
pub const MAX_REVIEW_CHECKS: i32 = 10;
/// How long after it was flagged an order is re-checked at most.
pub const MAX_REVIEW_AGE: Duration = Duration::hours(24);

/// Flags an order for an operator: its payment did not match it. The first reason stays.
/// `false` when it was flagged before.
pub async fn flag(
    pool: &PgPool,
    id: OrderId,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<bool, StorageError> {
    let done = sqlx::query(
        "update control.orders set review_reason = $2, flagged_at = $3 \
         where order_id = $1 and review_reason is null",
    )
    .bind(id.0)
    .bind(reason)
    .bind(now)
    .execute(pool)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// What became of a flagged order after one more re-check.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Review {
    /// Still flagged; the next pass looks again.
    Recheck,
    /// This call left it for an operator: not polled any more, the operators alerted.
    LeftForOperator,
    /// Not flagged, or left for an operator before.
    NotUnderReview,
}

/// Counts one re-check of a flagged order at `now`, and leaves it for an operator once it
/// has had [`MAX_REVIEW_CHECKS`] or is [`MAX_REVIEW_AGE`] old, with an alert (raised once).
pub async fn rechecked(
    pool: &PgPool,
    id: OrderId,
    now: DateTime<Utc>,
) -> Result<Review, StorageError> {
    let mut tx = pool.begin().await?;
    let row = sqlx::query(
        "update control.orders set review_checks = review_checks + 1 \
         where order_id = $1 and review_reason is not null and left_for_review_at is null \
         returning review_checks, coalesce(flagged_at, $2) as flagged_at, review_reason, \
             business_name, tenant_id, payment_id",
    )
    .bind(id.0)
    .bind(now)
    .fetch_optional(&mut *tx)
    .await?;
    let Some(row) = row else {
        return Ok(Review::NotUnderReview);
    };
    let checks: i32 = row.try_get("review_checks")?;
    let flagged_at: DateTime<Utc> = row.try_get("flagged_at")?;
    if checks < MAX_REVIEW_CHECKS && now - flagged_at < MAX_REVIEW_AGE {
        tx.commit().await?;
        return Ok(Review::Recheck);
    }
    sqlx::query("update control.orders set left_for_review_at = $2 where order_id = $1")
        .bind(id.0)
        .bind(now)
        .execute(&mut *tx)
        .await?;
    let reason: String = row.try_get("review_reason")?;
    let name: String = row.try_get("business_name")?;
    let payment: Option<String> = row.try_get("payment_id")?;
    alerts::raise(
        &mut *tx,
        &NewAlert {
            kind: AlertKind::OrderNeedsReview,
            tenant: row.try_get::<Option<i64>, _>("tenant_id")?.map(TenantId),
            message: format!(
                "Order {id} for \"{name}\" (payment {}) does not match its payment: {reason}. \
                 Checked {checks} times since {flagged_at}; it is no longer polled. Look at it \
                 in YooKassa and refund or settle it by hand.",
                payment.as_deref().unwrap_or("none"),
            ),
            dedupe_key: Some(format!("order_review:{id}")),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(Review::LeftForOperator)
}
