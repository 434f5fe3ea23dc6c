//! Recurring visits: one booking repeated weekly or every two weeks, booked in one go.
//!
//! Every occurrence is an ordinary booking made by [`service::book`] (so each has its
//! reminders, notices and history as usual), and all of a series are booked in the caller's
//! one transaction: a refusal of any occurrence (a race lost since the plan was shown) fails
//! the whole series, never leaving half of it booked.
//!
//! Before anything is booked, [`plan`] tries every occurrence in a transaction the caller
//! rolls back, through the same service, so the reasons it lists (staff busy, outside hours,
//! blocked, beyond the horizon, over the active-booking limit) are exactly the ones booking
//! would give.

use booking_core::{Tz, booking::BookingRejection, ids::BookingId};
use chrono::{DateTime, Duration, Utc};

use super::{
    model::BookingRequest,
    service::{self, BookingChange},
    slots,
};
use crate::{
    db::TenantTx,
    error::{BookingError, StorageError},
};

/// How often a series repeats: every week or every two weeks.
#[derive(Copy, Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Every(u8);

impl Every {
    pub const WEEK: Self = Self(1);
    pub const TWO_WEEKS: Self = Self(2);

    /// `weeks` if it is one of the intervals offered.
    #[must_use]
    pub const fn weeks(weeks: u8) -> Option<Self> {
        match weeks {
            1 | 2 => Some(Self(weeks)),
            _ => None,
        }
    }

    #[must_use]
    pub const fn get(self) -> u8 {
        self.0
    }
}

/// How many visits a series has, the first included.
#[derive(Copy, Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Times(u8);

impl Times {
    pub const MIN: u8 = 2;
    pub const MAX: u8 = 12;

    /// `n` if it is within [`Times::MIN`]..=[`Times::MAX`].
    #[must_use]
    pub fn new(n: u8) -> Option<Self> {
        (Self::MIN..=Self::MAX).contains(&n).then_some(Self(n))
    }

    #[must_use]
    pub const fn get(self) -> u8 {
        self.0
    }
}

/// The starts of the occurrences after `first`: the same local time of day in `zone`, `every`
/// weeks apart (so a series keeps its hour across a change to or from summer time).
#[must_use]
pub fn later_starts(
    first: DateTime<Utc>,
    zone: Tz,
    every: Every,
    times: Times,
) -> Vec<DateTime<Utc>> {
    let local = first.with_timezone(&zone).naive_local();
    (1..i64::from(times.get()))
        .filter_map(|k| {
            let at = local + Duration::weeks(k * i64::from(every.get()));
            at.and_local_timezone(zone)
                .earliest()
                .map(|t| t.with_timezone(&Utc))
        })
        .collect()
}

/// What would become of one occurrence.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// It can be booked as wanted.
    Free,
    /// It cannot, for `why`; `instead` is the nearest time that can, if any.
    Taken {
        why: BookingRejection,
        instead: Option<DateTime<Utc>>,
    },
}

/// One occurrence of a planned series.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Planned {
    pub wanted: DateTime<Utc>,
    pub verdict: Verdict,
}

/// How far either side of a taken occurrence an alternative is looked for.
const AROUND_DAYS: i64 = 3;
/// How many candidate alternatives are tried before giving up on one occurrence.
const TRIED: usize = 5;

/// Tries to book each of `wanted` with `template` (its start is ignored), in order, and says
/// what would become of each; a taken one gets the nearest time that could be booked instead
/// (same staff member, within a few days). Everything tried is booked in `tx`, so later
/// occurrences see the earlier ones (and the active-booking limit counts them): the caller
/// must roll `tx` back.
pub async fn plan(
    tx: &mut TenantTx,
    template: &BookingRequest,
    wanted: &[DateTime<Utc>],
    zone: Tz,
    now: DateTime<Utc>,
) -> Result<Vec<Planned>, StorageError> {
    let mut planned = Vec::with_capacity(wanted.len());
    for &start in wanted {
        let verdict = match try_book(tx, template, start, now).await? {
            Ok(()) => Verdict::Free,
            Err(why) => {
                let instead = nearest(tx, template, start, &why, zone, now).await?;
                Verdict::Taken { why, instead }
            }
        };
        planned.push(Planned {
            wanted: start,
            verdict,
        });
    }
    Ok(planned)
}

