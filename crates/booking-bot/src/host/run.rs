//! `booking-bot host`: one process serving many tenants. It starts with none; the deploy
//! worker assigns them through the control API. Its database pool and its LISTEN connection
//! are shared by every tenant, so an idle tenant costs a few small tasks and no database
//! traffic at all (its outbox is woken by the database's notifications).

use std::{future::Future, sync::Arc, time::Duration};

use anyhow::Context as _;
use booking_core::clock::SharedClock;
use bot_kit::Timing;
use secrecy::ExposeSecret as _;
use storage::{Db, db::PoolSize, kv::Kv};
use telemetry::Shutdown;
use tokio::net::TcpListener;

use super::{
    config::HostConfig,
    control,
    registry::{Host, Shared},
    webhook::Webhooks,
};
use crate::refunds::api::RefundsApi;
use crate::runtime::{
    listen::{self, Served},
    process,
};

/// How long one getUpdates waits on the server: the longest Telegram allows, so a host of a
/// thousand idle tenants makes twenty requests a second, not a hundred.
const POLL_TIMEOUT: Duration = Duration::from_secs(50);

/// Runs the host until `shutdown` resolves.
pub async fn run(
    config: HostConfig,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let clock = process::clock(config.clock_offset_secs);
    run_with(config, listener, shutdown, clock).await
}

/// [`run`] with the clock every rule reads "now" from.
pub async fn run_with(
    config: HostConfig,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
    clock: SharedClock,
) -> anyhow::Result<()> {
    let db = Db::connect_as_host(&config.database_url, PoolSize(config.pool_size))
        .context("DATABASE_URL is not a valid PostgreSQL URL")?;
    let kv =
        Kv::new(config.redis_url.expose_secret()).context("REDIS_URL is not a valid Redis URL")?;
    let api_url: reqwest::Url = config
        .telegram_api_url
        .parse()
        .context("TELEGRAM_API_URL is not a valid URL")?;
    let timing = Timing {
        poll_timeout: POLL_TIMEOUT,
        ..Timing::default()
    };
    // One connection pool for every tenant's bot; its timeout outlasts a long poll.
    let client = teloxide::net::default_reqwest_settings()
        .timeout(POLL_TIMEOUT + Duration::from_secs(10))
        .build()
        .context("building the HTTP client")?;
    let stop = Shutdown::from_signal(shutdown);
    let webhooks = Webhooks::new(config.webhook_url.clone());
    let served = Served::default();
    let listening = tokio::spawn(listen::run(db.clone(), served.clone(), stop.wait()));
    let host = Arc::new(Host::new(
        Shared {
            db: db.clone(),
            kv: kv.clone(),
            client,
            api_url,
            clock,
            timing,
            webhooks: webhooks.clone(),
            refunds_api: RefundsApi::new(&config.yookassa_api_url),
        },
        served,
        stop.child(),
    ));

    let readiness = process::readiness(&db, &kv);
    let router = telemetry::ops::with_request_metrics(
        telemetry::ops_router(readiness, telemetry::tracing_init::prometheus())
            .merge(control::router(
                Arc::clone(&host),
                config.host_secret.clone(),
            ))
            .merge(webhooks.router()),
    );
    tracing::info!(host = %config.host_name, "bot host ready for tenants");
    let served = telemetry::serve(listener, router, stop.wait()).await;
    stop.trigger();
    host.stop_all().await;
    if let Err(e) = listening.await {
        tracing::error!(error = %e, "the listener failed");
    }
    served?;
    tracing::info!(host = %config.host_name, "stopped");
    Ok(())
}
