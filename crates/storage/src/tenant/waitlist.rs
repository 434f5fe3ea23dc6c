//! The waitlist of full days: customers wait for time on a date (a service, with one staff
//! member or anyone); when time on that date frees up they are offered it through the outbox.
//!
//! The offers themselves are written by the booking service for every change that frees time
//! (`bookings::waitlist_offers`); taking one is `bookings::service::take_offer`.

use std::collections::HashMap;

use booking_core::{
    booking::BookingRejection,
    ids::{BookingId, CustomerId, ServiceId, StaffId, WaitlistId},
    schedule::Calendar,
};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::Serialize;
use sqlx::{Row, postgres::PgRow};

use crate::{
    db::TenantTx,
    error::{BookingError, StorageError},
    reads::Scoped,
    tenant::{bookings, catalogue, config::TenantConfig, schedule, settings},
};

/// Where an entry is.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EntryStatus {
    Waiting,
    Booked,
    Cancelled,
}

/// One customer waiting for one day.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Entry {
    pub id: WaitlistId,
    pub customer_id: CustomerId,
    pub service_id: ServiceId,
    /// `None`: anyone who gives the service.
    pub staff_id: Option<StaffId>,
    pub day: NaiveDate,
    pub status: EntryStatus,
}

const COLUMNS: &str = "waitlist_id, customer_id, service_id, staff_id, day, status";

fn from_row(row: &PgRow) -> Result<Entry, StorageError> {
    let status: String = row.try_get("status")?;
    Ok(Entry {
        id: WaitlistId(row.try_get("waitlist_id")?),
        customer_id: CustomerId(row.try_get("customer_id")?),
        service_id: ServiceId(row.try_get("service_id")?),
        staff_id: row.try_get::<Option<i64>, _>("staff_id")?.map(StaffId),
        day: row.try_get("day")?,
        status: match status.as_str() {
            "waiting" => EntryStatus::Waiting,
            "booked" => EntryStatus::Booked,
            "cancelled" => EntryStatus::Cancelled,
            other => return Err(StorageError::Corrupt(format!("waitlist status {other:?}"))),
        },
    })
}

/// The local dates between `from` and `to` (from tomorrow on) when someone who gives the
/// service works but no time is free: the days a customer may wait for.
pub async fn full_days(
    tx: &mut TenantTx,
    service: ServiceId,
    staff: Option<StaffId>,
    from: NaiveDate,
    to: NaiveDate,
    now: DateTime<Utc>,
) -> Result<Vec<NaiveDate>, BookingError> {
    let zone = settings::profile(tx).await?.time_zone;
    // Today is left out: a day with no time left because it is nearly over is not "full".
    let from = from.max(now.with_timezone(&zone).date_naive() + Duration::days(1));
    if from > to {
        return Ok(Vec::new());
    }
    let mut givers: Vec<StaffId> = catalogue::staff_for_service(tx, service)
        .await?
        .into_iter()
        .map(|s| s.id)
        .collect();
    if let Some(wanted) = staff {
        givers.retain(|s| *s == wanted);
    }
    if givers.is_empty() {
        return Err(BookingRejection::StaffUnavailable.into());
    }
    let calendars = schedule::calendars(tx, &givers, from, to).await?;
    let bookable = bookings::slots::bookable_dates(tx, service, staff, from, to, now).await?;
    Ok(full_of(from, to, &givers, &calendars, &bookable))
}

/// [`full_days`] with the configuration a bot holds and the dates its caller found bookable
/// (`slots::bookable_dates_in` over at least `from..=to`): no statement when the configuration
/// holds the calendars of those dates.
#[allow(clippy::too_many_arguments)] // the same question as `full_days`, plus what answers it
pub async fn full_days_in(
    tx: &mut impl Scoped,
    config: &TenantConfig,
    service: ServiceId,
    staff: Option<StaffId>,
    from: NaiveDate,
    to: NaiveDate,
    now: DateTime<Utc>,
    bookable: &[NaiveDate],
) -> Result<Vec<NaiveDate>, BookingError> {
    let zone = config.profile.time_zone;
    let from = from.max(now.with_timezone(&zone).date_naive() + Duration::days(1));
    if from > to {
        return Ok(Vec::new());
    }
    let mut givers: Vec<StaffId> = config
        .staff_for_service(service)
        .into_iter()
        .map(|s| s.id)
        .collect();
    if let Some(wanted) = staff {
        givers.retain(|s| *s == wanted);
    }
    if givers.is_empty() {
        return Err(BookingRejection::StaffUnavailable.into());
    }
    let calendars = match config.calendars(&givers, from, to) {
        Some(held) => held,
        None => schedule::calendars(tx, &givers, from, to).await?,
    };
    Ok(full_of(from, to, &givers, &calendars, bookable))
}

/// The dates from `from` to `to` that are not bookable although someone of `givers` works.
fn full_of(
    from: NaiveDate,
    to: NaiveDate,
    givers: &[StaffId],
    calendars: &HashMap<StaffId, Calendar>,
    bookable: &[NaiveDate],
) -> Vec<NaiveDate> {
    from.iter_days()
        .take_while(|d| *d <= to)
        .filter(|d| !bookable.contains(d))
        .filter(|d| {
            givers
                .iter()
                .any(|g| calendars.get(g).is_some_and(|c| !c.plan_on(*d).is_closed()))
        })
        .collect()
}

/// Puts the customer on the day's waitlist; joining again returns the same entry.
pub async fn join(
    tx: &mut TenantTx,
    customer: CustomerId,
    service: ServiceId,
    staff: Option<StaffId>,
    day: NaiveDate,
) -> Result<WaitlistId, StorageError> {
    let inserted = sqlx::query(
        "insert into waitlist (customer_id, service_id, staff_id, day) values ($1, $2, $3, $4) \
         on conflict do nothing returning waitlist_id",
    )
    .bind(customer.get())
    .bind(service.get())
    .bind(staff.map(StaffId::get))
    .bind(day)
    .fetch_optional(tx.conn())
    .await?;
    if let Some(row) = inserted {
        return Ok(WaitlistId(row.try_get("waitlist_id")?));
    }
    let row = sqlx::query(
        "select waitlist_id from waitlist where customer_id = $1 and service_id = $2 \
           and coalesce(staff_id, 0) = coalesce($3, 0) and day = $4 and status = 'waiting'",
    )
    .bind(customer.get())
    .bind(service.get())
    .bind(staff.map(StaffId::get))
    .bind(day)
    .fetch_one(tx.conn())
    .await?;
    Ok(WaitlistId(row.try_get("waitlist_id")?))
}

pub async fn get(tx: &mut TenantTx, id: WaitlistId) -> Result<Option<Entry>, StorageError> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "select {COLUMNS} from waitlist where waitlist_id = $1"
    )))
    .bind(id.get())
    .fetch_optional(tx.conn())
    .await?;
    row.as_ref().map(from_row).transpose()
}

/// The entry got its booking; `false` if it was not waiting any more.
pub async fn fulfil(
    tx: &mut TenantTx,
    id: WaitlistId,
    booking: BookingId,
) -> Result<bool, StorageError> {
    let done = sqlx::query(
        "update waitlist set status = 'booked', booking_id = $2 where waitlist_id = $1 and status = 'waiting'",
    )
    .bind(id.get())
    .bind(booking.get())
    .execute(tx.conn())
    .await?;
    Ok(done.rows_affected() == 1)
}
