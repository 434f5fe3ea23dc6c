//! Which upcoming bookings a change of working hours leaves outside them. Called inside the
//! change's own transaction, after the new hours are written, so what it reads is what the
//! change would make: the admin sees exactly the bookings it touches before confirming.

use std::collections::HashMap;

use booking_core::{Tz, booking::BookingStatus, ids::StaffId, time::Interval};
use chrono::{DateTime, Duration, Utc};

use super::{model::BookingView, views};
use crate::{db::TenantTx, error::StorageError, tenant::schedule};

/// How far ahead a change of hours is checked: as far as anyone can book.
const AHEAD_DAYS: i64 = 366;

/// The confirmed bookings of `staff` (or everyone) from `now` on whose visit no longer lies
/// within one working window of its day, in the business's zone `zone`.
pub async fn outside_hours(
    tx: &mut TenantTx,
    zone: Tz,
    staff: Option<StaffId>,
    now: DateTime<Utc>,
) -> Result<Vec<BookingView>, StorageError> {
    let window = Interval {
        start: now,
        end: now + Duration::days(AHEAD_DAYS),
    };
    let upcoming: Vec<BookingView> = views::in_range(tx, window, staff)
        .await?
        .into_iter()
        .filter(|v| v.booking.status == BookingStatus::Confirmed && v.booking.start >= now)
        .collect();
    let Some(last) = upcoming.iter().map(|v| v.booking.end).max() else {
        return Ok(Vec::new());
    };
    let mut ids: Vec<StaffId> = upcoming.iter().map(|v| v.booking.staff_id).collect();
    ids.sort_unstable();
    ids.dedup();
    let from = now.with_timezone(&zone).date_naive();
    let to = last.with_timezone(&zone).date_naive();
    let calendars: HashMap<_, _> = schedule::calendars(tx, &ids, from, to).await?;
    Ok(upcoming
        .into_iter()
        .filter(|v| {
            let (start, end) = (
                v.booking.start.with_timezone(&zone),
                v.booking.end.with_timezone(&zone),
            );
            let day = start.date_naive();
            let fits = end.date_naive() == day
                && calendars.get(&v.booking.staff_id).is_some_and(|c| {
                    c.plan_on(day)
                        .windows()
                        .iter()
                        .any(|w| w.start() <= start.time() && end.time() <= w.end())
                });
            !fits
        })
        .collect())
}
