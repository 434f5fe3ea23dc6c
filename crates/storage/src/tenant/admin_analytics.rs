//! Figures for the admin panel's analytics, computed in PostgreSQL in the business's zone.

use booking_core::time::Interval;
use chrono::NaiveDate;
use sqlx::Row;

use crate::{db::TenantTx, error::StorageError};

/// How bookings are grouped in time.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Bucket {
    Day,
    Week,
    Month,
}

impl Bucket {
    const fn unit(self) -> &'static str {
        match self {
            Self::Day => "day",
            Self::Week => "week",
            Self::Month => "month",
        }
    }
}

/// One period's figures. A booking counts in the period its visit starts in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PeriodRow {
    pub period: NaiveDate,
    /// Confirmed, completed and no-show bookings.
    pub bookings: i64,
    pub cancellations: i64,
    pub no_shows: i64,
    /// The price of completed visits.
    pub revenue_minor: i64,
}

/// Figures per period within `window`, only periods that have any, oldest first.
pub async fn per_period(
    tx: &mut TenantTx,
    zone: &str,
    bucket: Bucket,
    window: Interval,
) -> Result<Vec<PeriodRow>, StorageError> {
    let rows = sqlx::query(
        "select date_trunc($1, starts_at at time zone $2)::date as period, \
             count(*) filter (where status in ('confirmed', 'completed', 'no_show')) as bookings, \
             count(*) filter (where status = 'cancelled') as cancellations, \
             count(*) filter (where status = 'no_show') as no_shows, \
             coalesce(sum(price_minor) filter (where status = 'completed'), 0)::bigint as revenue \
         from bookings where starts_at >= $3 and starts_at < $4 \
           and status in ('confirmed', 'completed', 'no_show', 'cancelled') \
         group by 1 order by 1",
    )
    .bind(bucket.unit())
    .bind(zone)
    .bind(window.start)
    .bind(window.end)
    .fetch_all(tx.conn())
    .await?;
    rows.iter()
        .map(|r| {
            Ok(PeriodRow {
                period: r.try_get("period")?,
                bookings: r.try_get("bookings")?,
                cancellations: r.try_get("cancellations")?,
                no_shows: r.try_get("no_shows")?,
                revenue_minor: r.try_get("revenue")?,
            })
        })
        .collect()
}

/// What a ranking is over.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Ranking {
    Services,
    Staff,
    Customers,
    /// The hour of day (local) visits start at.
    Hours,
    /// The deep-link source of the customer's first visit ("direct" without one).
    Sources,
}

/// `(label, bookings)` for the ranking within `window`, largest first (hours in clock order),
/// at most `limit` rows. Counts confirmed, completed and no-show bookings.
pub async fn ranking(
    tx: &mut TenantTx,
    zone: &str,
    ranking: Ranking,
    window: Interval,
    limit: i64,
) -> Result<Vec<(String, i64)>, StorageError> {
    let (label, order) = match ranking {
        Ranking::Services => ("s.name", "2 desc, 1"),
        Ranking::Staff => ("st.name", "2 desc, 1"),
        Ranking::Customers => (
            "trim(c.first_name || ' ' || coalesce(c.last_name, ''))",
            "2 desc, 1",
        ),
        Ranking::Hours => (
            "lpad(extract(hour from b.starts_at at time zone $1)::int::text, 2, '0')",
            "1",
        ),
        Ranking::Sources => (
            "coalesce(nullif(b.source, ''), nullif(c.source, ''), 'direct')",
            "2 desc, 1",
        ),
    };
    // Labels and orders come from the match above, never from input.
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "select {label} as label, count(*) as n \
         from bookings b join services s using (service_id) join staff st using (staff_id) \
             join customers c using (customer_id) \
         where b.starts_at >= $2 and b.starts_at < $3 and b.status in ('confirmed', 'completed', 'no_show') \
           and $1::text is not null \
         group by 1 order by {order} limit $4"
    )))
    .bind(zone)
    .bind(window.start)
    .bind(window.end)
    .bind(limit)
    .fetch_all(tx.conn())
    .await?;
    rows.iter()
        .map(|r| Ok((r.try_get("label")?, r.try_get("n")?)))
        .collect()
}
