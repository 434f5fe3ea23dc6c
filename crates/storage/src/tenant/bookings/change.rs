//! Changes of a booking's state: confirm a hold, cancel, move, mark the outcome. Each locks the
//! row, checks the rules, and writes the new state with its history line in one statement;
//! the consequences are the service's.

use booking_core::{
    booking::{Actor, BookingRejection, BookingStatus},
    ids::{BookingId, CustomerId},
    policy::{Policy, Rules},
    slots::{BusyTimes, SlotQuery},
    time::Interval,
};
use chrono::{DateTime, Duration, Utc};
use sqlx::PgConnection;

use super::{
    create::{check_reach, expire_lapsed_holds},
    model::{Booking, COLUMNS, from_row},
    seats,
    service::Caller,
    slots::context,
};
use crate::{
    db::TenantTx,
    error::{BookingError, StorageError},
    tenant::{payments::received, schedule, settings},
};

/// A booking before and after a change.
pub(super) struct Changed {
    pub before: Booking,
    pub after: Booking,
}

/// Confirms a customer's hold. A lapsed hold that nobody else needed is still confirmed; one
/// whose time was taken meanwhile gets [`BookingRejection::SlotTaken`].
pub(super) async fn confirm(
    tx: &mut TenantTx,
    id: BookingId,
    customer: CustomerId,
    actor: Actor,
    now: DateTime<Utc>,
) -> Result<(Changed, Policy), BookingError> {
    let current = lock(tx, id, Some(customer)).await?;
    let policy = settings::profile(tx).await?.policy;
    match current.status {
        BookingStatus::Held | BookingStatus::Expired => {}
        status => return Err(BookingRejection::NotChangeable { status }.into()),
    }
    if current.start < policy.earliest_start(now) {
        return Err(BookingRejection::TooSoon {
            min_notice: policy.min_notice,
        }
        .into());
    }
    // Reviving an expired hold re-enters the exclusion constraint, which says if it was taken.
    let mut sp = tx.savepoint().await.map_err(StorageError::from)?;
    let result = set_status(
        &mut sp,
        &current,
        BookingStatus::Confirmed,
        actor,
        "confirm",
        None,
        now,
    )
    .await;
    match result {
        Ok(after) => {
            sp.commit().await.map_err(StorageError::from)?;
            Ok((
                Changed {
                    before: current,
                    after,
                },
                policy,
            ))
        }
        Err(e) => {
            sp.rollback().await.map_err(StorageError::from)?;
            Err(e)
        }
    }
}

/// Keeps a customer's hold until `until` while its payment is awaited. A hold that lapsed
/// but is still `held` was in nobody's way, so it is simply extended; an `expired` one is held
/// again, which re-enters the exclusion constraint: a time taken meanwhile is
/// [`BookingRejection::SlotTaken`].
pub(super) async fn hold_until(
    tx: &mut TenantTx,
    id: BookingId,
    customer: CustomerId,
    until: DateTime<Utc>,
    actor: Actor,
    now: DateTime<Utc>,
) -> Result<Booking, BookingError> {
    let current = lock(tx, id, Some(customer)).await?;
    match current.status {
        BookingStatus::Held | BookingStatus::Expired => {}
        status => return Err(BookingRejection::NotChangeable { status }.into()),
    }
    let policy = settings::profile(tx).await?.policy;
    if current.start < policy.earliest_start(now) {
        return Err(BookingRejection::TooSoon {
            min_notice: policy.min_notice,
        }
        .into());
    }
    let mut sp = tx.savepoint().await.map_err(StorageError::from)?;
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "with b as ( \
             update bookings set status = 'held', hold_expires_at = $2 \
             where booking_id = $1 returning {COLUMNS}), \
         h as ( \
             insert into booking_history (booking_id, at, actor_kind, actor_id, action, old_status, new_status) \
             select booking_id, $3, $4, $5, 'hold_for_payment', $6, status from b) \
         select {COLUMNS} from b"
    )))
    .bind(current.id.get())
    .bind(until)
    .bind(now)
    .bind(actor.kind())
    .bind(actor.id())
    .bind(current.status.as_str())
    .fetch_one(&mut *sp)
    .await;
    match row {
        Ok(row) => {
            sp.commit().await.map_err(StorageError::from)?;
            Ok(from_row(&row)?)
        }
        Err(e) => {
            sp.rollback().await.map_err(StorageError::from)?;
            Err(e.into())
        }
    }
}

