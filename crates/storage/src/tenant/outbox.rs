//! Messages to send at a given time, each exactly once.
//!
//! A dispatcher claims due rows with `FOR UPDATE SKIP LOCKED` and a short lease, sends, then
//! marks them sent. A dispatcher killed between sending and marking leaves the lease to
//! expire; to keep that window from turning into a duplicate, the claim and the mark are two
//! short transactions around the send and the lease is only retaken after it lapses.

/// What a message says.
pub mod message;

use booking_core::{
    ids::{BookingId, OutboxId, TenantId},
    tenant::TenantSchema,
};
use chrono::{DateTime, Duration, Utc};
use sqlx::{Row, postgres::PgRow};

use crate::{db::TenantTx, error::StorageError};
use message::Message;

/// The channel on which every tenant's outbox says that messages were queued (see the tenant
/// migration `0005_outbox_notify.sql`); the payload is read by [`Queued::parse`].
pub const CHANNEL: &str = "outbox";

/// A notification on [`CHANNEL`]: `tenant`'s outbox has a message due at `due`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Queued {
    pub tenant: TenantId,
    pub due: DateTime<Utc>,
}

impl Queued {
    /// Reads `'<schema> <unix seconds>'`; `None` for anything else.
    #[must_use]
    pub fn parse(payload: &str) -> Option<Self> {
        let (schema, secs) = payload.split_once(' ')?;
        let tenant = TenantSchema::parse(schema).ok()?.tenant_id();
        let due = DateTime::from_timestamp(secs.parse().ok()?, 0)?;
        Some(Self { tenant, due })
    }
}

/// When the dispatcher should next look at the outbox: the earliest unsent message's due
/// time, or the end of its lease or backoff if it was tried already; `None` when nothing
/// waits. One small index scan (`outbox_due` covers the unsent rows).
pub async fn next_due(tx: &mut TenantTx) -> Result<Option<DateTime<Utc>>, StorageError> {
    Ok(sqlx::query_scalar(
        "select min(greatest(due_at, coalesce(locked_until, due_at))) from outbox \
         where sent_at is null and cancelled_at is null",
    )
    .fetch_one(tx.conn())
    .await?)
}

/// Why the messages to someone who blocked the bot were cancelled (`last_error`).
pub const BLOCKED: &str = "blocked the bot";

/// The kinds a booking schedules for itself (reminders, release, follow-up): cancelled when it
/// is cancelled or moved. Notices about the booking are not: they tell of a change that
/// happened and still must be read.
pub(crate) const SCHEDULED_KINDS: [&str; 4] = ["reminder", "release", "follow_up", "nudge"];

/// A message to schedule.
#[derive(Clone, Debug)]
pub struct NewMessage {
    pub message: Message,
    pub booking: Option<BookingId>,
    pub chat_id: i64,
    pub due_at: DateTime<Utc>,
    /// At most one message per key ever, e.g. `reminder:<booking>:<minutes>`.
    pub dedupe_key: Option<String>,
}

/// A claimed message.
#[derive(Clone, Debug)]
pub struct Claimed {
    pub id: OutboxId,
    /// The message, or why its row cannot be read (it is then dropped with that reason).
    pub message: Result<Message, String>,
    pub booking: Option<BookingId>,
    pub chat_id: i64,
    pub due_at: DateTime<Utc>,
    pub attempts: i32,
}

/// Schedules a message; `false` when its dedupe key was already used.
pub async fn enqueue(tx: &mut TenantTx, m: &NewMessage) -> Result<bool, StorageError> {
    let done = sqlx::query(
        "insert into outbox (kind, booking_id, chat_id, payload, due_at, dedupe_key) \
         values ($1, $2, $3, $4, $5, $6) on conflict (dedupe_key) do nothing",
    )
    .bind(m.message.kind())
    .bind(m.booking.map(BookingId::get))
    .bind(m.chat_id)
    .bind(m.message.payload())
    .bind(m.due_at)
    .bind(&m.dedupe_key)
    .execute(tx.conn())
    .await?;
    Ok(done.rows_affected() == 1)
}

fn from_row(row: &PgRow) -> Result<Claimed, StorageError> {
    let kind: String = row.try_get("kind")?;
    let payload: serde_json::Value = row.try_get("payload")?;
    Ok(Claimed {
        id: OutboxId(row.try_get("outbox_id")?),
        message: Message::from_parts(&kind, &payload),
        booking: row.try_get::<Option<i64>, _>("booking_id")?.map(BookingId),
        chat_id: row.try_get("chat_id")?,
        due_at: row.try_get("due_at")?,
        attempts: row.try_get("attempts")?,
    })
}

/// The messages due at some moment and not sent (nor given up) yet: how many, and when the
/// oldest fell due. Leased and waiting-for-retry ones count: they are late all the same.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct Backlog {
    pub due: i64,
    pub oldest_due: Option<DateTime<Utc>>,
}

