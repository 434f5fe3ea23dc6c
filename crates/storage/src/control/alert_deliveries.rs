//! Which operator got which alert (`control.operator_alert_deliveries`), so an alert whose send
//! failed for one operator is retried for that one only.

use chrono::{DateTime, Utc};
use sqlx::PgPool;

use crate::error::StorageError;

/// How a send to one operator ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    Sent,
    /// Telegram will not let the bot write to this operator (never started it, blocked it);
    /// not retried for this alert.
    Refused,
}

impl Outcome {
    const fn as_str(self) -> &'static str {
        match self {
            Self::Sent => "sent",
            Self::Refused => "refused",
        }
    }
}

/// The operators this alert was already delivered to (or refused by).
pub async fn done_for(pool: &PgPool, alert_id: i64) -> Result<Vec<i64>, StorageError> {
    Ok(sqlx::query_scalar(
        "select operator_id from control.operator_alert_deliveries where alert_id = $1",
    )
    .bind(alert_id)
    .fetch_all(pool)
    .await?)
}

/// Records a delivery; a second record for the same operator and alert is ignored.
pub async fn record(
    pool: &PgPool,
    alert_id: i64,
    operator_id: i64,
    outcome: Outcome,
    now: DateTime<Utc>,
) -> Result<(), StorageError> {
    sqlx::query(
        "insert into control.operator_alert_deliveries (alert_id, operator_id, outcome, at) \
         values ($1, $2, $3, $4) on conflict do nothing",
    )
    .bind(alert_id)
    .bind(operator_id)
    .bind(outcome.as_str())
    .bind(now)
    .execute(pool)
    .await?;
    Ok(())
}
