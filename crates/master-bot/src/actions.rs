//! What an operator can do to a tenant, shared by the REST API and the operator bot so both
//! take one code path: the same checks, the same jobs for the deploy worker and the same audit
//! lines (only the actor differs: `operator:<key id>` or `telegram:<user id>`).

use booking_core::ids::{JobId, TenantId};
use chrono::{DateTime, Utc};
use serde_json::json;
use storage::{
    Db, StorageError,
    control::{
        jobs::{self, JobKind, NewJob},
        placement::{self, Placement},
        subscriptions::{self, Subscription},
        tenant_admin::{self, TenantChanges},
        tenants::{self, DesiredState, TenantRecord},
    },
};

/// The longest period one extension may add (ten years), as the plans table allows.
pub const MAX_EXTEND_DAYS: i32 = 3660;

/// Why an action was not taken.
#[derive(Debug, thiserror::Error)]
pub enum ActionError {
    #[error("no such tenant")]
    NotFound,
    #[error("tenant {0} is meant to be stopped; set desired_state to running")]
    NotRunning(TenantId),
    #[error("days must be between 1 and {MAX_EXTEND_DAYS}")]
    BadDays,
    #[error(transparent)]
    Storage(#[from] StorageError),
}

/// The tenant, or [`ActionError::NotFound`].
pub async fn tenant(db: &Db, id: TenantId) -> Result<TenantRecord, ActionError> {
    tenants::get(db.pool(), id)
        .await?
        .ok_or(ActionError::NotFound)
}

/// Queues a reconcile job: the deploy worker compares desired with actual state. One pending
/// job per tenant.
pub async fn queue_reconcile(
    db: &Db,
    id: TenantId,
    now: DateTime<Utc>,
) -> Result<Option<JobId>, StorageError> {
    jobs::enqueue(db.pool(), &NewJob::new(JobKind::reconcile(id), now)).await
}

/// Deploy (`Running`) or stop (`Stopped`): sets the desired state, queues a reconcile job and
/// writes `tenant.update` to the audit log, as `PATCH /tenants/{id}` with `desired_state` does.
pub async fn set_desired_state(
    db: &Db,
    actor: &str,
    id: TenantId,
    state: DesiredState,
    now: DateTime<Utc>,
) -> Result<TenantRecord, ActionError> {
    let changes = TenantChanges {
        name: None,
        desired_state: Some(state),
        image_tag: None,
    };
    if !tenant_admin::update(db.pool(), id, &changes).await? {
        return Err(ActionError::NotFound);
    }
    queue_reconcile(db, id, now).await?;
    tenants::audit(
        db.pool(),
        actor,
        "tenant.update",
        Some(id),
        json!({ "name": null, "desired_state": state, "image_tag": null, "status": null }),
    )
    .await?;
    tenant(db, id).await
}

/// Sets where the tenant's bot runs (`None`: as its plan says), queues a reconcile job (the
/// deploy worker moves it) and writes `tenant.placement` to the audit log, as
/// `PATCH /tenants/{id}` with `placement` does.
pub async fn set_placement(
    db: &Db,
    actor: &str,
    id: TenantId,
    placement: Option<Placement>,
    now: DateTime<Utc>,
) -> Result<TenantRecord, ActionError> {
    if !placement::set_override(db.pool(), id, placement).await? {
        return Err(ActionError::NotFound);
    }
    queue_reconcile(db, id, now).await?;
    tenants::audit(
        db.pool(),
        actor,
        "tenant.placement",
        Some(id),
        json!({ "placement": placement }),
    )
    .await?;
    tenant(db, id).await
}

/// Queues a restart for the deploy worker; a restart already queued absorbs this one (`None`).
/// Refused for a tenant that is meant to be stopped.
pub async fn restart(
    db: &Db,
    actor: &str,
    id: TenantId,
    now: DateTime<Utc>,
) -> Result<Option<JobId>, ActionError> {
    let record = tenant(db, id).await?;
    if record.desired_state != DesiredState::Running {
        return Err(ActionError::NotRunning(id));
    }
    let queued = jobs::enqueue(db.pool(), &NewJob::new(JobKind::restart(id), now)).await?;
    tenants::audit(
        db.pool(),
        actor,
        "tenant.restart",
        Some(id),
        json!({ "job_id": queued }),
    )
    .await?;
    Ok(queued)
}

/// Adds `days` to the tenant's subscription and makes it active, with the audit line, in one
/// transaction. [`ActionError::NotFound`] when the tenant has no subscription.
pub async fn extend(
    db: &Db,
    actor: &str,
    id: TenantId,
    days: i32,
    now: DateTime<Utc>,
) -> Result<Subscription, ActionError> {
    if !(1..=MAX_EXTEND_DAYS).contains(&days) {
        return Err(ActionError::BadDays);
    }
    let mut tx = db.pool().begin().await.map_err(StorageError::from)?;
    let sub = subscriptions::extend(&mut tx, id, days, now)
        .await?
        .ok_or(ActionError::NotFound)?;
    tenants::audit(
        &mut *tx,
        actor,
        "subscription.extend",
        Some(id),
        json!({ "days": days, "until": sub.current_period_end }),
    )
    .await?;
    tx.commit().await.map_err(StorageError::from)?;
    Ok(sub)
}
