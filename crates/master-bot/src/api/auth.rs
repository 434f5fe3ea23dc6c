//! The API key extractor: `Authorization: Bearer bk_<prefix>_<secret>`.

use axum::{
    extract::FromRequestParts,
    http::{header, request::Parts},
};
use booking_core::ids::TenantId;
use secrecy::SecretString;
use storage::control::api_keys::{self, ApiKeyId, Scope};

use crate::api::{error::ApiError, state::ApiState};

/// An authenticated, live, not rate-limited API key.
#[derive(Clone, Debug)]
pub struct ApiKey {
    pub id: ApiKeyId,
    pub scope: Scope,
}

impl ApiKey {
    /// Operator-only endpoints. A tenant key gets "not found": it learns nothing about them.
    pub fn require_operator(&self) -> Result<(), ApiError> {
        match self.scope {
            Scope::Operator => Ok(()),
            Scope::Tenant(_) => {
                tracing::info!(api_key = %self.id, "tenant key on an operator endpoint");
                Err(ApiError::NotFound)
            }
        }
    }

    /// Endpoints of one tenant. Another tenant's key gets "not found", never "forbidden".
    pub fn require_tenant(&self, tenant: TenantId) -> Result<(), ApiError> {
        if self.scope.covers(tenant) {
            Ok(())
        } else {
            tracing::info!(api_key = %self.id, %tenant, "key of another tenant");
            Err(ApiError::NotFound)
        }
    }

    /// Who this key is in the audit log.
    #[must_use]
    pub fn actor(&self) -> String {
        match self.scope {
            Scope::Operator => format!("operator:{}", self.id),
            Scope::Tenant(_) => format!("tenant-key:{}", self.id),
        }
    }
}

impl FromRequestParts<ApiState> for ApiKey {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &ApiState) -> Result<Self, ApiError> {
        let Some(value) = parts.headers.get(header::AUTHORIZATION) else {
            tracing::info!("no Authorization header");
            return Err(ApiError::Unauthorized);
        };
        let Some(token) = value.to_str().ok().and_then(|v| v.strip_prefix("Bearer ")) else {
            tracing::info!("Authorization is not a Bearer token");
            return Err(ApiError::Unauthorized);
        };
        let token = SecretString::from(token.trim().to_owned());
        let record = match api_keys::authenticate(state.db.pool(), &token).await? {
            Ok(record) => record,
            Err(why) => {
                tracing::info!(reason = %why, "API key refused");
                return Err(ApiError::Unauthorized);
            }
        };
        if let Err(wait) = state.limiter.check(record.id) {
            tracing::info!(api_key = %record.id, "rate limited");
            return Err(ApiError::RateLimited {
                retry_after_secs: wait.as_secs().max(1),
            });
        }
        Ok(Self {
            id: record.id,
            scope: record.scope,
        })
    }
}
