//! Who a broadcast reaches: customers with a Telegram chat who have not blocked the bot, in a
//! segment.

use booking_core::ids::TelegramUserId;
use chrono::{DateTime, Duration, Utc};

use crate::{db::TenantTx, error::StorageError};

/// A group of customers.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Segment {
    All,
    /// Had a visit (confirmed or completed) in the last so many days.
    VisitedWithin(u16),
    /// Never had a booking that was not a lapsed hold.
    NeverBooked,
}

/// The recipients' Telegram ids, in customer order.
pub async fn recipients(
    tx: &mut TenantTx,
    segment: Segment,
    now: DateTime<Utc>,
) -> Result<Vec<TelegramUserId>, StorageError> {
    let (kind, since) = match segment {
        Segment::All => ("all", now),
        Segment::VisitedWithin(days) => ("visited", now - Duration::days(i64::from(days))),
        Segment::NeverBooked => ("never", now),
    };
    let ids: Vec<i64> = sqlx::query_scalar(
        "select c.telegram_user_id from customers c \
         where c.telegram_user_id > 0 and c.blocked_bot_at is null \
           and case $1 \
             when 'visited' then exists (select 1 from bookings b where b.customer_id = c.customer_id \
                 and b.status in ('confirmed', 'completed') and b.starts_at >= $2 and b.starts_at < $3) \
             when 'never' then not exists (select 1 from bookings b where b.customer_id = c.customer_id \
                 and b.status not in ('held', 'expired')) \
             else true end \
         order by c.customer_id",
    )
    .bind(kind)
    .bind(since)
    .bind(now)
    .fetch_all(tx.conn())
    .await?;
    Ok(ids.into_iter().map(TelegramUserId).collect())
}
