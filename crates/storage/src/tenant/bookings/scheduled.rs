//! The messages a confirmed booking schedules for itself in the outbox, in the transaction
//! that confirms (or moves) it: reminders at the policy's offsets, the automatic release of a
//! visit the customer did not confirm (when the policy asks for it), and the follow-up that
//! asks for a rating after the visit. Cancelling or moving the booking cancels them
//! (`outbox::cancel_for_booking`); a move schedules them again for the new time.

use booking_core::{booking::BookingStatus, policy::Policy};
use chrono::{DateTime, Duration, Utc};

use super::model::Booking;
use crate::{db::TenantTx, error::StorageError, tenant::outbox::message::Message};

/// How long after the visit ends the follow-up asks how it went.
pub const FOLLOW_UP_AFTER: Duration = Duration::hours(2);

/// Schedules the booking's reminders, release and follow-up. Offsets already past are
/// skipped; each message has a dedupe key (`reminder:<booking>:<minutes>`, `release:<booking>`,
/// `follow_up:<booking>`), so scheduling twice writes nothing new.
pub(super) async fn schedule(
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
            &Message::Reminder { minutes: m },
            at,
            format!("reminder:{id}:{m}"),
        );
    }
    if let Some(release) = policy.auto_release {
        let at = booking.start - release.duration();
        if at > now {
            planned.push(&Message::Release, at, format!("release:{id}"));
        }
    }
    planned.push(
        &Message::FollowUp,
        booking.end + FOLLOW_UP_AFTER,
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
    crate::tenant::repeat_visits::schedule_nudge(tx, booking).await
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
    fn push(&mut self, message: &Message, due: DateTime<Utc>, key: String) {
        self.kinds.push(message.kind());
        self.payloads.push(message.payload());
        self.due.push(due);
        self.keys.push(key);
    }
}

/// After a move: the booking's earlier messages (all sent or cancelled by now) give up their
/// dedupe keys, which belong to the old time, and the messages are scheduled for the new one.
pub(super) async fn reschedule(
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
