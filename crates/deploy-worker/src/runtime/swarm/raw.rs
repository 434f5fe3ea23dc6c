//! Engine API requests bollard cannot make as needed, made with hyper (bollard's own client):
//!
//! - a service's spec read and written back as JSON, untouched: bollard's models name a few
//!   fields otherwise than the engine answers (`HealthCheck` for Docker's `Healthcheck`), so a
//!   spec read into them and written back loses the bot's health check;
//! - service logs with `details=true` (each line's task), which bollard's options lack.

use bytes::Bytes;
use http_body_util::{BodyExt as _, Full};
use hyper::{Method, Request, Response, body::Incoming};
use hyper_util::{client::legacy::Client, rt::TokioExecutor};
use serde_json::Value;

use crate::runtime::RuntimeError;

/// An engine at `host` (`unix://`, `tcp://` or `http://`), speaking API `version` (`1.41`).
pub struct Raw<'a> {
    pub host: &'a str,
    pub version: &'a str,
}

impl Raw<'_> {
    /// `method path` with `body` (JSON), the response as it comes.
    pub async fn request(
        &self,
        method: Method,
        path: &str,
        body: Option<Vec<u8>>,
    ) -> Result<Response<Incoming>, RuntimeError> {
        let path = format!("/v{}{path}", self.version);
        let uri: hyper::Uri = if let Some(socket) = self.host.strip_prefix("unix://") {
            hyperlocal::Uri::new(socket, &path).into()
        } else {
            let base = self.host.replacen("tcp://", "http://", 1);
            format!("{}{path}", base.trim_end_matches('/'))
                .parse()
                .map_err(|e| RuntimeError::Engine(format!("{}: {e}", self.host)))?
        };
        let request = Request::builder()
            .method(method)
            .uri(uri)
            .header("content-type", "application/json")
            .body(Full::new(Bytes::from(body.unwrap_or_default())))
            .map_err(|e| RuntimeError::Engine(e.to_string()))?;
        let sent = if self.host.starts_with("unix://") {
            Client::builder(TokioExecutor::new())
                .build(hyperlocal::UnixConnector)
                .request(request)
                .await
        } else {
            Client::builder(TokioExecutor::new())
                .build_http()
                .request(request)
                .await
        };
        sent.map_err(|e| RuntimeError::Unreachable(format!("{}: {e}", self.host)))
    }

    /// `GET path` as JSON; `None` on 404.
    pub async fn get_json(&self, path: &str) -> Result<Option<Value>, RuntimeError> {
        let response = self.request(Method::GET, path, None).await?;
        if response.status() == hyper::StatusCode::NOT_FOUND {
            return Ok(None);
        }
        read_json(response).await.map(Some)
    }

    /// `POST path` with `body`; the engine's refusal as an error.
    pub async fn post_json(&self, path: &str, body: &Value) -> Result<(), RuntimeError> {
        let bytes = serde_json::to_vec(body).map_err(|e| RuntimeError::Engine(e.to_string()))?;
        let response = self.request(Method::POST, path, Some(bytes)).await?;
        read_json(response).await.map(|_| ())
    }
}

/// The body of a successful response as JSON; otherwise the engine's message as an error
/// (`<status>: <message>`, as bollard's errors read).
async fn read_json(response: Response<Incoming>) -> Result<Value, RuntimeError> {
    let status = response.status();
    let bytes = response
        .into_body()
        .collect()
        .await
        .map_err(|e| RuntimeError::Unreachable(e.to_string()))?
        .to_bytes();
    let json: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    if status.is_success() {
        Ok(json)
    } else {
        let message = json.get("message").and_then(Value::as_str).map_or_else(
            || String::from_utf8_lossy(&bytes).into_owned(),
            str::to_owned,
        );
        Err(RuntimeError::Engine(format!(
            "{}: {message}",
            status.as_u16()
        )))
    }
}
