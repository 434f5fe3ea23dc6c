//! Runs tenant bots as containers: reconciles desired state with a Docker-API engine, or with
//! a Docker Swarm (`DEPLOY_RUNTIME`).

/// Configuration from the environment.
pub mod config;
/// The `healthcheck` binary: `/health` of the service in this container, std only.
pub mod healthcheck;
/// The control API of a shared bot host, as the worker calls it.
pub mod host_api;
/// A tenant image from local binaries, for engines that reach no registry.
pub mod image;
/// One reconciliation at a time per tenant.
pub mod locks;
/// Desired state against the engine's containers.
pub mod reconcile;
/// The container engine behind a trait, and its Docker-API and Swarm implementations.
pub mod runtime;
/// A tenant's container spec and its hash.
pub mod spec;
/// Jobs and periodic passes.
pub mod worker;

use std::{future::Future, time::Duration};

use anyhow::Context as _;
use secrecy::ExposeSecret as _;
use storage::{Db, crypto::DataKey, db::PoolSize};
use telemetry::{Readiness, Shutdown};
use tokio::{net::TcpListener, task::JoinHandle};

pub use config::Config;

use crate::{
    config::RuntimeKind,
    reconcile::Reconciler,
    runtime::{ContainerRuntime, docker::DockerRuntime, swarm::SwarmRuntime},
};

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
    let stop = Shutdown::from_signal(shutdown);
    let started = match config.runtime {
        RuntimeKind::Docker => DockerRuntime::connect(&config.docker_host)
            .map(|runtime| spawn_worker(runtime, &config, db, key, stop.wait())),
        RuntimeKind::Swarm => SwarmRuntime::connect(&config.docker_host, config.swarm_options())
            .map(|runtime| spawn_worker(runtime, &config, db, key, stop.wait())),
    };
    let worker = match started {
        Ok(worker) => Some(worker),
        Err(e) => {
            tracing::error!(error = %e, "DOCKER_HOST is unusable; no tenant bot will be deployed");
            None
        }
    };
    let served = telemetry::serve(listener, router, stop.wait()).await;
    // The worker stops with the server, also when the server failed.
    stop.trigger();
    if let Some(worker) = worker {
        let _ = worker.await;
    }
    served?;
    tracing::info!("stopped");
    Ok(())
}

/// The worker loop on `runtime`, until `stop` resolves.
fn spawn_worker<R: ContainerRuntime>(
    runtime: R,
    config: &Config,
    db: Db,
    key: Option<DataKey>,
    stop: impl Future<Output = ()> + Send + 'static,
) -> JoinHandle<()> {
    let reconciler = Reconciler::new(runtime, db, key, config.tenants.clone())
        .with_concurrency(config.deploy_concurrency)
        .with_hosts(config.hosts.clone());
    let worker_id = format!("deploy-worker-{}", std::process::id());
    let interval = Duration::from_secs(config.reconcile_interval_secs.max(1));
    tokio::spawn(worker::run(reconciler, worker_id, interval, stop))
}
