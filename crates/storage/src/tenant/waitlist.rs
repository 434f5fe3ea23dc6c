//! The waitlist of full days: customers wait for time on a date (a service, with one staff
//! member or anyone); when time on that date frees up they are offered it through the outbox.
//!
//! [`time_freed`] is the one hook: `bookings::cancel` and `bookings::reschedule` call it in
//! their transaction for the time they give up, so every path that frees time (a customer's
//! cancel or move, an admin's, the automatic release) offers it. Who gets the time is decided
//! by the bookings exclusion constraint when an offer is pressed, not here.

use booking_core::{
    booking::BookingRejection,
    ids::{BookingId, CustomerId, ServiceId, StaffId, WaitlistId},
};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::Serialize;
use serde_json::json;
use sqlx::{Row, postgres::PgRow};

use crate::{
    db::TenantTx,
    error::{BookingError, StorageError},
    tenant::{
        bookings::{self, Booking},
        catalogue,
        outbox::{self, NewMessage},
        schedule, settings,
    },
};

/// The outbox kind of an offer; its payload is `{"entry": <waitlist id>}`.
pub const OFFER: &str = "waitlist_offer";

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
    let bookable = bookings::bookable_dates(tx, service, staff, from, to, now).await?;
    Ok(from
        .iter_days()
        .take_while(|d| *d <= to)
        .filter(|d| !bookable.contains(d))
        .filter(|d| {
            givers
                .iter()
                .any(|g| calendars.get(g).is_some_and(|c| !c.plan_on(*d).is_closed()))
        })
        .collect())
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

/// Time of `freed` (a booking being cancelled, or the old time of one being moved) is free
/// again: every customer waiting for that day, for a service its staff member gives (with that
/// staff member or anyone), is offered it. One offer per entry and freed time (dedupe key).
pub async fn time_freed(
    tx: &mut TenantTx,
    freed: &Booking,
    now: DateTime<Utc>,
) -> Result<u64, StorageError> {
    let zone = settings::profile(tx).await?.time_zone;
    let day = freed.start.with_timezone(&zone).date_naive();
    if freed.start <= now {
        return Ok(0);
    }
    let rows = sqlx::query(
        "select w.waitlist_id, c.telegram_user_id from waitlist w join customers c using (customer_id) \
         where w.status = 'waiting' and w.day = $1 and (w.staff_id is null or w.staff_id = $2) \
           and c.telegram_user_id > 0 and c.blocked_bot_at is null and w.customer_id <> $3 \
           and exists (select 1 from staff_services ss where ss.staff_id = $2 and ss.service_id = w.service_id) \
         order by w.created_at, w.waitlist_id",
    )
    .bind(day)
    .bind(freed.staff_id.get())
    .bind(freed.customer_id.get())
    .fetch_all(tx.conn())
    .await?;
    let mut offered = 0;
    for row in rows {
        let entry: i64 = row.try_get("waitlist_id")?;
        let message = NewMessage {
            kind: OFFER.to_owned(),
            booking: None,
            chat_id: row.try_get("telegram_user_id")?,
            payload: json!({ "entry": entry }),
            due_at: now,
            dedupe_key: Some(format!(
                "waitlist_offer:{entry}:{}:{}",
                freed.id,
                freed.start.timestamp()
            )),
        };
        if outbox::enqueue(tx, &message).await? {
            offered += 1;
        }
    }
    Ok(offered)
}
