//! Seats in group classes. A service with seats is given in sessions: one per staff member,
//! service and start, made when its first seat is booked. Each seat is an ordinary booking
//! that points at its session; the database keeps the rest (migration 0017):
//!
//! - the seats of one session share the staff member's time, and nothing else may overlap it
//!   (the `bookings_no_overlap` exclusion constraint);
//! - the session counts its live seats under `check (seats_taken <= seats)`, kept by a trigger
//!   on bookings in the booking's own transaction, so no interleaving of transactions can
//!   overbook. [`reserve`] locks the session row first only to say "full" politely before the
//!   insert; the check is the guarantee.

use std::collections::HashMap;

use booking_core::{
    booking::BookingRejection,
    catalogue::Seats,
    ids::{BookingId, CustomerId, ServiceId, StaffId},
    time::Interval,
};
use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::{PgConnection, Row};

use crate::{error::StorageError, reads::Scoped};

/// A class session: one staff member's time at one start, shared by its seats.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct SessionId(pub i64);

impl SessionId {
    #[must_use]
    pub const fn get(self) -> i64 {
        self.0
    }
}

/// Where a session is: who gives which class when.
#[derive(Copy, Clone, Debug)]
pub(super) struct At {
    pub staff: StaffId,
    pub service: ServiceId,
    pub start: DateTime<Utc>,
}

/// Finds (or makes, with `seats`) the session at `at` and locks it, then checks that the
/// customer can take a seat in it: not full (lapsed holds in it are given back first) and not
/// already theirs (their own lapsed hold is given back by the insert's retry, as any lapsed
/// hold in the way). The lock is held to the end of the caller's transaction, so the seat count
/// read here is the one the insert will meet.
pub(super) async fn reserve(
    conn: &mut PgConnection,
    at: &At,
    seats: Seats,
    customer: CustomerId,
    now: DateTime<Utc>,
) -> Result<Result<SessionId, BookingRejection>, StorageError> {
    // Two customers opening the same session race on the unique key: the loser's insert
    // waits for the winner and does nothing, and the select below finds the winner's row.
    sqlx::query(
        "insert into class_sessions (staff_id, service_id, starts_at, seats) values ($1, $2, $3, $4) \
         on conflict do nothing",
    )
    .bind(at.staff.get())
    .bind(at.service.get())
    .bind(at.start)
    .bind(i32::from(seats.get()))
    .execute(&mut *conn)
    .await?;
    let row = sqlx::query(
        "select s.session_id, s.seats, s.seats_taken, exists (select 1 from bookings b \
             where b.session_id = s.session_id and b.customer_id = $4 \
               and (b.status = 'confirmed' or (b.status = 'held' and b.hold_expires_at > $5))) as mine \
         from class_sessions s where s.staff_id = $1 and s.service_id = $2 and s.starts_at = $3 \
         for update of s",
    )
    .bind(at.staff.get())
    .bind(at.service.get())
    .bind(at.start)
    .bind(customer.get())
    .bind(now)
    .fetch_one(&mut *conn)
    .await?;
    let session = SessionId(row.try_get("session_id")?);
    if row.try_get::<bool, _>("mine")? {
        return Ok(Err(BookingRejection::AlreadyInClass));
    }
    let total: i32 = row.try_get("seats")?;
    let mut taken: i32 = row.try_get("seats_taken")?;
    if taken >= total {
        expire_lapsed_seats(conn, session, now).await?;
        taken = sqlx::query_scalar("select seats_taken from class_sessions where session_id = $1")
            .bind(session.get())
            .fetch_one(&mut *conn)
            .await?;
    }
    Ok(if taken >= total {
        Err(BookingRejection::ClassFull)
    } else {
        Ok(session)
    })
}

/// Marks the lapsed holds among a full session's seats expired (the trigger gives their seats
/// back), in the caller's transaction.
async fn expire_lapsed_seats(
    conn: &mut PgConnection,
    session: SessionId,
    now: DateTime<Utc>,
) -> Result<u64, StorageError> {
    let done = sqlx::query(
        "with e as ( \
             update bookings set status = 'expired' \
             where session_id = $1 and status = 'held' and hold_expires_at <= $2 \
             returning booking_id) \
         insert into booking_history (booking_id, at, actor_kind, action, old_status, new_status) \
         select booking_id, $2, 'system', 'expire', 'held', 'expired' from e",
    )
    .bind(session.get())
    .bind(now)
    .execute(conn)
    .await?;
    Ok(done.rows_affected())
}

/// Whether the booking is a seat in a class (a seat is not moved: it belongs to its session).
pub(super) async fn is_seat(conn: &mut PgConnection, id: BookingId) -> Result<bool, StorageError> {
    Ok(
        sqlx::query_scalar("select session_id is not null from bookings where booking_id = $1")
            .bind(id.get())
            .fetch_optional(conn)
            .await?
            .unwrap_or(false),
    )
}

/// A session of a class with seats still free, as the free-times screen offers it.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub(super) struct OpenSession {
    pub staff: StaffId,
    pub start: DateTime<Utc>,
    pub seats_left: u16,
}

/// The sessions of `service` given by `staff` that start within `window` and still have seats
/// (a lapsed hold does not count), per session id.
pub(super) async fn open_sessions(
    tx: &mut impl Scoped,
    service: ServiceId,
    staff: &[StaffId],
    window: Interval,
    now: DateTime<Utc>,
) -> Result<HashMap<i64, OpenSession>, StorageError> {
    let ids: Vec<i64> = staff.iter().map(|s| s.get()).collect();
    let rows = sqlx::query(
        "select s.session_id, s.staff_id, s.starts_at, s.seats - (select count(*) from bookings b \
             where b.session_id = s.session_id \
               and (b.status = 'confirmed' or (b.status = 'held' and b.hold_expires_at > $5))) as seats_left \
         from class_sessions s \
         where s.service_id = $1 and s.staff_id = any($2) and s.starts_at >= $3 and s.starts_at < $4",
    )
    .bind(service.get())
    .bind(&ids)
    .bind(window.start)
    .bind(window.end)
    .bind(now)
    .fetch_all(tx.conn())
    .await?;
    let mut out = HashMap::new();
    for row in rows {
        let left: i64 = row.try_get("seats_left")?;
        if left <= 0 {
            continue;
        }
        out.insert(
            row.try_get("session_id")?,
            OpenSession {
                staff: StaffId(row.try_get("staff_id")?),
                start: row.try_get("starts_at")?,
                seats_left: u16::try_from(left).unwrap_or(u16::MAX),
            },
        );
    }
    Ok(out)
}
