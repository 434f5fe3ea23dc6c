//! The booking service: the one way to change a booking. Each function checks the rules,
//! makes the change, writes its consequences in the caller's transaction (see the
//! `consequences` module) and returns a [`BookingChange`]; the caller commits and renders its
//! own reply. Nothing here sends anything: every message a change causes is an outbox row.

use booking_core::{
    booking::{Actor, BookingStatus},
    change::ChangeKind,
    ids::{BookingId, CustomerId},
    payment::Ending,
    policy::{Policy, Rules},
};
use chrono::{DateTime, Utc};

use super::{
    change, consequences, create,
    model::{Booking, BookingRequest},
    settlement, views,
};
use crate::{
    db::TenantTx,
    error::{BookingError, StorageError},
    tenant::{
        reminders,
        waitlist::{self, Entry},
    },
};

/// What a change did: the booking as it is now, what happened to it, who did it, and whether
/// the customer is told (a customer who phoned in, or blocked the bot, cannot be).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BookingChange {
    pub booking: Booking,
    pub kind: ChangeKind,
    pub actor: Actor,
    pub customer_told: bool,
}

/// Who asks for a change of an existing booking, and under which rules.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct Caller {
    pub actor: Actor,
    pub rules: Rules,
    /// Only this customer's bookings are found (anyone else's is "not found").
    pub customer: Option<CustomerId>,
}

impl Caller {
    /// A customer acting on their own bookings, under every rule.
    #[must_use]
    pub const fn customer(actor: Actor, customer: CustomerId) -> Self {
        Self {
            actor,
            rules: Rules::Customer,
            customer: Some(customer),
        }
    }

    /// The business's own people (the admin panel): any booking, staff rules.
    #[must_use]
    pub const fn staff(actor: Actor) -> Self {
        Self {
            actor,
            rules: Rules::Staff,
            customer: None,
        }
    }

    /// An API key acting for a customer: any booking of the tenant, customer rules.
    #[must_use]
    pub const fn api(key: i64) -> Self {
        Self {
            actor: Actor::Api(key),
            rules: Rules::Customer,
            customer: None,
        }
    }

    /// The platform itself (the automatic release).
    pub const SYSTEM: Self = Self {
        actor: Actor::System,
        rules: Rules::Staff,
        customer: None,
    };
}

/// Why a booking is cancelled, as the business tells the customer.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Cancellation {
    /// The business's own words (a block's reason, the API's `reason`), shown to the customer
    /// and kept in the booking's history.
    pub reason: Option<String>,
    /// The staff member cannot work that day: the customer is told with an apology.
    pub apology: bool,
}

/// Holds a slot for the policy's hold time (the confirm screen).
pub async fn hold(
    tx: &mut TenantTx,
    req: &BookingRequest,
    now: DateTime<Utc>,
) -> Result<BookingChange, BookingError> {
    let (booking, policy) = create::create(tx, req, BookingStatus::Held, now).await?;
    finish(
        tx,
        booking,
        ChangeKind::Held,
        req.actor,
        None,
        Some(policy),
        now,
    )
    .await
}

/// Books a slot outright (the API, an admin, a waitlist offer).
pub async fn book(
    tx: &mut TenantTx,
    req: &BookingRequest,
    now: DateTime<Utc>,
) -> Result<BookingChange, BookingError> {
    let (booking, policy) = create::create(tx, req, BookingStatus::Confirmed, now).await?;
    finish(
        tx,
        booking,
        ChangeKind::Booked,
        req.actor,
        None,
        Some(policy),
        now,
    )
    .await
}

/// Confirms the customer's own hold: the booking is made.
pub async fn confirm(
    tx: &mut TenantTx,
    id: BookingId,
    customer: CustomerId,
    actor: Actor,
    now: DateTime<Utc>,
) -> Result<BookingChange, BookingError> {
    let (changed, policy) = change::confirm(tx, id, customer, actor, now).await?;
    let before = changed.before;
    finish(
        tx,
        changed.after,
        ChangeKind::Booked,
        actor,
        Some(&before),
        Some(policy),
        now,
    )
    .await
}

/// Keeps the customer's own hold until `until` while its payment is awaited (prepayment): a
/// lapsed hold whose time nobody took is held again; a taken one is
/// [`BookingRejection::SlotTaken`]. Nothing is booked and nobody is told, so there are no
/// consequences to write; the booking's history records it.
///
/// [`BookingRejection::SlotTaken`]: booking_core::booking::BookingRejection::SlotTaken
pub async fn hold_for_payment(
    tx: &mut TenantTx,
    id: BookingId,
    customer: CustomerId,
    until: DateTime<Utc>,
    actor: Actor,
    now: DateTime<Utc>,
) -> Result<Booking, BookingError> {
    change::hold_until(tx, id, customer, until, actor, now).await
}

