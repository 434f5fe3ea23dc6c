//! Refunds (table `refunds`): at most one per payment, through YooKassa's refunds API with a
//! stable idempotence key, or by the owner's hand.

use sqlx::Row as _;
use uuid::Uuid;

use super::received::PaymentId;
use crate::{db::TenantTx, error::StorageError};

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
            Self::OwnerChoice => "owner_choice",
        }
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
/// payment: `None` when the payment already has one.
pub async fn request(
    tx: &mut TenantTx,
    payment: PaymentId,
    amount_minor: i64,
    reason: Reason,
    method: Method,
    start: Start,
) -> Result<Option<RefundId>, StorageError> {
    let status = match (start, method) {
        (Start::AskOwner, _) => "ask_owner",
        (Start::Now, Method::Yookassa) => "pending",
        (Start::Now, Method::ByHand) => "to_do",
    };
    let row = sqlx::query(
        "insert into refunds (payment_id, amount_minor, reason, method, status, \
             idempotence_key, next_attempt_at) \
         values ($1, $2, $3, $4, $5, $6, case when $5 = 'pending' then now() end) \
         on conflict (payment_id) do nothing returning refund_id",
    )
    .bind(payment.0)
    .bind(amount_minor)
    .bind(reason.as_str())
    .bind(method.as_str())
    .bind(status)
    .bind(Uuid::new_v4())
    .fetch_optional(tx.conn())
    .await?;
    row.map(|r| r.try_get("refund_id").map(RefundId))
        .transpose()
        .map_err(Into::into)
}
