//! Broadcasts: who one reaches (customers with a Telegram chat who have not blocked the bot,
//! in a segment), and the broadcast itself, sent through the outbox so it survives restarts.

use std::fmt;

use booking_core::{ids::TelegramUserId, locale::Locale};
use chrono::{DateTime, Duration, Utc};
use sqlx::Row;

use super::outbox::{
    BLOCKED,
    message::{Message, Notice},
};
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

/// The reason a stopped broadcast's unsent messages carry in the outbox.
pub const STOPPED: &str = "stopped";

/// A broadcast to start.
#[derive(Clone, Debug)]
pub struct NewBroadcast<'a> {
    pub id: BroadcastId,
    pub admin: TelegramUserId,
    pub admin_chat: i64,
    pub locale: Locale,
    pub audience: &'a str,
    pub text: &'a str,
}

/// A broadcast's id: the draft's, chosen by the bot.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub struct BroadcastId(pub i64);

impl fmt::Display for BroadcastId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// A broadcast still being sent, with its messages counted.
#[derive(Clone, Debug)]
pub struct Progress {
    pub id: BroadcastId,
    pub admin: TelegramUserId,
    pub admin_chat: i64,
    pub locale: Locale,
    /// `None` before the progress message is posted; `Some(0)` while it is being posted or if
    /// the bot died in between.
    pub message_id: Option<i32>,
    pub stopped: bool,
    pub tally: Tally,
}

/// Where a broadcast's messages are.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
pub struct Tally {
    pub total: i64,
    pub delivered: i64,
    pub blocked: i64,
    pub failed: i64,
    /// Not sent nor given up yet (including messages being sent right now).
    pub pending: i64,
}

impl Tally {
    /// Messages that reached an end: delivered, blocked or failed (not those a stop cancelled).
    #[must_use]
    pub const fn done(&self) -> i64 {
        self.delivered + self.blocked + self.failed
    }
}

/// Records the broadcast and queues one outbox message per recipient, `pace` apart, so the
/// dispatcher sends them under Telegram's limits with the tenant's other messages in between.
/// `false` when a broadcast with this id exists already (a second press of Send).
pub async fn start(
    tx: &mut TenantTx,
    b: &NewBroadcast<'_>,
    recipients: &[TelegramUserId],
    pace: Duration,
    now: DateTime<Utc>,
) -> Result<bool, StorageError> {
    let created = sqlx::query(
        "insert into broadcasts (broadcast_id, admin_id, admin_chat, locale, audience, text, \
             recipients, started_at) \
         values ($1, $2, $3, $4, $5, $6, $7, $8) on conflict do nothing",
    )
    .bind(b.id.0)
    .bind(b.admin.get())
    .bind(b.admin_chat)
    .bind(b.locale.code())
    .bind(b.audience)
    .bind(b.text)
    .bind(i32::try_from(recipients.len()).unwrap_or(i32::MAX))
    .bind(now)
    .execute(tx.conn())
    .await?;
    if created.rows_affected() == 0 {
        return Ok(false);
    }
    let notice = Message::Notice(Notice::text(b.text));
    let chats: Vec<i64> = recipients.iter().map(|r| r.get()).collect();
    sqlx::query(
        "insert into outbox (kind, chat_id, payload, due_at, dedupe_key, broadcast_id) \
         select $1, r.chat, $3, \
                $4 + (r.n - 1) * $5 * interval '1 millisecond', \
                'broadcast:' || $2 || ':' || r.chat, $2 \
         from unnest($6::bigint[]) with ordinality as r(chat, n) \
         on conflict (dedupe_key) do nothing",
    )
    .bind(notice.kind())
    .bind(b.id.0)
    .bind(notice.payload())
    .bind(now)
    .bind(pace.num_milliseconds())
    .bind(&chats)
    .execute(tx.conn())
    .await?;
    Ok(true)
}

