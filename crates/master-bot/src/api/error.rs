//! The API's one error type, and the only place where errors become status codes.
//!
//! Every error leaves as an RFC 9457 problem document (`application/problem+json`). Rule
//! breaches carry a stable `code`; validation errors list the fields. Unexpected failures say
//! nothing beyond "internal error": their cause chain is logged here, once.

use axum::{
    Json,
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use booking_core::booking::BookingRejection;
use serde::Serialize;
use storage::{BookingError, StorageError};

/// One invalid field of a request.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct FieldError {
    /// The field's name as in the request (`time_zone`, `query.from`).
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }
}

/// Everything a handler can answer besides success.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// No key, a malformed, unknown or revoked key, or a wrong secret: all look the same.
    #[error("a valid API key is required")]
    Unauthorized,
    /// No such thing, or not this key's to see (a tenant key never learns what else exists).
    #[error("not found")]
    NotFound,
    #[error("the request body is not valid JSON for this endpoint: {0}")]
    MalformedBody(String),
    #[error("the request body is larger than {limit} bytes")]
    PayloadTooLarge { limit: usize },
    #[error("some fields are invalid")]
    Validation(Vec<FieldError>),
    /// A booking rule refused the request.
    #[error("{0}")]
    Rejected(BookingRejection),
    /// The request conflicts with the current state (a guarded delete, an inactive tenant).
    #[error("{detail}")]
    Conflict { code: &'static str, detail: String },
    #[error("this Idempotency-Key was used with a different request")]
    IdempotencyMismatch,
    #[error("a request with this Idempotency-Key is still being processed; retry later")]
    IdempotencyInProgress,
    #[error("too many requests; retry in {retry_after_secs} s")]
    RateLimited { retry_after_secs: u64 },
    #[error("the method is not allowed on this resource")]
    MethodNotAllowed,
    /// Configuration the server lacks (such as `DATA_KEY`), named in the log only.
    #[error("this operation is not available on this server")]
    NotConfigured(&'static str),
    /// The Bot API server could not check a bot token.
    #[error("the Bot API could not be reached to check the bot token; retry later")]
    BotApiUnavailable(String),
    #[error("the database is unavailable; retry in a minute")]
    Unavailable(#[source] StorageError),
    #[error("internal error")]
    Internal(#[from] anyhow::Error),
}

impl From<StorageError> for ApiError {
    fn from(e: StorageError) -> Self {
        match e {
            StorageError::TenantNotFound(_) => Self::NotFound,
            e if e.is_unavailable() => Self::Unavailable(e),
            e => Self::Internal(e.into()),
        }
    }
}

impl From<crate::actions::ActionError> for ApiError {
    fn from(e: crate::actions::ActionError) -> Self {
        use crate::actions::ActionError;
        match e {
            ActionError::NotFound => Self::NotFound,
            ActionError::NotRunning(id) => Self::Conflict {
                code: "not_running",
                detail: format!("tenant {id} is meant to be stopped; set desired_state to running"),
            },
            ActionError::BadDays => {
                Self::Validation(vec![FieldError::new("days", "must be between 1 and 3660")])
            }
            ActionError::BotRefused => Self::Validation(vec![FieldError::new(
                "bot_token",
                "the Bot API does not accept this token",
            )]),
            ActionError::BotApiUnavailable(why) => Self::BotApiUnavailable(why),
            ActionError::BotInUse(username) => Self::Conflict {
                code: "bot_in_use",
                detail: format!("@{username} already serves another tenant"),
            },
            ActionError::NoDataKey => Self::NotConfigured("DATA_KEY"),
            ActionError::Storage(e) => e.into(),
        }
    }
}

impl From<BookingError> for ApiError {
    fn from(e: BookingError) -> Self {
        match e {
            BookingError::Rejected(BookingRejection::NotFound) => Self::NotFound,
            BookingError::Rejected(r) => Self::Rejected(r),
            BookingError::Storage(e) => e.into(),
        }
    }
}

/// The RFC 9457 body.
#[derive(Serialize)]
struct Problem<'a> {
    #[serde(rename = "type")]
    kind: String,
    title: &'a str,
    status: u16,
    detail: String,
    /// A stable machine-readable code (the last part of `type`).
    code: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    errors: Option<&'a [FieldError]>,
    /// The booking rule's own fields (`min_notice`, `limit`, ...).
    #[serde(skip_serializing_if = "Option::is_none")]
    rejection: Option<&'a BookingRejection>,
}

impl ApiError {
    /// Status, stable code and human title, for every variant in one table.
    fn parts(&self) -> (StatusCode, &'static str, &'static str) {
        match self {
            Self::Unauthorized => (StatusCode::UNAUTHORIZED, "unauthorized", "Unauthorized"),
            Self::NotFound => (StatusCode::NOT_FOUND, "not_found", "Not found"),
            Self::MalformedBody(_) => (StatusCode::BAD_REQUEST, "malformed_body", "Malformed body"),
            Self::PayloadTooLarge { .. } => (
                StatusCode::PAYLOAD_TOO_LARGE,
                "payload_too_large",
                "Payload too large",
            ),
            Self::Validation(_) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                "validation_failed",
                "Validation failed",
            ),
            Self::Rejected(BookingRejection::SlotTaken) => {
                (StatusCode::CONFLICT, "slot_taken", "Slot taken")
            }
            Self::Rejected(BookingRejection::ClassFull) => {
                (StatusCode::CONFLICT, "class_full", "Class full")
            }
            Self::Rejected(r) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                r.code(),
                "Booking rejected",
            ),
            Self::Conflict { code, .. } => (StatusCode::CONFLICT, code, "Conflict"),
            Self::IdempotencyMismatch => (
                StatusCode::UNPROCESSABLE_ENTITY,
                "idempotency_key_reused",
                "Idempotency-Key reused",
            ),
            Self::IdempotencyInProgress => (
                StatusCode::CONFLICT,
                "idempotency_key_in_progress",
                "Request in progress",
            ),
            Self::RateLimited { .. } => (
                StatusCode::TOO_MANY_REQUESTS,
                "rate_limited",
                "Too many requests",
            ),
            Self::MethodNotAllowed => (
                StatusCode::METHOD_NOT_ALLOWED,
                "method_not_allowed",
                "Method not allowed",
            ),
            Self::NotConfigured(_) => (
                StatusCode::SERVICE_UNAVAILABLE,
                "not_configured",
                "Not available",
            ),
            Self::BotApiUnavailable(_) => (
                StatusCode::BAD_GATEWAY,
                "bot_api_unavailable",
                "Bot API unavailable",
            ),
            Self::Unavailable(_) => (
                StatusCode::SERVICE_UNAVAILABLE,
                "unavailable",
                "Service unavailable",
            ),
            Self::Internal(_) => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "Internal error",
            ),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        match &self {
            Self::Internal(e) => tracing::error!(error.cause_chain = ?e, "request failed"),
            Self::Unavailable(e) => tracing::warn!(error.cause_chain = ?e, "database unavailable"),
            Self::NotConfigured(what) => tracing::warn!(missing = what, "not configured"),
            Self::BotApiUnavailable(why) => tracing::warn!(error = %why, "getMe failed"),
            _ => {}
        }
        let (status, code, title) = self.parts();
        let problem = Problem {
            kind: format!("urn:booking:problem:{code}"),
            title,
            status: status.as_u16(),
            detail: self.to_string(),
            code,
            errors: match &self {
                Self::Validation(fields) => Some(fields),
                _ => None,
            },
            rejection: match &self {
                Self::Rejected(r) => Some(r),
                _ => None,
            },
        };
        let mut response = (status, Json(problem)).into_response();
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        match self {
            Self::Unauthorized => {
                headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            }
            Self::RateLimited { retry_after_secs } => {
                headers.insert(header::RETRY_AFTER, HeaderValue::from(retry_after_secs));
            }
            _ => {}
        }
        response
    }
}
