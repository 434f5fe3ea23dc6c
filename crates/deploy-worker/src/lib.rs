//! Runs tenant bots as containers: reconciles desired state with a Docker-API engine.

/// Configuration from the environment.
pub mod config;
/// The `healthcheck` binary: `/health` of the service in this container, std only.
pub mod healthcheck;
/// A tenant image from local binaries, for engines that reach no registry.
pub mod image;
/// One reconciliation at a time per tenant.
pub mod locks;
/// Desired state against the engine's containers.
pub mod reconcile;
/// The container engine behind a trait, and its Docker-API implementation.
pub mod runtime;
/// A tenant's container spec and its hash.
pub mod spec;
/// Jobs and periodic passes.
pub mod worker;

use std::{future::Future, time::Duration};

use anyhow::Context as _;
use secrecy::ExposeSecret as _;
use storage::{Db, crypto::DataKey, db::PoolSize};
use telemetry::Readiness;
use tokio::{net::TcpListener, sync::watch};

pub use config::Config;

use crate::{reconcile::Reconciler, runtime::docker::DockerRuntime};

/// Runs the service until `shutdown` resolves.
pub async fn run(
    config: Config,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let db = Db::connect_lazy(&config.database_url, PoolSize(5))
        .context("DATABASE_URL is not a valid PostgreSQL URL")?;
    let key = config
        .data_key
        .as_ref()
        .map(DataKey::parse)
        .transpose()
        .map_err(|_| anyhow::anyhow!("DATA_KEY is not a base64 32-byte key"))?;
    if key.is_none() {
        tracing::warn!("DATA_KEY is not set: tenant bots cannot be deployed");
    }
    if config.tenants.redis_acl {
        // Every bot's URL is this one with its own user: refuse one that cannot take it now,
        // rather than deploy bots Redis will refuse.
        let probe = storage::redis_acl::RedisUser::tenant(&db, booking_core::ids::TenantId(1));
        storage::redis_acl::url_with_user(
            config.tenants.redis_url.expose_secret(),
            &probe,
            &secrecy::SecretString::from("probe"),
        )
        .context("TENANT_REDIS_URL cannot take a tenant's Redis user (REDIS_ACL=on)")?;
    }
    // Readiness depends on PostgreSQL only: an engine that is down is reported in the
    // metrics (`deploy_worker_engine_up`) and the logs, and retried at each pass.
    let readiness = Readiness::new().with("postgres", {
        let db = db.clone();
        move || {
            let db = db.clone();
            async move { db.ping().await.map_err(|e| format!("{e:#}")) }
        }
    });
    let router = telemetry::ops::with_request_metrics(telemetry::ops_router(
        readiness,
        telemetry::tracing_init::prometheus(),
    ));
    let (stop_tx, stop_rx) = watch::channel(false);
    let worker = match DockerRuntime::connect(&config.docker_host) {
        Ok(runtime) => {
            let reconciler = Reconciler::new(runtime, db, key, config.tenants.clone())
                .with_concurrency(config.deploy_concurrency);
            let worker_id = format!("deploy-worker-{}", std::process::id());
            let interval = Duration::from_secs(config.reconcile_interval_secs.max(1));
            let mut rx = stop_rx;
            Some(tokio::spawn(worker::run(
                reconciler,
                worker_id,
                interval,
                async move {
                    let _ = rx.wait_for(|stop| *stop).await;
                },
            )))
        }
        Err(e) => {
            tracing::error!(error = %e, "DOCKER_HOST is unusable; no tenant bot will be deployed");
            None
        }
    };
    telemetry::serve(listener, router, shutdown).await?;
    let _ = stop_tx.send(true);
    if let Some(worker) = worker {
        let _ = worker.await;
    }
    tracing::info!("stopped");
    Ok(())
}
