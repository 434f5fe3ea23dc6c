//! Bringing customers back: the next-visit nudge (a service's repeat interval after a visit)
//! and the win-back (a tenant-set number of days after a no-show or the customer's own
//! cancellation).
//!
//! Both are outbox rows scheduled in the booking's own transaction, so they go out once, under
//! the dispatcher's flood limits, at a time read from the injected clock. When one falls due
//! the bot checks again ([`may_send`]) that the customer has not booked since and has not
//! stopped these messages: a nudge is a suggestion, never a nag.

use booking_core::ids::{CustomerId, ServiceId};
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use sqlx::Row;

use super::{bookings::model::Booking, settings};
use crate::{db::TenantTx, error::StorageError};

/// What a win-back follows.
#[derive(Copy, Clone, Eq, PartialEq, Hash, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WinBackKind {
    NoShow,
    /// The customer cancelled (a cancellation by the business is its own notice).
    Cancelled,
}

impl WinBackKind {
    pub const ALL: [Self; 2] = [Self::NoShow, Self::Cancelled];

    #[must_use]
    pub const fn code(self) -> &'static str {
        match self {
            Self::NoShow => "n",
            Self::Cancelled => "c",
        }
    }

    #[must_use]
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == code)
    }
}

/// The longest interval or delay a tenant may set, in days.
pub const MAX_DAYS: u16 = 365;

/// The tenant's win-back settings (the `repeat_messages` setting): days after the event, or
/// `None` for off. Off until the owner switches a kind on: customers hear nothing the business
/// did not choose to send.
#[derive(Copy, Clone, Eq, PartialEq, Debug, Default, Serialize, Deserialize)]
pub struct WinBackSettings {
    #[serde(default)]
    pub no_show_days: Option<u16>,
    #[serde(default)]
    pub cancelled_days: Option<u16>,
}

impl WinBackSettings {
    #[must_use]
    pub const fn days(self, kind: WinBackKind) -> Option<u16> {
        match kind {
            WinBackKind::NoShow => self.no_show_days,
            WinBackKind::Cancelled => self.cancelled_days,
        }
    }

    fn set(&mut self, kind: WinBackKind, days: Option<u16>) {
        match kind {
            WinBackKind::NoShow => self.no_show_days = days,
            WinBackKind::Cancelled => self.cancelled_days = days,
        }
    }
}

const SETTING: &str = "repeat_messages";

/// Days in 1..=[`MAX_DAYS`], or `None`.
fn checked(days: Option<u16>) -> Option<u16> {
    days.filter(|d| (1..=MAX_DAYS).contains(d))
}

pub async fn win_back_settings(tx: &mut TenantTx) -> Result<WinBackSettings, StorageError> {
    Ok(settings::get(tx, SETTING).await?.unwrap_or_default())
}

/// Switches one kind of win-back on (`Some(days)`) or off.
pub async fn set_win_back(
    tx: &mut TenantTx,
    kind: WinBackKind,
    days: Option<u16>,
) -> Result<WinBackSettings, StorageError> {
    let mut current = win_back_settings(tx).await?;
    current.set(kind, checked(days));
    settings::set(tx, SETTING, &current).await?;
    Ok(current)
}

/// A service as the repeat settings show it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RepeatInterval {
    pub service: ServiceId,
    pub name: String,
    pub days: Option<u16>,
}

/// Every active service with its repeat interval.
pub async fn intervals(tx: &mut TenantTx) -> Result<Vec<RepeatInterval>, StorageError> {
    let rows = sqlx::query(
        "select service_id, name, repeat_after_days from services where active \
          order by sort_order, service_id",
    )
    .fetch_all(tx.conn())
    .await?;
    rows.iter()
        .map(|r| {
            let days: Option<i32> = r.try_get("repeat_after_days")?;
            Ok(RepeatInterval {
                service: ServiceId(r.try_get("service_id")?),
                name: r.try_get("name")?,
                days: days.and_then(|d| u16::try_from(d).ok()),
            })
        })
        .collect()
}

/// Sets a service's repeat interval (`None`: no nudge); whether the service exists. Visits
/// already booked keep the nudge they scheduled, which checks the interval again when due.
pub async fn set_interval(
    tx: &mut TenantTx,
    service: ServiceId,
    days: Option<u16>,
) -> Result<bool, StorageError> {
    let done = sqlx::query("update services set repeat_after_days = $2 where service_id = $1")
        .bind(service.get())
        .bind(checked(days).map(i32::from))
        .execute(tx.conn())
        .await?;
    Ok(done.rows_affected() > 0)
}

