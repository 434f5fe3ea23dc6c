use std::{sync::OnceLock, time::Duration};

use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use secrecy::{ExposeSecret, SecretString};
use sentry::integrations::tracing::EventFilter;
use tracing::Level;
use tracing_subscriber::{EnvFilter, layer::SubscriberExt, util::SubscriberInitExt};

/// How logs are written.
#[derive(Copy, Clone, Eq, PartialEq, Debug, Default, clap::ValueEnum)]
pub enum LogFormat {
    /// One JSON object per line, for log collectors.
    Json,
    /// Human-readable, for a terminal.
    #[default]
    Pretty,
}

/// The telemetry settings every binary accepts.
#[derive(Clone, Debug, clap::Args)]
pub struct TelemetryArgs {
    /// Log format.
    #[arg(long, env = "LOG_FORMAT", value_enum, default_value_t = LogFormat::Pretty)]
    pub log_format: LogFormat,
    /// Sentry DSN for error reporting; off when unset.
    #[arg(long, env = "SENTRY_DSN", hide_env_values = true)]
    pub sentry_dsn: Option<SecretString>,
}

/// Keeps Sentry flushing until the process ends; hold it in `main`.
pub struct Telemetry {
    _sentry: Option<sentry::ClientInitGuard>,
    prometheus: PrometheusHandle,
}

impl Telemetry {
    /// Initialises Sentry (first, so it sees everything), then tracing with the `RUST_LOG`
    /// filter (default `info`), then the process-wide Prometheus recorder.
    pub fn init(service: &'static str, args: &TelemetryArgs) -> Self {
        let sentry = args.sentry_dsn.as_ref().map(|dsn| {
            sentry::init((
                dsn.expose_secret(),
                sentry::ClientOptions {
                    release: Some(env!("CARGO_PKG_VERSION").into()),
                    server_name: Some(service.into()),
                    // Never send request bodies, headers or user IPs: they carry tokens.
                    send_default_pii: false,
                    ..sentry::ClientOptions::default()
                },
            ))
        });
        // Logs go to stderr so a CLI's stdout carries only its results.
        let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
        let registry = tracing_subscriber::registry()
            .with(filter)
            .with(sentry.as_ref().map(|_| {
                // Errors (and warnings) become Sentry events; the rest stays in the logs.
                sentry::integrations::tracing::layer()
                    .event_filter(|md| match *md.level() {
                        Level::ERROR | Level::WARN => EventFilter::Event,
                        _ => EventFilter::Ignore,
                    })
                    .span_filter(|_| false)
            }));
        let result = match args.log_format {
            LogFormat::Json => registry
                .with(
                    tracing_subscriber::fmt::layer()
                        .json()
                        .with_current_span(true)
                        .with_writer(std::io::stderr),
                )
                .try_init(),
            LogFormat::Pretty => registry
                .with(
                    tracing_subscriber::fmt::layer()
                        .compact()
                        .with_writer(std::io::stderr),
                )
                .try_init(),
        };
        if result.is_err() {
            // Tests start several services in one process; the first subscriber stays.
            tracing::debug!("a tracing subscriber was already installed");
        }
        tracing::info!(service, version = env!("CARGO_PKG_VERSION"), "starting");
        Self {
            _sentry: sentry,
            prometheus: prometheus(),
        }
    }

    #[must_use]
    pub fn prometheus(&self) -> PrometheusHandle {
        self.prometheus.clone()
    }
}

/// How often the recorder's upkeep runs (what `PrometheusBuilder::install` would spawn).
const UPKEEP_EVERY: Duration = Duration::from_secs(5);

/// The process-wide Prometheus recorder, installed once, with its upkeep running.
#[must_use]
pub fn prometheus() -> PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            let recorder = PrometheusBuilder::new().build_recorder();
            let handle = recorder.handle();
            if metrics::set_global_recorder(recorder).is_err() {
                tracing::warn!("a metrics recorder was already installed; /metrics may be empty");
            }
            spawn_upkeep(handle.clone());
            handle
        })
        .clone()
}

/// `build_recorder` leaves upkeep to its caller: without it, histogram samples recorded
/// between scrapes (or with nobody scraping) pile up in memory. A thread of its own, because
/// the recorder may be made before any async runtime exists, and lives as long as the process.
fn spawn_upkeep(handle: PrometheusHandle) {
    let spawned = std::thread::Builder::new()
        .name("prometheus-upkeep".to_owned())
        .spawn(move || {
            loop {
                std::thread::sleep(UPKEEP_EVERY);
                handle.run_upkeep();
            }
        });
    if let Err(e) = spawned {
        tracing::warn!(error = %e, "cannot start the metrics upkeep; histograms will grow");
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use std::time::Duration;

    use axum::{Router, body::Bytes, routing::post};
    use tokio::{net::TcpListener, sync::mpsc};

    use super::*;

    /// An error logged through tracing reaches a Sentry server (here a local one that records
    /// envelopes, as Sentry's ingestion endpoint receives them); an info line does not.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn errors_reach_sentry_and_info_lines_do_not() {
        let (tx, mut rx) = mpsc::unbounded_channel::<String>();
        let ingest = Router::new().route(
            "/api/1/envelope/",
            post(move |body: Bytes| {
                let tx = tx.clone();
                async move {
                    let _ = tx.send(String::from_utf8_lossy(&body).into_owned());
                    "{}"
                }
            }),
        );
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, ingest).await });

        let args = TelemetryArgs {
            log_format: LogFormat::Pretty,
            sentry_dsn: Some(SecretString::from(format!("http://publickey@{addr}/1"))),
        };
        let telemetry = Telemetry::init("telemetry-test", &args);
        tracing::info!("an ordinary start-up line");
        tracing::error!(tenant = 7, "the outbox tick failed");
        // Dropping the guard flushes the transport, which blocks: off the async workers.
        tokio::task::spawn_blocking(move || drop(telemetry))
            .await
            .unwrap();

        let mut bodies = Vec::new();
        while let Ok(Some(body)) = tokio::time::timeout(Duration::from_secs(2), rx.recv()).await {
            bodies.push(body);
        }
        let events: Vec<&String> = bodies
            .iter()
            .filter(|b| b.contains(r#""type":"event""#))
            .collect();
        assert_eq!(events.len(), 1, "{bodies:#?}");
        assert!(
            events[0].contains("the outbox tick failed"),
            "{}",
            events[0]
        );
        assert!(
            events[0].contains("telemetry-test"),
            "server name: {}",
            events[0]
        );
        assert!(
            bodies
                .iter()
                .all(|b| !b.contains("an ordinary start-up line")),
            "{bodies:#?}"
        );
    }
}
