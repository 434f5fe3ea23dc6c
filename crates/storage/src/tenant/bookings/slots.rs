//! Free times: for a service, with one staff member or anyone, between two local dates.

use std::collections::HashMap;

use booking_core::{
    Tz,
    booking::BookingRejection,
    catalogue::{Seats, Service, Staff},
    ids::{ServiceId, StaffId},
    schedule::Calendar,
    slots::{BusyTimes, Slot, SlotQuery},
    time::{Interval, date_within_reach},
};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use sqlx::{Row, postgres::types::PgRange};

use super::{
    model::StaffSlot,
    seats::{self, OpenSession},
};
use crate::{
    db::TenantTx,
    error::{BookingError, StorageError},
    reads::Scoped,
    tenant::{
        catalogue,
        config::TenantConfig,
        schedule::{self, interval_of},
        settings::{self, TenantProfile},
    },
};

/// What slot computations need besides the bookings themselves.
pub(super) struct Context {
    pub profile: TenantProfile,
    pub service: Service,
    pub staff: Vec<Staff>,
}

/// The tenant's profile, the active service and who gives it (only `staff`, if asked for).
pub(super) async fn context(
    tx: &mut TenantTx,
    service: ServiceId,
    staff: Option<StaffId>,
) -> Result<Context, BookingError> {
    let profile = settings::profile(tx).await?;
    let service = catalogue::service(tx, service)
        .await?
        .filter(|s| s.active)
        .ok_or(BookingRejection::ServiceUnavailable)?;
    let mut givers = catalogue::staff_for_service(tx, service.id).await?;
    if let Some(wanted) = staff {
        givers.retain(|s| s.id == wanted);
        if givers.is_empty() {
            return Err(BookingRejection::StaffUnavailable.into());
        }
    }
    Ok(Context {
        profile,
        service,
        staff: givers,
    })
}

/// The same from a configuration held in memory: no statement.
pub(super) fn context_from(
    config: &TenantConfig,
    service: ServiceId,
    staff: Option<StaffId>,
) -> Result<Context, BookingRejection> {
    let service = config
        .service(service)
        .filter(|s| s.active)
        .cloned()
        .ok_or(BookingRejection::ServiceUnavailable)?;
    let mut givers = config.staff_for_service(service.id);
    if let Some(wanted) = staff {
        givers.retain(|s| s.id == wanted);
        if givers.is_empty() {
            return Err(BookingRejection::StaffUnavailable);
        }
    }
    Ok(Context {
        profile: config.profile.clone(),
        service,
        staff: givers,
    })
}

/// Free slots for a service between two local dates, for one staff member or any.
///
/// With "any", each start is offered once, taken by the first free staff member in display
/// order.
pub async fn free(
    tx: &mut TenantTx,
    service: ServiceId,
    staff: Option<StaffId>,
    from: NaiveDate,
    to: NaiveDate,
    now: DateTime<Utc>,
) -> Result<Vec<StaffSlot>, BookingError> {
    let ctx = context(tx, service, staff).await?;
    Ok(merged(by_staff(tx, &ctx, None, from, to, now).await?))
}

/// [`free`] with the configuration a bot holds (`TenantConfig`): only the bookings and blocks
/// of the dates are read, in one statement.
pub async fn free_in(
    tx: &mut impl Scoped,
    config: &TenantConfig,
    service: ServiceId,
    staff: Option<StaffId>,
    from: NaiveDate,
    to: NaiveDate,
    now: DateTime<Utc>,
) -> Result<Vec<StaffSlot>, BookingError> {
    let ctx = context_from(config, service, staff)?;
    let calendars = config.calendars(&ids_of(&ctx), from, to);
    Ok(merged(by_staff(tx, &ctx, calendars, from, to, now).await?))
}

/// The local dates between `from` and `to` that have at least one free slot.
pub async fn bookable_dates(
    tx: &mut TenantTx,
    service: ServiceId,
    staff: Option<StaffId>,
    from: NaiveDate,
    to: NaiveDate,
    now: DateTime<Utc>,
) -> Result<Vec<NaiveDate>, BookingError> {
    let ctx = context(tx, service, staff).await?;
    let slots = merged(by_staff(tx, &ctx, None, from, to, now).await?);
    Ok(dates_of(&slots, ctx.profile.time_zone))
}

/// [`bookable_dates`] with the configuration a bot holds: one statement.
pub async fn bookable_dates_in(
    tx: &mut impl Scoped,
    config: &TenantConfig,
    service: ServiceId,
    staff: Option<StaffId>,
    from: NaiveDate,
    to: NaiveDate,
    now: DateTime<Utc>,
) -> Result<Vec<NaiveDate>, BookingError> {
    let ctx = context_from(config, service, staff)?;
    let calendars = config.calendars(&ids_of(&ctx), from, to);
    let slots = merged(by_staff(tx, &ctx, calendars, from, to, now).await?);
    Ok(dates_of(&slots, ctx.profile.time_zone))
}

fn ids_of(ctx: &Context) -> Vec<StaffId> {
    ctx.staff.iter().map(|s| s.id).collect()
}

/// The local dates of `slots` (sorted by start), each once.
fn dates_of(slots: &[StaffSlot], zone: Tz) -> Vec<NaiveDate> {
    let mut dates: Vec<NaiveDate> = slots
        .iter()
        .map(|s| s.start.with_timezone(&zone).date_naive())
        .collect();
    dates.dedup();
    dates
}

