//! The Idempotency-Key header on creates: a retried request gets the first one's answer.
//!
//! Only successful answers are stored. A request that failed releases its key, so a retry
//! runs again and meets the same rules (a taken slot is still taken).

use std::future::Future;

use axum::{
    Json,
    body::Bytes,
    http::{HeaderMap, HeaderValue, Method, StatusCode},
    response::{IntoResponse, Response},
};
use sha2::{Digest, Sha256};
use storage::control::idempotency::{self, Claim};

use crate::api::{
    auth::ApiKey,
    error::{ApiError, FieldError},
    state::ApiState,
};

/// The request header.
pub const HEADER: &str = "idempotency-key";
/// Set on an answer that repeats a stored one.
pub const REPLAYED: &str = "idempotent-replayed";

/// What a create handler produces: a status and a JSON body, storable as they are.
pub type Created = (StatusCode, serde_json::Value);

/// Runs `create` once per (API key, Idempotency-Key); without the header, simply runs it.
pub async fn once<F, Fut>(
    state: &ApiState,
    key: &ApiKey,
    headers: &HeaderMap,
    (method, path): (&Method, &str),
    body: &Bytes,
    create: F,
) -> Result<Response, ApiError>
where
    F: FnOnce() -> Fut,
    Fut: Future<Output = Result<Created, ApiError>>,
{
    let Some(value) = headers.get(HEADER) else {
        return create().await.map(respond);
    };
    let idem = value
        .to_str()
        .ok()
        .filter(|v| (1..=255).contains(&v.len()))
        .ok_or_else(|| {
            ApiError::Validation(vec![FieldError::new(
                "header.Idempotency-Key",
                "must be 1 to 255 visible ASCII characters",
            )])
        })?;
    let mut hasher = Sha256::new();
    for part in [
        method.as_str().as_bytes(),
        b"\n",
        path.as_bytes(),
        b"\n",
        body,
    ] {
        hasher.update(part);
    }
    let fingerprint: [u8; 32] = hasher.finalize().into();
    let pool = state.db.pool();
    match idempotency::claim(pool, key.id, idem, &fingerprint).await? {
        Claim::Fresh => match create().await {
            Ok((status, body)) => {
                idempotency::complete(pool, key.id, idem, status.as_u16(), &body).await?;
                Ok(respond((status, body)))
            }
            Err(e) => {
                idempotency::release(pool, key.id, idem).await?;
                Err(e)
            }
        },
        Claim::Replay { status, body } => {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
            let mut response = respond((status, body));
            response
                .headers_mut()
                .insert(REPLAYED, HeaderValue::from_static("true"));
            Ok(response)
        }
        Claim::Mismatch => Err(ApiError::IdempotencyMismatch),
        Claim::InProgress => Err(ApiError::IdempotencyInProgress),
    }
}

fn respond((status, body): Created) -> Response {
    (status, Json(body)).into_response()
}
