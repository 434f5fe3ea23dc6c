//! `/api-keys`: create (the key is shown once), list, revoke. Operators only.
//!
//! Creating a key does not honour Idempotency-Key on purpose: replaying the answer would mean
//! storing the key in clear.

use axum::{Json, extract::State, http::StatusCode};
use booking_core::ids::TenantId;
use serde::{Deserialize, Serialize};
use serde_json::json;
use storage::control::{
    api_keys::{self, ApiKeyId, ApiKeyRecord, Scope},
    tenants,
};

use crate::api::{
    auth::ApiKey,
    error::{ApiError, FieldError},
    extract::{ApiPath, ApiQuery, JsonBody},
    state::ApiState,
    tenants::find,
};

/// The body of `POST /api-keys`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateKey {
    pub name: String,
    /// Absent: an operator key. Present: a key of that tenant alone.
    #[serde(default)]
    pub tenant_id: Option<TenantId>,
}

/// A new key: the record, and the key itself, which is never shown again (and never in
/// `Debug`).
#[derive(Serialize)]
pub struct CreatedKey {
    #[serde(flatten)]
    pub record: ApiKeyRecord,
    pub key: String,
}

impl std::fmt::Debug for CreatedKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CreatedKey")
            .field("record", &self.record)
            .field("key", &"<redacted>")
            .finish()
    }
}

/// `POST /api-keys`.
#[tracing::instrument(skip_all, fields(api_key = %key.id))]
pub async fn create(
    State(state): State<ApiState>,
    key: ApiKey,
    body: JsonBody<CreateKey>,
) -> Result<(StatusCode, Json<CreatedKey>), ApiError> {
    key.require_operator()?;
    let body = body.value;
    let name = body.name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(ApiError::Validation(vec![FieldError::new(
            "name",
            "must be 1 to 100 characters",
        )]));
    }
    let scope = match body.tenant_id {
        None => Scope::Operator,
        Some(tenant) => {
            // A key for a tenant that does not exist is a field error, not a 404 of the path.
            find(&state, tenant).await.map_err(|e| match e {
                ApiError::NotFound => {
                    ApiError::Validation(vec![FieldError::new("tenant_id", "no such tenant")])
                }
                e => e,
            })?;
            Scope::Tenant(tenant)
        }
    };
    let (record, secret) = api_keys::create(state.db.pool(), scope, name).await?;
    tenants::audit(
        state.db.pool(),
        &key.actor(),
        "api_key.create",
        body.tenant_id,
        json!({ "api_key_id": record.id, "prefix": record.prefix }),
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(CreatedKey {
            record,
            key: secrecy::ExposeSecret::expose_secret(&secret).to_owned(),
        }),
    ))
}

/// Query of `GET /api-keys`.
#[derive(Debug, Deserialize)]
pub struct ListQuery {
    pub tenant_id: Option<TenantId>,
}

/// `GET /api-keys[?tenant_id=]`: without secrets, revoked keys included.
pub async fn list(
    State(state): State<ApiState>,
    key: ApiKey,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> Result<Json<Vec<ApiKeyRecord>>, ApiError> {
    key.require_operator()?;
    Ok(Json(
        api_keys::list(state.db.pool(), query.tenant_id).await?,
    ))
}

/// `DELETE /api-keys/{api_key_id}`: revokes; the key stops working at once.
#[tracing::instrument(skip_all, fields(api_key = %key.id))]
pub async fn revoke(
    State(state): State<ApiState>,
    key: ApiKey,
    ApiPath(id): ApiPath<i64>,
) -> Result<StatusCode, ApiError> {
    key.require_operator()?;
    let id = ApiKeyId(id);
    let record = api_keys::get(state.db.pool(), id)
        .await?
        .ok_or(ApiError::NotFound)?;
    api_keys::revoke(state.db.pool(), id).await?;
    let tenant = match record.scope {
        Scope::Operator => None,
        Scope::Tenant(t) => Some(t),
    };
    tenants::audit(
        state.db.pool(),
        &key.actor(),
        "api_key.revoke",
        tenant,
        json!({ "api_key_id": id, "prefix": record.prefix }),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_key_is_not_in_debug_output() {
        let created = CreatedKey {
            record: ApiKeyRecord {
                id: ApiKeyId(1),
                prefix: "abcdefghijkm".to_owned(),
                scope: Scope::Operator,
                name: "ci".to_owned(),
                created_at: chrono::Utc::now(),
                last_used_at: None,
                revoked_at: None,
            },
            key: "bk_abcdefghijkm_the-secret-part".to_owned(),
        };
        let shown = format!("{created:?}");
        assert!(!shown.contains("the-secret-part"), "{shown}");
        assert!(shown.contains("abcdefghijkm"));
    }
}
