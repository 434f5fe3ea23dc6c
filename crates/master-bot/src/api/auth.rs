//! The API key extractor: `Authorization: Bearer bk_<prefix>_<secret>`.
//!
//! In front of the key check, a limit per client address on requests with a missing or wrong
//! key: past it the caller gets 429 before the database is asked anything, so a scan or a
//! guessing run costs the platform nothing but this map. The address is the TCP peer's, or,
//! behind our own proxies (`TRUSTED_PROXIES`), what they wrote in `X-Forwarded-For` (read as
//! the sales bot's webhook reads it). A valid key from a limited address waits like the rest:
//! until the key is checked, it cannot be told from a guess.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use axum::{
    extract::{ConnectInfo, FromRequestParts},
    http::{header, request::Parts},
};
use booking_core::ids::TenantId;
use secrecy::SecretString;
use storage::control::api_keys::{self, ApiKeyId, Scope};
use telemetry::client_ip::client_ip;

use crate::api::{error::ApiError, rate_limit::ClientAddr, state::ApiState};

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
        let client = client_addr(parts, state);
        if let Err(wait) = state.auth_failures.peek(client) {
            tracing::info!(?client, "too many requests without a valid key");
            metrics::counter!("api_auth_failures_total", "outcome" => "limited").increment(1);
            return Err(ApiError::RateLimited {
                retry_after_secs: wait.as_secs().max(1),
            });
        }
        let refused = |why: &str| {
            tracing::info!(reason = why, ?client, "API key refused");
            metrics::counter!("api_auth_failures_total", "outcome" => "refused").increment(1);
            // Counted, not checked: this request is answered 401 whatever the count.
            let _ = state.auth_failures.check(client);
            ApiError::Unauthorized
        };
        let Some(value) = parts.headers.get(header::AUTHORIZATION) else {
            return Err(refused("no Authorization header"));
        };
        let Some(token) = value.to_str().ok().and_then(|v| v.strip_prefix("Bearer ")) else {
            return Err(refused("Authorization is not a Bearer token"));
        };
        let token = SecretString::from(token.trim().to_owned());
        let record = match api_keys::authenticate(state.db.pool(), &token).await? {
            Ok(record) => record,
            Err(why) => return Err(refused(&why.to_string())),
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

/// Who is calling, as the unauthenticated limit counts it. A server started without peer
/// addresses (none of ours: `telemetry::serve` records them) counts every caller as one.
pub(crate) fn client_addr(parts: &Parts, state: &ApiState) -> ClientAddr {
    let peer = parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |c| c.0.ip());
    let forwarded: Vec<&str> = parts
        .headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .collect();
    ClientAddr::from(client_ip(peer, &forwarded, &state.trusted_proxies))
}
