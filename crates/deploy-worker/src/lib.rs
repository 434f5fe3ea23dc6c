//! Runs tenant bots as containers: reconciles desired state with a Docker-API engine.

/// Configuration from the environment.
pub mod config;

use std::future::Future;

use anyhow::Context as _;
use storage::{Db, db::PoolSize};
use telemetry::Readiness;
use tokio::net::TcpListener;

pub use config::Config;

/// Runs the service until `shutdown` resolves.
pub async fn run(
    config: Config,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let db = Db::connect_lazy(&config.database_url, PoolSize(5))
        .context("DATABASE_URL is not a valid PostgreSQL URL")?;
    let readiness = Readiness::new().with("postgres", move || {
        let db = db.clone();
        async move { db.ping().await.map_err(|e| format!("{e:#}")) }
    });
    let router = telemetry::ops::with_request_metrics(telemetry::ops_router(
        readiness,
        telemetry::tracing_init::prometheus(),
    ));
    telemetry::serve(listener, router, shutdown).await?;
    tracing::info!("stopped");
    Ok(())
}
