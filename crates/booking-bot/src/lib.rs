//! A tenant's booking bot.

/// Configuration from the environment.
pub mod config;

use std::future::Future;

use anyhow::Context as _;
use booking_core::tenant::TenantSchema;
use storage::{Db, db::PoolSize, kv::Kv};
use telemetry::Readiness;
use tokio::net::TcpListener;

pub use config::Config;

/// Runs the bot until `shutdown` resolves.
pub async fn run(
    config: Config,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let schema = TenantSchema::for_tenant(config.tenant_id);
    // Connections are born scoped to the tenant's schema and log in as its own role.
    let db = Db::connect_as_tenant(&config.database_url, &schema, PoolSize(5))
        .context("DATABASE_URL is not a valid PostgreSQL URL")?;
    let kv = Kv::new(&config.redis_url).context("REDIS_URL is not a valid Redis URL")?;
    let readiness = Readiness::new()
        .with("postgres", move || {
            let db = db.clone();
            async move { db.ping().await.map_err(|e| format!("{e:#}")) }
        })
        .with("redis", move || {
            let kv = kv.clone();
            async move { kv.ping().await.map_err(|e| format!("{e:#}")) }
        });
    let router = telemetry::ops::with_request_metrics(telemetry::ops_router(
        readiness,
        telemetry::tracing_init::prometheus(),
    ));
    telemetry::serve(listener, router, shutdown).await?;
    tracing::info!(tenant = %config.tenant_id, "stopped");
    Ok(())
}
