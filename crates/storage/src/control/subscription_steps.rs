//! The subscription monitor's steps (`control.subscription_steps`): warnings before a period
//! ends, past due with a grace period, suspension, and reactivation after a payment.
//!
//! A step is taken by inserting its row, keyed by (subscription, period end, step), in the same
//! transaction as its effects; a second insert does nothing, so each step happens once per
//! period whatever restarts or concurrent monitors do. The caller passes the connection of its
//! transaction (a tenant transaction works too: every statement here names `control.`).

use booking_core::{
    Tz,
    ids::{TelegramUserId, TenantId},
    locale::Locale,
};
use chrono::{DateTime, Utc};
use serde_json::json;
use sqlx::{PgConnection, PgPool, Row, postgres::PgRow};

use crate::{
    control::{
        jobs::{self, JobKind, NewJob},
        subscriptions::SubscriptionStatus,
        tenants,
    },
    error::StorageError,
};

/// One step of a subscription's period.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    /// The owner was warned this many days before the period end.
    Warned {
        days: u32,
    },
    PastDue,
    Suspended,
    Reactivated,
}

impl Step {
    /// The stored name: `warn_3d`, `past_due`, `suspended`, `reactivated`.
    #[must_use]
    pub fn name(self) -> String {
        match self {
            Self::Warned { days } => format!("warn_{days}d"),
            Self::PastDue => "past_due".to_owned(),
            Self::Suspended => "suspended".to_owned(),
            Self::Reactivated => "reactivated".to_owned(),
        }
    }
}

/// A subscription the monitor looks at, with what it needs of its tenant.
#[derive(Clone, Debug)]
pub struct Watched {
    pub subscription_id: i64,
    pub tenant: TenantId,
    pub status: SubscriptionStatus,
    pub period_end: DateTime<Utc>,
    pub grace_until: Option<DateTime<Utc>>,
    pub tenant_name: String,
    pub tenant_suspended: bool,
    pub provisioned: bool,
    pub owner: Option<TelegramUserId>,
    pub locale: Locale,
    /// The tenant's zone: the owner is told dates in it.
    pub time_zone: Tz,
    /// The newest step taken for this subscription (any period), e.g. `suspended`.
    pub latest_step: Option<String>,
}

impl Watched {
    /// The period's end in the tenant's zone, as the owner is told it.
    #[must_use]
    pub fn local_end(&self) -> DateTime<Tz> {
        self.period_end.with_timezone(&self.time_zone)
    }
}

fn watched_from_row(row: &PgRow) -> Result<Watched, StorageError> {
    let status: String = row.try_get("status")?;
    let tenant_status: String = row.try_get("tenant_status")?;
    let locale: String = row.try_get("locale")?;
    Ok(Watched {
        subscription_id: row.try_get("subscription_id")?,
        tenant: TenantId(row.try_get("tenant_id")?),
        status: status.parse().map_err(StorageError::Corrupt)?,
        period_end: row.try_get("current_period_end")?,
        grace_until: row.try_get("grace_until")?,
        tenant_name: row.try_get("name")?,
        tenant_suspended: tenant_status == "suspended",
        provisioned: row.try_get::<Option<i64>, _>("schema_version")?.is_some(),
        owner: row
            .try_get::<Option<i64>, _>("owner_telegram_id")?
            .map(TelegramUserId),
        locale: locale.parse().unwrap_or_default(),
        // A zone the database holds was checked when it was written; UTC only for a corrupt one.
        time_zone: row
            .try_get::<String, _>("time_zone")?
            .parse()
            .unwrap_or(Tz::UTC),
        latest_step: row.try_get("latest_step")?,
    })
}

const WATCHED: &str = "select s.subscription_id, s.tenant_id, s.status, s.current_period_end, \
    s.grace_until, t.name, t.status as tenant_status, t.schema_version, t.owner_telegram_id, \
    t.locale, t.time_zone, (select step from control.subscription_steps st \
               where st.subscription_id = s.subscription_id \
               order by st.subscription_step_id desc limit 1) as latest_step \
    from control.subscriptions s join control.tenants t using (tenant_id)";

/// Subscriptions with something to do by `now`: trial or active ones ending before
/// `now + horizon` (the earliest warning), past due ones, and live ones of a suspended tenant
/// (paid since the suspension).
pub async fn due(
    pool: &PgPool,
    now: DateTime<Utc>,
    horizon: chrono::Duration,
) -> Result<Vec<Watched>, StorageError> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "{WATCHED} where (s.status in ('trial', 'active') and s.current_period_end <= $1) \
            or s.status = 'past_due' \
            or (s.status in ('trial', 'active') and t.status = 'suspended') \
         order by s.subscription_id"
    )))
    .bind(now + horizon)
    .fetch_all(pool)
    .await?;
    rows.iter().map(watched_from_row).collect()
}

/// One watched subscription, by tenant.
pub async fn watched(pool: &PgPool, tenant: TenantId) -> Result<Option<Watched>, StorageError> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "{WATCHED} where s.tenant_id = $1"
    )))
    .bind(tenant.get())
    .fetch_optional(pool)
    .await?;
    row.as_ref().map(watched_from_row).transpose()
}

