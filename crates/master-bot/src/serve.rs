use std::{future::Future, sync::Arc};

use axum::Router;
use booking_core::clock::SystemClock;
use storage::{Db, crypto::DataKey, migrate};
use telemetry::Readiness;
use tokio::net::TcpListener;

use crate::{
    api::{self, ApiState, RateLimit},
    bot_api::BotApi,
};

/// Migrates (control and every tenant), then serves until `shutdown` resolves.
///
/// Without a data key the API still serves, but refuses to create tenants (it could not seal
/// their secrets).
pub async fn run(
    db: Db,
    data_key: Option<DataKey>,
    bot_api: BotApi,
    rate_limit: RateLimit,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    match migrate::migrate_all(&db, |_| {}).await {
        Ok(report) => tracing::info!(
            migrated = report.migrated.len(),
            failed = report.failed.len(),
            "migrations applied"
        ),
        // Keep serving (health, readiness) so the operator can see what is wrong.
        Err(e) => tracing::error!(error.cause_chain = ?e, "migrations failed"),
    }
    let state = ApiState::new(
        db.clone(),
        data_key,
        Arc::new(SystemClock),
        rate_limit,
        bot_api,
    );
    telemetry::serve(listener, app(&db, state), shutdown).await?;
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
