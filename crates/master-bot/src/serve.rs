use std::{future::Future, sync::Arc};

use axum::Router;
use booking_core::clock::{SharedClock, SystemClock};
use storage::Db;
use telemetry::{Readiness, Shutdown};
use tokio::net::TcpListener;

use crate::{
    api::{
        self, ApiState,
        state::{ApiSettings, PlatformKeys},
    },
    bot_api::BotApi,
    calendar_feed,
    monitor::{self, MonitorConfig},
    operator_bot::{self, OperatorBotConfig},
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
/// their secrets). An operator bot whose token the Bot API rejects stops everything, and the
/// process exits non-zero naming `OPERATOR_BOT_TOKEN`, like a bad `OPERATOR_IDS` does at start:
/// a master that looks healthy while its bot is dead would hide the mistake.
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
    let tenant_bots = (keys.data_key.clone(), bot_api.clone());
    let state = ApiState::with(db.clone(), keys, Arc::clone(&clock), bot_api, settings);
    let stop = Shutdown::from_signal(shutdown);
    let monitor = tokio::spawn(monitor::run(
        db.clone(),
        Arc::clone(&clock),
        background.monitor,
        stop.wait(),
    ));
    let operator_bot = background.operator_bot.map(|config| {
        let (db, clock, stop) = (db.clone(), Arc::clone(&clock), stop.clone());
        tokio::spawn(async move {
            let polled = operator_bot::run(config, db, clock, tenant_bots, stop.clone()).await;
            // A rejected token ends the whole service; the error comes back below.
            stop.trigger();
            polled
        })
    });
    let served = telemetry::serve(listener, app(&db, state), stop.wait()).await;
    stop.trigger();
    if let Err(e) = monitor.await {
        tracing::error!(error = %e, "the subscription monitor failed");
    }
    if let Some(task) = operator_bot {
        match task.await {
            Ok(polled) => polled?,
            Err(e) => tracing::error!(error = %e, "the operator bot failed"),
        }
    }
    served?;
    tracing::info!("stopped");
    Ok(())
}

/// Everything on the one listener: `/api/v1/...`, `/ical/...`, `/health`, `/ready` and `/metrics`.
pub fn app(db: &Db, state: ApiState) -> Router {
    let ready_db = db.clone();
    let readiness = Readiness::new().with("postgres", move || {
        let db = ready_db.clone();
        async move { db.ping().await.map_err(|e| format!("{e:#}")) }
    });
    telemetry::ops::with_request_metrics(
        telemetry::ops_router(readiness, telemetry::tracing_init::prometheus())
            .nest(api::PREFIX, api::router(state.clone()))
            .merge(calendar_feed::router(state)),
    )
}
