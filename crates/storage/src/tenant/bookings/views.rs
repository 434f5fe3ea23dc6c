//! Reading bookings: one, a customer's, a range or a day, a booking's history; and the sweeper
//! that marks lapsed holds expired.

use booking_core::{
    ids::{BookingId, CustomerId, StaffId, TelegramUserId},
    time::Interval,
};
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::{Row, postgres::PgRow};

use super::model::{Booking, BookingView, COLUMNS, HistoryEntry, from_row};
use crate::{db::TenantTx, error::StorageError, tenant::settings};

/// The booking, whatever its state.
pub async fn get(tx: &mut TenantTx, id: BookingId) -> Result<Option<Booking>, StorageError> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "select {COLUMNS} from bookings where booking_id = $1"
    )))
    .bind(id.get())
    .fetch_optional(tx.conn())
    .await?;
    row.as_ref().map(from_row).transpose()
}

const VIEW_SELECT: &str = "select b.booking_id, b.customer_id, b.service_id, b.staff_id, b.starts_at, b.ends_at, \
        b.status, b.hold_expires_at, b.price_minor, b.source, b.series_id, s.name as service_name, st.name as staff_name, \
        trim(c.first_name || ' ' || coalesce(c.last_name, '')) as customer_name, c.phone, c.telegram_user_id \
    from bookings b join services s using (service_id) join staff st using (staff_id) \
        join customers c using (customer_id)";

fn view_from_row(row: &PgRow) -> Result<BookingView, StorageError> {
    Ok(BookingView {
        booking: from_row(row)?,
        service_name: row.try_get("service_name")?,
        staff_name: row.try_get("staff_name")?,
        customer_name: row.try_get("customer_name")?,
        customer_phone: row.try_get("phone")?,
        telegram_user_id: TelegramUserId(row.try_get("telegram_user_id")?),
    })
}

/// A customer's upcoming live bookings (soonest first) or past ones (latest first).
pub async fn for_customer(
    tx: &mut TenantTx,
    customer: CustomerId,
    upcoming: bool,
    now: DateTime<Utc>,
    limit: i64,
) -> Result<Vec<BookingView>, StorageError> {
    let sql = if upcoming {
        format!(
            "{VIEW_SELECT} where b.customer_id = $1 and b.ends_at > $2 and b.status = 'confirmed' \
             order by b.starts_at limit $3"
        )
    } else {
        format!(
            "{VIEW_SELECT} where b.customer_id = $1 and (b.ends_at <= $2 or b.status in ('completed', 'no_show', 'cancelled')) \
               and b.status <> 'expired' and b.status <> 'held' \
             order by b.starts_at desc limit $3"
        )
    };
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(customer.get())
        .bind(now)
        .bind(limit)
        .fetch_all(tx.conn())
        .await?;
    rows.iter().map(view_from_row).collect()
}

/// Confirmed, completed and no-show bookings whose visit starts within `[from, to)`, for a
/// staff member or everyone, in time order.
pub async fn in_range(
    tx: &mut TenantTx,
    window: Interval,
    staff: Option<StaffId>,
) -> Result<Vec<BookingView>, StorageError> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "{VIEW_SELECT} where b.starts_at >= $1 and b.starts_at < $2 \
           and b.status in ('confirmed', 'completed', 'no_show') \
           and ($3::bigint is null or b.staff_id = $3) \
         order by b.starts_at, b.staff_id"
    )))
    .bind(window.start)
    .bind(window.end)
    .bind(staff.map(StaffId::get))
    .fetch_all(tx.conn())
    .await?;
    rows.iter().map(view_from_row).collect()
}

/// The bookings of one local date in the tenant's zone.
pub async fn for_day(
    tx: &mut TenantTx,
    date: NaiveDate,
    staff: Option<StaffId>,
) -> Result<Vec<BookingView>, StorageError> {
    let zone = settings::profile(tx).await?.time_zone;
    let local_midnight = |d: NaiveDate| {
        d.and_hms_opt(0, 0, 0)
            .and_then(|t| t.and_local_timezone(zone).earliest())
            .map(|t| t.with_timezone(&Utc))
    };
    let (Some(start), Some(end)) = (
        local_midnight(date),
        date.succ_opt().and_then(local_midnight),
    ) else {
        return Ok(vec![]);
    };
    in_range(tx, Interval { start, end }, staff).await
}

/// Every change of a booking, oldest first.
pub async fn history(tx: &mut TenantTx, id: BookingId) -> Result<Vec<HistoryEntry>, StorageError> {
    let rows = sqlx::query(
        "select at, actor_kind, actor_id, action, old_status, new_status, old_starts_at, new_starts_at, reason \
         from booking_history where booking_id = $1 order by at, booking_history_id",
    )
    .bind(id.get())
    .fetch_all(tx.conn())
    .await?;
    rows.iter()
        .map(|r| {
            Ok(HistoryEntry {
                at: r.try_get("at")?,
                actor_kind: r.try_get("actor_kind")?,
                actor_id: r.try_get("actor_id")?,
                action: r.try_get("action")?,
                old_status: r.try_get("old_status")?,
                new_status: r.try_get("new_status")?,
                old_start: r.try_get("old_starts_at")?,
                new_start: r.try_get("new_starts_at")?,
                reason: r.try_get("reason")?,
            })
        })
        .collect()
}

/// Marks every lapsed hold expired (the sweeper; correctness does not depend on it).
pub async fn expire_holds(tx: &mut TenantTx, now: DateTime<Utc>) -> Result<u64, StorageError> {
    let done = sqlx::query(
        "with e as (update bookings set status = 'expired' where status = 'held' and hold_expires_at <= $1 \
             returning booking_id) \
         insert into booking_history (booking_id, at, actor_kind, action, old_status, new_status) \
         select booking_id, $1, 'system', 'expire', 'held', 'expired' from e",
    )
    .bind(now)
    .execute(tx.conn())
    .await?;
    Ok(done.rows_affected())
}
