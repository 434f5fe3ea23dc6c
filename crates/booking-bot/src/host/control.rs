//! The control API a deploy worker assigns tenants through, on the host's HTTP address:
//!
//! - `GET /host/tenants`: the tenants served, each with its token's fingerprint and state;
//! - `PUT /host/tenants/{tenant_id}` with `{"bot_token": "...", "secrets_key": "..."}`: serve
//!   it (or serve it with a new token or key); the same ones again change nothing. The secrets
//!   key (the tenant's own, base64) opens its payment account; without it the tenant asks for
//!   no payments;
//! - `DELETE /host/tenants/{tenant_id}`: stop serving it.
//!
//! Every request carries `Authorization: Bearer <HOST_SECRET>`, compared in constant time.
//! The host's database role must have been granted the tenant's role first (409 otherwise):
//! the database, not this API, decides what a host may reach.

use std::sync::Arc;

use axum::{
    Json, Router,
    extract::{Path, Request, State},
    http::{StatusCode, header},
    middleware::{self, Next},
    response::{IntoResponse, Response},
    routing::get,
};
use booking_core::ids::TenantId;
use secrecy::{ExposeSecret as _, SecretString};
use serde::Deserialize;
use serde_json::json;
use storage::crypto::tenant_secrets::TenantSecretsKey;
use subtle::ConstantTimeEq as _;

use super::registry::{AddError, Host};

/// The longest token a bot can have is far below this; anything longer is not a token.
const MAX_TOKEN_LEN: usize = 128;

#[derive(Clone)]
struct Control {
    host: Arc<Host>,
    secret: Arc<SecretString>,
}

/// The body of `PUT /host/tenants/{tenant_id}`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Serve {
    bot_token: SecretString,
    #[serde(default)]
    secrets_key: Option<SecretString>,
}

/// The control API's routes.
pub fn router(host: Arc<Host>, secret: SecretString) -> Router {
    let control = Control {
        host,
        secret: Arc::new(secret),
    };
    Router::new()
        .route("/host/tenants", get(list))
        .route(
            "/host/tenants/{tenant_id}",
            axum::routing::put(serve).delete(remove),
        )
        .route_layer(middleware::from_fn_with_state(control.clone(), authorise))
        .with_state(control)
}

async fn authorise(State(control): State<Control>, request: Request, next: Next) -> Response {
    let presented = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or_default();
    let expected = control.secret.expose_secret();
    if bool::from(presented.as_bytes().ct_eq(expected.as_bytes())) && !expected.is_empty() {
        next.run(request).await
    } else {
        problem(
            StatusCode::UNAUTHORIZED,
            "a valid HOST_SECRET bearer token is required",
        )
    }
}

async fn list(State(control): State<Control>) -> Response {
    Json(control.host.list().await).into_response()
}

async fn serve(
    State(control): State<Control>,
    Path(tenant): Path<i64>,
    body: Result<Json<Serve>, axum::extract::rejection::JsonRejection>,
) -> Response {
    let Some(tenant) = positive(tenant) else {
        return problem(StatusCode::NOT_FOUND, "no such tenant id");
    };
    let Ok(Json(body)) = body else {
        return problem(
            StatusCode::UNPROCESSABLE_ENTITY,
            "expected {\"bot_token\": \"<token>\"}",
        );
    };
    let token = body.bot_token.expose_secret();
    if token.is_empty() || token.len() > MAX_TOKEN_LEN || token.chars().any(char::is_whitespace) {
        return problem(StatusCode::UNPROCESSABLE_ENTITY, "bot_token is not a token");
    }
    let Ok(secrets_key) = body
        .secrets_key
        .as_ref()
        .map(TenantSecretsKey::parse)
        .transpose()
    else {
        return problem(
            StatusCode::UNPROCESSABLE_ENTITY,
            "secrets_key is not 32 bytes in base64",
        );
    };
    match control
        .host
        .serve(tenant, &body.bot_token, secrets_key)
        .await
    {
        Ok(listed) => Json(listed).into_response(),
        Err(AddError::NotGranted(t)) => problem(
            StatusCode::CONFLICT,
            &format!("this host's role was not granted tenant {t}'s role"),
        ),
        Err(AddError::Storage(e)) => {
            tracing::error!(error = ?e, %tenant, "could not take a tenant on");
            problem(
                StatusCode::SERVICE_UNAVAILABLE,
                "the database is unavailable",
            )
        }
    }
}

async fn remove(State(control): State<Control>, Path(tenant): Path<i64>) -> Response {
    let Some(tenant) = positive(tenant) else {
        return problem(StatusCode::NOT_FOUND, "no such tenant id");
    };
    if control.host.remove(tenant).await {
        StatusCode::NO_CONTENT.into_response()
    } else {
        problem(
            StatusCode::NOT_FOUND,
            "this host does not serve that tenant",
        )
    }
}

fn positive(id: i64) -> Option<TenantId> {
    (id > 0).then_some(TenantId(id))
}

fn problem(status: StatusCode, detail: &str) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "application/problem+json")],
        Json(json!({ "status": status.as_u16(), "detail": detail })),
    )
        .into_response()
}
