//! What the admin panel reads and writes about people and bookings beyond the customer flows:
//! one admin by id, removal, a booking's notes, a customer's visit record.

use booking_core::ids::{BookingId, CustomerId, TelegramUserId};
use sqlx::Row;

use crate::{
    db::TenantTx,
    error::StorageError,
    tenant::admins::{self, Admin},
};

/// The admin with this Telegram id, read fresh (every admin action re-checks it).
pub async fn admin(tx: &mut TenantTx, who: TelegramUserId) -> Result<Option<Admin>, StorageError> {
    Ok(admins::list(tx)
        .await?
        .into_iter()
        .find(|a| a.telegram_user_id == who))
}

/// Removes an admin. `false` if there was none.
pub async fn remove_admin(tx: &mut TenantTx, who: TelegramUserId) -> Result<bool, StorageError> {
    let done = sqlx::query("delete from admins where telegram_user_id = $1")
        .bind(who.get())
        .execute(tx.conn())
        .await?;
    Ok(done.rows_affected() == 1)
}

/// A customer's record as staff see it before a visit.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct VisitRecord {
    pub completed: i64,
    pub no_shows: i64,
    pub cancelled: i64,
    pub notes: String,
}

pub async fn visit_record(
    tx: &mut TenantTx,
    customer: CustomerId,
) -> Result<VisitRecord, StorageError> {
    let row = sqlx::query(
        "select c.notes, \
             count(*) filter (where b.status = 'completed') as completed, \
             count(*) filter (where b.status = 'no_show') as no_shows, \
             count(*) filter (where b.status = 'cancelled') as cancelled \
         from customers c left join bookings b using (customer_id) \
         where c.customer_id = $1 group by c.customer_id",
    )
    .bind(customer.get())
    .fetch_optional(tx.conn())
    .await?;
    let Some(row) = row else {
        return Ok(VisitRecord::default());
    };
    Ok(VisitRecord {
        completed: row.try_get("completed")?,
        no_shows: row.try_get("no_shows")?,
        cancelled: row.try_get("cancelled")?,
        notes: row.try_get("notes")?,
    })
}

/// The booking's own notes.
pub async fn booking_notes(tx: &mut TenantTx, id: BookingId) -> Result<String, StorageError> {
    let notes: Option<String> =
        sqlx::query_scalar("select notes from bookings where booking_id = $1")
            .bind(id.get())
            .fetch_optional(tx.conn())
            .await?;
    Ok(notes.unwrap_or_default())
}

/// Replaces the booking's notes.
pub async fn set_booking_notes(
    tx: &mut TenantTx,
    id: BookingId,
    notes: &str,
) -> Result<bool, StorageError> {
    let done = sqlx::query("update bookings set notes = $2 where booking_id = $1")
        .bind(id.get())
        .bind(notes)
        .execute(tx.conn())
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Replaces what the business notes about a customer (shown on each of their visits).
pub async fn set_customer_notes(
    tx: &mut TenantTx,
    id: CustomerId,
    notes: &str,
) -> Result<bool, StorageError> {
    let done = sqlx::query("update customers set notes = $2 where customer_id = $1")
        .bind(id.get())
        .bind(notes)
        .execute(tx.conn())
        .await?;
    Ok(done.rows_affected() == 1)
}

/// One block by id.
pub async fn block(
    tx: &mut TenantTx,
    id: booking_core::ids::BlockId,
) -> Result<Option<booking_core::schedule::BlockedPeriod>, StorageError> {
    let row = sqlx::query(
        "select block_id, staff_id, period, reason from blocked_periods where block_id = $1",
    )
    .bind(id.get())
    .fetch_optional(tx.conn())
    .await?;
    row.map(|row| {
        let period: sqlx::postgres::types::PgRange<chrono::DateTime<chrono::Utc>> =
            row.try_get("period")?;
        Ok(booking_core::schedule::BlockedPeriod {
            id: booking_core::ids::BlockId(row.try_get("block_id")?),
            staff: row
                .try_get::<Option<i64>, _>("staff_id")?
                .map(booking_core::ids::StaffId),
            period: crate::tenant::schedule::interval_of(&period)?,
            reason: row.try_get("reason")?,
        })
    })
    .transpose()
}

/// The stored weekly rows of a staff member (or the business): (weekday, kind, starts, ends).
pub async fn weekly_rows(
    tx: &mut TenantTx,
    staff: Option<booking_core::ids::StaffId>,
) -> Result<Vec<(i16, String, chrono::NaiveTime, chrono::NaiveTime)>, StorageError> {
    let rows = sqlx::query(
        "select weekday, kind, starts, ends from working_hours where staff_id is not distinct from $1 \
         order by weekday, kind desc, starts",
    )
    .bind(staff.map(booking_core::ids::StaffId::get))
    .fetch_all(tx.conn())
    .await?;
    rows.iter()
        .map(|r| {
            Ok((
                r.try_get("weekday")?,
                r.try_get("kind")?,
                r.try_get("starts")?,
                r.try_get("ends")?,
            ))
        })
        .collect()
}

/// Removes the exception of one date, so the weekly plan applies again.
pub async fn clear_exception(
    tx: &mut TenantTx,
    staff: Option<booking_core::ids::StaffId>,
    day: chrono::NaiveDate,
) -> Result<bool, StorageError> {
    let done = sqlx::query(
        "delete from date_exceptions where staff_id is not distinct from $1 and day = $2",
    )
    .bind(staff.map(booking_core::ids::StaffId::get))
    .bind(day)
    .execute(tx.conn())
    .await?;
    Ok(done.rows_affected() > 0)
}
