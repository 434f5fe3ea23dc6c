//! What a payment inside Telegram does, each step in the caller's one transaction: the
//! pre-checkout re-check (the invoice is ours, open, for this sum, and its hold still the
//! customer's) and the successful payment (recorded once, then applied to its booking through
//! the booking service, or recorded as late or duplicate and given back). The bot renders what
//! these return; nothing here sends anything.

use booking_core::{
    booking::{Actor, BookingRejection, BookingStatus},
    ids::CustomerId,
};
use chrono::{DateTime, Utc};

use super::{
    invoices::{self, Invoice, Payload, Status},
    received::{self, NewPayment, Outcome, Payment},
    refunds::{self, Method, Reason, RefundId, Start},
};
use crate::{
    db::TenantTx,
    error::{BookingError, StorageError},
    tenant::bookings::{
        model::Booking,
        service::{self, BookingChange},
        views,
    },
};

/// What Telegram says is being paid (a `pre_checkout_query` or a `successful_payment`).
#[derive(Clone, Debug)]
pub struct Paying<'a> {
    /// The invoice's payload, as Telegram gives it back (unchecked).
    pub payload: &'a str,
    pub currency: &'a str,
    pub total_minor: i64,
    /// The payer, as this tenant knows them.
    pub customer: CustomerId,
    pub actor: Actor,
}

/// Why a pre-checkout is refused.
#[derive(Clone, Debug)]
pub enum Refusal {
    /// No invoice of ours by that payload for this customer (forged, foreign, another
    /// tenant's, or another customer's).
    Unknown,
    /// The sum or currency is not the invoice's.
    WrongSum,
    /// Already paid (or the booking is already made).
    AlreadyPaid,
    /// The hold was given up, or a newer invoice replaced this one.
    Replaced,
    /// The time was taken after the hold lapsed: the booking, to offer the nearest times.
    Taken(Booking),
    /// Another rule now refuses the booking (say, too soon to book).
    Rejected(BookingRejection),
}

/// Checks a pre-checkout: `Ok(invoice)` when the customer may pay. A lapsed hold whose time
/// nobody took is held again for the invoice's payment timeout, and the invoice reopened.
pub async fn pre_check(
    tx: &mut TenantTx,
    paying: &Paying<'_>,
    now: DateTime<Utc>,
) -> Result<Result<Invoice, Refusal>, StorageError> {
    let Some((invoice, booking)) = find(tx, paying).await? else {
        return Ok(Err(Refusal::Unknown));
    };
    if !same_sum(&invoice, paying) {
        return Ok(Err(Refusal::WrongSum));
    }
    if invoice.status == Status::Paid || booking.status == BookingStatus::Confirmed {
        return Ok(Err(Refusal::AlreadyPaid));
    }
    let lapsed = booking.status == BookingStatus::Expired
        || booking.hold_expires_at.is_none_or(|until| until <= now)
        || invoice.expires_at <= now;
    match (booking.status, invoice.status, lapsed) {
        (BookingStatus::Held, Status::Open, false) => return Ok(Ok(invoice)),
        // A live hold whose newest invoice is another one.
        (BookingStatus::Held, Status::Void, false) => return Ok(Err(Refusal::Replaced)),
        (BookingStatus::Held | BookingStatus::Expired, _, true) => {}
        _ => return Ok(Err(Refusal::Replaced)),
    }
    let until = now + invoice.timeout();
    let held =
        service::hold_for_payment(tx, booking.id, paying.customer, until, paying.actor, now).await;
    match held {
        Ok(_) => {
            invoices::reopen(tx, &invoice, until).await?;
            Ok(Ok(invoice))
        }
        Err(BookingError::Rejected(BookingRejection::SlotTaken)) => {
            Ok(Err(Refusal::Taken(booking)))
        }
        Err(BookingError::Rejected(r)) => Ok(Err(Refusal::Rejected(r))),
        Err(BookingError::Storage(e)) => Err(e),
    }
}

/// A `successful_payment`: Telegram's charge ids come with it.
#[derive(Clone, Debug)]
pub struct Charge<'a> {
    pub paying: Paying<'a>,
    pub telegram_charge_id: &'a str,
    pub provider_charge_id: &'a str,
}

/// What a successful payment did.
#[derive(Clone, Debug)]
pub enum Received {
    /// The payload matches no invoice of this customer: nothing can be recorded against it
    /// (Telegram only charges for invoices the bot sent, so this is a forgery or a bug).
    Unknown,
    /// This charge was recorded before (a duplicate update): nothing changed.
    AlreadyRecorded(Payment),
    /// It paid for its booking, which is now confirmed.
    Applied {
        payment: Payment,
        change: BookingChange,
    },
    /// Its invoice (or booking) was already paid: recorded and given back.
    Duplicate {
        payment: Payment,
        refund: Option<RefundId>,
    },
    /// Its booking could not be made any more (the time was taken after the hold lapsed, or
    /// the hold was given up): recorded and given back.
    Late {
        payment: Payment,
        booking: Booking,
        refund: Option<RefundId>,
    },
}

