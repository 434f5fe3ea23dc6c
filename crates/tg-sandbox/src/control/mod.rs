//! The control API under `/sandbox/...`: what tests and the web page use to play the users.

mod botfather;
mod handlers;
mod payments;

use axum::{
    Json, Router,
    http::StatusCode,
    response::{IntoResponse, Response},
    routing::{get, post},
};

use crate::{api_types::ControlErrorBody, state::Shared};

/// A control API failure, as JSON `{"code": ..., "message": ...}`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ControlError {
    /// 404: no such bot, user, chat or message.
    #[error("{0}")]
    NotFound(String),
    /// 400: the request makes no sense.
    #[error("{0}")]
    BadRequest(String),
    /// 409: the request conflicts with the state (e.g. the user blocked the bot).
    #[error("{0}")]
    Conflict(String),
    /// 408: what was waited for did not happen in time.
    #[error("{0}")]
    Timeout(String),
}

impl IntoResponse for ControlError {
    fn into_response(self) -> Response {
        let (status, code) = match &self {
            Self::NotFound(_) => (StatusCode::NOT_FOUND, "not_found"),
            Self::BadRequest(_) => (StatusCode::BAD_REQUEST, "bad_request"),
            Self::Conflict(_) => (StatusCode::CONFLICT, "conflict"),
            Self::Timeout(_) => (StatusCode::REQUEST_TIMEOUT, "timeout"),
        };
        (
            status,
            Json(ControlErrorBody {
                code: code.to_owned(),
                message: self.to_string(),
            }),
        )
            .into_response()
    }
}

/// The control API's routes.
pub fn routes() -> Router<Shared> {
    use handlers as h;
    Router::new()
        .route("/sandbox/health", get(h::health))
        .route("/sandbox/stats", get(h::stats))
        .route("/sandbox/bots", get(h::list_bots).post(h::create_bot))
        .route("/sandbox/bots/{token}", get(h::get_bot))
        .route("/sandbox/botfather/newbot", post(botfather::new_bot))
        .route("/sandbox/users", get(h::list_users).post(h::create_user))
        .route("/sandbox/groups", get(h::list_groups).post(h::create_group))
        .route("/sandbox/bots/{token}/chats/{chat_id}", get(h::chat))
        .route("/sandbox/bots/{token}/chats/{chat_id}/send", post(h::send))
        .route(
            "/sandbox/bots/{token}/chats/{chat_id}/press",
            post(h::press),
        )
        .route(
            "/sandbox/bots/{token}/chats/{chat_id}/next",
            get(h::next_bot_message),
        )
        .route(
            "/sandbox/bots/{token}/users/{user_id}/block",
            post(h::block),
        )
        .route(
            "/sandbox/bots/{token}/users/{user_id}/unblock",
            post(h::unblock),
        )
        .route(
            "/sandbox/bots/{token}/callback-answers",
            get(h::callback_answers),
        )
        .route(
            "/sandbox/bots/{token}/callback-answers/{query_id}",
            get(h::callback_answer),
        )
        .route(
            "/sandbox/bots/{token}/chats/{chat_id}/pay",
            post(payments::pay),
        )
        .route("/sandbox/bots/{token}/commands", get(h::commands))
        .route("/sandbox/bots/{token}/chats/{chat_id}/menu", get(h::menu))
        .route("/sandbox/files/{file_id}", get(h::file))
}
