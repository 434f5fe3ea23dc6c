//! Platform figures for operators, from what the control schema knows.

use chrono::{DateTime, Datelike as _, TimeZone as _, Utc};
use serde::Serialize;
use sqlx::{PgPool, Row};

use crate::error::StorageError;

/// Counts by status, and this month's succeeded payments per currency.
#[derive(Clone, Debug, Default, Serialize, PartialEq, Eq)]
pub struct PlatformStats {
    /// (status, count), by status name.
    pub tenants: Vec<(String, i64)>,
    /// (status, count), by status name.
    pub subscriptions: Vec<(String, i64)>,
    /// (currency, number of payments, sum in minor units), since the start of the UTC month.
    pub payments_this_month: Vec<(String, i64, i64)>,
    /// Operator alerts not delivered yet.
    pub unsent_alerts: i64,
}

/// The first instant of `now`'s month, in UTC.
#[must_use]
pub fn month_start(now: DateTime<Utc>) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(now.year(), now.month(), 1, 0, 0, 0)
        .single()
        .unwrap_or(now)
}

async fn by_status(pool: &PgPool, table: &str) -> Result<Vec<(String, i64)>, StorageError> {
    // `table` is one of two constants below, never input.
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "select status, count(*) as n from control.{table} group by status order by status"
    )))
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|r| Ok((r.try_get("status")?, r.try_get("n")?)))
        .collect()
}

/// The figures as of `now`.
pub async fn collect(pool: &PgPool, now: DateTime<Utc>) -> Result<PlatformStats, StorageError> {
    let tenants = by_status(pool, "tenants").await?;
    let subscriptions = by_status(pool, "subscriptions").await?;
    let rows = sqlx::query(
        "select currency, count(*) as n, coalesce(sum(amount_minor), 0)::bigint as total \
         from control.payments where status = 'succeeded' and created_at >= $1 and created_at <= $2 \
         group by currency order by currency",
    )
    .bind(month_start(now))
    .bind(now)
    .fetch_all(pool)
    .await?;
    let payments_this_month = rows
        .iter()
        .map(|r| Ok((r.try_get("currency")?, r.try_get("n")?, r.try_get("total")?)))
        .collect::<Result<_, StorageError>>()?;
    let unsent_alerts =
        sqlx::query_scalar("select count(*) from control.operator_alerts where sent_at is null")
            .fetch_one(pool)
            .await?;
    Ok(PlatformStats {
        tenants,
        subscriptions,
        payments_this_month,
        unsent_alerts,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_month_starts_on_the_first_at_midnight_utc() {
        let now = Utc.with_ymd_and_hms(2026, 6, 17, 13, 5, 0).unwrap();
        assert_eq!(
            month_start(now),
            Utc.with_ymd_and_hms(2026, 6, 1, 0, 0, 0).unwrap()
        );
    }
}
