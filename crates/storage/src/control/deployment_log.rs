//! The deploy worker's writes to `control.deployments` and `control.deployment_events`: one
//! row per deploy, stop, remove or restart, and a line per step. Operators read them through
//! [`super::deployments`].

use booking_core::ids::{BotHostId, TenantId};
use sqlx::PgPool;

use crate::error::StorageError;

/// A row of `control.deployments`.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct DeploymentId(pub i64);

/// What a deployment does to a tenant's bot.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Action {
    Deploy,
    Stop,
    Remove,
    Restart,
    /// A tenant put on a shared bot host, moved between hosts, or taken off one.
    Place,
}

impl Action {
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Deploy => "deploy",
            Self::Stop => "stop",
            Self::Remove => "remove",
            Self::Restart => "restart",
            Self::Place => "place",
        }
    }
}

/// How a deployment ended.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    Succeeded,
    Failed,
    /// The new container was unhealthy; the previous one kept serving.
    RolledBack,
}

impl Outcome {
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Succeeded => "succeeded",
            Self::Failed => "failed",
            Self::RolledBack => "rolled_back",
        }
    }
}

/// The level of one event line.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Level {
    Info,
    Warn,
    Error,
}

impl Level {
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Info => "info",
            Self::Warn => "warn",
            Self::Error => "error",
        }
    }
}

/// Opens a deployment in status `running`.
pub async fn begin(
    pool: &PgPool,
    tenant: TenantId,
    action: Action,
    image: Option<&str>,
    config_hash: Option<&str>,
) -> Result<DeploymentId, StorageError> {
    let id: i64 = sqlx::query_scalar(
        "insert into control.deployments (tenant_id, action, image, config_hash) \
         values ($1, $2, $3, $4) returning deployment_id",
    )
    .bind(tenant.get())
    .bind(action.as_str())
    .bind(image)
    .bind(config_hash)
    .fetch_one(pool)
    .await?;
    Ok(DeploymentId(id))
}

/// Opens a deployment in status `running` of a tenant with a bot host (a `place`), or of a
/// bot host's own container (`tenant` `None`).
pub async fn begin_on_host(
    pool: &PgPool,
    tenant: Option<TenantId>,
    host: BotHostId,
    action: Action,
    image: Option<&str>,
    config_hash: Option<&str>,
) -> Result<DeploymentId, StorageError> {
    let id: i64 = sqlx::query_scalar(
        "insert into control.deployments (tenant_id, bot_host_id, action, image, config_hash) \
         values ($1, $2, $3, $4, $5) returning deployment_id",
    )
    .bind(tenant.map(TenantId::get))
    .bind(host.get())
    .bind(action.as_str())
    .bind(image)
    .bind(config_hash)
    .fetch_one(pool)
    .await?;
    Ok(DeploymentId(id))
}

/// Adds one line to a deployment's log.
pub async fn event(
    pool: &PgPool,
    id: DeploymentId,
    level: Level,
    message: &str,
) -> Result<(), StorageError> {
    sqlx::query(
        "insert into control.deployment_events (deployment_id, level, message) \
         values ($1, $2, $3)",
    )
    .bind(id.0)
    .bind(level.as_str())
    .bind(message)
    .execute(pool)
    .await?;
    Ok(())
}

/// Closes a deployment with its outcome, the container it left serving and the error if any.
pub async fn finish(
    pool: &PgPool,
    id: DeploymentId,
    outcome: Outcome,
    container_id: Option<&str>,
    error: Option<&str>,
) -> Result<(), StorageError> {
    sqlx::query(
        "update control.deployments set status = $2, container_id = coalesce($3, container_id), \
             error = $4, finished_at = now() \
         where deployment_id = $1",
    )
    .bind(id.0)
    .bind(outcome.as_str())
    .bind(container_id)
    .bind(error)
    .execute(pool)
    .await?;
    Ok(())
}

/// The error of a deployment its worker did not live to finish.
pub const ABANDONED: &str = "the worker stopped before the deployment ended";

/// Deployments a killed worker left `running`: closed as failed, so that none stays open.
pub async fn close_abandoned(pool: &PgPool, tenant: TenantId) -> Result<u64, StorageError> {
    let done = sqlx::query(
        "update control.deployments set status = 'failed', finished_at = now(), error = $2 \
         where tenant_id = $1 and status = 'running'",
    )
    .bind(tenant.get())
    .bind(ABANDONED)
    .execute(pool)
    .await?;
    Ok(done.rows_affected())
}

/// The status of the newest deployment of `config_hash` for `tenant` that ran to its end (an
/// abandoned one says nothing of the configuration), if any: lets periodic passes leave alone
/// a configuration that already failed until someone asks again.
pub async fn last_status_of(
    pool: &PgPool,
    tenant: TenantId,
    config_hash: &str,
) -> Result<Option<String>, StorageError> {
    Ok(sqlx::query_scalar(
        "select status from control.deployments where tenant_id = $1 and config_hash = $2 \
             and error is distinct from $3 \
         order by deployment_id desc limit 1",
    )
    .bind(tenant.get())
    .bind(config_hash)
    .bind(ABANDONED)
    .fetch_optional(pool)
    .await?)
}

/// Deployments of bot host `host`'s container that a killed worker left `running`, closed as
/// failed ([`close_abandoned`] for a host).
pub async fn close_abandoned_host(pool: &PgPool, host: BotHostId) -> Result<u64, StorageError> {
    let done = sqlx::query(
        "update control.deployments set status = 'failed', finished_at = now(), error = $2 \
         where bot_host_id = $1 and tenant_id is null and status = 'running'",
    )
    .bind(host.get())
    .bind(ABANDONED)
    .execute(pool)
    .await?;
    Ok(done.rows_affected())
}

/// [`last_status_of`] for bot host `host`'s container.
pub async fn last_status_of_host(
    pool: &PgPool,
    host: BotHostId,
    config_hash: &str,
) -> Result<Option<(String, Option<String>)>, StorageError> {
    let row: Option<(String, Option<String>)> = sqlx::query_as(
        "select status, error from control.deployments \
         where bot_host_id = $1 and tenant_id is null and config_hash = $2 \
             and error is distinct from $3 \
         order by deployment_id desc limit 1",
    )
    .bind(host.get())
    .bind(config_hash)
    .bind(ABANDONED)
    .fetch_optional(pool)
    .await?;
    Ok(row)
}
