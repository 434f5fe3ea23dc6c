//! A tenant's deployment: status (desired and actual, with the latest deployments and their
//! events) and restart.

use axum::{Json, extract::State, http::StatusCode};
use booking_core::ids::TenantId;
use serde::Serialize;
use serde_json::json;
use storage::{
    StorageError,
    control::{
        bot_hosts,
        deployments::{self, Deployment},
        placement::{self, Placement},
        tenants::DesiredState,
    },
};

use crate::{
    actions,
    api::{auth::ApiKey, error::ApiError, extract::ApiPath, state::ApiState, tenants::find},
};

/// How many deployments a status shows.
const LATEST: i64 = 5;

/// `GET /tenants/{tenant_id}/status`.
#[derive(Debug, Serialize)]
pub struct DeployStatus {
    pub tenant_id: TenantId,
    pub desired_state: DesiredState,
    pub image_tag: Option<String>,
    /// Where the bot is meant to run: the operator's override, else the plan's.
    pub placement: Placement,
    /// The shared bot host the deploy worker assigned it to, if any.
    pub host: Option<String>,
    /// What the newest deployment says: `running`, `stopped`, `changing` (one in progress),
    /// `failed`, or `unknown` before the deploy worker has done anything.
    pub actual_state: &'static str,
    pub deployments: Vec<Deployment>,
}

/// What the newest deployment says about the container now (the operator bot shows it too).
pub fn actual_state(latest: &[Deployment]) -> &'static str {
    match latest.first() {
        Some(d) if d.status == "succeeded" => match d.action.as_str() {
            "deploy" | "restart" | "place" => "running",
            _ => "stopped",
        },
        Some(d) if d.status == "running" => "changing",
        Some(_) => "failed",
        None => "unknown",
    }
}

/// Where the tenant's bot is meant to run, and the name of its shared host if it has one
/// (the operator bot's card shows the same).
pub async fn where_it_runs(
    db: &storage::Db,
    id: TenantId,
) -> Result<(Placement, Option<String>), StorageError> {
    let Some(place) = placement::of(db.pool(), id).await? else {
        return Err(StorageError::TenantNotFound(id));
    };
    let host = match place.host {
        Some(host) => bot_hosts::get(db.pool(), host)
            .await?
            .map(|h| h.name.to_string()),
        None => None,
    };
    Ok((place.wanted(), host))
}

/// `GET /tenants/{tenant_id}/status`: operators only.
pub async fn status(
    State(state): State<ApiState>,
    key: ApiKey,
    ApiPath(id): ApiPath<TenantId>,
) -> Result<Json<DeployStatus>, ApiError> {
    key.require_operator()?;
    let tenant = find(&state, id).await?;
    let latest = deployments::latest(state.db.pool(), id, LATEST).await?;
    let (placement, host) = where_it_runs(&state.db, id).await?;
    Ok(Json(DeployStatus {
        tenant_id: id,
        desired_state: tenant.desired_state,
        image_tag: tenant.image_tag,
        placement,
        host,
        actual_state: actual_state(&latest),
        deployments: latest,
    }))
}

/// `POST /tenants/{tenant_id}/restart`: queues a restart for the deploy worker (202). A
/// restart already queued absorbs this one.
#[tracing::instrument(skip_all, fields(api_key = %key.id, tenant = %id))]
pub async fn restart(
    State(state): State<ApiState>,
    key: ApiKey,
    ApiPath(id): ApiPath<TenantId>,
) -> Result<(StatusCode, Json<serde_json::Value>), ApiError> {
    key.require_operator()?;
    let queued = actions::restart(&state.db, &key.actor(), id, state.clock.now()).await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(json!({ "queued": queued.is_some(), "job_id": queued })),
    ))
}

#[cfg(test)]
mod tests {
    use chrono::Utc;

    use super::*;

    fn deployment(action: &str, status: &str) -> Deployment {
        Deployment {
            id: 1,
            action: action.to_owned(),
            status: status.to_owned(),
            image: None,
            container_id: None,
            error: None,
            started_at: Utc::now(),
            finished_at: None,
            events: vec![],
        }
    }

    #[test]
    fn the_newest_deployment_tells_the_actual_state() {
        assert_eq!(actual_state(&[]), "unknown");
        assert_eq!(
            actual_state(&[deployment("deploy", "succeeded")]),
            "running"
        );
        assert_eq!(actual_state(&[deployment("stop", "succeeded")]), "stopped");
        assert_eq!(actual_state(&[deployment("place", "succeeded")]), "running");
        assert_eq!(actual_state(&[deployment("deploy", "running")]), "changing");
        assert_eq!(
            actual_state(&[deployment("deploy", "rolled_back")]),
            "failed"
        );
    }
}
