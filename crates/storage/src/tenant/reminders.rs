//! What the customer does with the messages a booking sends them: confirm the visit from a
//! reminder, rate it afterwards, leave a comment. (The messages themselves are scheduled by
//! the booking service, `bookings::scheduled`; the automatic release is
//! `bookings::service::release_unconfirmed`.)

use booking_core::{
    booking::Actor,
    ids::{BookingId, CustomerId},
};
use chrono::{DateTime, Utc};
use sqlx::Row;

use crate::{db::TenantTx, error::StorageError};

/// The customer pressed Confirm on a reminder: only their own confirmed, upcoming booking.
/// `false` when there is no such booking.
pub async fn confirm_visit(
    tx: &mut TenantTx,
    id: BookingId,
    customer: CustomerId,
    actor: Actor,
    now: DateTime<Utc>,
) -> Result<bool, StorageError> {
    let done = sqlx::query(
        "with b as ( \
             update bookings set customer_confirmed_at = coalesce(customer_confirmed_at, $3) \
             where booking_id = $1 and customer_id = $2 and status = 'confirmed' and starts_at > $3 \
             returning booking_id), \
         h as ( \
             insert into booking_history (booking_id, at, actor_kind, actor_id, action) \
             select booking_id, $3, $4, $5, 'customer_confirm' from b) \
         select booking_id from b",
    )
    .bind(id.get())
    .bind(customer.get())
    .bind(now)
    .bind(actor.kind())
    .bind(actor.id())
    .fetch_optional(tx.conn())
    .await?;
    Ok(done.is_some())
}

/// Whether the customer confirmed the visit from a reminder.
pub async fn is_confirmed_by_customer(
    tx: &mut TenantTx,
    id: BookingId,
) -> Result<bool, StorageError> {
    let row = sqlx::query(
        "select customer_confirmed_at is not null as confirmed from bookings where booking_id = $1",
    )
    .bind(id.get())
    .fetch_optional(tx.conn())
    .await?;
    Ok(match row {
        Some(r) => r.try_get("confirmed")?,
        None => false,
    })
}

/// A 1–5 rating of the customer's own visit that has ended (and was not cancelled or missed).
/// `false` when there is no such visit.
pub async fn rate(
    tx: &mut TenantTx,
    id: BookingId,
    customer: CustomerId,
    rating: u8,
    now: DateTime<Utc>,
) -> Result<bool, StorageError> {
    if !(1..=5).contains(&rating) {
        return Ok(false);
    }
    let done = sqlx::query(
        "update bookings set rating = $3 where booking_id = $1 and customer_id = $2 \
           and status in ('confirmed', 'completed') and ends_at <= $4",
    )
    .bind(id.get())
    .bind(customer.get())
    .bind(i16::from(rating))
    .bind(now)
    .execute(tx.conn())
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The optional comment after a rating; only on the customer's own rated visit.
pub async fn comment(
    tx: &mut TenantTx,
    id: BookingId,
    customer: CustomerId,
    text: &str,
) -> Result<bool, StorageError> {
    let done = sqlx::query(
        "update bookings set rating_comment = $3 where booking_id = $1 and customer_id = $2 \
           and rating is not null",
    )
    .bind(id.get())
    .bind(customer.get())
    .bind(text)
    .execute(tx.conn())
    .await?;
    Ok(done.rows_affected() == 1)
}
