//! Alerts for the platform's operators, delivered by the operator bot.
//!
//! Producers (the deploy worker, the sales bot, the subscription monitor) call [`raise`];
//! the operator bot calls [`claim`], sends, then [`mark_sent`]. Like the tenant outbox, the
//! claim and the mark are short statements around the send under a lease.

use booking_core::ids::TenantId;
use chrono::{DateTime, Duration, Utc};
use serde::Serialize;
use sqlx::{PgExecutor, PgPool, Row, postgres::PgRow};

use crate::error::StorageError;

/// What an alert is about; the operator bot may word or group them by kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AlertKind {
    DeploymentFailed,
    /// A paid order whose payment did not match it, left for an operator.
    OrderNeedsReview,
    PaymentReceived,
    SubscriptionExpiring,
    SubscriptionSuspended,
    TenantCreated,
}

impl AlertKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::DeploymentFailed => "deployment_failed",
            Self::OrderNeedsReview => "order_needs_review",
            Self::PaymentReceived => "payment_received",
            Self::SubscriptionExpiring => "subscription_expiring",
            Self::SubscriptionSuspended => "subscription_suspended",
            Self::TenantCreated => "tenant_created",
        }
    }
}

/// An alert to raise.
#[derive(Clone, Debug)]
pub struct NewAlert {
    pub kind: AlertKind,
    pub tenant: Option<TenantId>,
    /// Plain text for people; never a secret.
    pub message: String,
    /// At most one alert per key ever, e.g. `deployment_failed:<deployment id>`.
    pub dedupe_key: Option<String>,
}

/// A claimed alert.
#[derive(Clone, Debug, Serialize)]
pub struct Alert {
    pub id: i64,
    pub kind: String,
    pub tenant: Option<TenantId>,
    pub message: String,
    pub attempts: i32,
    pub created_at: DateTime<Utc>,
}

/// Raises an alert; `false` when its dedupe key was already used.
pub async fn raise<'e>(
    executor: impl PgExecutor<'e>,
    alert: &NewAlert,
) -> Result<bool, StorageError> {
    let done = sqlx::query(
        "insert into control.operator_alerts (kind, tenant_id, message, dedupe_key) \
         values ($1, $2, $3, $4) on conflict (dedupe_key) do nothing",
    )
    .bind(alert.kind.as_str())
    .bind(alert.tenant.map(TenantId::get))
    .bind(truncate(&alert.message, 3000))
    .bind(&alert.dedupe_key)
    .execute(executor)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Claims up to `limit` unsent alerts, oldest first, under a lease until `now + lease`.
pub async fn claim(
    pool: &PgPool,
    now: DateTime<Utc>,
    lease: Duration,
    limit: i64,
) -> Result<Vec<Alert>, StorageError> {
    let rows = sqlx::query(
        "update control.operator_alerts set locked_until = $2, attempts = attempts + 1 \
         where alert_id in ( \
             select alert_id from control.operator_alerts \
             where sent_at is null and (locked_until is null or locked_until <= $1) \
             order by alert_id for update skip locked limit $3) \
         returning alert_id, kind, tenant_id, message, attempts, created_at",
    )
    .bind(now)
    .bind(now + lease)
    .bind(limit)
    .fetch_all(pool)
    .await?;
    let mut alerts = rows.iter().map(from_row).collect::<Result<Vec<_>, _>>()?;
    alerts.sort_by_key(|a| a.id);
    Ok(alerts)
}

/// Marks a claimed alert delivered.
pub async fn mark_sent(pool: &PgPool, id: i64, now: DateTime<Utc>) -> Result<(), StorageError> {
    sqlx::query(
        "update control.operator_alerts set sent_at = $2, locked_until = null, last_error = null \
         where alert_id = $1",
    )
    .bind(id)
    .bind(now)
    .execute(pool)
    .await?;
    Ok(())
}

/// Records a failed delivery; the alert is retried once its lease lapses.
pub async fn mark_failed(pool: &PgPool, id: i64, error: &str) -> Result<(), StorageError> {
    sqlx::query("update control.operator_alerts set last_error = $2 where alert_id = $1")
        .bind(id)
        .bind(truncate(error, 1000))
        .execute(pool)
        .await?;
    Ok(())
}

/// The most recent alerts, sent or not, newest first (for the operator bot and the API).
pub async fn recent(pool: &PgPool, limit: i64) -> Result<Vec<Alert>, StorageError> {
    let rows = sqlx::query(
        "select alert_id, kind, tenant_id, message, attempts, created_at \
         from control.operator_alerts order by alert_id desc limit $1",
    )
    .bind(limit)
    .fetch_all(pool)
    .await?;
    rows.iter().map(from_row).collect()
}

fn from_row(row: &PgRow) -> Result<Alert, StorageError> {
    Ok(Alert {
        id: row.try_get("alert_id")?,
        kind: row.try_get("kind")?,
        tenant: row.try_get::<Option<i64>, _>("tenant_id")?.map(TenantId),
        message: row.try_get("message")?,
        attempts: row.try_get("attempts")?,
        created_at: row.try_get("created_at")?,
    })
}

/// Cuts `text` to at most `max` characters (not bytes), so the check constraint always holds.
fn truncate(text: &str, max: usize) -> &str {
    match text.char_indices().nth(max) {
        Some((at, _)) => &text[..at],
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncation_counts_characters_not_bytes() {
        assert_eq!(truncate("привет", 3), "при");
        assert_eq!(truncate("hi", 3), "hi");
    }
}
