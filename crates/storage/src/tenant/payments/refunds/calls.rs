//! The refund worker's side: a refund as a call to YooKassa needs it, and what each call
//! answered. Every call is an outbox row (`Message::RefundCall`, due when the refund is), so a
//! refund is tried by the tenant's own dispatcher, once per due time, across restarts and by
//! whichever process serves the tenant, without a loop of its own polling the table.

use booking_core::ids::BookingId;
use chrono::{DateTime, Utc};
use serde_json::json;
use sqlx::Row as _;
use uuid::Uuid;

use super::{Method, Reason, RefundId, Status};
use crate::{
    db::TenantTx,
    error::StorageError,
    tenant::{
        outbox::{self, NewMessage, message::Message},
        payments::received::PaymentId,
    },
};

/// A refund with what a call to YooKassa names: the payment's YooKassa id, the sum, and the
/// idempotence key fixed when the refund was opened.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refund {
    pub id: RefundId,
    pub payment: PaymentId,
    pub booking: BookingId,
    /// The customer's Telegram chat (0 or less: they booked by phone).
    pub customer_chat: i64,
    pub amount_minor: i64,
    pub currency: String,
    /// YooKassa's id of the payment given back.
    pub provider_charge_id: String,
    pub reason: Reason,
    pub method: Method,
    pub status: Status,
    pub idempotence_key: Uuid,
    /// YooKassa's id of the refund, once it answered with one.
    pub provider_refund_id: Option<String>,
    pub attempts: i32,
}

/// The refund `id`, locked until the transaction ends (one call's answer is recorded at a
/// time).
pub async fn get(tx: &mut TenantTx, id: RefundId) -> Result<Option<Refund>, StorageError> {
    let row = sqlx::query(
        "select r.refund_id, r.payment_id, p.booking_id, c.telegram_user_id, r.amount_minor, \
                p.currency, p.provider_charge_id, r.reason, r.method, r.status, \
                r.idempotence_key, r.provider_refund_id, r.attempts \
         from refunds r join payments p using (payment_id) \
              join bookings b on b.booking_id = p.booking_id \
              join customers c on c.customer_id = b.customer_id \
         where r.refund_id = $1 for update of r",
    )
    .bind(id.0)
    .fetch_optional(tx.conn())
    .await?;
    let Some(row) = row else {
        return Ok(None);
    };
    Ok(Some(Refund {
        id,
        payment: PaymentId(row.try_get("payment_id")?),
        booking: BookingId(row.try_get("booking_id")?),
        customer_chat: row.try_get("telegram_user_id")?,
        amount_minor: row.try_get("amount_minor")?,
        currency: row.try_get("currency")?,
        provider_charge_id: row.try_get("provider_charge_id")?,
        reason: Reason::parse(row.try_get("reason")?)?,
        method: Method::parse(row.try_get("method")?)?,
        status: Status::parse(row.try_get("status")?)?,
        idempotence_key: row.try_get("idempotence_key")?,
        provider_refund_id: row.try_get("provider_refund_id")?,
        attempts: row.try_get("attempts")?,
    }))
}

/// Queues the call of a pending refund at `at`; `attempt` keeps one call per attempt.
pub async fn schedule_call(
    tx: &mut TenantTx,
    id: RefundId,
    attempt: i32,
    at: DateTime<Utc>,
) -> Result<(), StorageError> {
    outbox::enqueue(
        tx,
        &NewMessage {
            message: Message::RefundCall { refund: id.0 },
            booking: None,
            // Nobody is written to: the dispatcher makes the call instead of sending.
            chat_id: 0,
            due_at: at,
            dedupe_key: Some(format!("refund_call:{}:{attempt}", id.0)),
        },
    )
    .await?;
    Ok(())
}

/// What one call to YooKassa came to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Attempt {
    /// The money is on its way back: the customer is told.
    Succeeded { provider_id: String },
    /// YooKassa took it and has not finished: asked again at `next_at`.
    Waiting {
        provider_id: String,
        next_at: DateTime<Utc>,
    },
    /// No definite answer (a 5xx, a timeout, a 429): the same call, with the same key, at
    /// `next_at`.
    Retry {
        error: String,
        next_at: DateTime<Utc>,
    },
    /// Refused or canceled: the owners are told, and it is theirs to give back by hand.
    Failed { error: String },
}

