use std::{future::Future, sync::Arc};

use axum::Router;
use booking_core::clock::{SharedClock, SystemClock};
use storage::Db;
use telemetry::Readiness;
use tokio::{net::TcpListener, sync::watch};

use crate::{
    api::{
        self, ApiState,
        state::{ApiSettings, PlatformKeys},
    },
    bot_api::BotApi,
    monitor::{self, MonitorConfig},
    operator_bot::{self, OperatorBotConfig, stopped},
    upkeep,
};

/// What runs beside the API.
#[derive(Clone, Debug, Default)]
pub struct Background {
    /// The operator bot, when `OPERATOR_BOT_TOKEN` is set.
    pub operator_bot: Option<OperatorBotConfig>,
    pub monitor: MonitorConfig,
}

/// Runs the upkeep (migrations of control and every tenant, the binding of sealed values,
/// tenants' Redis users: [`upkeep::run`]), then serves until `shutdown` resolves: the API, the
/// subscription monitor and, when configured, the operator bot.
///
/// Without a data key the API still serves, but refuses to create tenants (it could not seal
/// their secrets). An operator bot whose token is rejected stops alone, with an error in the
/// log; the API and the monitor go on.
pub async fn run(
    db: Db,
    keys: PlatformKeys,
    bot_api: BotApi,
    settings: ApiSettings,
    listener: TcpListener,
    background: Background,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    match upkeep::run(&db, &keys, |_| {}).await {
        Ok(report) => tracing::info!(
            migrated = report.migration.migrated.len(),
            failed = report.migration.failed.len(),
            resealed = report.reseal.map_or(0, |r| r.resealed),
            redis_users = report.redis.map_or(0, |r| r.tenants),
            "upkeep done"
        ),
        // Keep serving (health, readiness) so the operator can see what is wrong.
        Err(e) => tracing::error!(error.cause_chain = ?e, "upkeep failed"),
    }
    let clock: SharedClock = Arc::new(SystemClock);
    let state = ApiState::with(db.clone(), keys, Arc::clone(&clock), bot_api, settings);
    let (stop_tx, stop_rx) = watch::channel(false);
    tokio::spawn(async move {
        shutdown.await;
        stop_tx.send_replace(true);
    });
    let mut tasks = vec![tokio::spawn(monitor::run(
        db.clone(),
        Arc::clone(&clock),
        background.monitor,
        stopped(stop_rx.clone()),
    ))];
    if let Some(config) = background.operator_bot {
        let (db, clock, stop) = (db.clone(), Arc::clone(&clock), stopped(stop_rx.clone()));
        tasks.push(tokio::spawn(async move {
            if let Err(e) = operator_bot::run(config, db, clock, stop).await {
                tracing::error!(error = %e, "the operator bot stopped");
            }
        }));
    }
    let served = telemetry::serve(listener, app(&db, state), stopped(stop_rx)).await;
    for task in tasks {
        if let Err(e) = task.await {
            tracing::error!(error = %e, "a background task failed");
        }
    }
    served?;
    tracing::info!("stopped");
    Ok(())
}

/// Everything on the one listener: `/api/v1/...`, `/health`, `/ready` and `/metrics`.
pub fn app(db: &Db, state: ApiState) -> Router {
    let ready_db = db.clone();
    let readiness = Readiness::new().with("postgres", move || {
        let db = ready_db.clone();
        async move { db.ping().await.map_err(|e| format!("{e:#}")) }
    });
    telemetry::ops::with_request_metrics(
        telemetry::ops_router(readiness, telemetry::tracing_init::prometheus())
            .nest(api::PREFIX, api::router(state)),
    )
}
