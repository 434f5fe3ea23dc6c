//! What a change of a booking causes, written in the change's own transaction, so a committed
//! change always has all of it and a rolled-back one has none:
//!
//! - the messages the booking schedules for itself (reminders, release, follow-up): scheduled
//!   when it is booked, cancelled when it is cancelled, scheduled anew when it moves;
//! - time it gives up, offered to the waitlist;
//! - the notices [`ChangeKind::audience`] names: to the customer (when they can be written to)
//!   and to the admins who follow the booking's staff member (not the one who made it), as
//!   outbox rows the bot renders and sends once;
//! - a line in the tenant's audit log for a change the business made (an admin, the API, the
//!   platform); a customer's own changes are in the booking's history, written with the row.

use booking_core::{
    booking::Actor,
    change::{Audience, ChangeKind},
    policy::Policy,
};
use chrono::{DateTime, Utc};
use serde_json::json;
use sqlx::Row;

use super::{model::Booking, scheduled, service::BookingChange, waitlist_offers};
use crate::{
    db::TenantTx,
    error::StorageError,
    tenant::{
        outbox::{self, message::Message},
        repeat_visits::{self, WinBackKind},
        settings,
    },
};

/// Writes everything `change` causes and records in it whether the customer is told. `before`
/// is the booking as it was (for a change of an existing one); `policy` the tenant's, when the
/// change already read it.
pub(super) async fn write(
    tx: &mut TenantTx,
    change: &mut BookingChange,
    before: Option<&Booking>,
    policy: Option<Policy>,
    now: DateTime<Utc>,
) -> Result<(), StorageError> {
    let booking = &change.booking;
    match &change.kind {
        ChangeKind::Held | ChangeKind::Completed => {}
        ChangeKind::NoShow => {
            repeat_visits::schedule_win_back(tx, booking, WinBackKind::NoShow, now).await?;
        }
        ChangeKind::Booked => {
            let policy = known(tx, policy).await?;
            scheduled::schedule(tx, booking, &policy, now).await?;
        }
        ChangeKind::HoldReleased | ChangeKind::Cancelled { .. } | ChangeKind::Released => {
            outbox::cancel_for_booking(tx, booking.id, now).await?;
            waitlist_offers::time_freed(tx, before.unwrap_or(booking), now).await?;
            // Only the customer's own change of mind is won back: the business's cancellation
            // has its own notice and apology.
            if matches!(change.kind, ChangeKind::Cancelled { .. })
                && matches!(change.actor, Actor::Customer(_))
            {
                repeat_visits::schedule_win_back(tx, booking, WinBackKind::Cancelled, now).await?;
            }
        }
        ChangeKind::Moved { .. } => {
            outbox::cancel_for_booking(tx, booking.id, now).await?;
            let policy = known(tx, policy).await?;
            scheduled::reschedule(tx, booking, &policy, now).await?;
            if let Some(before) = before {
                waitlist_offers::time_freed(tx, before, now).await?;
            }
        }
    }
    change.customer_told = tell(tx, change, now).await?;
    // Every change of every path passes here: the one place that counts them.
    tx.count_booking_change(change.kind.action(), change.actor.kind());
    Ok(())
}

async fn known(tx: &mut TenantTx, policy: Option<Policy>) -> Result<Policy, StorageError> {
    match policy {
        Some(p) => Ok(p),
        None => Ok(settings::profile(tx).await?.policy),
    }
}

/// The notices and the audit line, in one statement; whether the customer is told.
async fn tell(
    tx: &mut TenantTx,
    change: &BookingChange,
    now: DateTime<Utc>,
) -> Result<bool, StorageError> {
    let Audience { customer, admins } = change.kind.audience(change.actor);
    let audited = !matches!(change.actor, Actor::Customer(_));
    if !customer && !admins && !audited {
        return Ok(false);
    }
    let b = &change.booking;
    let to_customer = Message::CustomerNotice {
        change: change.kind.clone(),
    };
    let to_admins = Message::AdminNotice {
        change: change.kind.clone(),
        actor: change.actor,
    };
    // The admin who made the change sees it on screen; the others hear of it.
    let acting_admin = match change.actor {
        Actor::Admin(id) => Some(id.get()),
        _ => None,
    };
    let details = json!({
        "by": change.actor,
        "start": b.start,
        "staff_id": b.staff_id,
        "change": change.kind,
    });
    let told = sqlx::query(
        "with n as ( \
             insert into outbox (kind, booking_id, chat_id, payload, due_at) \
             select $2, $1, c.telegram_user_id, $3, $4 from customers c \
              where $5 and c.customer_id = $6 and c.telegram_user_id > 0 and c.blocked_bot_at is null \
             union all \
             select $7, $1, a.telegram_user_id, $8, $4 from admins a \
              where $9 and (a.role <> 'staff' or a.staff_id = $10) \
                and a.telegram_user_id is distinct from $11 \
             returning kind), \
         a as ( \
             insert into audit_log (at, actor_id, action, target, details) \
             select $4, $11, $12, 'booking:' || $1, \
                    $13 || jsonb_build_object('customer_told', \
                        exists (select 1 from n where n.kind = $2)) \
              where $14) \
         select count(*) from n where n.kind = $2",
    )
    .bind(b.id.get())
    .bind(to_customer.kind())
    .bind(to_customer.payload())
    .bind(now)
    .bind(customer)
    .bind(b.customer_id.get())
    .bind(to_admins.kind())
    .bind(to_admins.payload())
    .bind(admins)
    .bind(b.staff_id.get())
    .bind(acting_admin)
    .bind(format!("booking.{}", change.kind.action()))
    .bind(details)
    .bind(audited)
    .fetch_one(tx.conn())
    .await?;
    let customers: i64 = told.try_get(0)?;
    Ok(customers > 0)
}
