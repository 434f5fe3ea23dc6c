//! Extractors whose rejections are problem documents like every other error.

use axum::{
    body::Bytes,
    extract::{FromRequest, FromRequestParts, Request, rejection::BytesRejection},
    http::{StatusCode, request::Parts},
};
use serde::{Deserialize, Deserializer, de::DeserializeOwned};

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
        let json: serde_json::Value = serde_json::from_slice(&raw).map_err(|e| body_error(&e))?;
        if let Some(field) = nul_field(&json, "") {
            return Err(nul_error(if field.is_empty() {
                "body".to_owned()
            } else {
                field
            }));
        }
        let value = serde_json::from_value(json).map_err(|e| body_error(&e))?;
        Ok(Self { value, raw })
    }
}

/// PostgreSQL text cannot hold U+0000, so no string anywhere may: the first one found, by its
/// path (`customer.first_name`, `items.2`).
fn nul_field(value: &serde_json::Value, path: &str) -> Option<String> {
    use serde_json::Value;
    let join = |key: &str| {
        if path.is_empty() {
            key.to_owned()
        } else {
            format!("{path}.{key}")
        }
    };
    match value {
        Value::String(s) if s.contains('\0') => Some(path.to_owned()),
        Value::Object(map) => map.iter().find_map(|(k, v)| {
            if k.contains('\0') {
                Some(join(k))
            } else {
                nul_field(v, &join(k))
            }
        }),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(i, v)| nul_field(v, &join(&i.to_string()))),
        _ => None,
    }
}

fn nul_error(field: String) -> ApiError {
    ApiError::Validation(vec![FieldError::new(field, "must not contain U+0000")])
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
    fn a_nul_anywhere_in_a_body_is_found_by_its_path() {
        let body = serde_json::json!({ "a": 1, "customer": { "names": ["ok", "b\u{0}d"] } });
        assert_eq!(
            super::nul_field(&body, "").as_deref(),
            Some("customer.names.1")
        );
        assert_eq!(
            super::nul_field(&serde_json::json!({ "a": "fine" }), ""),
            None
        );
    }

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
        // A percent-encoded NUL would reach PostgreSQL text, which cannot hold it.
        if parts
            .uri
            .query()
            .is_some_and(|q| q.to_ascii_lowercase().contains("%00"))
        {
            return Err(nul_error("query".to_owned()));
        }
        axum::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|q| Self(q.0))
            .map_err(|e| ApiError::Validation(vec![FieldError::new("query", e.body_text())]))
    }
}

/// For `#[serde(default, deserialize_with = "present")]` on an `Option<T>` field: a field that
/// is present becomes `Some`, even as `null` when `T` is itself an `Option` (or a JSON value),
/// so "clear this field" is told apart from an absent field ("leave it as it is").
pub fn present<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    T::deserialize(d).map(Some)
}
