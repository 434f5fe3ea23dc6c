use std::future::Future;

use storage::{Db, migrate};
use telemetry::Readiness;
use tokio::net::TcpListener;

/// Migrates (control and every tenant), then serves until `shutdown` resolves.
pub async fn run(
    db: Db,
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
    let ready_db = db.clone();
    let readiness = Readiness::new().with("postgres", move || {
        let db = ready_db.clone();
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