/// A service's repeat interval now, if it has one.
pub async fn interval_of(
    tx: &mut TenantTx,
    service: ServiceId,
) -> Result<Option<u16>, StorageError> {
    let days: Option<Option<i32>> = sqlx::query_scalar(
        "select repeat_after_days from services where service_id = $1 and active",
    )
    .bind(service.get())
    .fetch_optional(tx.conn())
    .await?;
    Ok(days.flatten().and_then(|d| u16::try_from(d).ok()))
}

/// Schedules the nudge of a confirmed booking: its service's interval after the visit ends
/// (dedupe key `nudge:<booking>`, so scheduling twice writes nothing new). Cancelling or moving
/// the booking cancels it with its other messages.
pub(crate) async fn schedule_nudge(
    tx: &mut TenantTx,
    booking: &Booking,
) -> Result<(), StorageError> {
    sqlx::query(
        "insert into outbox (kind, booking_id, chat_id, payload, due_at, dedupe_key) \
         select 'nudge', $1, c.telegram_user_id, '{}'::jsonb, \
                $2 + make_interval(days => s.repeat_after_days), 'nudge:' || $1 \
           from customers c, services s \
          where c.customer_id = $3 and c.telegram_user_id > 0 \
            and s.service_id = $4 and s.repeat_after_days is not null \
         on conflict (dedupe_key) do nothing",
    )
    .bind(booking.id.get())
    .bind(booking.end)
    .bind(booking.customer_id.get())
    .bind(booking.service_id.get())
    .execute(tx.conn())
    .await?;
    Ok(())
}

/// Schedules the win-back of a no-show or a customer's cancellation, when the tenant has that
/// kind switched on: its days after `now` (dedupe key `win_back:<booking>`: once per visit),
/// unless one already waits for the customer: a cancellation of several visits at once (a
/// whole series) wins the customer back once.
pub(crate) async fn schedule_win_back(
    tx: &mut TenantTx,
    booking: &Booking,
    kind: WinBackKind,
    now: DateTime<Utc>,
) -> Result<(), StorageError> {
    let Some(days) = win_back_settings(tx).await?.days(kind) else {
        return Ok(());
    };
    let message = super::outbox::message::Message::WinBack { after: kind };
    sqlx::query(
        "insert into outbox (kind, booking_id, chat_id, payload, due_at, dedupe_key) \
         select $1, $2, c.telegram_user_id, $3, $4, 'win_back:' || $2 \
           from customers c where c.customer_id = $5 and c.telegram_user_id > 0 \
            and not exists (select 1 from outbox o where o.kind = $1 \
                              and o.chat_id = c.telegram_user_id \
                              and o.sent_at is null and o.cancelled_at is null) \
         on conflict (dedupe_key) do nothing",
    )
    .bind(message.kind())
    .bind(booking.id.get())
    .bind(message.payload())
    .bind(now + Duration::days(i64::from(days)))
    .bind(booking.customer_id.get())
    .execute(tx.conn())
    .await?;
    Ok(())
}

/// Whether a nudge or win-back may still go to `customer` at `now`: they have not stopped
/// these messages, and have no visit booked ahead.
pub async fn may_send(
    tx: &mut TenantTx,
    customer: CustomerId,
    now: DateTime<Utc>,
) -> Result<bool, StorageError> {
    let ok: Option<bool> = sqlx::query_scalar(
        "select c.repeat_messages_stopped_at is null and c.blocked_bot_at is null \
                and not exists (select 1 from bookings b where b.customer_id = c.customer_id \
                                  and b.status = 'confirmed' and b.starts_at > $2) \
           from customers c where c.customer_id = $1",
    )
    .bind(customer.get())
    .bind(now)
    .fetch_optional(tx.conn())
    .await?;
    Ok(ok.unwrap_or(false))
}

/// "Stop these messages": no nudge or win-back reaches the customer again, and those already
/// scheduled are cancelled. Whether anything changed.
pub async fn stop(
    tx: &mut TenantTx,
    customer: CustomerId,
    now: DateTime<Utc>,
) -> Result<bool, StorageError> {
    let done = sqlx::query(
        "update customers set repeat_messages_stopped_at = $2 \
          where customer_id = $1 and repeat_messages_stopped_at is null",
    )
    .bind(customer.get())
    .bind(now)
    .execute(tx.conn())
    .await?;
    sqlx::query(
        "update outbox o set cancelled_at = $2 from customers c \
          where c.customer_id = $1 and o.chat_id = c.telegram_user_id \
            and o.kind in ('nudge', 'win_back') and o.sent_at is null and o.cancelled_at is null",
    )
    .bind(customer.get())
    .bind(now)
    .execute(tx.conn())
    .await?;
    Ok(done.rows_affected() > 0)
}