/// Takes `step` for the period ending at `period_end`: `false` if it was taken before.
pub async fn take(
    conn: &mut PgConnection,
    w: &Watched,
    step: Step,
    now: DateTime<Utc>,
) -> Result<bool, StorageError> {
    let done = sqlx::query(
        "insert into control.subscription_steps (subscription_id, tenant_id, period_end, step, done_at) \
         values ($1, $2, $3, $4, $5) on conflict (subscription_id, period_end, step) do nothing",
    )
    .bind(w.subscription_id)
    .bind(w.tenant.get())
    .bind(w.period_end)
    .bind(step.name())
    .bind(now)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The steps taken for a subscription, oldest first: (period end, step).
pub async fn taken(
    pool: &PgPool,
    subscription_id: i64,
) -> Result<Vec<(DateTime<Utc>, String)>, StorageError> {
    let rows = sqlx::query(
        "select period_end, step from control.subscription_steps \
         where subscription_id = $1 order by subscription_step_id",
    )
    .bind(subscription_id)
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|r| Ok((r.try_get("period_end")?, r.try_get("step")?)))
        .collect()
}

/// Marks a trial or active subscription past due until `grace_until`, unless it was extended
/// meanwhile (its period end moved): `false` then.
pub async fn mark_past_due(
    conn: &mut PgConnection,
    w: &Watched,
    grace_until: DateTime<Utc>,
) -> Result<bool, StorageError> {
    let done = sqlx::query(
        "update control.subscriptions set status = 'past_due', grace_until = $3 \
         where subscription_id = $1 and current_period_end = $2 and status in ('trial', 'active')",
    )
    .bind(w.subscription_id)
    .bind(w.period_end)
    .bind(grace_until)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Suspends a past-due subscription and its tenant (status `suspended`, desired state
/// `stopped`), with an audit line; `false` if it was paid meanwhile. The caller queues the
/// reconcile job after committing ([`queue_reconcile`]).
pub async fn suspend(
    conn: &mut PgConnection,
    w: &Watched,
    actor: &str,
) -> Result<bool, StorageError> {
    let done = sqlx::query(
        "update control.subscriptions set status = 'suspended' \
         where subscription_id = $1 and current_period_end = $2 and status = 'past_due'",
    )
    .bind(w.subscription_id)
    .bind(w.period_end)
    .execute(&mut *conn)
    .await?;
    if done.rows_affected() != 1 {
        return Ok(false);
    }
    set_tenant(conn, w.tenant, "suspended", "stopped").await?;
    tenants::audit(
        &mut *conn,
        actor,
        "tenant.suspend",
        Some(w.tenant),
        json!({ "reason": "subscription_unpaid", "period_end": w.period_end }),
    )
    .await?;
    Ok(true)
}

async fn set_tenant(
    conn: &mut PgConnection,
    tenant: TenantId,
    status: &str,
    desired: &str,
) -> Result<(), StorageError> {
    sqlx::query("update control.tenants set status = $2, desired_state = $3 where tenant_id = $1")
        .bind(tenant.get())
        .bind(status)
        .bind(desired)
        .execute(conn)
        .await?;
    Ok(())
}

/// Asks the deploy worker to make the tenant's bot match its desired state; one pending job
/// per tenant (see [`JobKind::dedupe_key`]). Should this be lost (a crash right after the
/// commit), the deploy worker's periodic full pass still converges.
pub async fn queue_reconcile(
    pool: &PgPool,
    tenant: TenantId,
    now: DateTime<Utc>,
) -> Result<(), StorageError> {
    jobs::enqueue(pool, &NewJob::new(JobKind::reconcile(tenant), now)).await?;
    Ok(())
}

/// Reactivates a tenant that the monitor suspended for non-payment, once its subscription is
/// live again (after a payment or an operator's extension): tenant status `active`, desired
/// state `running`, a reconcile job queued, an audit line by `actor`. Returns `false` (and
/// changes nothing) unless the subscription is trial or active with its period end after
/// `now`, the tenant is suspended and the newest step was the monitor's suspension, so a tenant
/// an operator suspended by hand stays suspended. Safe to call more than once.
///
/// The sales bot calls this right after a payment extended the subscription; the monitor calls
/// it on every pass as well, so a missed call only delays the restart to the next pass.
pub async fn reactivate(
    pool: &PgPool,
    tenant: TenantId,
    actor: &str,
    now: DateTime<Utc>,
) -> Result<bool, StorageError> {
    let mut tx = pool.begin().await?;
    // Serialises with a concurrent monitor pass or a second call for the same tenant.
    sqlx::query("select 1 from control.subscriptions where tenant_id = $1 for update")
        .bind(tenant.get())
        .execute(&mut *tx)
        .await?;
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "{WATCHED} where s.tenant_id = $1"
    )))
    .bind(tenant.get())
    .fetch_optional(&mut *tx)
    .await?;
    let Some(w) = row.as_ref().map(watched_from_row).transpose()? else {
        return Ok(false);
    };
    let live = matches!(
        w.status,
        SubscriptionStatus::Trial | SubscriptionStatus::Active
    ) && w.period_end > now;
    if !live || !w.tenant_suspended || w.latest_step.as_deref() != Some("suspended") {
        return Ok(false);
    }
    if !take(&mut tx, &w, Step::Reactivated, now).await? {
        return Ok(false);
    }
    set_tenant(&mut tx, tenant, "active", "running").await?;
    tenants::audit(
        &mut *tx,
        actor,
        "tenant.reactivate",
        Some(tenant),
        json!({ "period_end": w.period_end }),
    )
    .await?;
    tx.commit().await?;
    queue_reconcile(pool, tenant, now).await?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn step_names_fit_the_check_constraint() {
        assert_eq!(Step::Warned { days: 3 }.name(), "warn_3d");
        assert_eq!(Step::PastDue.name(), "past_due");
        assert_eq!(Step::Suspended.name(), "suspended");
        assert_eq!(Step::Reactivated.name(), "reactivated");
    }
}
