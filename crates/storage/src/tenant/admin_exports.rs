//! Rows for the admin panel's CSV exports: bookings in a period and every customer.

use booking_core::time::Interval;
use chrono::{DateTime, Utc};
use sqlx::Row;

use crate::{db::TenantTx, error::StorageError};

/// One booking as exported.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BookingRow {
    pub booking_id: i64,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub status: String,
    pub service: String,
    pub staff: String,
    pub customer: String,
    pub phone: Option<String>,
    pub username: Option<String>,
    pub price_minor: i64,
    pub source: Option<String>,
    /// Paid in advance (0 when nothing was).
    pub paid_minor: i64,
    /// Given back: a refund YooKassa made or the owner marked done.
    pub refunded_minor: i64,
    /// Kept by the business under its refund policy (or the owner's choice).
    pub kept_minor: i64,
}

/// Bookings (any status but lapsed holds) starting within `window`, in time order.
pub async fn bookings(
    tx: &mut TenantTx,
    window: Interval,
) -> Result<Vec<BookingRow>, StorageError> {
    let rows = sqlx::query(
        "select b.booking_id, b.starts_at, b.ends_at, b.status, s.name as service, st.name as staff, \
             trim(c.first_name || ' ' || coalesce(c.last_name, '')) as customer, c.phone, c.username, \
             b.price_minor, b.source, coalesce(p.amount_minor, 0) as paid_minor, \
             coalesce(r.amount_minor, 0) as refunded_minor, coalesce(p.kept_minor, 0) as kept_minor \
         from bookings b join services s using (service_id) join staff st using (staff_id) \
             join customers c using (customer_id) \
             left join payments p on p.booking_id = b.booking_id and p.outcome = 'applied' \
             left join refunds r on r.payment_id = p.payment_id \
                 and r.status in ('succeeded', 'done') \
         where b.starts_at >= $1 and b.starts_at < $2 and b.status not in ('held', 'expired') \
         order by b.starts_at, b.booking_id",
    )
    .bind(window.start)
    .bind(window.end)
    .fetch_all(tx.conn())
    .await?;
    rows.iter()
        .map(|r| {
            Ok(BookingRow {
                booking_id: r.try_get("booking_id")?,
                starts_at: r.try_get("starts_at")?,
                ends_at: r.try_get("ends_at")?,
                status: r.try_get("status")?,
                service: r.try_get("service")?,
                staff: r.try_get("staff")?,
                customer: r.try_get("customer")?,
                phone: r.try_get("phone")?,
                username: r.try_get("username")?,
                price_minor: r.try_get("price_minor")?,
                source: r.try_get("source")?,
                paid_minor: r.try_get("paid_minor")?,
                refunded_minor: r.try_get("refunded_minor")?,
                kept_minor: r.try_get("kept_minor")?,
            })
        })
        .collect()
}

/// One customer as exported, with their visit counts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CustomerRow {
    pub customer_id: i64,
    pub telegram_user_id: i64,
    pub name: String,
    pub username: Option<String>,
    pub phone: Option<String>,
    pub source: Option<String>,
    pub blocked: bool,
    pub created_at: DateTime<Utc>,
    pub completed: i64,
    pub no_shows: i64,
    pub cancelled: i64,
}

pub async fn customers(tx: &mut TenantTx) -> Result<Vec<CustomerRow>, StorageError> {
    let rows = sqlx::query(
        "select c.customer_id, c.telegram_user_id, trim(c.first_name || ' ' || coalesce(c.last_name, '')) as name, \
             c.username, c.phone, c.source, c.blocked_bot_at is not null as blocked, c.created_at, \
             count(b.*) filter (where b.status = 'completed') as completed, \
             count(b.*) filter (where b.status = 'no_show') as no_shows, \
             count(b.*) filter (where b.status = 'cancelled') as cancelled \
         from customers c left join bookings b using (customer_id) \
         group by c.customer_id order by c.customer_id",
    )
    .fetch_all(tx.conn())
    .await?;
    rows.iter()
        .map(|r| {
            Ok(CustomerRow {
                customer_id: r.try_get("customer_id")?,
                telegram_user_id: r.try_get("telegram_user_id")?,
                name: r.try_get("name")?,
                username: r.try_get("username")?,
                phone: r.try_get("phone")?,
                source: r.try_get("source")?,
                blocked: r.try_get("blocked")?,
                created_at: r.try_get("created_at")?,
                completed: r.try_get("completed")?,
                no_shows: r.try_get("no_shows")?,
                cancelled: r.try_get("cancelled")?,
            })
        })
        .collect()
}
