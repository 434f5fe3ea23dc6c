use std::sync::OnceLock;

use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use secrecy::{ExposeSecret, SecretString};
use tracing_subscriber::{
    EnvFilter, Layer, filter::LevelFilter, layer::SubscriberExt, util::SubscriberInitExt,
};

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
                sentry::ClientOptions::new()
                    .release(env!("CARGO_PKG_VERSION"))
                    .server_name(service)
                    // Never send request bodies, headers or user IPs: they carry tokens.
                    .send_default_pii(false),
            ))
        });
        // Logs go to stderr so a CLI's stdout carries only its results.
        let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
        let registry = tracing_subscriber::registry()
            .with(filter)
            .with(sentry.as_ref().map(|_| {
                // Errors (and warnings) become Sentry events; the rest stays in the logs.
                sentry::integrations::tracing::ErrorLayer::new().with_filter(LevelFilter::WARN)
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

/// The process-wide Prometheus recorder, installed once.
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
            handle
        })
        .clone()
}
