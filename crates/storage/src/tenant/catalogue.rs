use booking_core::{
    catalogue::{Minutes, Price, Seats, Service, ServiceTiming, Staff},
    ids::{ServiceId, StaffId},
    payment::{Deposit, PaymentTerms, Prepayment, RefundPolicy},
};
use sqlx::{Row, postgres::PgRow};

use crate::{db::TenantTx, error::StorageError};

/// A service to create.
#[derive(Clone, Debug)]
pub struct NewService {
    pub name: String,
    pub description: String,
    pub timing: ServiceTiming,
    pub price: Price,
    pub sort_order: i32,
}

pub(crate) const SERVICE_COLUMNS: &str = "service_id, name, description, duration_min, interval_min, \
    buffer_before_min, buffer_after_min, price_minor, active, sort_order, seats, prepayment, \
    deposit_minor, deposit_percent, payment_timeout_min, refund_policy, late_keep_percent";

fn minutes(row: &PgRow, column: &str) -> Result<Minutes, StorageError> {
    let m: i32 = row.try_get(column)?;
    Minutes::checked(i64::from(m)).map_err(|e| StorageError::Corrupt(e.to_string()))
}

pub(crate) fn service_from_row(row: &PgRow) -> Result<Service, StorageError> {
    let timing = ServiceTiming::new(
        minutes(row, "duration_min")?,
        minutes(row, "interval_min")?,
        minutes(row, "buffer_before_min")?,
        minutes(row, "buffer_after_min")?,
    )
    .map_err(|e| StorageError::Corrupt(e.to_string()))?;
    Ok(Service {
        id: ServiceId(row.try_get("service_id")?),
        name: row.try_get("name")?,
        description: row.try_get("description")?,
        timing,
        price: Price(row.try_get("price_minor")?),
        active: row.try_get("active")?,
        sort_order: row.try_get("sort_order")?,
        seats: row
            .try_get::<Option<i32>, _>("seats")?
            .map(|n| Seats::new(i64::from(n)))
            .transpose()
            .map_err(|e| StorageError::Corrupt(e.to_string()))?,
        payment: payment_terms(row)?,
    })
}

/// A service's money terms, as tenant migration 0020 stores them.
fn payment_terms(row: &PgRow) -> Result<PaymentTerms, StorageError> {
    let corrupt = |what: &str| StorageError::Corrupt(format!("service payment terms: {what}"));
    let kind: String = row.try_get("prepayment")?;
    let fixed: Option<i64> = row.try_get("deposit_minor")?;
    let percent: Option<i16> = row.try_get("deposit_percent")?;
    let prepayment = match (kind.as_str(), fixed, percent) {
        ("none", _, _) => Prepayment::None,
        ("full", _, _) => Prepayment::Full,
        ("deposit", Some(sum), None) => Prepayment::Deposit(Deposit::Fixed(sum)),
        ("deposit", None, Some(p)) => Prepayment::Deposit(Deposit::Percent(
            u8::try_from(p).map_err(|_| corrupt("deposit percent"))?,
        )),
        _ => return Err(corrupt(&kind)),
    };
    let timeout: i32 = row.try_get("payment_timeout_min")?;
    let policy: String = row.try_get("refund_policy")?;
    let keep: i16 = row.try_get("late_keep_percent")?;
    let refund = match policy.as_str() {
        "cutoff" => RefundPolicy::Cutoff {
            keep_percent: u8::try_from(keep).map_err(|_| corrupt("late keep percent"))?,
        },
        "owner" => RefundPolicy::Owner,
        other => return Err(corrupt(other)),
    };
    Ok(PaymentTerms {
        prepayment,
        timeout_min: u32::try_from(timeout).map_err(|_| corrupt("timeout"))?,
        refund,
    })
}

fn to_i32(m: Minutes) -> i32 {
    i32::try_from(m.get()).unwrap_or(i32::MAX)
}

