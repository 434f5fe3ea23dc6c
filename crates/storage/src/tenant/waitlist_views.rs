//! The waitlist as people read it: a customer's own entries (to see and leave them) and the
//! admin panel's list of who waits for what.

use booking_core::ids::{CustomerId, ServiceId, StaffId, WaitlistId};
use chrono::NaiveDate;
use sqlx::{Row, postgres::PgRow};

use crate::{db::TenantTx, error::StorageError};

/// One waiting entry with the names it is shown with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Waiting {
    pub id: WaitlistId,
    pub customer_id: CustomerId,
    pub service_id: ServiceId,
    pub day: NaiveDate,
    pub service_name: String,
    /// `None`: anyone who gives the service.
    pub staff_name: Option<String>,
    pub customer_name: String,
    pub phone: Option<String>,
}

const SELECT: &str = "select w.waitlist_id, w.customer_id, w.service_id, w.day, \
        s.name as service_name, m.name as staff_name, \
        c.first_name || coalesce(' ' || nullif(c.last_name, ''), '') as customer_name, c.phone \
     from waitlist w join services s using (service_id) join customers c using (customer_id) \
     left join staff m on m.staff_id = w.staff_id";

fn from_row(row: &PgRow) -> Result<Waiting, StorageError> {
    Ok(Waiting {
        id: WaitlistId(row.try_get("waitlist_id")?),
        customer_id: CustomerId(row.try_get("customer_id")?),
        service_id: ServiceId(row.try_get("service_id")?),
        day: row.try_get("day")?,
        service_name: row.try_get("service_name")?,
        staff_name: row.try_get("staff_name")?,
        customer_name: row.try_get("customer_name")?,
        phone: row.try_get("phone")?,
    })
}

/// The customer's entries still waiting for `from` or a later day, soonest first.
pub async fn for_customer(
    tx: &mut TenantTx,
    customer: CustomerId,
    from: NaiveDate,
    limit: i64,
) -> Result<Vec<Waiting>, StorageError> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "{SELECT} where w.customer_id = $1 and w.status = 'waiting' and w.day >= $2 \
         order by w.day, w.waitlist_id limit $3"
    )))
    .bind(customer.get())
    .bind(from)
    .bind(limit)
    .fetch_all(tx.conn())
    .await?;
    rows.iter().map(from_row).collect()
}

/// Who waits for `from` or a later day, soonest first, a page of `limit` from `offset`, with
/// how many there are in all. With `staff`, only what that staff member could give: entries
/// for them, and entries for anyone of a service they give.
pub async fn waiting(
    tx: &mut TenantTx,
    staff: Option<StaffId>,
    from: NaiveDate,
    limit: i64,
    offset: i64,
) -> Result<(Vec<Waiting>, i64), StorageError> {
    const MINE: &str = "w.status = 'waiting' and w.day >= $1 and ($2::bigint is null \
        or w.staff_id = $2 or (w.staff_id is null and exists (select 1 from staff_services ss \
            where ss.staff_id = $2 and ss.service_id = w.service_id)))";
    let total: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "select count(*) from waitlist w where {MINE}"
    )))
    .bind(from)
    .bind(staff.map(StaffId::get))
    .fetch_one(tx.conn())
    .await?;
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "{SELECT} where {MINE} order by w.day, w.created_at, w.waitlist_id limit $3 offset $4"
    )))
    .bind(from)
    .bind(staff.map(StaffId::get))
    .bind(limit)
    .bind(offset)
    .fetch_all(tx.conn())
    .await?;
    Ok((rows.iter().map(from_row).collect::<Result<_, _>>()?, total))
}

/// The customer stops waiting: only their own entry, and only while it waits. `None` if it was
/// not theirs or not waiting any more.
pub async fn leave(
    tx: &mut TenantTx,
    id: WaitlistId,
    customer: CustomerId,
) -> Result<Option<NaiveDate>, StorageError> {
    let day = sqlx::query_scalar(
        "update waitlist set status = 'cancelled' \
         where waitlist_id = $1 and customer_id = $2 and status = 'waiting' returning day",
    )
    .bind(id.get())
    .bind(customer.get())
    .fetch_optional(tx.conn())
    .await?;
    Ok(day)
}