/// Broadcasts not finished yet, oldest first, with their messages counted.
pub async fn unfinished(tx: &mut TenantTx) -> Result<Vec<Progress>, StorageError> {
    let rows = sqlx::query(
        "select b.broadcast_id, b.admin_id, b.admin_chat, b.locale, b.progress_message_id, \
                b.stopped_at is not null as stopped, b.recipients::bigint as total, \
                count(o.outbox_id) filter (where o.sent_at is not null) as delivered, \
                count(o.outbox_id) filter (where o.sent_at is null and o.last_error = $1 \
                    and o.cancelled_at is not null) as blocked, \
                count(o.outbox_id) filter (where o.sent_at is null and o.cancelled_at is not null \
                    and o.last_error is distinct from $1 and o.last_error is distinct from $2) as failed, \
                count(o.outbox_id) filter (where o.sent_at is null and o.cancelled_at is null) as pending \
         from broadcasts b left join outbox o on o.broadcast_id = b.broadcast_id \
         where b.finished_at is null \
         group by b.broadcast_id order by b.broadcast_id",
    )
    .bind(BLOCKED)
    .bind(STOPPED)
    .fetch_all(tx.conn())
    .await?;
    rows.iter()
        .map(|row| {
            let locale: String = row.try_get("locale")?;
            Ok(Progress {
                id: BroadcastId(row.try_get("broadcast_id")?),
                admin: TelegramUserId(row.try_get("admin_id")?),
                admin_chat: row.try_get("admin_chat")?,
                locale: locale
                    .parse()
                    .map_err(|_| StorageError::Corrupt(format!("broadcast locale {locale}")))?,
                message_id: row.try_get("progress_message_id")?,
                stopped: row.try_get("stopped")?,
                tally: Tally {
                    total: row.try_get("total")?,
                    delivered: row.try_get("delivered")?,
                    blocked: row.try_get("blocked")?,
                    failed: row.try_get("failed")?,
                    pending: row.try_get("pending")?,
                },
            })
        })
        .collect()
}

/// Takes the right to post the progress message; `false` when another bot has it.
pub async fn claim_progress_message(
    tx: &mut TenantTx,
    id: BroadcastId,
) -> Result<bool, StorageError> {
    let done = sqlx::query(
        "update broadcasts set progress_message_id = 0 \
         where broadcast_id = $1 and progress_message_id is null",
    )
    .bind(id.0)
    .execute(tx.conn())
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn set_progress_message(
    tx: &mut TenantTx,
    id: BroadcastId,
    message_id: i32,
) -> Result<(), StorageError> {
    sqlx::query("update broadcasts set progress_message_id = $2 where broadcast_id = $1")
        .bind(id.0)
        .bind(message_id)
        .execute(tx.conn())
        .await?;
    Ok(())
}

/// Stops a broadcast: its messages not yet taken by the dispatcher are cancelled; those being
/// sent right now still finish. `false` when it had finished or does not exist.
pub async fn stop(
    tx: &mut TenantTx,
    id: BroadcastId,
    now: DateTime<Utc>,
) -> Result<bool, StorageError> {
    let stopped = sqlx::query(
        "update broadcasts set stopped_at = coalesce(stopped_at, $2) \
         where broadcast_id = $1 and finished_at is null",
    )
    .bind(id.0)
    .bind(now)
    .execute(tx.conn())
    .await?;
    if stopped.rows_affected() == 0 {
        return Ok(false);
    }
    sqlx::query(
        "update outbox set cancelled_at = $2, last_error = $3 \
         where broadcast_id = $1 and sent_at is null and cancelled_at is null \
           and (locked_until is null or locked_until <= $2)",
    )
    .bind(id.0)
    .bind(now)
    .bind(STOPPED)
    .execute(tx.conn())
    .await?;
    Ok(true)
}

/// Marks a broadcast finished; `true` for the one caller that did it (who then reports).
pub async fn finish(
    tx: &mut TenantTx,
    id: BroadcastId,
    now: DateTime<Utc>,
) -> Result<bool, StorageError> {
    let done = sqlx::query(
        "update broadcasts set finished_at = $2 where broadcast_id = $1 and finished_at is null",
    )
    .bind(id.0)
    .bind(now)
    .execute(tx.conn())
    .await?;
    Ok(done.rows_affected() == 1)
}