impl Backlog {
    /// How long the oldest due message has waited at `now`, in seconds (0 when none).
    #[must_use]
    pub fn oldest_age_secs(&self, now: DateTime<Utc>) -> f64 {
        self.oldest_due
            .and_then(|due| (now - due).to_std().ok())
            .map_or(0.0, |age| age.as_secs_f64())
    }
}

/// The backlog at `now` (one indexed query: `outbox_due`).
pub async fn backlog(tx: &mut TenantTx, now: DateTime<Utc>) -> Result<Backlog, StorageError> {
    let row = sqlx::query(
        "select count(*) as due, min(due_at) as oldest from outbox \
         where sent_at is null and cancelled_at is null and due_at <= $1",
    )
    .bind(now)
    .fetch_one(tx.conn())
    .await?;
    Ok(Backlog {
        due: row.try_get("due")?,
        oldest_due: row.try_get("oldest")?,
    })
}

/// Claims up to `limit` due messages under a lease until `now + lease`.
pub async fn claim_due(
    tx: &mut TenantTx,
    now: DateTime<Utc>,
    lease: Duration,
    limit: i64,
) -> Result<Vec<Claimed>, StorageError> {
    let rows = sqlx::query(
        "update outbox set locked_until = $2, attempts = attempts + 1 \
         where outbox_id in ( \
             select outbox_id from outbox \
             where sent_at is null and cancelled_at is null and due_at <= $1 \
               and (locked_until is null or locked_until <= $1) \
             order by due_at, outbox_id for update skip locked limit $3) \
         returning outbox_id, kind, booking_id, chat_id, payload, due_at, attempts",
    )
    .bind(now)
    .bind(now + lease)
    .bind(limit)
    .fetch_all(tx.conn())
    .await?;
    rows.iter().map(from_row).collect()
}

pub async fn mark_sent(
    tx: &mut TenantTx,
    id: OutboxId,
    now: DateTime<Utc>,
) -> Result<(), StorageError> {
    sqlx::query("update outbox set sent_at = $2, locked_until = null where outbox_id = $1")
        .bind(id.get())
        .bind(now)
        .execute(tx.conn())
        .await?;
    Ok(())
}

/// Gives up on a message (the customer blocked the bot, the booking is gone).
pub async fn mark_cancelled(
    tx: &mut TenantTx,
    id: OutboxId,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<(), StorageError> {
    sqlx::query("update outbox set cancelled_at = $2, last_error = $3, locked_until = null where outbox_id = $1")
        .bind(id.get())
        .bind(now)
        .bind(reason)
        .execute(tx.conn())
        .await?;
    Ok(())
}

/// Records a failed send; it is retried when `retry_at` comes.
pub async fn mark_failed(
    tx: &mut TenantTx,
    id: OutboxId,
    error: &str,
    retry_at: DateTime<Utc>,
) -> Result<(), StorageError> {
    sqlx::query("update outbox set last_error = $2, locked_until = $3 where outbox_id = $1")
        .bind(id.get())
        .bind(error)
        .bind(retry_at)
        .execute(tx.conn())
        .await?;
    Ok(())
}

/// Cancels the unsent messages a booking scheduled for itself (it was cancelled or moved).
pub async fn cancel_for_booking(
    tx: &mut TenantTx,
    booking: BookingId,
    now: DateTime<Utc>,
) -> Result<u64, StorageError> {
    let done = sqlx::query(
        "update outbox set cancelled_at = $2 where booking_id = $1 and sent_at is null \
           and cancelled_at is null and kind = any($3)",
    )
    .bind(booking.get())
    .bind(now)
    .bind(&SCHEDULED_KINDS[..])
    .execute(tx.conn())
    .await?;
    Ok(done.rows_affected())
}

/// Cancels every unsent message to a chat (the person blocked the bot): they are not retried.
pub async fn cancel_for_chat(
    tx: &mut TenantTx,
    chat_id: i64,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<u64, StorageError> {
    let done = sqlx::query(
        "update outbox set cancelled_at = $2, last_error = $3, locked_until = null \
         where chat_id = $1 and sent_at is null and cancelled_at is null",
    )
    .bind(chat_id)
    .bind(now)
    .bind(reason)
    .execute(tx.conn())
    .await?;
    Ok(done.rows_affected())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_queued_notification_names_the_tenant_and_the_time() {
        assert_eq!(
            Queued::parse("tenant_42 1796584461"),
            Some(Queued {
                tenant: TenantId(42),
                due: DateTime::from_timestamp(1_796_584_461, 0).unwrap(),
            })
        );
        for bad in [
            "",
            "tenant_42",
            "public 1",
            "tenant_x 1",
            "tenant_1 soon",
            "tenant_1 1 2",
        ] {
            assert_eq!(Queued::parse(bad), None, "{bad:?}");
        }
    }
}