/// Records a successful payment once and applies it: the booking is confirmed through the
/// booking service when it still can be, and the payment is otherwise given back through
/// `refund_by`. Never a second booking: confirming is the one way a payment books, and a
/// booking is confirmed once.
pub async fn receive(
    tx: &mut TenantTx,
    charge: &Charge<'_>,
    refund_by: Method,
    now: DateTime<Utc>,
) -> Result<Received, StorageError> {
    let paying = &charge.paying;
    let Some((invoice, booking)) = find(tx, paying).await? else {
        return Ok(Received::Unknown);
    };
    // The invoice's lock queues a redelivered update behind the first; then it sees its row.
    if let Some(payment) = received::by_charge(tx, charge.telegram_charge_id).await? {
        return Ok(Received::AlreadyRecorded(payment));
    }
    let already_paid =
        invoice.status == Status::Paid || received::applied(tx, booking.id).await?.is_some();
    if already_paid {
        let payment = record(tx, charge, &invoice, Outcome::Duplicate, now).await?;
        let refund = give_back(tx, &payment, Reason::DuplicatePayment, refund_by, now).await?;
        return Ok(Received::Duplicate { payment, refund });
    }
    let confirmed = if same_sum(&invoice, paying) {
        confirm(tx, &booking, paying, now).await?
    } else {
        None
    };
    match confirmed {
        Some(change) => {
            invoices::mark_paid(tx, &invoice).await?;
            let payment = record(tx, charge, &invoice, Outcome::Applied, now).await?;
            Ok(Received::Applied { payment, change })
        }
        None => {
            invoices::void(tx, invoice.id).await?;
            let payment = record(tx, charge, &invoice, Outcome::Late, now).await?;
            let refund = give_back(tx, &payment, Reason::LatePayment, refund_by, now).await?;
            Ok(Received::Late {
                payment,
                booking,
                refund,
            })
        }
    }
}

/// The invoice by its payload (locked) with its booking, if both are this customer's.
async fn find(
    tx: &mut TenantTx,
    paying: &Paying<'_>,
) -> Result<Option<(Invoice, Booking)>, StorageError> {
    let Some(payload) = Payload::parse(paying.payload) else {
        return Ok(None);
    };
    let Some(invoice) = invoices::by_payload(tx, &payload).await? else {
        return Ok(None);
    };
    let booking = views::get(tx, invoice.booking)
        .await?
        .filter(|b| b.customer_id == paying.customer);
    Ok(booking.map(|b| (invoice, b)))
}

fn same_sum(invoice: &Invoice, paying: &Paying<'_>) -> bool {
    invoice.currency == paying.currency && invoice.amount_minor == paying.total_minor
}

/// Confirms the booking through the booking service; `None` when it cannot be made any more.
/// A rejection leaves the transaction usable (the service checks in a savepoint).
async fn confirm(
    tx: &mut TenantTx,
    booking: &Booking,
    paying: &Paying<'_>,
    now: DateTime<Utc>,
) -> Result<Option<BookingChange>, StorageError> {
    match service::confirm(tx, booking.id, paying.customer, paying.actor, now).await {
        Ok(change) => Ok(Some(change)),
        Err(BookingError::Rejected(_)) => Ok(None),
        Err(BookingError::Storage(e)) => Err(e),
    }
}

async fn record(
    tx: &mut TenantTx,
    charge: &Charge<'_>,
    invoice: &Invoice,
    outcome: Outcome,
    now: DateTime<Utc>,
) -> Result<Payment, StorageError> {
    let new = NewPayment {
        invoice: invoice.id,
        booking: invoice.booking,
        telegram_charge_id: charge.telegram_charge_id,
        provider_charge_id: charge.provider_charge_id,
        amount_minor: charge.paying.total_minor,
        currency: charge.paying.currency,
        outcome,
        received_at: now,
    };
    // Checked above under the invoice's lock, so a conflict here is a bug, not a duplicate.
    received::record(tx, &new).await?.ok_or_else(|| {
        StorageError::Refused("the payment's charge id is already recorded".to_owned())
    })
}

/// Opens the refund of all of `payment` and notes it given back.
async fn give_back(
    tx: &mut TenantTx,
    payment: &Payment,
    reason: Reason,
    method: Method,
    now: DateTime<Utc>,
) -> Result<Option<RefundId>, StorageError> {
    received::settle(tx, payment.id, 0, payment.amount_minor).await?;
    refunds::request(
        tx,
        payment.id,
        payment.amount_minor,
        reason,
        method,
        Start::Now,
        now,
    )
    .await
}
