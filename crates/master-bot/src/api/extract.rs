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

/// Missing and unknown fields are named; other type errors are the body's; broken JSON is a
/// malformed body.
fn body_error(e: &serde_json::Error) -> ApiError {
    use serde_json::error::Category;
    match e.classify() {
        Category::Data => {
            let message = e.to_string();
            let field = named_field(&message).unwrap_or("body").to_owned();
            ApiError::Validation(vec![FieldError::new(field, message)])
        }
        _ => ApiError::MalformedBody(e.to_string()),
    }
}

/// The field serde names in "missing field `x`" or "unknown field `x`, expected ...".
fn named_field(message: &str) -> Option<&str> {
    let rest = message
        .strip_prefix("missing field `")
        .or_else(|| message.strip_prefix("unknown field `"))?;
    rest.split_once('`').map(|(field, _)| field)
}

#[cfg(test)]
mod tests {
    use super::named_field;

    #[test]
    fn serde_messages_name_their_field() {
        assert_eq!(
            named_field("missing field `time_zone` at line 1 column 12"),
            Some("time_zone")
        );
        assert_eq!(
            named_field("unknown field `plan`, expected one of `name`"),
            Some("plan")
        );
        assert_eq!(
            named_field("invalid type: string \"x\", expected i64"),
            None
        );
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
