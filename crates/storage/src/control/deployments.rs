//! What the deploy worker did to a tenant's bot (`control.deployments` and their events), as
//! operators read it.

use booking_core::ids::TenantId;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sqlx::{PgPool, Row};

use crate::error::StorageError;

/// One line of a deployment's log.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct DeploymentEvent {
    pub at: DateTime<Utc>,
    pub level: String,
    pub message: String,
}

/// One deploy, stop, remove or restart of a tenant's bot, with its events, oldest first.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct Deployment {
    pub id: i64,
    pub action: String,
    pub status: String,
    pub image: Option<String>,
    pub container_id: Option<String>,
    pub error: Option<String>,
    pub started_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    pub events: Vec<DeploymentEvent>,
}

/// The tenant's latest `limit` deployments, newest first, each with its last 20 events.
pub async fn latest(
    pool: &PgPool,
    tenant: TenantId,
    limit: i64,
) -> Result<Vec<Deployment>, StorageError> {
    let rows = sqlx::query(
        "select d.deployment_id, d.action, d.status, d.image, d.container_id, d.error, \
             d.started_at, d.finished_at, \
             coalesce((select json_agg(json_build_object('at', e.at, 'level', e.level, \
                         'message', e.message) order by e.at, e.deployment_event_id) \
                       from (select * from control.deployment_events x \
                             where x.deployment_id = d.deployment_id \
                             order by x.at desc, x.deployment_event_id desc limit 20) e), \
                      '[]') as events \
         from control.deployments d where d.tenant_id = $1 \
         order by d.started_at desc, d.deployment_id desc limit $2",
    )
    .bind(tenant.get())
    .bind(limit)
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|row| {
            let events: serde_json::Value = row.try_get("events")?;
            Ok(Deployment {
                id: row.try_get("deployment_id")?,
                action: row.try_get("action")?,
                status: row.try_get("status")?,
                image: row.try_get("image")?,
                container_id: row.try_get("container_id")?,
                error: row.try_get("error")?,
                started_at: row.try_get("started_at")?,
                finished_at: row.try_get("finished_at")?,
                events: serde_json::from_value(events)
                    .map_err(|e| StorageError::Corrupt(format!("deployment events: {e}")))?,
            })
        })
        .collect()
}
