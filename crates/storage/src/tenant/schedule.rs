use std::collections::{BTreeMap, HashMap};

use booking_core::{
    ids::{BlockId, StaffId},
    schedule::{BlockedPeriod, Calendar, DayException, DayPlan, LocalRange, WeeklyHours},
    time::Interval,
};
use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use sqlx::{Row, postgres::types::PgRange};

use crate::{db::TenantTx, error::StorageError, reads::Scoped};

/// Replaces the weekly plan of one staff member, or the business's default plan (`None`),
/// which staff without a plan of their own follow.
pub async fn set_weekly(
    tx: &mut TenantTx,
    staff: Option<StaffId>,
    weekly: &WeeklyHours,
) -> Result<(), StorageError> {
    let staff_id = staff.map(StaffId::get);
    sqlx::query("delete from working_hours where staff_id is not distinct from $1")
        .bind(staff_id)
        .execute(tx.conn())
        .await?;
    let (mut days, mut kinds, mut starts, mut ends) = (vec![], vec![], vec![], vec![]);
    for weekday in 0..7_i16 {
        let plan = weekly.day(u32::try_from(weekday).unwrap_or(0));
        for (kind, ranges) in [("hours", plan.hours()), ("break", plan.breaks())] {
            for r in ranges {
                days.push(weekday);
                kinds.push(kind);
                starts.push(r.start());
                ends.push(r.end());
            }
        }
    }
    sqlx::query(
        "insert into working_hours (staff_id, weekday, kind, starts, ends) \
         select $1, * from unnest($2::smallint[], $3::text[], $4::time[], $5::time[])",
    )
    .bind(staff_id)
    .bind(&days)
    .bind(&kinds)
    .bind(&starts)
    .bind(&ends)
    .execute(tx.conn())
    .await?;
    Ok(())
}

/// Sets the exception for one date (replacing any), for one staff member or everyone.
pub async fn set_exception(
    tx: &mut TenantTx,
    staff: Option<StaffId>,
    day: NaiveDate,
    exception: &DayException,
) -> Result<(), StorageError> {
    let staff_id = staff.map(StaffId::get);
    sqlx::query("delete from date_exceptions where staff_id is not distinct from $1 and day = $2")
        .bind(staff_id)
        .bind(day)
        .execute(tx.conn())
        .await?;
    let rows: Vec<(&str, Option<NaiveTime>, Option<NaiveTime>)> = match exception {
        DayException::DayOff => vec![("day_off", None, None)],
        DayException::SpecialHours(plan) => plan
            .hours()
            .iter()
            .map(|r| ("hours", Some(r.start()), Some(r.end())))
            .chain(
                plan.breaks()
                    .iter()
                    .map(|r| ("break", Some(r.start()), Some(r.end()))),
            )
            .collect(),
    };
    for (kind, starts, ends) in rows {
        sqlx::query("insert into date_exceptions (staff_id, day, kind, starts, ends) values ($1, $2, $3, $4, $5)")
            .bind(staff_id)
            .bind(day)
            .bind(kind)
            .bind(starts)
            .bind(ends)
            .execute(tx.conn())
            .await?;
    }
    Ok(())
}

fn range(starts: NaiveTime, ends: NaiveTime) -> Result<LocalRange, StorageError> {
    LocalRange::new(starts, ends).map_err(|e| StorageError::Corrupt(e.to_string()))
}

type Ranges = (Vec<LocalRange>, Vec<LocalRange>);

fn plan(ranges: Ranges) -> Result<DayPlan, StorageError> {
    DayPlan::new(ranges.0, ranges.1).map_err(|e| StorageError::Corrupt(e.to_string()))
}

