//! Refunds, recorded from `refund.succeeded` notifications after fetching the refund again.

use storage::control::payments::{self, ApiRefund};

use crate::{app::Sales, error::SalesError, money::Money, yookassa::model::Refund};

/// Records a refund YooKassa confirmed. The subscription is left as it is: whether a refund
/// ends it is an operator's decision, so it is logged for them.
pub async fn record(sales: &Sales, refund: &Refund) -> Result<(), SalesError> {
    let money = Money::parse(&refund.amount)
        .map_err(|e| SalesError::Storage(storage::StorageError::Corrupt(e.to_string())))?;
    let new = payments::record_refund(
        sales.db.pool(),
        &ApiRefund {
            refund_id: &refund.id,
            payment_id: &refund.payment_id,
            status: &refund.status,
            amount_minor: money.minor,
            currency: &money.currency,
        },
    )
    .await?;
    if new {
        tracing::info!(refund = %refund.id, payment = %refund.payment_id, amount = %money, "refund recorded");
    }
    Ok(())
}