async fn try_book(
    tx: &mut TenantTx,
    template: &BookingRequest,
    start: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<Result<(), BookingRejection>, StorageError> {
    let req = BookingRequest {
        start,
        ..template.clone()
    };
    match service::book(tx, &req, now).await {
        Ok(_) => Ok(Ok(())),
        Err(BookingError::Rejected(r)) => Ok(Err(r)),
        Err(BookingError::Storage(e)) => Err(e),
    }
}

/// Whether another time could cure the refusal (a busy, blocked or closed time), as opposed to
/// one no time can (the active-booking limit, the horizon, the service withdrawn).
#[must_use]
pub const fn curable(why: &BookingRejection) -> bool {
    matches!(
        why,
        BookingRejection::SlotTaken
            | BookingRejection::OutsideWorkingHours
            | BookingRejection::Blocked
            | BookingRejection::TooSoon { .. }
    )
}

/// The free time nearest to `wanted` that books (and is booked in `tx`), for a refusal that
/// another time could cure; none for one that no time can (the limit, the service gone).
async fn nearest(
    tx: &mut TenantTx,
    template: &BookingRequest,
    wanted: DateTime<Utc>,
    why: &BookingRejection,
    zone: Tz,
    now: DateTime<Utc>,
) -> Result<Option<DateTime<Utc>>, StorageError> {
    if !curable(why) {
        return Ok(None);
    }
    let day = wanted.with_timezone(&zone).date_naive();
    let (from, to) = (
        day - Duration::days(AROUND_DAYS),
        day + Duration::days(AROUND_DAYS),
    );
    let mut free = match slots::free(tx, template.service, template.staff, from, to, now).await {
        Ok(free) => free,
        Err(BookingError::Rejected(_)) => return Ok(None),
        Err(BookingError::Storage(e)) => return Err(e),
    };
    free.sort_by_key(|s| ((s.start - wanted).num_seconds().abs(), s.start));
    for slot in free.into_iter().take(TRIED) {
        if try_book(tx, template, slot.start, now).await?.is_ok() {
            return Ok(Some(slot.start));
        }
    }
    Ok(None)
}

/// The first occurrence of a series being booked.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum First {
    /// The customer's hold, confirmed.
    Hold(BookingId),
    /// A start booked outright (an admin's phoned-in series).
    At(DateTime<Utc>),
}

/// Books a series in `tx`: `first`, then each of `later` with `template` (its start ignored),
/// all linked by the first booking's id. Any refusal is returned as is and the caller rolls
/// back: a series is booked whole or not at all.
pub async fn book(
    tx: &mut TenantTx,
    first: First,
    template: &BookingRequest,
    later: &[DateTime<Utc>],
    now: DateTime<Utc>,
) -> Result<Vec<BookingChange>, BookingError> {
    let mut changes = Vec::with_capacity(later.len() + 1);
    changes.push(match first {
        First::Hold(id) => service::confirm(tx, id, template.customer, template.actor, now).await?,
        First::At(start) => {
            let req = BookingRequest {
                start,
                ..template.clone()
            };
            service::book(tx, &req, now).await?
        }
    });
    for &start in later {
        let req = BookingRequest {
            start,
            ..template.clone()
        };
        changes.push(service::book(tx, &req, now).await?);
    }
    let series = changes[0].booking.id;
    let ids: Vec<i64> = changes.iter().map(|c| c.booking.id.get()).collect();
    sqlx::query("update bookings set series_id = $1 where booking_id = any($2)")
        .bind(series.get())
        .bind(&ids)
        .execute(tx.conn())
        .await
        .map_err(StorageError::from)?;
    for change in &mut changes {
        change.booking.series_id = Some(series);
    }
    Ok(changes)
}

/// The live bookings of `series` that start at or after `from`, soonest first: what "cancel
/// this and the rest" cancels.
pub async fn rest_of(
    tx: &mut TenantTx,
    series: BookingId,
    from: DateTime<Utc>,
) -> Result<Vec<BookingId>, StorageError> {
    let ids: Vec<i64> = sqlx::query_scalar(
        "select booking_id from bookings where series_id = $1 and starts_at >= $2 \
           and status = 'confirmed' order by starts_at",
    )
    .bind(series.get())
    .bind(from)
    .fetch_all(tx.conn())
    .await?;
    Ok(ids.into_iter().map(BookingId).collect())
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone as _;

    use super::*;

    #[test]
    fn occurrences_keep_the_local_hour_across_summer_time() {
        let zone: Tz = chrono_tz::Europe::Berlin;
        // Monday 16 March 2026, 10:00 in Berlin; summer time starts on 29 March.
        let first = zone
            .with_ymd_and_hms(2026, 3, 16, 10, 0, 0)
            .unwrap()
            .with_timezone(&Utc);
        let later = later_starts(first, zone, Every::WEEK, Times::new(4).unwrap());
        let local: Vec<String> = later
            .iter()
            .map(|t| t.with_timezone(&zone).format("%d.%m %H:%M").to_string())
            .collect();
        assert_eq!(local, ["23.03 10:00", "30.03 10:00", "06.04 10:00"]);
        let fortnightly = later_starts(first, zone, Every::TWO_WEEKS, Times::new(2).unwrap());
        assert_eq!(
            fortnightly,
            [first + Duration::weeks(2) - Duration::hours(1)]
        );
    }

    #[test]
    fn only_the_offered_intervals_and_counts_exist() {
        assert_eq!(Every::weeks(0), None);
        assert_eq!(Every::weeks(3), None);
        assert_eq!(Every::weeks(2), Some(Every::TWO_WEEKS));
        assert_eq!(Times::new(1), None);
        assert_eq!(Times::new(13), None);
        assert_eq!(Times::new(12).map(Times::get), Some(12));
    }
}
