//! What an operator can do to a tenant, shared by the REST API and the operator bot so both
//! take one code path: the same checks, the same jobs for the deploy worker and the same audit
//! lines (only the actor differs: `operator:<key id>` or `telegram:<user id>`).

use booking_core::{
    ids::{JobId, TelegramUserId, TenantId},
    tenant::TenantSchema,
};
use chrono::{DateTime, Utc};
use secrecy::SecretString;
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
    crypto::DataKey,
    tenant::admins,
};

use crate::bot_api::{BotApi, GetMeError};

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
    /// getMe refused the token: it is no bot's (mistyped, or revoked at BotFather).
    #[error("the Bot API does not accept this token")]
    BotRefused,
    /// getMe could not be asked; nothing was changed.
    #[error("the Bot API could not be asked: {0}")]
    BotApiUnavailable(String),
    /// The token's bot already serves another tenant.
    #[error("@{0} already serves another tenant")]
    BotInUse(String),
    /// DATA_KEY is not set, so a token cannot be sealed.
    #[error("DATA_KEY is not set; it seals bot tokens")]
    NoDataKey,
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

/// Makes `owner` the tenant's owner: in the control row (renewal warnings go to them) and in
/// the bot (the owner role and /admin; a previous owner stays an admin), with `tenant.owner`
/// in the audit log. Safe to repeat.
pub async fn set_owner(
    db: &Db,
    actor: &str,
    id: TenantId,
    owner: TelegramUserId,
) -> Result<TenantRecord, ActionError> {
    let before = tenant(db, id).await?;
    let mut tx = db.tenant(&TenantSchema::for_tenant(id)).await?;
    admins::replace_owner(&mut tx, owner).await?;
    tx.commit().await?;
    if !tenant_admin::set_owner(db.pool(), id, owner).await? {
        return Err(ActionError::NotFound);
    }
    if before.owner_telegram_id != Some(owner) {
        tenants::audit(
            db.pool(),
            actor,
            "tenant.owner",
            Some(id),
            json!({ "from": before.owner_telegram_id.map(TelegramUserId::get), "to": owner.get() }),
        )
        .await?;
    }
    tenant(db, id).await
}

/// Replaces the tenant's bot token (a leaked one revoked at BotFather, or another bot):
/// checked with getMe, sealed for its row like the first one, `tenant.bot_token` in the audit
/// log (the bot's username, never the token), and a reconcile job, on which the deploy worker
/// replaces the running bot with one on the new token (the token is part of its
/// configuration). The same path for the REST API and the operator bot.
pub async fn replace_bot_token(
    db: &Db,
    key: Option<&DataKey>,
    bot_api: &BotApi,
    actor: &str,
    id: TenantId,
    token: &SecretString,
    now: DateTime<Utc>,
) -> Result<TenantRecord, ActionError> {
    let key = key.ok_or(ActionError::NoDataKey)?;
    let before = tenant(db, id).await?;
    let bot = bot_api.get_me(token).await.map_err(|e| match e {
        GetMeError::Refused => ActionError::BotRefused,
        GetMeError::Unreachable(why) => ActionError::BotApiUnavailable(why),
    })?;
    if let Some(other) = tenant_admin::tenant_with_bot(db.pool(), &bot.username).await?
        && other != id
    {
        return Err(ActionError::BotInUse(bot.username));
    }
    let mut tx = db.pool().begin().await.map_err(StorageError::from)?;
    if let Err(taken) = tenant_admin::set_bot(&mut *tx, key, id, token, &bot.username).await? {
        // Lost a race for this bot to another tenant.
        return Err(ActionError::BotInUse(taken.0));
    }
    tenants::audit(
        &mut *tx,
        actor,
        "tenant.bot_token",
        Some(id),
        json!({ "from": before.bot_username, "to": bot.username }),
    )
    .await?;
    tx.commit().await.map_err(StorageError::from)?;
    if before.desired_state == DesiredState::Running {
        queue_reconcile(db, id, now).await?;
    }
    tenant(db, id).await
}
