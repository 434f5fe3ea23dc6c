//! Refunds (table `refunds`): at most one per payment, through YooKassa's refunds API with a
//! stable idempotence key, or by the owner's hand.

use chrono::{DateTime, Utc};
use sqlx::Row as _;
use uuid::Uuid;

use super::received::PaymentId;
use crate::{db::TenantTx, error::StorageError};

/// Reading refunds and recording the calls to YooKassa (the bot's refund worker).
mod calls;
/// The owner's part: refunds to make by hand, and decisions.
mod owner;
/// What a booking's card shows of its money.
mod shown;

pub use calls::{Attempt, Refund, get, record, schedule_call};
pub use owner::{Decision, OwnerRefund, decide, mark_done, to_settle};
pub use shown::{BookingMoney, RefundShown, of_booking, of_bookings};

/// A refund's row id.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RefundId(pub i64);

/// Why a payment goes back (`refunds.reason`).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Reason {
    CancelledInTime,
    CancelledLate,
    CancelledByBusiness,
    LatePayment,
    DuplicatePayment,
    /// The customer did not come; what the policy does not keep goes back.
    NoShow,
    OwnerChoice,
}

impl Reason {
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::CancelledInTime => "cancelled_in_time",
            Self::CancelledLate => "cancelled_late",
            Self::CancelledByBusiness => "cancelled_by_business",
            Self::LatePayment => "late_payment",
            Self::DuplicatePayment => "duplicate_payment",
            Self::NoShow => "no_show",
            Self::OwnerChoice => "owner_choice",
        }
    }

    fn parse(s: &str) -> Result<Self, StorageError> {
        Ok(match s {
            "cancelled_in_time" => Self::CancelledInTime,
            "cancelled_late" => Self::CancelledLate,
            "cancelled_by_business" => Self::CancelledByBusiness,
            "late_payment" => Self::LatePayment,
            "duplicate_payment" => Self::DuplicatePayment,
            "no_show" => Self::NoShow,
            "owner_choice" => Self::OwnerChoice,
            other => return Err(StorageError::Corrupt(format!("refund reason {other:?}"))),
        })
    }
}

/// Who gives the money back.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Method {
    /// YooKassa's refunds API (the tenant gave its shop id and secret key).
    Yookassa,
    /// The owner, by hand, who marks it done.
    ByHand,
}

impl Method {
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Yookassa => "yookassa",
            Self::ByHand => "by_hand",
        }
    }

    fn parse(s: &str) -> Result<Self, StorageError> {
        match s {
            "yookassa" => Ok(Self::Yookassa),
            "by_hand" => Ok(Self::ByHand),
            other => Err(StorageError::Corrupt(format!("refund method {other:?}"))),
        }
    }
}

/// Where a refund is (`refunds.status`).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Status {
    /// The owner decides first.
    AskOwner,
    /// YooKassa's call is to be made, or its answer awaited.
    Pending,
    Succeeded,
    /// YooKassa refused or canceled it: the owner is told.
    Failed,
    /// The owner is to give it back by hand.
    ToDo,
    /// The owner gave it back by hand.
    Done,
    /// The owner chose to keep the payment.
    Declined,
}

impl Status {
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::AskOwner => "ask_owner",
            Self::Pending => "pending",
            Self::Succeeded => "succeeded",
            Self::Failed => "failed",
            Self::ToDo => "to_do",
            Self::Done => "done",
            Self::Declined => "declined",
        }
    }

    fn parse(s: &str) -> Result<Self, StorageError> {
        Ok(match s {
            "ask_owner" => Self::AskOwner,
            "pending" => Self::Pending,
            "succeeded" => Self::Succeeded,
            "failed" => Self::Failed,
            "to_do" => Self::ToDo,
            "done" => Self::Done,
            "declined" => Self::Declined,
            other => return Err(StorageError::Corrupt(format!("refund status {other:?}"))),
        })
    }
}

/// Where a new refund starts.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Start {
    /// To be made now (by the worker, or listed for the owner to make by hand).
    Now,
    /// The owner decides first (the `owner` refund policy).
    AskOwner,
}

/// Opens the refund of `amount_minor` of `payment`, in the caller's transaction, with its
/// idempotence key fixed now (every later call to YooKassa reuses it). At most one per
/// payment: `None` when the payment already has one. A refund through YooKassa is due at
/// `now`: its first call is queued in the outbox (see [`schedule_call`]).
pub async fn request(
    tx: &mut TenantTx,
    payment: PaymentId,
    amount_minor: i64,
    reason: Reason,
    method: Method,
    start: Start,
    now: DateTime<Utc>,
) -> Result<Option<RefundId>, StorageError> {
    let status = match (start, method) {
        (Start::AskOwner, _) => "ask_owner",
        (Start::Now, Method::Yookassa) => "pending",
        (Start::Now, Method::ByHand) => "to_do",
    };
    let row = sqlx::query(
        "insert into refunds (payment_id, amount_minor, reason, method, status, \
             idempotence_key, next_attempt_at) \
         values ($1, $2, $3, $4, $5, $6, case when $5 = 'pending' then $7::timestamptz end) \
         on conflict (payment_id) do nothing returning refund_id",
    )
    .bind(payment.0)
    .bind(amount_minor)
    .bind(reason.as_str())
    .bind(method.as_str())
    .bind(status)
    .bind(Uuid::new_v4())
    .bind(now)
    .fetch_optional(tx.conn())
    .await?;
    let Some(row) = row else {
        return Ok(None);
    };
    let id = RefundId(row.try_get("refund_id")?);
    if status == "pending" {
        schedule_call(tx, id, 0, now).await?;
    }
    Ok(Some(id))
}