/// Records what a call of the pending refund `refund` came to, with its consequences (the
/// next call, the customer's or the owners' notice, an audit line). `false` when the refund
/// is no longer pending (another call already finished it).
pub async fn record(
    tx: &mut TenantTx,
    refund: &Refund,
    attempt: &Attempt,
    now: DateTime<Utc>,
) -> Result<bool, StorageError> {
    let (status, provider_id, error, next_at) = match attempt {
        Attempt::Succeeded { provider_id } => (Status::Succeeded, Some(provider_id), None, None),
        Attempt::Waiting {
            provider_id,
            next_at,
        } => (Status::Pending, Some(provider_id), None, Some(*next_at)),
        Attempt::Retry { error, next_at } => (Status::Pending, None, Some(error), Some(*next_at)),
        Attempt::Failed { error } => (Status::Failed, None, Some(error), None),
    };
    let done = sqlx::query(
        "update refunds set status = $2, \
             provider_refund_id = coalesce($3, provider_refund_id), \
             last_error = coalesce($4, last_error), next_attempt_at = $5, \
             attempts = attempts + 1, \
             done_at = case when $2 in ('succeeded', 'failed') then $6 end \
         where refund_id = $1 and status = 'pending'",
    )
    .bind(refund.id.0)
    .bind(status.as_str())
    .bind(provider_id)
    .bind(error)
    .bind(next_at)
    .bind(now)
    .execute(tx.conn())
    .await?;
    if done.rows_affected() == 0 {
        return Ok(false);
    }
    match attempt {
        Attempt::Waiting { next_at, .. } | Attempt::Retry { next_at, .. } => {
            schedule_call(tx, refund.id, refund.attempts + 1, *next_at).await?;
        }
        Attempt::Succeeded { .. } => {
            tell_customer(tx, refund, now).await?;
            audit(tx, refund, "refund.succeeded", None, now).await?;
        }
        Attempt::Failed { error } => {
            tell_owners(tx, refund, now).await?;
            audit(tx, refund, "refund.failed", Some(error), now).await?;
        }
    }
    Ok(true)
}

async fn tell_customer(
    tx: &mut TenantTx,
    refund: &Refund,
    now: DateTime<Utc>,
) -> Result<(), StorageError> {
    if refund.customer_chat <= 0 {
        return Ok(());
    }
    outbox::enqueue(
        tx,
        &NewMessage {
            message: Message::RefundMade {
                refund: refund.id.0,
            },
            booking: Some(refund.booking),
            chat_id: refund.customer_chat,
            due_at: now,
            dedupe_key: Some(format!("refund_made:{}", refund.id.0)),
        },
    )
    .await?;
    Ok(())
}

/// Owners and managers (not the staff members, who do not handle money) hear of a refund
/// YooKassa would not make.
async fn tell_owners(
    tx: &mut TenantTx,
    refund: &Refund,
    now: DateTime<Utc>,
) -> Result<(), StorageError> {
    let message = Message::RefundFailed {
        refund: refund.id.0,
    };
    sqlx::query(
        "insert into outbox (kind, booking_id, chat_id, payload, due_at, dedupe_key) \
         select $1, $2, a.telegram_user_id, $3, $4, 'refund_failed:' || $5::bigint || ':' || a.telegram_user_id \
         from admins a where a.role <> 'staff' \
         on conflict (dedupe_key) do nothing",
    )
    .bind(message.kind())
    .bind(refund.booking.get())
    .bind(message.payload())
    .bind(now)
    .bind(refund.id.0)
    .execute(tx.conn())
    .await?;
    Ok(())
}

/// An audit line by nobody (the platform's worker).
async fn audit(
    tx: &mut TenantTx,
    refund: &Refund,
    action: &str,
    error: Option<&String>,
    now: DateTime<Utc>,
) -> Result<(), StorageError> {
    sqlx::query(
        "insert into audit_log (at, actor_id, action, target, details) \
         values ($1, null, $2, 'booking:' || $3, $4)",
    )
    .bind(now)
    .bind(action)
    .bind(refund.booking.get())
    .bind(json!({
        "refund_id": refund.id.0,
        "amount_minor": refund.amount_minor,
        "currency": refund.currency,
        "error": error,
    }))
    .execute(tx.conn())
    .await?;
    Ok(())
}
