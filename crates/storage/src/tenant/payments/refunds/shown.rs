//! What the panel shows of a booking's money: what was paid, kept, and given back (or being
//! given back), read from the payment that paid for it and its refund.

use std::collections::HashMap;

use booking_core::{ids::BookingId, payment::PaidKind};
use sqlx::Row as _;

use super::{Method, Status};
use crate::{db::TenantTx, error::StorageError};

/// A paid booking's money.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BookingMoney {
    pub kind: PaidKind,
    pub paid_minor: i64,
    pub currency: String,
    pub kept_minor: i64,
    /// Given back or being given back (see `refund`'s status).
    pub refunded_minor: i64,
    pub refund: Option<RefundShown>,
}

/// The refund of a paid booking, as shown.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RefundShown {
    pub amount_minor: i64,
    pub method: Method,
    pub status: Status,
}

/// The money of `booking`, when a payment paid for it.
pub async fn of_booking(
    tx: &mut TenantTx,
    booking: BookingId,
) -> Result<Option<BookingMoney>, StorageError> {
    Ok(of_bookings(tx, &[booking]).await?.remove(&booking))
}

/// The money of those of `bookings` a payment paid for.
pub async fn of_bookings(
    tx: &mut TenantTx,
    bookings: &[BookingId],
) -> Result<HashMap<BookingId, BookingMoney>, StorageError> {
    let ids: Vec<i64> = bookings.iter().map(|b| b.get()).collect();
    let rows = sqlx::query(
        "select p.booking_id, i.kind, p.amount_minor, p.currency, p.kept_minor, \
                p.refunded_minor, r.amount_minor as refund_minor, r.method, r.status \
         from payments p join invoices i using (invoice_id) \
              left join refunds r on r.payment_id = p.payment_id \
         where p.booking_id = any($1) and p.outcome = 'applied'",
    )
    .bind(&ids)
    .fetch_all(tx.conn())
    .await?;
    let mut money = HashMap::with_capacity(rows.len());
    for row in &rows {
        let kind: String = row.try_get("kind")?;
        let refund = match (
            row.try_get::<Option<i64>, _>("refund_minor")?,
            row.try_get::<Option<String>, _>("method")?,
            row.try_get::<Option<String>, _>("status")?,
        ) {
            (Some(amount_minor), Some(method), Some(status)) => Some(RefundShown {
                amount_minor,
                method: Method::parse(&method)?,
                status: Status::parse(&status)?,
            }),
            _ => None,
        };
        money.insert(
            BookingId(row.try_get("booking_id")?),
            BookingMoney {
                kind: PaidKind::parse(&kind)
                    .ok_or_else(|| StorageError::Corrupt(format!("invoice kind {kind:?}")))?,
                paid_minor: row.try_get("amount_minor")?,
                currency: row.try_get("currency")?,
                kept_minor: row.try_get("kept_minor")?,
                refunded_minor: row.try_get("refunded_minor")?,
                refund,
            },
        );
    }
    Ok(money)
}
