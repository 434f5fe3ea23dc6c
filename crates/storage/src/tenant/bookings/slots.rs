//! Free times: for a service, with one staff member or anyone, between two local dates.

use std::collections::HashMap;

use booking_core::{
    Tz,
    booking::BookingRejection,
    catalogue::{Service, Staff},
    ids::{ServiceId, StaffId},
    slots::{BusyTimes, Slot, SlotQuery},
    time::{Interval, date_within_reach},
};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use sqlx::{Row, postgres::types::PgRange};

use super::model::StaffSlot;
use crate::{
    db::TenantTx,
    error::{BookingError, StorageError},
    tenant::{
        catalogue,
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
    Ok(free_in_zone(tx, service, staff, from, to, now).await?.1)
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
    let (zone, slots) = free_in_zone(tx, service, staff, from, to, now).await?;
    let mut dates: Vec<NaiveDate> = slots
        .iter()
        .map(|s| s.start.with_timezone(&zone).date_naive())
        .collect();
    dates.dedup();
    Ok(dates)
}

/// Free slots merged over staff, with the tenant's zone they were computed in.
async fn free_in_zone(
    tx: &mut TenantTx,
    service: ServiceId,
    staff: Option<StaffId>,
    from: NaiveDate,
    to: NaiveDate,
    now: DateTime<Utc>,
) -> Result<(Tz, Vec<StaffSlot>), BookingError> {
    let (zone, per_staff) = by_staff(tx, service, staff, from, to, now).await?;
    let mut merged: Vec<StaffSlot> = Vec::new();
    for (staff_id, slots) in per_staff {
        merged.extend(slots.into_iter().map(|s| StaffSlot {
            staff_id,
            start: s.start,
            end: s.end,
        }));
    }
    // Stable sort keeps display order among staff for equal starts; dedup keeps the first.
    merged.sort_by_key(|s| s.start);
    merged.dedup_by_key(|s| s.start);
    Ok((zone, merged))
}

async fn by_staff(
    tx: &mut TenantTx,
    service: ServiceId,
    staff: Option<StaffId>,
    from: NaiveDate,
    to: NaiveDate,
    now: DateTime<Utc>,
) -> Result<(Tz, Vec<(StaffId, Vec<Slot>)>), BookingError> {
    let ctx = context(tx, service, staff).await?;
    // Dates outside the years the platform deals in have no slots (and would overflow the
    // window arithmetic below).
    if !date_within_reach(from) || !date_within_reach(to) || to < from {
        return Ok((ctx.profile.time_zone, Vec::new()));
    }
    let ids: Vec<StaffId> = ctx.staff.iter().map(|s| s.id).collect();
    let calendars = schedule::calendars(tx, &ids, from, to).await?;
    // Generous bounds: a local date spans at most 26 hours around UTC midnight.
    let window = Interval {
        start: from.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc() - Duration::days(1),
        end: to.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc() + Duration::days(2),
    };
    let mut busy = busy_by_staff(tx, &ids, window, now).await?;
    for block in schedule::blocks(tx, &ids, window).await? {
        let affected: Vec<StaffId> = block.staff.map_or_else(|| ids.clone(), |s| vec![s]);
        for s in affected {
            busy.entry(s).or_default().push(block.period);
        }
    }
    let mut out = Vec::with_capacity(ctx.staff.len());
    for member in &ctx.staff {
        let calendar = calendars.get(&member.id).cloned().unwrap_or_default();
        let busy = BusyTimes::new(busy.remove(&member.id).unwrap_or_default());
        let query = SlotQuery {
            zone: ctx.profile.time_zone,
            timing: ctx.service.timing,
            calendar: &calendar,
            busy: &busy,
            policy: &ctx.profile.policy,
            now,
        };
        out.push((member.id, query.free_slots(from, to)));
    }
    Ok((ctx.profile.time_zone, out))
}

/// Occupied time of live bookings (confirmed, or held and not lapsed) per staff member.
async fn busy_by_staff(
    tx: &mut TenantTx,
    staff: &[StaffId],
    window: Interval,
    now: DateTime<Utc>,
) -> Result<HashMap<StaffId, Vec<Interval>>, StorageError> {
    let ids: Vec<i64> = staff.iter().map(|s| s.get()).collect();
    let rows = sqlx::query(
        "select staff_id, occupied from bookings \
         where staff_id = any($1) and occupied && tstzrange($2, $3, '[)') \
           and (status = 'confirmed' or (status = 'held' and hold_expires_at > $4))",
    )
    .bind(&ids)
    .bind(window.start)
    .bind(window.end)
    .bind(now)
    .fetch_all(tx.conn())
    .await?;
    let mut out: HashMap<StaffId, Vec<Interval>> = HashMap::new();
    for row in rows {
        let range: PgRange<DateTime<Utc>> = row.try_get("occupied")?;
        out.entry(StaffId(row.try_get("staff_id")?))
            .or_default()
            .push(interval_of(&range)?);
    }
    Ok(out)
}