/// Cancels a live booking. With the requester's customer, only that customer's booking is
/// found (anyone else's is "not found"), and under customer rules the cancel cut-off applies
/// to a confirmed visit (a hold can always be given back). A visit paid for in advance may
/// still be cancelled after the cut-off, until it starts: that is what the payment is for, and
/// the service's refund policy keeps its share. Also says whether the cancellation came in
/// time (before the cut-off, or not under customer rules).
pub(super) async fn cancel(
    tx: &mut TenantTx,
    id: BookingId,
    by: &Caller,
    reason: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(Changed, bool), BookingError> {
    let current = lock(tx, id, by.customer).await?;
    if !current.status.is_live() {
        return Err(BookingRejection::NotChangeable {
            status: current.status,
        }
        .into());
    }
    let mut in_time = true;
    if by.rules == Rules::Customer && current.status == BookingStatus::Confirmed {
        let policy = settings::profile(tx).await?.policy;
        if let Err(late) = policy.check_cancel(current.start, now) {
            if current.start <= now || received::applied(tx, id).await?.is_none() {
                return Err(late.into());
            }
            in_time = false;
        }
    }
    let after = set_status(
        tx.conn(),
        &current,
        BookingStatus::Cancelled,
        by.actor,
        "cancel",
        reason,
        now,
    )
    .await?;
    Ok((
        Changed {
            before: current,
            after,
        },
        in_time,
    ))
}

/// Marks a past visit completed or a no-show (staff only).
pub(super) async fn mark_outcome(
    tx: &mut TenantTx,
    id: BookingId,
    outcome: BookingStatus,
    actor: Actor,
    now: DateTime<Utc>,
) -> Result<Changed, BookingError> {
    if !matches!(outcome, BookingStatus::Completed | BookingStatus::NoShow) {
        return Err(BookingRejection::NotChangeable { status: outcome }.into());
    }
    let current = lock(tx, id, None).await?;
    if current.status != BookingStatus::Confirmed {
        return Err(BookingRejection::NotChangeable {
            status: current.status,
        }
        .into());
    }
    let after = set_status(
        tx.conn(),
        &current,
        outcome,
        actor,
        outcome.as_str(),
        None,
        now,
    )
    .await?;
    Ok(Changed {
        before: current,
        after,
    })
}

/// Moves a confirmed booking to `new_start` (same service and staff member) in one statement:
/// either it moves, or nothing changes and the old time is kept.
pub(super) async fn reschedule(
    tx: &mut TenantTx,
    id: BookingId,
    by: &Caller,
    new_start: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<(Changed, Policy), BookingError> {
    let current = lock(tx, id, by.customer).await?;
    if current.status != BookingStatus::Confirmed {
        return Err(BookingRejection::NotChangeable {
            status: current.status,
        }
        .into());
    }
    if seats::is_seat(tx.conn(), id).await? {
        return Err(BookingRejection::SeatNotMovable.into());
    }
    let ctx = context(tx, current.service_id, Some(current.staff_id)).await?;
    let policy = ctx.profile.policy.under(by.rules);
    check_reach(new_start, now, &policy)?;
    if by.rules == Rules::Customer {
        policy.check_reschedule(current.start, now)?;
    }
    let date = new_start.with_timezone(&ctx.profile.time_zone).date_naive();
    let calendar = schedule::calendars(tx, &[current.staff_id], date, date)
        .await?
        .remove(&current.staff_id)
        .unwrap_or_default();
    let around = Interval {
        start: new_start - Duration::days(1),
        end: new_start + Duration::days(2),
    };
    let blocks: Vec<Interval> = schedule::blocks(tx, &[current.staff_id], around)
        .await?
        .into_iter()
        .map(|b| b.period)
        .collect();
    let busy = BusyTimes::new(blocks);
    let query = SlotQuery {
        zone: ctx.profile.time_zone,
        timing: ctx.service.timing,
        calendar: &calendar,
        busy: &busy,
        policy: &policy,
        now,
    };
    let slot = query.check_start(new_start)?;
    let occupied = query.occupied(&slot);

    let mut sp = tx.savepoint().await.map_err(StorageError::from)?;
    expire_lapsed_holds(&mut sp, current.staff_id, occupied, now).await?;
    let moved = sqlx::query(sqlx::AssertSqlSafe(format!(
        "with b as ( \
             update bookings set starts_at = $2, ends_at = $3, occupied = tstzrange($4, $5, '[)'), \
                 customer_confirmed_at = null \
             where booking_id = $1 returning {COLUMNS}), \
         h as ( \
             insert into booking_history (booking_id, at, actor_kind, actor_id, action, old_status, new_status, \
                 old_starts_at, new_starts_at) \
             select booking_id, $6, $7, $8, 'reschedule', status, status, $9, starts_at from b) \
         select {COLUMNS} from b"
    )))
    .bind(id.get())
    .bind(slot.start)
    .bind(slot.end)
    .bind(occupied.start)
    .bind(occupied.end)
    .bind(now)
    .bind(by.actor.kind())
    .bind(by.actor.id())
    .bind(current.start)
    .fetch_one(&mut *sp)
    .await;
    match moved {
        Ok(row) => {
            sp.commit().await.map_err(StorageError::from)?;
            let after = from_row(&row)?;
            Ok((
                Changed {
                    before: current,
                    after,
                },
                ctx.profile.policy,
            ))
        }
        Err(e) => {
            sp.rollback().await.map_err(StorageError::from)?;
            Err(e.into())
        }
    }
}

/// Locks a booking row for update; with `customer`, only if it is theirs.
pub(super) async fn lock(
    tx: &mut TenantTx,
    id: BookingId,
    customer: Option<CustomerId>,
) -> Result<Booking, BookingError> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "select {COLUMNS} from bookings where booking_id = $1 and ($2::bigint is null or customer_id = $2) for update"
    )))
    .bind(id.get())
    .bind(customer.map(CustomerId::get))
    .fetch_optional(tx.conn())
    .await?;
    match row {
        Some(row) => Ok(from_row(&row)?),
        None => Err(BookingRejection::NotFound.into()),
    }
}

async fn set_status(
    conn: &mut PgConnection,
    current: &Booking,
    to: BookingStatus,
    actor: Actor,
    action: &str,
    reason: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Booking, BookingError> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "with b as ( \
             update bookings set status = $2 where booking_id = $1 returning {COLUMNS}), \
         h as ( \
             insert into booking_history (booking_id, at, actor_kind, actor_id, action, old_status, new_status, reason) \
             select booking_id, $3, $4, $5, $6, $7, status, $8 from b) \
         select {COLUMNS} from b"
    )))
    .bind(current.id.get())
    .bind(to.as_str())
    .bind(now)
    .bind(actor.kind())
    .bind(actor.id())
    .bind(action)
    .bind(current.status.as_str())
    .bind(reason)
    .fetch_one(conn)
    .await?;
    Ok(from_row(&row)?)
}
