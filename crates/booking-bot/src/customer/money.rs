//! What a customer is told of the money paid in advance for a visit that will not happen: all
//! of it back (to the card, or by the business's hand), part of it, none of it under the
//! business's rules, or the business to decide. Read from the booking's payment and refund as
//! the booking service settled them, so the reply to the customer's own cancellation and the
//! notice of the business's say the same.

use booking_core::{
    catalogue::Price,
    currency::Currency,
    payment::{Ending, Settlement},
    policy::Policy,
};
use chrono::{DateTime, Utc};
use storage::{
    TenantTx,
    tenant::{
        bookings::model::Booking,
        catalogue,
        payments::{
            received,
            refunds::{self, BookingMoney, Method, Status},
        },
    },
};

use crate::{
    error::BotError,
    texts::{Key, Texts},
};

/// The sentence about `booking`'s payment, if it was paid for and settled.
pub async fn settled(
    tx: &mut TenantTx,
    t: &Texts,
    policy: &Policy,
    fallback: Currency,
    booking: booking_core::ids::BookingId,
) -> Result<Option<String>, BotError> {
    let Some(money) = refunds::of_booking(tx, booking).await? else {
        return Ok(None);
    };
    Ok(sentence(t, policy, fallback, &money))
}

/// The sentence for `money`, if there is anything to say.
#[must_use]
pub fn sentence(
    t: &Texts,
    policy: &Policy,
    fallback: Currency,
    money: &BookingMoney,
) -> Option<String> {
    let currency = money.currency.parse().unwrap_or(fallback);
    let sum = |minor| t.price(Price(minor), currency);
    let cutoff = t.duration(policy.cancel_cutoff);
    let paid = sum(money.paid_minor);
    let kept = sum(money.kept_minor);
    match &money.refund {
        Some(r) if r.status == Status::AskOwner => {
            Some(t.fill(Key::RefundOwnerDecides, &[("sum", &paid)]))
        }
        Some(r) if r.status == Status::Declined => None,
        Some(r) => {
            let back = sum(r.amount_minor);
            let key = match (money.kept_minor > 0, r.method) {
                (false, Method::Yookassa) => Key::RefundToCard,
                (false, Method::ByHand) => Key::RefundByHand,
                (true, Method::Yookassa) => Key::RefundPartToCard,
                (true, Method::ByHand) => Key::RefundPartByHand,
            };
            Some(t.fill(
                key,
                &[
                    ("sum", &back),
                    ("paid", &paid),
                    ("kept", &kept),
                    ("cutoff", &cutoff),
                ],
            ))
        }
        None if money.kept_minor > 0 => {
            Some(t.fill(Key::RefundKept, &[("sum", &kept), ("cutoff", &cutoff)]))
        }
        None => None,
    }
}

/// Whether a visit past the cancel cut-off may still be cancelled by its customer: only a
/// visit paid for in advance and not started yet (the booking service allows the same), with
/// what the customer is warned of before they confirm.
pub enum LateCancel {
    Refused,
    /// Allowed; the warning, if any of the payment will not come back.
    Allowed(Option<String>),
}

/// What a customer cancelling `booking` after the cut-off is told first.
pub async fn late_cancel(
    tx: &mut TenantTx,
    t: &Texts,
    policy: &Policy,
    fallback: Currency,
    booking: &Booking,
    now: DateTime<Utc>,
) -> Result<LateCancel, BotError> {
    if booking.start <= now {
        return Ok(LateCancel::Refused);
    }
    let Some(payment) = received::applied(tx, booking.id).await? else {
        return Ok(LateCancel::Refused);
    };
    let Some(service) = catalogue::service(tx, booking.service_id).await? else {
        return Ok(LateCancel::Refused);
    };
    let currency = payment.currency.parse().unwrap_or(fallback);
    let sum = |minor| t.price(Price(minor), currency);
    let paid = sum(payment.amount_minor);
    let ending = Ending::CustomerCancelled { in_time: false };
    let warning = match service.payment.refund.settle(payment.amount_minor, ending) {
        Settlement::Split { keep_minor, .. } if keep_minor > 0 => Some(t.fill(
            Key::CancelLateKeeps,
            &[
                ("cutoff", &t.duration(policy.cancel_cutoff)),
                ("paid", &paid),
                ("kept", &sum(keep_minor)),
            ],
        )),
        Settlement::Split { .. } => None,
        Settlement::AskOwner => Some(t.fill(Key::RefundOwnerDecides, &[("sum", &paid)])),
    };
    Ok(LateCancel::Allowed(warning))
}
