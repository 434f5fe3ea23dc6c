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
    /// Paid in advance for the period's bookings (issue 19).
    pub prepaid_minor: i64,
    /// Of that, kept by the business after a late cancellation, a no-show or its choice.
    pub kept_minor: i64,
    /// Of that, given back (by YooKassa, or by hand and marked done).
    pub refunded_minor: i64,
}

/// Figures per period within `window`, only periods that have any, oldest first.
pub async fn per_period(
    tx: &mut TenantTx,
    zone: &str,
    bucket: Bucket,
    window: Interval,
) -> Result<Vec<PeriodRow>, StorageError> {
    let rows = sqlx::query(
        "select date_trunc($1, b.starts_at at time zone $2)::date as period, \
             count(*) filter (where b.status in ('confirmed', 'completed', 'no_show')) as bookings, \
             count(*) filter (where b.status = 'cancelled') as cancellations, \
             count(*) filter (where b.status = 'no_show') as no_shows, \
             coalesce(sum(b.price_minor) filter (where b.status = 'completed'), 0)::bigint as revenue, \
             coalesce(sum(p.amount_minor), 0)::bigint as prepaid, \
             coalesce(sum(p.kept_minor), 0)::bigint as kept, \
             coalesce(sum(r.amount_minor), 0)::bigint as refunded \
         from bookings b \
             left join payments p on p.booking_id = b.booking_id and p.outcome = 'applied' \
             left join refunds r on r.payment_id = p.payment_id and r.status in ('succeeded', 'done') \
         where b.starts_at >= $3 and b.starts_at < $4 \
           and b.status in ('confirmed', 'completed', 'no_show', 'cancelled') \
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
                prepaid_minor: r.try_get("prepaid")?,
                kept_minor: r.try_get("kept")?,
                refunded_minor: r.try_get("refunded")?,
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
