//! The owner's part of refunds: what is theirs to give back by hand (or to decide), and
//! recording that they did. Each change is checked against the row as it is (a press on a stale
//! or forged button changes nothing) and leaves an audit line.

use booking_core::ids::{BookingId, TelegramUserId};
use chrono::{DateTime, Utc};
use serde_json::json;
use sqlx::Row as _;

use super::{Method, Reason, RefundId, Status, calls::schedule_call};
use crate::{
    db::TenantTx,
    error::StorageError,
    tenant::{audit, payments::received},
};

/// A refund waiting for the owner, with what the panel shows of its booking.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OwnerRefund {
    pub id: RefundId,
    pub booking: BookingId,
    pub start: DateTime<Utc>,
    pub service_name: String,
    pub customer_name: String,
    pub customer_phone: Option<String>,
    /// What would go back.
    pub amount_minor: i64,
    pub paid_minor: i64,
    pub currency: String,
    pub reason: Reason,
    pub method: Method,
    /// `ToDo` or `Failed` (to give back by hand), or `AskOwner` (to decide).
    pub status: Status,
}

/// Refunds waiting for the owner, oldest first: to make by hand (also those YooKassa would not
/// make), and those to decide.
pub async fn to_settle(tx: &mut TenantTx) -> Result<Vec<OwnerRefund>, StorageError> {
    let rows = sqlx::query(
        "select r.refund_id, p.booking_id, b.starts_at, s.name as service_name, \
                trim(c.first_name || ' ' || coalesce(c.last_name, '')) as customer_name, \
                c.phone, r.amount_minor, p.amount_minor as paid_minor, \
                p.currency, r.reason, r.method, r.status \
         from refunds r join payments p using (payment_id) \
              join bookings b on b.booking_id = p.booking_id \
              join services s on s.service_id = b.service_id \
              join customers c on c.customer_id = b.customer_id \
         where r.status in ('to_do', 'failed', 'ask_owner') \
         order by r.created_at, r.refund_id limit 50",
    )
    .fetch_all(tx.conn())
    .await?;
    rows.iter()
        .map(|row| {
            Ok(OwnerRefund {
                id: RefundId(row.try_get("refund_id")?),
                booking: BookingId(row.try_get("booking_id")?),
                start: row.try_get("starts_at")?,
                service_name: row.try_get("service_name")?,
                customer_name: row.try_get("customer_name")?,
                customer_phone: row.try_get("phone")?,
                amount_minor: row.try_get("amount_minor")?,
                paid_minor: row.try_get("paid_minor")?,
                currency: row.try_get("currency")?,
                reason: Reason::parse(row.try_get("reason")?)?,
                method: Method::parse(row.try_get("method")?)?,
                status: Status::parse(row.try_get("status")?)?,
            })
        })
        .collect()
}

/// The owner gave the money back by hand. `false` when the refund is not one to make by hand
/// (already done, decided, made by YooKassa, or unknown).
pub async fn mark_done(
    tx: &mut TenantTx,
    id: RefundId,
    admin: TelegramUserId,
    now: DateTime<Utc>,
) -> Result<bool, StorageError> {
    let row = sqlx::query(
        "update refunds r set status = 'done', done_at = $2, done_by = $3 \
         from payments p \
         where r.refund_id = $1 and r.status in ('to_do', 'failed') and p.payment_id = r.payment_id \
         returning p.booking_id, r.amount_minor, p.currency",
    )
    .bind(id.0)
    .bind(now)
    .bind(admin.get())
    .fetch_optional(tx.conn())
    .await?;
    let Some(row) = row else {
        return Ok(false);
    };
    let booking: i64 = row.try_get("booking_id")?;
    let details = json!({
        "refund_id": id.0,
        "amount_minor": row.try_get::<i64, _>("amount_minor")?,
        "currency": row.try_get::<String, _>("currency")?,
    });
    let target = format!("booking:{booking}");
    audit::record(tx, admin, "refund.done", Some(&target), &details, now).await?;
    Ok(true)
}

/// What the owner chose for a payment under the `owner` policy.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Decision {
    /// Everything goes back (through YooKassa, or by hand).
    GiveBack,
    /// The business keeps it.
    Keep,
}

/// Records the owner's choice on a refund waiting for it; the status it moved to, or `None`
/// when there is nothing to decide (already decided, or unknown).
pub async fn decide(
    tx: &mut TenantTx,
    id: RefundId,
    decision: Decision,
    admin: TelegramUserId,
    now: DateTime<Utc>,
) -> Result<Option<Status>, StorageError> {
    let row = sqlx::query(
        "select r.payment_id, r.amount_minor, r.method, p.booking_id, p.amount_minor as paid, \
                p.currency \
         from refunds r join payments p using (payment_id) \
         where r.refund_id = $1 and r.status = 'ask_owner' for update of r, p",
    )
    .bind(id.0)
    .fetch_optional(tx.conn())
    .await?;
    let Some(row) = row else {
        return Ok(None);
    };
    let payment = received::PaymentId(row.try_get("payment_id")?);
    let amount: i64 = row.try_get("amount_minor")?;
    let paid: i64 = row.try_get("paid")?;
    let method = Method::parse(row.try_get("method")?)?;
    let status = match (decision, method) {
        (Decision::Keep, _) => Status::Declined,
        (Decision::GiveBack, Method::Yookassa) => Status::Pending,
        (Decision::GiveBack, Method::ByHand) => Status::ToDo,
    };
    match decision {
        Decision::GiveBack => received::settle(tx, payment, paid - amount, amount).await?,
        Decision::Keep => received::settle(tx, payment, paid, 0).await?,
    }
    let finished = status == Status::Declined;
    sqlx::query(
        "update refunds set status = $2, done_by = $3, \
             done_at = case when $4 then $5 end, \
             next_attempt_at = case when $2 = 'pending' then $5 end \
         where refund_id = $1",
    )
    .bind(id.0)
    .bind(status.as_str())
    .bind(admin.get())
    .bind(finished)
    .bind(now)
    .execute(tx.conn())
    .await?;
    if status == Status::Pending {
        schedule_call(tx, id, 0, now).await?;
    }
    let booking: i64 = row.try_get("booking_id")?;
    let details = json!({
        "refund_id": id.0,
        "decision": match decision { Decision::GiveBack => "give_back", Decision::Keep => "keep" },
        "amount_minor": amount,
        "currency": row.try_get::<String, _>("currency")?,
    });
    let target = format!("booking:{booking}");
    audit::record(tx, admin, "refund.decided", Some(&target), &details, now).await?;
    Ok(Some(status))
}
