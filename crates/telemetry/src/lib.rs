//! What every binary of the platform shares: logs and traces, error reporting, metrics, the
//! `/health`, `/ready` and `/metrics` endpoints, and one shutdown signal.

/// The client's address behind our proxies, and address ranges.
pub mod client_ip;
/// Health, readiness and metrics endpoints.
pub mod ops;
/// SIGTERM and Ctrl-C as one future; the one stop every task watches.
pub mod shutdown;
/// Tracing, Sentry and the Prometheus recorder.
pub mod tracing_init;

pub use ops::{Readiness, ops_router};
pub use shutdown::{Shutdown, shutdown_signal};
pub use tracing_init::{LogFormat, Telemetry, TelemetryArgs};

/// Serves `router` on `listener` until `shutdown` resolves, letting requests in flight finish.
/// Handlers can read the peer's address (`ConnectInfo<SocketAddr>`): per-address limits and
/// source checks need it.
pub async fn serve(
    listener: tokio::net::TcpListener,
    router: axum::Router,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(
        listener,
        router.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
}

/// Parses a secret from the command line or environment, for clap (`SecretString` has no
/// `FromStr`, on purpose: secrets should not be parsed by accident).
pub fn parse_secret(s: &str) -> Result<secrecy::SecretString, std::convert::Infallible> {
    Ok(secrecy::SecretString::from(s.to_owned()))
}

/// Binds the service's listener, with the address in the error when that fails.
pub async fn bind(addr: std::net::SocketAddr) -> anyhow::Result<tokio::net::TcpListener> {
    use anyhow::Context as _;
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .with_context(|| format!("cannot listen on {addr} (HTTP_ADDR)"))?;
    tracing::info!(addr = %listener.local_addr()?, "listening");
    Ok(listener)
}

/// Builds the runtime, runs `app`, and turns its outcome into an exit code, logging the whole
/// error chain once.
pub fn run_main(
    app: impl std::future::Future<Output = anyhow::Result<()>>,
) -> std::process::ExitCode {
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            tracing::error!(error = %e, "cannot start the async runtime");
            return std::process::ExitCode::FAILURE;
        }
    };
    match runtime.block_on(app) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!(error = %format!("{e:#}"), "exiting");
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