/// Cancels a live booking; a hold is given back ([`ChangeKind::HoldReleased`], nobody told).
pub async fn cancel(
    tx: &mut TenantTx,
    id: BookingId,
    by: &Caller,
    why: Cancellation,
    now: DateTime<Utc>,
) -> Result<BookingChange, BookingError> {
    let (changed, in_time) = change::cancel(tx, id, by, why.reason.as_deref(), now).await?;
    let ending = match by.rules {
        Rules::Staff => Ending::BusinessCancelled,
        Rules::Customer => Ending::CustomerCancelled { in_time },
    };
    settlement::settle(tx, &changed.after, ending, now).await?;
    let kind = if changed.before.status == BookingStatus::Held {
        ChangeKind::HoldReleased
    } else {
        ChangeKind::Cancelled {
            reason: why.reason,
            apology: why.apology,
        }
    };
    let before = changed.before;
    finish(tx, changed.after, kind, by.actor, Some(&before), None, now).await
}

/// Moves a confirmed booking to `new_start` (same service and staff member).
pub async fn reschedule(
    tx: &mut TenantTx,
    id: BookingId,
    by: &Caller,
    new_start: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<BookingChange, BookingError> {
    let (changed, policy) = change::reschedule(tx, id, by, new_start, now).await?;
    let before = changed.before;
    let kind = ChangeKind::Moved { from: before.start };
    finish(
        tx,
        changed.after,
        kind,
        by.actor,
        Some(&before),
        Some(policy),
        now,
    )
    .await
}

/// Marks a past visit completed or a no-show (staff only).
pub async fn mark_outcome(
    tx: &mut TenantTx,
    id: BookingId,
    outcome: BookingStatus,
    actor: Actor,
    now: DateTime<Utc>,
) -> Result<BookingChange, BookingError> {
    let changed = change::mark_outcome(tx, id, outcome, actor, now).await?;
    let kind = if outcome == BookingStatus::Completed {
        ChangeKind::Completed
    } else {
        settlement::settle(tx, &changed.after, Ending::NoShow, now).await?;
        ChangeKind::NoShow
    };
    let before = changed.before;
    finish(tx, changed.after, kind, actor, Some(&before), None, now).await
}

/// Books the time a waitlist `entry` was offered, and marks the entry fulfilled. The caller
/// has checked that the entry is the customer's, still waiting, and for `start`'s day.
pub async fn take_offer(
    tx: &mut TenantTx,
    entry: &Entry,
    start: DateTime<Utc>,
    actor: Actor,
    source: Option<String>,
    now: DateTime<Utc>,
) -> Result<BookingChange, BookingError> {
    let req = BookingRequest {
        customer: entry.customer_id,
        service: entry.service_id,
        staff: entry.staff_id,
        start,
        source,
        actor,
        rules: Rules::Customer,
    };
    let booked = book(tx, &req, now).await?;
    waitlist::fulfil(tx, entry.id, booked.booking.id).await?;
    Ok(booked)
}

/// The automatic release: a confirmed booking the customer has not confirmed from a reminder
/// is cancelled by the platform (which frees its time for the waitlist, and tells the customer
/// and the business). `None` when there is nothing to release (confirmed by the customer,
/// already cancelled or moved).
pub async fn release_unconfirmed(
    tx: &mut TenantTx,
    id: BookingId,
    now: DateTime<Utc>,
) -> Result<Option<BookingChange>, StorageError> {
    let Some(current) = views::get(tx, id).await? else {
        return Ok(None);
    };
    if current.status != BookingStatus::Confirmed
        || reminders::is_confirmed_by_customer(tx, id).await?
    {
        return Ok(None);
    }
    let by = Caller::SYSTEM;
    let changed =
        match change::cancel(tx, id, &by, Some("not confirmed by the customer"), now).await {
            Ok((c, _)) => c,
            Err(BookingError::Rejected(_)) => return Ok(None),
            Err(BookingError::Storage(e)) => return Err(e),
        };
    // The platform cancelled, not the customer: whatever was paid goes back.
    settlement::settle(tx, &changed.after, Ending::BusinessCancelled, now).await?;
    let before = changed.before;
    let released = finish(
        tx,
        changed.after,
        ChangeKind::Released,
        by.actor,
        Some(&before),
        None,
        now,
    )
    .await;
    match released {
        Ok(c) => Ok(Some(c)),
        Err(BookingError::Storage(e)) => Err(e),
        Err(BookingError::Rejected(_)) => Ok(None),
    }
}

/// Writes the change's consequences and returns it.
async fn finish(
    tx: &mut TenantTx,
    booking: Booking,
    kind: ChangeKind,
    actor: Actor,
    before: Option<&Booking>,
    policy: Option<Policy>,
    now: DateTime<Utc>,
) -> Result<BookingChange, BookingError> {
    let mut change = BookingChange {
        booking,
        kind,
        actor,
        customer_told: false,
    };
    consequences::write(tx, &mut change, before, policy, now).await?;
    Ok(change)
}
