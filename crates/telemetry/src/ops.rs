use std::{
    future::Future,
    pin::Pin,
    sync::Arc,
    time::{Duration, Instant},
};

use axum::{
    Json, Router,
    extract::{MatchedPath, Request, State},
    http::{Method, StatusCode},
    middleware::{self, Next},
    response::{IntoResponse, Response},
    routing::get,
};
use metrics_exporter_prometheus::PrometheusHandle;
use serde::Serialize;

type CheckFuture = Pin<Box<dyn Future<Output = Result<(), String>> + Send>>;
type Check = Arc<dyn Fn() -> CheckFuture + Send + Sync>;

/// The dependencies a service needs to do its work (database, Redis, ...). `/ready` answers
/// 200 only when every check passes within two seconds.
#[derive(Clone, Default)]
pub struct Readiness {
    checks: Vec<(&'static str, Check)>,
}

impl Readiness {
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a named check.
    #[must_use]
    pub fn with<F, Fut>(mut self, name: &'static str, check: F) -> Self
    where
        F: Fn() -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<(), String>> + Send + 'static,
    {
        self.checks
            .push((name, Arc::new(move || Box::pin(check()))));
        self
    }

    /// Runs every check concurrently.
    pub async fn report(&self) -> ReadinessReport {
        let runs = self.checks.iter().map(|(name, check)| async move {
            let result = match tokio::time::timeout(Duration::from_secs(2), check()).await {
                Ok(r) => r,
                Err(_) => Err("timed out after 2 s".to_owned()),
            };
            CheckResult {
                name,
                ok: result.is_ok(),
                error: result.err(),
            }
        });
        let checks = futures::future::join_all(runs).await;
        ReadinessReport {
            ready: checks.iter().all(|c| c.ok),
            checks,
        }
    }
}

#[derive(Debug, Serialize)]
pub struct ReadinessReport {
    pub ready: bool,
    pub checks: Vec<CheckResult>,
}

#[derive(Debug, Serialize)]
pub struct CheckResult {
    pub name: &'static str,
    pub ok: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

#[derive(Clone)]
struct OpsState {
    readiness: Readiness,
    prometheus: PrometheusHandle,
}

/// `/health` (the process is alive), `/ready` (its dependencies answer) and `/metrics`
/// (Prometheus text), plus request metrics for whatever router it is merged with.
pub fn ops_router(readiness: Readiness, prometheus: PrometheusHandle) -> Router {
    Router::new()
        .route("/health", get(|| async { "ok" }))
        .route("/ready", get(ready))
        .route("/metrics", get(metrics_text))
        .with_state(OpsState {
            readiness,
            prometheus,
        })
}

/// Counts requests and their latency by route and status.
pub fn with_request_metrics(router: Router) -> Router {
    router.layer(middleware::from_fn(track))
}

async fn ready(State(state): State<OpsState>) -> Response {
    let report = state.readiness.report().await;
    let status = if report.ready {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (status, Json(report)).into_response()
}

async fn metrics_text(State(state): State<OpsState>) -> String {
    state.prometheus.render()
}

/// The path label of a request nothing matched.
pub const UNMATCHED: &str = "unmatched";

/// The method label: a standard method, or `other`. A client may send any token as a method
/// and any path, and each distinct label set is a series the recorder keeps for the life of
/// the process, so labels come only from fixed sets (methods here, route templates).
fn method_label(method: &Method) -> &'static str {
    match method.as_str() {
        "GET" => "GET",
        "POST" => "POST",
        "PUT" => "PUT",
        "PATCH" => "PATCH",
        "DELETE" => "DELETE",
        "HEAD" => "HEAD",
        "OPTIONS" => "OPTIONS",
        _ => "other",
    }
}

async fn track(req: Request, next: Next) -> Response {
    // The route's template (`/api/v1/tenants/{tenant_id}`), never the path as sent.
    let path = req
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| UNMATCHED.to_owned(), |p| p.as_str().to_owned());
    let method = method_label(req.method());
    let started = Instant::now();
    let response = next.run(req).await;
    let labels = [
        ("method", method.to_owned()),
        ("path", path),
        ("status", response.status().as_u16().to_string()),
    ];
    metrics::counter!("http_requests_total", &labels).increment(1);
    metrics::histogram!("http_request_duration_seconds", &labels)
        .record(started.elapsed().as_secs_f64());
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_standard_methods_are_labels_of_their_own() {
        for name in ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"] {
            let method = Method::from_bytes(name.as_bytes()).unwrap();
            assert_eq!(method_label(&method), name);
        }
        for name in ["CONNECT", "TRACE", "get", "PROPFIND", "X-RANDOM-1234"] {
            let method = Method::from_bytes(name.as_bytes()).unwrap();
            assert_eq!(method_label(&method), "other", "{name}");
        }
    }
}
