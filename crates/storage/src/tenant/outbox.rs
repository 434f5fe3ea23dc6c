//! Messages to send at a given time, each exactly once.
//!
//! A dispatcher claims due rows with `FOR UPDATE SKIP LOCKED` and a short lease, sends, then
//! marks them sent. A dispatcher killed between sending and marking leaves the lease to
//! expire; to keep that window from turning into a duplicate, the claim and the mark are two
//! short transactions around the send and the lease is only retaken after it lapses.

use booking_core::ids::{BookingId, OutboxId};
use chrono::{DateTime, Duration, Utc};
use serde::Serialize;
use sqlx::{Row, postgres::PgRow};

use crate::{db::TenantTx, error::StorageError};

/// The kind of a message sent verbatim from its payload `{"text", "buttons"}` (the booking
/// bot documents the payload in its `delivery` module).
pub const NOTICE: &str = "notice";

/// Why the messages to someone who blocked the bot were cancelled (`last_error`).
pub const BLOCKED: &str = "blocked the bot";

/// A message to schedule.
#[derive(Clone, Debug)]
pub struct NewMessage {
    pub kind: String,
    pub booking: Option<BookingId>,
    pub chat_id: i64,
    pub payload: serde_json::Value,
    pub due_at: DateTime<Utc>,
    /// At most one message per key ever, e.g. `reminder:<booking>:<minutes>`.
    pub dedupe_key: Option<String>,
}

/// A claimed message.
#[derive(Clone, Debug, Serialize)]
pub struct OutboxMessage {
    pub id: OutboxId,
    pub kind: String,
    pub booking: Option<BookingId>,
    pub chat_id: i64,
    pub payload: serde_json::Value,
    pub due_at: DateTime<Utc>,
    pub attempts: i32,
}

/// Schedules a message; `false` when its dedupe key was already used.
pub async fn enqueue(tx: &mut TenantTx, m: &NewMessage) -> Result<bool, StorageError> {
    let done = sqlx::query(
        "insert into outbox (kind, booking_id, chat_id, payload, due_at, dedupe_key) \
         values ($1, $2, $3, $4, $5, $6) on conflict (dedupe_key) do nothing",
    )
    .bind(&m.kind)
    .bind(m.booking.map(BookingId::get))
    .bind(m.chat_id)
    .bind(&m.payload)
    .bind(m.due_at)
    .bind(&m.dedupe_key)
    .execute(tx.conn())
    .await?;
    Ok(done.rows_affected() == 1)
}

fn from_row(row: &PgRow) -> Result<OutboxMessage, StorageError> {
    Ok(OutboxMessage {
        id: OutboxId(row.try_get("outbox_id")?),
        kind: row.try_get("kind")?,
        booking: row.try_get::<Option<i64>, _>("booking_id")?.map(BookingId),
        chat_id: row.try_get("chat_id")?,
        payload: row.try_get("payload")?,
        due_at: row.try_get("due_at")?,
        attempts: row.try_get("attempts")?,
    })
}

/// Claims up to `limit` due messages under a lease until `now + lease`.
pub async fn claim_due(
    tx: &mut TenantTx,
    now: DateTime<Utc>,
    lease: Duration,
    limit: i64,
) -> Result<Vec<OutboxMessage>, StorageError> {
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

/// Cancels every unsent message of a booking (it was cancelled or moved).
pub async fn cancel_for_booking(
    tx: &mut TenantTx,
    booking: BookingId,
    now: DateTime<Utc>,
) -> Result<u64, StorageError> {
    let done = sqlx::query(
        "update outbox set cancelled_at = $2 where booking_id = $1 and sent_at is null and cancelled_at is null",
    )
    .bind(booking.get())
    .bind(now)
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
