//! The messages a confirmed booking schedules for itself in the outbox, in the transaction
//! that confirms (or moves) it: reminders at the policy's offsets, the automatic release of a
//! visit the customer did not confirm (when the policy asks for it), and the follow-up that
//! asks for a rating after the visit. Cancelling or moving the booking cancels them
//! (`outbox::cancel_for_booking`); a move schedules them again for the new time.
//!
//! Also here: what the customer does with those messages (confirm the visit, rate it), and
//! the release itself.

use booking_core::{
    booking::{Actor, BookingStatus},
    ids::{BookingId, CustomerId},
    policy::Policy,
};
use chrono::{DateTime, Duration, Utc};
use serde_json::json;
use sqlx::Row;

use crate::{
    db::TenantTx,
    error::{BookingError, StorageError},
    tenant::bookings::{self, Booking, Rules},
};

/// Outbox kinds this module writes.
pub const REMINDER: &str = "reminder";
pub const RELEASE: &str = "release";
pub const FOLLOW_UP: &str = "follow_up";

/// How long after the visit ends the follow-up asks how it went.
pub const FOLLOW_UP_AFTER: Duration = Duration::hours(2);

/// Schedules the booking's reminders, release and follow-up. Offsets already past are
/// skipped; each message has a dedupe key (`reminder:<booking>:<minutes>`, `release:<booking>`,
/// `follow_up:<booking>`), so scheduling twice writes nothing new.
pub async fn schedule(
    tx: &mut TenantTx,
    booking: &Booking,
    policy: &Policy,
    now: DateTime<Utc>,
) -> Result<(), StorageError> {
    if booking.status != BookingStatus::Confirmed {
        return Ok(());
    }
    let id = booking.id;
    let mut planned = Planned::default();
    for (minutes, at) in policy.reminder_times(booking.start, now) {
        let m = minutes.get();
        planned.push(
            REMINDER,
            at,
            json!({ "minutes": m }),
            format!("reminder:{id}:{m}"),
        );
    }
    if let Some(release) = policy.auto_release {
        let at = booking.start - release.duration();
        if at > now {
            planned.push(RELEASE, at, json!({}), format!("release:{id}"));
        }
    }
    planned.push(
        FOLLOW_UP,
        booking.end + FOLLOW_UP_AFTER,
        json!({}),
        format!("follow_up:{id}"),
    );
    // One statement for all of them: it runs inside the booking's transaction, on the path
    // every booking takes. Customers who phoned in have no Telegram chat (their ids are not
    // positive): nothing is written for them.
    sqlx::query(
        "insert into outbox (kind, booking_id, chat_id, payload, due_at, dedupe_key) \
         select m.kind, $2, c.telegram_user_id, m.payload, m.due_at, m.dedupe_key \
         from customers c, \
              unnest($3::text[], $4::jsonb[], $5::timestamptz[], $6::text[]) \
                as m(kind, payload, due_at, dedupe_key) \
         where c.customer_id = $1 and c.telegram_user_id > 0 \
         on conflict (dedupe_key) do nothing",
    )
    .bind(booking.customer_id.get())
    .bind(id.get())
    .bind(&planned.kinds)
    .bind(&planned.payloads)
    .bind(&planned.due)
    .bind(&planned.keys)
    .execute(tx.conn())
    .await?;
    Ok(())
}

/// A booking's outbox messages as the columns of one insert.
#[derive(Default)]
struct Planned {
    kinds: Vec<&'static str>,
    payloads: Vec<serde_json::Value>,
    due: Vec<DateTime<Utc>>,
    keys: Vec<String>,
}

impl Planned {
    fn push(
        &mut self,
        kind: &'static str,
        due: DateTime<Utc>,
        payload: serde_json::Value,
        key: String,
    ) {
        self.kinds.push(kind);
        self.payloads.push(payload);
        self.due.push(due);
        self.keys.push(key);
    }
}

/// After a move: the booking's earlier messages (all sent or cancelled by now) give up their
/// dedupe keys, which belong to the old time, and the messages are scheduled for the new one.
pub async fn reschedule(
    tx: &mut TenantTx,
    booking: &Booking,
    policy: &Policy,
    now: DateTime<Utc>,
) -> Result<(), StorageError> {
    sqlx::query(
        "update outbox set dedupe_key = null where booking_id = $1 and dedupe_key is not null \
           and (sent_at is not null or cancelled_at is not null)",
    )
    .bind(booking.id.get())
    .execute(tx.conn())
    .await?;
    schedule(tx, booking, policy, now).await
}

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

/// The automatic release: a confirmed booking the customer has not confirmed from a reminder
/// is cancelled by the system (which frees its time for the waitlist). `None` when there is
/// nothing to release (confirmed by the customer, already cancelled or moved).
pub async fn release_if_unconfirmed(
    tx: &mut TenantTx,
    id: BookingId,
    now: DateTime<Utc>,
) -> Result<Option<Booking>, StorageError> {
    let Some(current) = bookings::get(tx, id).await? else {
        return Ok(None);
    };
    if current.status != BookingStatus::Confirmed || is_confirmed_by_customer(tx, id).await? {
        return Ok(None);
    }
    match bookings::cancel(
        tx,
        id,
        None,
        Actor::System,
        Rules::Staff,
        Some("not confirmed by the customer"),
        now,
    )
    .await
    {
        Ok(b) => Ok(Some(b)),
        Err(BookingError::Rejected(_)) => Ok(None),
        Err(BookingError::Storage(e)) => Err(e),
    }
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
