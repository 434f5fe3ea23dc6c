//! Errors at the Bot API boundary, answered in Telegram's shape.

use axum::{
    http::StatusCode,
    response::{IntoResponse, Response},
};
use serde::Serialize;

/// A Bot API failure, sent as HTTP 4xx with
/// `{"ok":false,"error_code":N,"description":"...","parameters":{...}}`.
///
/// Never 5xx: teloxide sleeps ten seconds after any server error.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApiError {
    /// 400 "Bad Request: ...".
    #[error("Bad Request: {0}")]
    BadRequest(String),
    /// 401 for a token the sandbox does not know.
    #[error("Unauthorized")]
    Unauthorized,
    /// 403 "Forbidden: ...", e.g. a user who blocked the bot.
    #[error("Forbidden: {0}")]
    Forbidden(String),
    /// 404 for an unknown method or path.
    #[error("Not Found")]
    NotFound,
    /// 409 "Conflict: ...", e.g. getUpdates while a webhook is set.
    #[error("Conflict: {0}")]
    Conflict(String),
    /// 413 for a body over the configured limit.
    #[error("Request Entity Too Large")]
    PayloadTooLarge,
    /// 429 with `parameters.retry_after`.
    #[error("Too Many Requests: retry after {retry_after}")]
    TooManyRequests {
        /// Seconds the bot should wait.
        retry_after: u32,
    },
}

impl ApiError {
    /// Shorthand for a 400 with the given detail.
    pub fn bad(detail: impl Into<String>) -> Self {
        Self::BadRequest(detail.into())
    }

    /// "chat not found", Telegram's answer for any unknown chat id.
    pub fn chat_not_found() -> Self {
        Self::bad("chat not found")
    }

    /// The HTTP status and Telegram's `error_code`.
    pub fn status(&self) -> StatusCode {
        match self {
            Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::Unauthorized => StatusCode::UNAUTHORIZED,
            Self::Forbidden(_) => StatusCode::FORBIDDEN,
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::Conflict(_) => StatusCode::CONFLICT,
            Self::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
        }
    }
}

#[derive(Serialize)]
struct ErrorBody {
    ok: bool,
    error_code: u16,
    description: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    parameters: Option<Parameters>,
}

#[derive(Serialize)]
struct Parameters {
    retry_after: u32,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        let parameters = match self {
            Self::TooManyRequests { retry_after } => Some(Parameters { retry_after }),
            _ => None,
        };
        let body = ErrorBody {
            ok: false,
            error_code: status.as_u16(),
            description: self.to_string(),
            parameters,
        };
        (status, axum::Json(body)).into_response()
    }
}

/// The result of one Bot API method.
pub type ApiResult<T> = Result<T, ApiError>;
