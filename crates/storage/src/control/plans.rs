//! Subscription plans (`control.plans`).

use booking_core::ids::PlanId;
use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::{PgPool, Row, postgres::PgRow};

use crate::{
    control::placement::{self, Placement},
    error::{StorageError, is_violation_of},
};

/// A plan a tenant can subscribe to.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct Plan {
    pub id: PlanId,
    pub code: String,
    pub name: String,
    /// Minor units (kopecks): money is never a float.
    pub price_minor: i64,
    pub currency: String,
    pub period_days: i32,
    pub active: bool,
    /// Where its tenants' bots run, unless an operator chose otherwise for one.
    pub placement: Placement,
    pub created_at: DateTime<Utc>,
}

/// What is needed to create a plan; the caller has checked the fields.
#[derive(Clone, Debug)]
pub struct NewPlan {
    pub code: String,
    pub name: String,
    pub price_minor: i64,
    pub currency: String,
    pub period_days: i32,
}

/// Another plan has this code already.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("a plan with code {0:?} exists already")]
pub struct CodeTaken(pub String);

const COLUMNS: &str =
    "plan_id, code, name, price_minor, currency, period_days, active, placement, created_at";

fn from_row(row: &PgRow) -> Result<Plan, StorageError> {
    Ok(Plan {
        id: PlanId(row.try_get("plan_id")?),
        code: row.try_get("code")?,
        name: row.try_get("name")?,
        price_minor: row.try_get("price_minor")?,
        currency: row.try_get("currency")?,
        period_days: row.try_get("period_days")?,
        active: row.try_get("active")?,
        placement: placement::parse_stored(row.try_get("placement")?)?
            .unwrap_or(Placement::Dedicated),
        created_at: row.try_get("created_at")?,
    })
}

/// A plan whose tenants run in containers of their own ([`insert_placed`] for others).
pub async fn insert(pool: &PgPool, new: &NewPlan) -> Result<Result<Plan, CodeTaken>, StorageError> {
    insert_placed(pool, new, Placement::Dedicated).await
}

/// A plan whose tenants run as `placement` says.
pub async fn insert_placed(
    pool: &PgPool,
    new: &NewPlan,
    placement: Placement,
) -> Result<Result<Plan, CodeTaken>, StorageError> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "insert into control.plans (code, name, price_minor, currency, period_days, placement) \
         values ($1, $2, $3, $4, $5, $6) returning {COLUMNS}"
    )))
    .bind(&new.code)
    .bind(&new.name)
    .bind(new.price_minor)
    .bind(&new.currency)
    .bind(new.period_days)
    .bind(placement.as_str())
    .fetch_one(pool)
    .await;
    match row {
        Ok(row) => Ok(Ok(from_row(&row)?)),
        Err(e) if is_violation_of(&e, "plans_code_key") => Ok(Err(CodeTaken(new.code.clone()))),
        Err(e) => Err(e.into()),
    }
}

pub async fn get(pool: &PgPool, id: PlanId) -> Result<Option<Plan>, StorageError> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "select {COLUMNS} from control.plans where plan_id = $1"
    )))
    .bind(id.get())
    .fetch_optional(pool)
    .await?;
    row.as_ref().map(from_row).transpose()
}

/// Plans in id order; retired ones only when asked.
pub async fn list(pool: &PgPool, include_inactive: bool) -> Result<Vec<Plan>, StorageError> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "select {COLUMNS} from control.plans where active or $1 order by plan_id"
    )))
    .bind(include_inactive)
    .fetch_all(pool)
    .await?;
    rows.iter().map(from_row).collect()
}

/// What an operator may change on a plan: its name, and whether it is on sale. Its price,
/// currency and period are what its subscribers bought and renew at, so they never change: a
/// new price is a new plan, and the old one is taken off sale.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PlanChanges {
    pub name: Option<String>,
    pub active: Option<bool>,
}

/// Applies `changes` (absent fields stay as they are); `None` when there is no such plan.
pub async fn update(
    pool: &PgPool,
    id: PlanId,
    changes: &PlanChanges,
) -> Result<Option<Plan>, StorageError> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "update control.plans set name = coalesce($2, name), active = coalesce($3, active) \
         where plan_id = $1 returning {COLUMNS}"
    )))
    .bind(id.get())
    .bind(changes.name.as_deref())
    .bind(changes.active)
    .fetch_optional(pool)
    .await?;
    row.as_ref().map(from_row).transpose()
}