pub async fn create_service(tx: &mut TenantTx, new: &NewService) -> Result<Service, StorageError> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "insert into services (name, description, duration_min, interval_min, buffer_before_min, \
             buffer_after_min, price_minor, sort_order) \
         values ($1, $2, $3, $4, $5, $6, $7, $8) returning {SERVICE_COLUMNS}"
    )))
    .bind(&new.name)
    .bind(&new.description)
    .bind(to_i32(new.timing.duration))
    .bind(to_i32(new.timing.interval))
    .bind(to_i32(new.timing.buffer_before))
    .bind(to_i32(new.timing.buffer_after))
    .bind(new.price.0)
    .bind(new.sort_order)
    .fetch_one(tx.conn())
    .await?;
    service_from_row(&row)
}

/// Services in display order; inactive ones only when asked.
pub async fn services(
    tx: &mut TenantTx,
    include_inactive: bool,
) -> Result<Vec<Service>, StorageError> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "select {SERVICE_COLUMNS} from services where active or $1 order by sort_order, service_id"
    )))
    .bind(include_inactive)
    .fetch_all(tx.conn())
    .await?;
    rows.iter().map(service_from_row).collect()
}

/// Active services that at least one active staff member gives, in display order: what
/// customers are offered. A service nobody gives could only be refused at the staff step.
pub async fn bookable_services(tx: &mut TenantTx) -> Result<Vec<Service>, StorageError> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "select {SERVICE_COLUMNS} from services v where v.active and exists \
             (select 1 from staff_services x join staff s on s.staff_id = x.staff_id \
              where x.service_id = v.service_id and s.active) \
         order by v.sort_order, v.service_id"
    )))
    .fetch_all(tx.conn())
    .await?;
    rows.iter().map(service_from_row).collect()
}

pub async fn service(tx: &mut TenantTx, id: ServiceId) -> Result<Option<Service>, StorageError> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "select {SERVICE_COLUMNS} from services where service_id = $1"
    )))
    .bind(id.get())
    .fetch_optional(tx.conn())
    .await?;
    row.as_ref().map(service_from_row).transpose()
}

pub async fn create_staff(
    tx: &mut TenantTx,
    name: &str,
    services: &[ServiceId],
) -> Result<Staff, StorageError> {
    let id: i64 = sqlx::query_scalar("insert into staff (name) values ($1) returning staff_id")
        .bind(name)
        .fetch_one(tx.conn())
        .await?;
    let ids: Vec<i64> = services.iter().map(|s| s.get()).collect();
    sqlx::query(
        "insert into staff_services (staff_id, service_id) select $1, unnest($2::bigint[])",
    )
    .bind(id)
    .bind(&ids)
    .execute(tx.conn())
    .await?;
    Ok(Staff {
        id: StaffId(id),
        name: name.to_owned(),
        active: true,
        sort_order: 0,
        services: services.to_vec(),
    })
}

const STAFF_SELECT: &str = "select s.staff_id, s.name, s.active, s.sort_order, \
        coalesce(array_agg(ss.service_id) filter (where ss.service_id is not null), '{}') as services \
    from staff s left join staff_services ss using (staff_id)";

fn staff_from_row(row: &PgRow) -> Result<Staff, StorageError> {
    let services: Vec<i64> = row.try_get("services")?;
    Ok(Staff {
        id: StaffId(row.try_get("staff_id")?),
        name: row.try_get("name")?,
        active: row.try_get("active")?,
        sort_order: row.try_get("sort_order")?,
        services: services.into_iter().map(ServiceId).collect(),
    })
}

/// Staff in display order; inactive ones only when asked.
pub async fn staff(tx: &mut TenantTx, include_inactive: bool) -> Result<Vec<Staff>, StorageError> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "{STAFF_SELECT} where s.active or $1 group by s.staff_id order by s.sort_order, s.staff_id"
    )))
    .bind(include_inactive)
    .fetch_all(tx.conn())
    .await?;
    rows.iter().map(staff_from_row).collect()
}

/// Active staff who give `service`, in display order.
pub async fn staff_for_service(
    tx: &mut TenantTx,
    service: ServiceId,
) -> Result<Vec<Staff>, StorageError> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "{STAFF_SELECT} where s.active and exists \
             (select 1 from staff_services x where x.staff_id = s.staff_id and x.service_id = $1) \
         group by s.staff_id order by s.sort_order, s.staff_id"
    )))
    .bind(service.get())
    .fetch_all(tx.conn())
    .await?;
    rows.iter().map(staff_from_row).collect()
}
