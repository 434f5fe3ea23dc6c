//! Changing the catalogue from the admin panel: edit a service's fields, switch services and
//! staff on and off, reorder them, rename staff and choose which services they give.
//!
//! Nothing here deletes: a service or staff member with bookings keeps them, and switching
//! one off only stops new bookings.

use booking_core::{
    catalogue::{Minutes, Price, Seats},
    ids::{ServiceId, StaffId},
};

use crate::{db::TenantTx, error::StorageError};

/// One field of a service, with its new value (already validated by the caller's types).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ServiceField {
    Name(String),
    Description(String),
    Duration(Minutes),
    Interval(Minutes),
    BufferBefore(Minutes),
    BufferAfter(Minutes),
    Price(Price),
    /// `None` makes the service individual again; seats already booked stay booked. A new
    /// count applies to sessions already opened too.
    Seats(Option<Seats>),
}

fn minutes(m: Minutes) -> i32 {
    i32::try_from(m.get()).unwrap_or(i32::MAX)
}

/// Sets one field. `false` if there is no such service. The table's checks (lengths, ranges)
/// still apply, and their violation is an error.
pub async fn update_service(
    tx: &mut TenantTx,
    id: ServiceId,
    field: &ServiceField,
) -> Result<bool, StorageError> {
    let (column, text, number): (&str, Option<&str>, Option<i64>) = match field {
        ServiceField::Name(s) => ("name", Some(s), None),
        ServiceField::Description(s) => ("description", Some(s), None),
        ServiceField::Duration(m) => ("duration_min", None, Some(i64::from(minutes(*m)))),
        ServiceField::Interval(m) => ("interval_min", None, Some(i64::from(minutes(*m)))),
        ServiceField::BufferBefore(m) => ("buffer_before_min", None, Some(i64::from(minutes(*m)))),
        ServiceField::BufferAfter(m) => ("buffer_after_min", None, Some(i64::from(minutes(*m)))),
        ServiceField::Price(p) => ("price_minor", None, Some(p.0)),
        ServiceField::Seats(n) => ("seats", None, n.map(|n| i64::from(n.get()))),
    };
    // The column comes from the match above, never from input.
    let query = sqlx::query(sqlx::AssertSqlSafe(format!(
        "update services set {column} = $2 where service_id = $1"
    )))
    .bind(id.get());
    let query = match (text, number) {
        (Some(t), _) => query.bind(t),
        (None, n) => query.bind(n),
    };
    let done = query.execute(tx.conn()).await?;
    if let ServiceField::Seats(Some(seats)) = field {
        resize_sessions(tx, id, *seats).await?;
    }
    Ok(done.rows_affected() == 1)
}

/// A class's new size applies to its sessions already opened too: an owner who adds seats
/// to a full class means that class as well. A session never shrinks below the seats already
/// taken (nobody loses a booked seat); past sessions change too, which nothing reads.
async fn resize_sessions(
    tx: &mut TenantTx,
    service: ServiceId,
    seats: Seats,
) -> Result<(), StorageError> {
    sqlx::query(
        "update class_sessions set seats = greatest($2, seats_taken) \
         where service_id = $1 and seats <> greatest($2, seats_taken)",
    )
    .bind(service.get())
    .bind(i32::from(seats.get()))
    .execute(tx.conn())
    .await?;
    Ok(())
}

/// Which table a reorder or switch concerns.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Kind {
    Service,
    Staff,
}

impl Kind {
    const fn table(self) -> (&'static str, &'static str) {
        match self {
            Self::Service => ("services", "service_id"),
            Self::Staff => ("staff", "staff_id"),
        }
    }
}

/// Switches a service or staff member on or off. `false` if there is none.
pub async fn set_active(
    tx: &mut TenantTx,
    kind: Kind,
    id: i64,
    active: bool,
) -> Result<bool, StorageError> {
    let (table, key) = kind.table();
    let done = sqlx::query(sqlx::AssertSqlSafe(format!(
        "update {table} set active = $2 where {key} = $1"
    )))
    .bind(id)
    .bind(active)
    .execute(tx.conn())
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Moves one up (earlier) in display order, renumbering all 1..n. `false` if it is first or
/// does not exist.
pub async fn move_up(tx: &mut TenantTx, kind: Kind, id: i64) -> Result<bool, StorageError> {
    let (table, key) = kind.table();
    let mut ids: Vec<i64> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "select {key} from {table} order by sort_order, {key} for update"
    )))
    .fetch_all(tx.conn())
    .await?;
    let Some(pos) = ids.iter().position(|x| *x == id).filter(|p| *p > 0) else {
        return Ok(false);
    };
    ids.swap(pos, pos - 1);
    let order: Vec<i32> = (1..=i32::try_from(ids.len()).unwrap_or(i32::MAX)).collect();
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "update {table} t set sort_order = o.n from unnest($1::bigint[], $2::int[]) as o(id, n) \
         where t.{key} = o.id"
    )))
    .bind(&ids)
    .bind(&order)
    .execute(tx.conn())
    .await?;
    Ok(true)
}

pub async fn rename_staff(
    tx: &mut TenantTx,
    id: StaffId,
    name: &str,
) -> Result<bool, StorageError> {
    let done = sqlx::query("update staff set name = $2 where staff_id = $1")
        .bind(id.get())
        .bind(name)
        .execute(tx.conn())
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Adds the service to what the staff member gives, or takes it away; returns whether they
/// give it now.
pub async fn toggle_staff_service(
    tx: &mut TenantTx,
    staff: StaffId,
    service: ServiceId,
) -> Result<bool, StorageError> {
    let removed = sqlx::query("delete from staff_services where staff_id = $1 and service_id = $2")
        .bind(staff.get())
        .bind(service.get())
        .execute(tx.conn())
        .await?;
    if removed.rows_affected() > 0 {
        return Ok(false);
    }
    sqlx::query("insert into staff_services (staff_id, service_id) values ($1, $2)")
        .bind(staff.get())
        .bind(service.get())
        .execute(tx.conn())
        .await?;
    Ok(true)
}

/// The next display position (after every existing one).
pub async fn next_sort_order(tx: &mut TenantTx, kind: Kind) -> Result<i32, StorageError> {
    let (table, _) = kind.table();
    let n: Option<i32> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "select max(sort_order) + 1 from {table}"
    )))
    .fetch_one(tx.conn())
    .await?;
    Ok(n.unwrap_or(1))
}

/// Sets the display position of one row.
pub async fn set_sort_order(
    tx: &mut TenantTx,
    kind: Kind,
    id: i64,
    order: i32,
) -> Result<(), StorageError> {
    let (table, key) = kind.table();
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "update {table} set sort_order = $2 where {key} = $1"
    )))
    .bind(id)
    .bind(order)
    .execute(tx.conn())
    .await?;
    Ok(())
}
