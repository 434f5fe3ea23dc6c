//! Extractors whose rejections are problem documents like every other error.

use axum::{
    body::Bytes,
    extract::{FromRequest, FromRequestParts, Request, rejection::BytesRejection},
    http::{StatusCode, request::Parts},
};
use serde::de::DeserializeOwned;

use crate::api::{
    BODY_LIMIT,
    error::{ApiError, FieldError},
    state::ApiState,
};

/// A JSON body, with the raw bytes kept for the Idempotency-Key fingerprint.
#[derive(Debug)]
pub struct JsonBody<T> {
    pub value: T,
    pub raw: Bytes,
}

impl<T: DeserializeOwned> FromRequest<ApiState> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &ApiState) -> Result<Self, ApiError> {
        let raw = Bytes::from_request(req, state)
            .await
            .map_err(|e: BytesRejection| {
                if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                    ApiError::PayloadTooLarge { limit: BODY_LIMIT }
                } else {
                    ApiError::MalformedBody(e.body_text())
                }
            })?;
        let value = serde_json::from_slice(&raw).map_err(|e| body_error(&e))?;
        Ok(Self { value, raw })
    }
}

/// Type and missing-field errors name their field; broken JSON is a malformed body.
fn body_error(e: &serde_json::Error) -> ApiError {
    use serde_json::error::Category;
    match e.classify() {
        Category::Data => ApiError::Validation(vec![FieldError::new("body", e.to_string())]),
        _ => ApiError::MalformedBody(e.to_string()),
    }
}

/// Path parameters; a malformed id is a validation error.
#[derive(Debug)]
pub struct ApiPath<T>(pub T);

impl<T: DeserializeOwned + Send> FromRequestParts<ApiState> for ApiPath<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &ApiState) -> Result<Self, ApiError> {
        axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map(|p| Self(p.0))
            .map_err(|e| ApiError::Validation(vec![FieldError::new("path", e.body_text())]))
    }
}

/// Query parameters; a malformed value is a validation error.
#[derive(Debug)]
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned + Send> FromRequestParts<ApiState> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &ApiState) -> Result<Self, ApiError> {
        axum::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|q| Self(q.0))
            .map_err(|e| ApiError::Validation(vec![FieldError::new("query", e.body_text())]))
    }
}