/// The calendars of the given staff members with the exceptions between `from` and `to`.
///
/// A staff member's own weekly plan replaces the business's default one. On a date, a day off
/// (the business's or their own) closes the day; otherwise their own special hours, else the
/// business's special hours, else the weekly plan apply.
pub async fn calendars(
    tx: &mut impl Scoped,
    staff: &[StaffId],
    from: NaiveDate,
    to: NaiveDate,
) -> Result<HashMap<StaffId, Calendar>, StorageError> {
    let ids: Vec<i64> = staff.iter().map(|s| s.get()).collect();
    let rows = sqlx::query(
        "select 'weekly' as src, staff_id, weekday, null::date as day, kind, starts, ends \
           from working_hours where staff_id is null or staff_id = any($1) \
         union all \
         select 'date', staff_id, null, day, kind, starts, ends \
           from date_exceptions where (staff_id is null or staff_id = any($1)) and day between $2 and $3",
    )
    .bind(&ids)
    .bind(from)
    .bind(to)
    .fetch_all(tx.conn())
    .await?;

    // (staff or None, weekday) -> ranges, and (staff or None, day) -> (day off?, ranges).
    let mut weekly: HashMap<(Option<i64>, i16), Ranges> = HashMap::new();
    let mut dated: HashMap<(Option<i64>, NaiveDate), (bool, Ranges)> = HashMap::new();
    for row in rows {
        let src: String = row.try_get("src")?;
        let owner: Option<i64> = row.try_get("staff_id")?;
        let kind: String = row.try_get("kind")?;
        let starts: Option<NaiveTime> = row.try_get("starts")?;
        let ends: Option<NaiveTime> = row.try_get("ends")?;
        let local = match (starts, ends) {
            (Some(s), Some(e)) => Some(range(s, e)?),
            _ => None,
        };
        let target = if src == "weekly" {
            let weekday: i16 = row.try_get("weekday")?;
            weekly.entry((owner, weekday)).or_default()
        } else {
            let day: NaiveDate = row.try_get("day")?;
            let entry = dated.entry((owner, day)).or_default();
            if kind == "day_off" {
                entry.0 = true;
            }
            &mut entry.1
        };
        match (kind.as_str(), local) {
            ("hours", Some(r)) => target.0.push(r),
            ("break", Some(r)) => target.1.push(r),
            _ => {}
        }
    }

    let mut out = HashMap::new();
    for id in staff {
        let own_weekly = weekly.keys().any(|(owner, _)| *owner == Some(id.get()));
        let owner = if own_weekly { Some(id.get()) } else { None };
        let mut week = WeeklyHours::default();
        for weekday in 0..7_i16 {
            if let Some(ranges) = weekly.get(&(owner, weekday)) {
                week.set(u32::try_from(weekday).unwrap_or(0), plan(ranges.clone())?);
            }
        }
        let mut exceptions = BTreeMap::new();
        let days: Vec<NaiveDate> = dated
            .keys()
            .filter(|(o, _)| o.is_none() || *o == Some(id.get()))
            .map(|(_, d)| *d)
            .collect();
        for day in days {
            let mine = dated.get(&(Some(id.get()), day));
            let shop = dated.get(&(None, day));
            let day_off = mine.is_some_and(|m| m.0) || shop.is_some_and(|s| s.0);
            let exception = if day_off {
                DayException::DayOff
            } else {
                let special = mine
                    .filter(|m| !m.1.0.is_empty())
                    .or(shop)
                    .map(|x| x.1.clone());
                match special {
                    Some(ranges) => DayException::SpecialHours(plan(ranges)?),
                    None => continue,
                }
            };
            exceptions.insert(day, exception);
        }
        out.insert(
            *id,
            Calendar {
                weekly: week,
                exceptions,
            },
        );
    }
    Ok(out)
}

/// Blocks a period for one staff member or everyone.
pub async fn block(
    tx: &mut TenantTx,
    staff: Option<StaffId>,
    period: Interval,
    reason: &str,
    by: Option<i64>,
) -> Result<BlockId, StorageError> {
    let id: i64 = sqlx::query_scalar(
        "insert into blocked_periods (staff_id, period, reason, created_by) \
         values ($1, tstzrange($2, $3, '[)'), $4, $5) returning block_id",
    )
    .bind(staff.map(StaffId::get))
    .bind(period.start)
    .bind(period.end)
    .bind(reason)
    .bind(by)
    .fetch_one(tx.conn())
    .await?;
    Ok(BlockId(id))
}

/// Removes a block. `false` if there was none.
pub async fn unblock(tx: &mut TenantTx, id: BlockId) -> Result<bool, StorageError> {
    let done = sqlx::query("delete from blocked_periods where block_id = $1")
        .bind(id.get())
        .execute(tx.conn())
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Blocks overlapping `window` that apply to any of `staff` (including everyone-blocks).
pub async fn blocks(
    tx: &mut TenantTx,
    staff: &[StaffId],
    window: Interval,
) -> Result<Vec<BlockedPeriod>, StorageError> {
    let ids: Vec<i64> = staff.iter().map(|s| s.get()).collect();
    let rows = sqlx::query(
        "select block_id, staff_id, period, reason from blocked_periods \
         where (staff_id is null or staff_id = any($1)) and period && tstzrange($2, $3, '[)') \
         order by lower(period)",
    )
    .bind(&ids)
    .bind(window.start)
    .bind(window.end)
    .fetch_all(tx.conn())
    .await?;
    rows.iter()
        .map(|row| {
            let period: PgRange<DateTime<Utc>> = row.try_get("period")?;
            Ok(BlockedPeriod {
                id: BlockId(row.try_get("block_id")?),
                staff: row.try_get::<Option<i64>, _>("staff_id")?.map(StaffId),
                period: interval_of(&period)?,
                reason: row.try_get("reason")?,
            })
        })
        .collect()
}

/// A closed-open range with both ends, as every range we store is.
pub(crate) fn interval_of(range: &PgRange<DateTime<Utc>>) -> Result<Interval, StorageError> {
    use std::ops::Bound::{Excluded, Included};
    let start = match range.start {
        Included(t) | Excluded(t) => t,
        std::ops::Bound::Unbounded => return Err(StorageError::Corrupt("unbounded range".into())),
    };
    let end = match range.end {
        Included(t) | Excluded(t) => t,
        std::ops::Bound::Unbounded => return Err(StorageError::Corrupt("unbounded range".into())),
    };
    Interval::new(start, end).ok_or_else(|| StorageError::Corrupt("empty range".into()))
}
