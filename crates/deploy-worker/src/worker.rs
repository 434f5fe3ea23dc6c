//! The worker loop: queued jobs as they come, and a full pass at an interval.

use std::{future::Future, sync::Arc, time::Duration};

use chrono::Utc;
use storage::control::jobs::{self, FailOutcome, Job, JobKind, JobName};
use tokio::task::JoinSet;

use crate::{
    reconcile::{Reconciler, Trigger},
    runtime::ContainerRuntime,
};

/// How long a claimed job is ours; a rollout takes seconds, a dead worker's job returns after.
const LEASE_SECS: i64 = 120;
/// How often the queue is looked at when it was empty.
const IDLE_POLL: Duration = Duration::from_millis(500);

/// Runs jobs and periodic passes until `shutdown` resolves, up to the reconciler's
/// `concurrency` jobs at once: a rollout spends most of its time waiting on the bot's health
/// check, so one worker brings up several tenants in the same wait (one tenant's jobs still
/// take turns, see `locks`). On shutdown, jobs under way are finished; a killed process leaves
/// them to their leases.
pub async fn run<R: ContainerRuntime>(
    reconciler: Reconciler<R>,
    worker_id: String,
    interval: Duration,
    shutdown: impl Future<Output = ()> + Send,
) {
    let concurrency = reconciler.concurrency.max(1);
    let reconciler = Arc::new(reconciler);
    let mut running: JoinSet<()> = JoinSet::new();
    tokio::pin!(shutdown);
    let mut ticker = tokio::time::interval(interval);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    // Jobs wait in the queue while the engine is down, rather than burn their attempts.
    let mut engine_up = false;
    loop {
        while let Some(done) = running.try_join_next() {
            log_task(done);
        }
        // Claiming is never raced against anything: a claim dropped after its UPDATE committed
        // would hold the job under our lease, unrun, until the lease lapsed (120 s).
        if engine_up
            && running.len() < concurrency
            && let Some(job) = claim(&reconciler, &worker_id).await
        {
            let reconciler = Arc::clone(&reconciler);
            running.spawn(async move { execute(&reconciler, job).await });
            continue;
        }
        // Nothing to claim now, all slots busy, or the engine down: wait for what comes first.
        tokio::select! {
            () = &mut shutdown => break,
            Some(done) = running.join_next(), if !running.is_empty() => log_task(done),
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
            () = tokio::time::sleep(IDLE_POLL), if engine_up && running.len() < concurrency => {}
        }
    }
    while let Some(done) = running.join_next().await {
        log_task(done);
    }
}

/// A job's task ended; only a panic is news (its outcome is already recorded).
fn log_task(done: Result<(), tokio::task::JoinError>) {
    if let Err(e) = done {
        tracing::error!(error = %e, "a job's task failed");
    }
}

/// Claims and runs one job; false when there was none (or the queue could not be read).
pub async fn one_job<R: ContainerRuntime>(reconciler: &Reconciler<R>, worker_id: &str) -> bool {
    match claim(reconciler, worker_id).await {
        Some(job) => {
            execute(reconciler, job).await;
            true
        }
        None => false,
    }
}

/// The next due job of this worker's kinds, leased to `worker_id`.
async fn claim<R: ContainerRuntime>(reconciler: &Reconciler<R>, worker_id: &str) -> Option<Job> {
    match jobs::claim(
        reconciler.db.pool(),
        worker_id,
        JobName::DEPLOY_WORKER,
        chrono::Duration::seconds(LEASE_SECS),
        Utc::now(),
    )
    .await
    {
        Ok(job) => job,
        Err(e) => {
            tracing::warn!(error = %e, "cannot read the job queue");
            None
        }
    }
}

/// Runs a claimed job and records its outcome.
async fn execute<R: ContainerRuntime>(reconciler: &Reconciler<R>, job: Job) {
    let pool = reconciler.db.pool();
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
}

/// Decodes the job's typed kind and runs it; a job this build cannot read fails (and, after
/// its attempts, is dead for an operator to see) rather than being guessed at.
async fn run_job<R: ContainerRuntime>(reconciler: &Reconciler<R>, job: &Job) -> anyhow::Result<()> {
    let (tenant, trigger) = match job.decode()? {
        JobKind::ReconcileTenant { tenant_id } => (tenant_id, Trigger::Job),
        JobKind::RestartTenant { tenant_id } => (tenant_id, Trigger::Restart),
    };
    reconciler.tenant(tenant, trigger).await
}
