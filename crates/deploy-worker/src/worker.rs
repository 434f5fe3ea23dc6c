//! The worker loop: queued jobs as they come, and a full pass at an interval.

use std::{future::Future, time::Duration};

use booking_core::ids::TenantId;
use chrono::Utc;
use storage::control::jobs::{self, FailOutcome, Job};

use crate::{
    reconcile::{Reconciler, Trigger},
    runtime::ContainerRuntime,
};

/// How long a claimed job is ours; a rollout takes seconds, a dead worker's job returns after.
const LEASE_SECS: i64 = 120;
/// How often the queue is looked at when it was empty.
const IDLE_POLL: Duration = Duration::from_millis(500);

/// Job kinds the master bot queues for this worker.
pub const RECONCILE_TENANT: &str = "reconcile_tenant";
pub const RESTART_TENANT: &str = "restart_tenant";

/// Runs jobs and periodic passes until `shutdown` resolves. A job or pass under way is
/// finished first unless the process is killed, in which case the lease returns the job.
pub async fn run<R: ContainerRuntime>(
    reconciler: Reconciler<R>,
    worker_id: String,
    interval: Duration,
    shutdown: impl Future<Output = ()> + Send,
) {
    tokio::pin!(shutdown);
    let mut ticker = tokio::time::interval(interval);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    // Jobs wait in the queue while the engine is down, rather than burn their attempts.
    let mut engine_up = false;
    loop {
        tokio::select! {
            () = &mut shutdown => return,
            _ = ticker.tick() => {
                engine_up = reconciler.runtime.ping().await.is_ok();
                metrics::gauge!("deploy_worker_engine_up").set(if engine_up { 1.0 } else { 0.0 });
                if !engine_up {
                    tracing::warn!("the container engine does not answer; retrying at the next pass");
                    continue;
                }
                if let Err(e) = reconciler.all().await {
                    tracing::warn!(error = %format!("{e:#}"), "a periodic pass failed");
                }
                metrics::counter!("deploy_worker_passes_total").increment(1);
            }
            worked = one_job(&reconciler, &worker_id), if engine_up => {
                if !worked {
                    tokio::select! {
                        () = &mut shutdown => return,
                        () = tokio::time::sleep(IDLE_POLL) => {}
                    }
                }
            }
        }
    }
}

/// Claims and runs one job; false when there was none (or the queue could not be read).
pub async fn one_job<R: ContainerRuntime>(reconciler: &Reconciler<R>, worker_id: &str) -> bool {
    let pool = reconciler.db.pool();
    let job = match jobs::claim(
        pool,
        worker_id,
        chrono::Duration::seconds(LEASE_SECS),
        Utc::now(),
    )
    .await
    {
        Ok(Some(job)) => job,
        Ok(None) => return false,
        Err(e) => {
            tracing::warn!(error = %e, "cannot read the job queue");
            return false;
        }
    };
    let result = run_job(reconciler, &job).await;
    let written = match result {
        Ok(()) => jobs::complete(pool, &job).await.map(|_| ()),
        Err(e) => {
            let error = format!("{e:#}");
            tracing::warn!(job = %job.id, kind = %job.kind, %error, "job failed");
            jobs::fail(pool, &job, &error, Utc::now())
                .await
                .map(|outcome| {
                    if outcome == FailOutcome::Dead {
                        tracing::error!(job = %job.id, %error, "job is dead after its last attempt");
                    }
                })
        }
    };
    if let Err(e) = written {
        tracing::warn!(job = %job.id, error = %e, "cannot record the job's outcome");
    }
    metrics::counter!("deploy_worker_jobs_total", "kind" => job.kind.clone()).increment(1);
    true
}

async fn run_job<R: ContainerRuntime>(reconciler: &Reconciler<R>, job: &Job) -> anyhow::Result<()> {
    let tenant: TenantId = job
        .payload
        .get("tenant_id")
        .and_then(serde_json::Value::as_i64)
        .map(TenantId)
        .ok_or_else(|| anyhow::anyhow!("job {} has no tenant_id", job.id))?;
    let trigger = match job.kind.as_str() {
        RECONCILE_TENANT => Trigger::Job,
        RESTART_TENANT => Trigger::Restart,
        other => anyhow::bail!("the deploy worker does not run `{other}` jobs"),
    };
    reconciler.tenant(tenant, trigger).await
}
