//! Booking rows and the shapes callers read.

use booking_core::{
    booking::{Actor, BookingStatus},
    catalogue::Price,
    ids::{BookingId, CustomerId, ServiceId, StaffId, TelegramUserId},
    policy::Rules,
};
use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::{Row, postgres::PgRow};

use crate::error::StorageError;

/// A booking row.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct Booking {
    pub id: BookingId,
    pub customer_id: CustomerId,
    pub service_id: ServiceId,
    pub staff_id: StaffId,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub status: BookingStatus,
    pub hold_expires_at: Option<DateTime<Utc>>,
    pub price: Price,
    pub source: Option<String>,
    /// The first booking of the series this one belongs to (itself, for the first).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub series_id: Option<BookingId>,
}

/// A booking with the names people read.
#[derive(Clone, Debug, Serialize)]
pub struct BookingView {
    #[serde(flatten)]
    pub booking: Booking,
    pub service_name: String,
    pub staff_name: String,
    pub customer_name: String,
    pub customer_phone: Option<String>,
    pub telegram_user_id: TelegramUserId,
}

/// A free slot with the staff member who would take it.
#[derive(Copy, Clone, Debug, Serialize, PartialEq, Eq)]
pub struct StaffSlot {
    pub staff_id: StaffId,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    /// For a class: the seats still free at this start (all of them if nobody booked yet).
    /// Absent for an individual service, whose slots read as they always did.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seats_left: Option<u16>,
}

/// A request to book (or hold) a time.
#[derive(Clone, Debug)]
pub struct BookingRequest {
    pub customer: CustomerId,
    pub service: ServiceId,
    /// `None`: any staff member who gives the service and is free.
    pub staff: Option<StaffId>,
    pub start: DateTime<Utc>,
    pub source: Option<String>,
    pub actor: Actor,
    pub rules: Rules,
}

/// One line of a booking's history.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct HistoryEntry {
    pub at: DateTime<Utc>,
    pub actor_kind: String,
    pub actor_id: Option<i64>,
    pub action: String,
    pub old_status: Option<String>,
    pub new_status: Option<String>,
    pub old_start: Option<DateTime<Utc>>,
    pub new_start: Option<DateTime<Utc>>,
    pub reason: Option<String>,
}

pub(super) const COLUMNS: &str = "booking_id, customer_id, service_id, staff_id, starts_at, ends_at, \
    status, hold_expires_at, price_minor, source, series_id";

pub(super) fn from_row(row: &PgRow) -> Result<Booking, StorageError> {
    let status: String = row.try_get("status")?;
    Ok(Booking {
        id: BookingId(row.try_get("booking_id")?),
        customer_id: CustomerId(row.try_get("customer_id")?),
        service_id: ServiceId(row.try_get("service_id")?),
        staff_id: StaffId(row.try_get("staff_id")?),
        start: row.try_get("starts_at")?,
        end: row.try_get("ends_at")?,
        status: status.parse().map_err(StorageError::Corrupt)?,
        hold_expires_at: row.try_get("hold_expires_at")?,
        price: Price(row.try_get("price_minor")?),
        source: row.try_get("source")?,
        series_id: row.try_get::<Option<i64>, _>("series_id")?.map(BookingId),
    })
}