/// Free slots merged over staff.
fn merged(per_staff: Vec<(StaffId, Vec<StaffSlot>)>) -> Vec<StaffSlot> {
    let mut merged: Vec<StaffSlot> = Vec::new();
    for (_, slots) in per_staff {
        merged.extend(slots);
    }
    // Stable sort keeps display order among staff for equal starts; dedup keeps the first.
    merged.sort_by_key(|s| s.start);
    merged.dedup_by_key(|s| s.start);
    merged
}

/// Free slots per staff member of `ctx`; `calendars` when the caller holds them, else read.
async fn by_staff(
    tx: &mut impl Scoped,
    ctx: &Context,
    calendars: Option<HashMap<StaffId, Calendar>>,
    from: NaiveDate,
    to: NaiveDate,
    now: DateTime<Utc>,
) -> Result<Vec<(StaffId, Vec<StaffSlot>)>, BookingError> {
    // Dates outside the years the platform deals in have no slots (and would overflow the
    // window arithmetic below).
    if !date_within_reach(from) || !date_within_reach(to) || to < from {
        return Ok(Vec::new());
    }
    let ids = ids_of(ctx);
    let calendars = match calendars {
        Some(held) => held,
        None => schedule::calendars(tx, &ids, from, to).await?,
    };
    // Generous bounds: a local date spans at most 26 hours around UTC midnight.
    let window = Interval {
        start: from.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc() - Duration::days(1),
        end: to.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc() + Duration::days(2),
    };
    let mut busy = busy_by_staff(tx, &ids, window, now).await?;
    // A class's sessions with seats left are not busy for the class itself: their start is
    // offered again (and only their start: any other start would overlap them).
    let open = match ctx.service.seats {
        Some(_) => seats::open_sessions(tx, ctx.service.id, &ids, window, now).await?,
        None => HashMap::new(),
    };
    let mut out = Vec::with_capacity(ctx.staff.len());
    for member in &ctx.staff {
        let calendar = calendars.get(&member.id).cloned().unwrap_or_default();
        let mut classes: Vec<(Interval, OpenSession)> = Vec::new();
        let mut times = Vec::new();
        for b in busy.remove(&member.id).unwrap_or_default() {
            match b.session.and_then(|s| open.get(&s)) {
                Some(session) => classes.push((b.period, *session)),
                None => times.push(b.period),
            }
        }
        let busy = BusyTimes::new(times);
        let query = SlotQuery {
            zone: ctx.profile.time_zone,
            timing: ctx.service.timing,
            calendar: &calendar,
            busy: &busy,
            policy: &ctx.profile.policy,
            now,
        };
        let seats = ctx.service.seats.map(Seats::get);
        let slots = query
            .free_slots(from, to)
            .into_iter()
            .filter_map(|slot| {
                let occupied = query.occupied(&slot);
                let mut seats_left = seats;
                for (period, session) in &classes {
                    if period.start < occupied.end && occupied.start < period.end {
                        if session.start != slot.start {
                            return None;
                        }
                        seats_left = Some(session.seats_left);
                    }
                }
                Some(staff_slot(member.id, slot, seats_left))
            })
            .collect();
        out.push((member.id, slots));
    }
    Ok(out)
}

const fn staff_slot(staff_id: StaffId, slot: Slot, seats_left: Option<u16>) -> StaffSlot {
    StaffSlot {
        staff_id,
        start: slot.start,
        end: slot.end,
        seats_left,
    }
}

/// A stretch of a staff member's busy time, and the class session it is a seat of.
struct Busy {
    period: Interval,
    session: Option<i64>,
}

/// Occupied time per staff member, in one statement: live bookings (confirmed, or held and not
/// lapsed) and blocked periods (a block of everyone counts for each of `staff`).
async fn busy_by_staff(
    tx: &mut impl Scoped,
    staff: &[StaffId],
    window: Interval,
    now: DateTime<Utc>,
) -> Result<HashMap<StaffId, Vec<Busy>>, StorageError> {
    let ids: Vec<i64> = staff.iter().map(|s| s.get()).collect();
    let rows = sqlx::query(
        "select staff_id, occupied, session_id from bookings \
         where staff_id = any($1) and occupied && tstzrange($2, $3, '[)') \
           and (status = 'confirmed' or (status = 'held' and hold_expires_at > $4)) \
         union all \
         select staff_id, period, null from blocked_periods \
         where (staff_id is null or staff_id = any($1)) and period && tstzrange($2, $3, '[)')",
    )
    .bind(&ids)
    .bind(window.start)
    .bind(window.end)
    .bind(now)
    .fetch_all(tx.conn())
    .await?;
    let mut out: HashMap<StaffId, Vec<Busy>> = HashMap::new();
    for row in rows {
        let range: PgRange<DateTime<Utc>> = row.try_get("occupied")?;
        let period = interval_of(&range)?;
        let session: Option<i64> = row.try_get("session_id")?;
        match row.try_get::<Option<i64>, _>("staff_id")? {
            Some(id) => out
                .entry(StaffId(id))
                .or_default()
                .push(Busy { period, session }),
            None => {
                for id in staff {
                    out.entry(*id).or_default().push(Busy { period, session });
                }
            }
        }
    }
    Ok(out)
}
