//! Tenants' subscriptions (`control.subscriptions`) and manual payments.

use std::{fmt, str::FromStr};

use booking_core::ids::{PlanId, TenantId};
use chrono::{DateTime, Duration, Utc};
use serde::Serialize;
use sqlx::{PgConnection, PgPool, Row, postgres::PgRow};

use crate::error::StorageError;

/// Where a subscription is in its life.
#[derive(Copy, Clone, Eq, PartialEq, Debug, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SubscriptionStatus {
    Trial,
    Active,
    /// Unpaid past its period end, still served until `grace_until`.
    PastDue,
    Suspended,
    Cancelled,
}

impl SubscriptionStatus {
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Trial => "trial",
            Self::Active => "active",
            Self::PastDue => "past_due",
            Self::Suspended => "suspended",
            Self::Cancelled => "cancelled",
        }
    }
}

impl fmt::Display for SubscriptionStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

impl FromStr for SubscriptionStatus {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s {
            "trial" => Self::Trial,
            "active" => Self::Active,
            "past_due" => Self::PastDue,
            "suspended" => Self::Suspended,
            "cancelled" => Self::Cancelled,
            other => return Err(format!("unknown subscription status {other:?}")),
        })
    }
}

/// A tenant's subscription (at most one per tenant).
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct Subscription {
    pub id: i64,
    pub tenant_id: TenantId,
    pub plan_id: Option<PlanId>,
    pub status: SubscriptionStatus,
    pub current_period_end: DateTime<Utc>,
    pub grace_until: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A payment an operator recorded by hand (cash, bank transfer).
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct ManualPayment {
    pub payment_id: String,
    pub tenant_id: TenantId,
    pub amount_minor: i64,
    pub currency: String,
    pub created_at: DateTime<Utc>,
}

const COLUMNS: &str = "subscription_id, tenant_id, plan_id, status, current_period_end, grace_until, \
    created_at, updated_at";

fn from_row(row: &PgRow) -> Result<Subscription, StorageError> {
    let status: String = row.try_get("status")?;
    Ok(Subscription {
        id: row.try_get("subscription_id")?,
        tenant_id: TenantId(row.try_get("tenant_id")?),
        plan_id: row.try_get::<Option<i64>, _>("plan_id")?.map(PlanId),
        status: status.parse().map_err(StorageError::Corrupt)?,
        current_period_end: row.try_get("current_period_end")?,
        grace_until: row.try_get("grace_until")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
    })
}

pub async fn get(
    conn: &mut PgConnection,
    tenant: TenantId,
) -> Result<Option<Subscription>, StorageError> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "select {COLUMNS} from control.subscriptions where tenant_id = $1"
    )))
    .bind(tenant.get())
    .fetch_optional(conn)
    .await?;
    row.as_ref().map(from_row).transpose()
}

/// Starts (or replaces) a tenant's subscription: `status` until `period_end`.
pub async fn start(
    pool: &PgPool,
    tenant: TenantId,
    plan: Option<PlanId>,
    status: SubscriptionStatus,
    period_end: DateTime<Utc>,
) -> Result<Subscription, StorageError> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "insert into control.subscriptions (tenant_id, plan_id, status, current_period_end) \
         values ($1, $2, $3, $4) \
         on conflict (tenant_id) do update set plan_id = excluded.plan_id, status = excluded.status, \
             current_period_end = excluded.current_period_end, grace_until = null \
         returning {COLUMNS}"
    )))
    .bind(tenant.get())
    .bind(plan.map(PlanId::get))
    .bind(status.as_str())
    .bind(period_end)
    .fetch_one(pool)
    .await?;
    from_row(&row)
}

/// Adds `days` to the period, counted from its end or from `now` if it has passed, and makes
/// the subscription active again. `None` if the tenant has no subscription.
pub async fn extend(
    conn: &mut PgConnection,
    tenant: TenantId,
    days: i32,
    now: DateTime<Utc>,
) -> Result<Option<Subscription>, StorageError> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "update control.subscriptions \
         set current_period_end = greatest(current_period_end, $2) + $3, \
             status = 'active', grace_until = null \
         where tenant_id = $1 returning {COLUMNS}"
    )))
    .bind(tenant.get())
    .bind(now)
    .bind(Duration::days(i64::from(days)))
    .fetch_optional(conn)
    .await?;
    row.as_ref().map(from_row).transpose()
}

/// Cancels; the row stays for history. `None` if the tenant has no subscription.
pub async fn cancel(pool: &PgPool, tenant: TenantId) -> Result<Option<Subscription>, StorageError> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "update control.subscriptions set status = 'cancelled', grace_until = null \
         where tenant_id = $1 returning {COLUMNS}"
    )))
    .bind(tenant.get())
    .fetch_optional(pool)
    .await?;
    row.as_ref().map(from_row).transpose()
}

/// Records a payment received outside YooKassa.
pub async fn record_manual_payment(
    conn: &mut PgConnection,
    tenant: TenantId,
    amount_minor: i64,
    currency: &str,
    note: Option<&str>,
) -> Result<ManualPayment, StorageError> {
    let id = format!("manual-{}", uuid::Uuid::new_v4());
    let row = sqlx::query(
        "insert into control.payments (payment_id, tenant_id, status, amount_minor, currency, provider, raw) \
         values ($1, $2, 'succeeded', $3, $4, 'manual', jsonb_build_object('note', $5::text)) \
         returning created_at",
    )
    .bind(&id)
    .bind(tenant.get())
    .bind(amount_minor)
    .bind(currency)
    .bind(note)
    .fetch_one(conn)
    .await?;
    Ok(ManualPayment {
        payment_id: id,
        tenant_id: tenant,
        amount_minor,
        currency: currency.to_owned(),
        created_at: row.try_get("created_at")?,
    })
}
