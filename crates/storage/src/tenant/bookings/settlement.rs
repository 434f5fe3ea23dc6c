//! What becomes of the money paid for a booking that ends without the visit: a cancellation
//! (the customer's, in time or late, or the business's) or a no-show. Written in the change's
//! own transaction, so a committed cancellation always has its refund opened and a rolled-back
//! one has none. The sums are `booking_core::payment`'s; the refund itself is made later (by
//! the bot's refund worker through YooKassa, or by the owner's hand).

use booking_core::payment::{Ending, Settlement};
use chrono::{DateTime, Utc};

use super::model::Booking;
use crate::{
    db::TenantTx,
    error::StorageError,
    tenant::{
        catalogue,
        payments::{
            received,
            refunds::{self, Method, Reason, Start},
            settings,
        },
    },
};

/// Settles the payment that paid for `booking`, if one did and it is not settled yet.
pub(super) async fn settle(
    tx: &mut TenantTx,
    booking: &Booking,
    ending: Ending,
    now: DateTime<Utc>,
) -> Result<(), StorageError> {
    let Some(payment) = received::applied(tx, booking.id).await? else {
        return Ok(());
    };
    if payment.kept_minor > 0 || payment.refunded_minor > 0 {
        return Ok(());
    }
    let service = catalogue::service(tx, booking.service_id)
        .await?
        .ok_or_else(|| StorageError::Corrupt(format!("booking {} has no service", booking.id)))?;
    // The shop's secret is not needed to decide: that it is set says YooKassa makes refunds.
    let method = if settings::summary(tx).await?.shop_id.is_some() {
        Method::Yookassa
    } else {
        Method::ByHand
    };
    match service.payment.refund.settle(payment.amount_minor, ending) {
        Settlement::Split {
            refund_minor,
            keep_minor,
        } => {
            received::settle(tx, payment.id, keep_minor, refund_minor).await?;
            if refund_minor > 0 {
                refunds::request(
                    tx,
                    payment.id,
                    refund_minor,
                    reason(ending),
                    method,
                    Start::Now,
                    now,
                )
                .await?;
            }
        }
        // Nothing is settled until the owner chooses (`refunds::decide`).
        Settlement::AskOwner => {
            refunds::request(
                tx,
                payment.id,
                payment.amount_minor,
                Reason::OwnerChoice,
                method,
                Start::AskOwner,
                now,
            )
            .await?;
        }
    }
    Ok(())
}

const fn reason(ending: Ending) -> Reason {
    match ending {
        Ending::CustomerCancelled { in_time: true } => Reason::CancelledInTime,
        Ending::CustomerCancelled { in_time: false } => Reason::CancelledLate,
        Ending::BusinessCancelled => Reason::CancelledByBusiness,
        Ending::NoShow => Reason::NoShow,
    }
}
