//! The platform job queue in `control.jobs`.
//!
//! Written here rather than taken from a crate: the maintained PostgreSQL queues either pin
//! another sqlx version or bring a whole worker framework, and this one is a table and a few
//! statements. Semantics:
//!
//! * a worker **claims** one due job with `FOR UPDATE SKIP LOCKED`, so two workers never get the
//!   same job, and holds it under a **lease** (`locked_until`);
//! * a worker that dies leaves the lease to expire; the job is then claimed again;
//! * a **failure** puts the job back with exponential backoff, until `max_attempts`, after which
//!   it is **dead** (kept with its last error for an operator to see);
//! * completing or failing checks the lease is still ours, so a worker that lost its lease
//!   cannot overwrite the work of the one that took the job over.

use booking_core::ids::JobId;
use chrono::{DateTime, Duration, Utc};
use serde::Serialize;
use sqlx::{PgPool, Row, postgres::PgRow};

pub use super::job_kind::{BadJob, JobKind, JobName};
use crate::error::StorageError;

/// A job to add to the queue. Its stored kind, payload and dedupe key come from its
/// [`JobKind`]: while a job with the same kind for the same tenant is queued or running,
/// another one is not added.
#[derive(Clone, Debug)]
pub struct NewJob {
    kind: JobKind,
    run_at: DateTime<Utc>,
    max_attempts: i32,
}

impl NewJob {
    /// The job, due `now`, with five attempts.
    #[must_use]
    pub const fn new(kind: JobKind, now: DateTime<Utc>) -> Self {
        Self {
            kind,
            run_at: now,
            max_attempts: 5,
        }
    }

    #[must_use]
    pub const fn max_attempts(mut self, n: i32) -> Self {
        self.max_attempts = n;
        self
    }

    #[must_use]
    pub const fn kind(&self) -> JobKind {
        self.kind
    }
}

/// A claimed job.
#[derive(Clone, Debug, Serialize)]
pub struct Job {
    pub id: JobId,
    pub kind: String,
    pub payload: serde_json::Value,
    /// Attempts so far, this one included.
    pub attempts: i32,
    pub max_attempts: i32,
    pub locked_by: String,
}

impl Job {
    /// What the job is, read back from its stored kind and payload.
    pub fn decode(&self) -> Result<JobKind, BadJob> {
        JobKind::decode(&self.kind, &self.payload)
    }
}

/// What became of a failed job.
#[derive(Copy, Clone, Eq, PartialEq, Debug)]
pub enum FailOutcome {
    RetryAt(DateTime<Utc>),
    Dead,
    /// The lease was no longer ours; nothing was written.
    LeaseLost,
}

/// A job's state as seen by operators and tests.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct JobState {
    pub status: String,
    pub attempts: i32,
    pub run_at: DateTime<Utc>,
    pub last_error: Option<String>,
}

/// Waiting time before attempt `attempt + 1`: 5 s, 10 s, 20 s, ... capped at one hour.
#[must_use]
pub fn backoff(attempt: i32) -> Duration {
    let exp = u32::try_from(attempt.clamp(1, 20) - 1).unwrap_or(0);
    Duration::seconds((5_i64 << exp).min(3600))
}

/// Adds a job; `None` when an equal-keyed job is already queued or running.
pub async fn enqueue(pool: &PgPool, job: &NewJob) -> Result<Option<JobId>, StorageError> {
    let (kind, payload) = job
        .kind
        .encode()
        .map_err(|e| StorageError::Corrupt(e.to_string()))?;
    let id: Option<i64> = sqlx::query_scalar(
        "insert into control.jobs (kind, payload, run_at, max_attempts, dedupe_key) \
         values ($1, $2, $3, $4, $5) \
         on conflict (dedupe_key) where status in ('queued', 'running') do nothing \
         returning job_id",
    )
    .bind(kind)
    .bind(payload)
    .bind(job.run_at)
    .bind(job.max_attempts)
    .bind(job.kind.dedupe_key())
    .fetch_optional(pool)
    .await?;
    Ok(id.map(JobId))
}

/// Claims the oldest due job of one of `kinds` (or one whose lease expired) for `worker`, for
/// `lease`. Each service names the kinds it runs, so one queue serves several services.
pub async fn claim(
    pool: &PgPool,
    worker: &str,
    kinds: &[JobName],
    lease: Duration,
    now: DateTime<Utc>,
) -> Result<Option<Job>, StorageError> {
    // A job whose last allowed attempt died with its worker is dead, not retried forever.
    sqlx::query(
        "update control.jobs set status = 'dead', locked_by = null, locked_until = null, \
             last_error = coalesce(last_error || '; ', '') || 'lease expired on the final attempt' \
         where status = 'running' and locked_until <= $1 and attempts >= max_attempts",
    )
    .bind(now)
    .execute(pool)
    .await?;
    let row = sqlx::query(
        "update control.jobs set status = 'running', attempts = attempts + 1, \
             locked_by = $1, locked_until = $2 \
         where job_id = ( \
             select job_id from control.jobs \
             where kind = any($4) \
               and ((status = 'queued' and run_at <= $3) \
                 or (status = 'running' and locked_until <= $3 and attempts < max_attempts)) \
             order by run_at, job_id \
             for update skip locked \
             limit 1) \
         returning job_id, kind, payload, attempts, max_attempts, locked_by",
    )
    .bind(worker)
    .bind(now + lease)
    .bind(now)
    .bind(kinds.iter().map(|k| k.as_str()).collect::<Vec<_>>())
    .fetch_optional(pool)
    .await?;
    row.as_ref().map(job_from_row).transpose()
}

fn job_from_row(row: &PgRow) -> Result<Job, StorageError> {
    Ok(Job {
        id: JobId(row.try_get("job_id")?),
        kind: row.try_get("kind")?,
        payload: row.try_get("payload")?,
        attempts: row.try_get("attempts")?,
        max_attempts: row.try_get("max_attempts")?,
        locked_by: row
            .try_get::<Option<String>, _>("locked_by")?
            .unwrap_or_default(),
    })
}

/// Marks a job done. `false` when the lease had passed to another worker.
pub async fn complete(pool: &PgPool, job: &Job) -> Result<bool, StorageError> {
    let done = sqlx::query(
        "update control.jobs set status = 'done', locked_by = null, locked_until = null \
         where job_id = $1 and status = 'running' and locked_by = $2 and attempts = $3",
    )
    .bind(job.id.get())
    .bind(&job.locked_by)
    .bind(job.attempts)
    .execute(pool)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Records a failed attempt: retry later with backoff, or dead after the last attempt.
pub async fn fail(
    pool: &PgPool,
    job: &Job,
    error: &str,
    now: DateTime<Utc>,
) -> Result<FailOutcome, StorageError> {
    let dead = job.attempts >= job.max_attempts;
    let retry_at = now + backoff(job.attempts);
    let done = sqlx::query(
        "update control.jobs set status = $4, run_at = $5, last_error = $6, \
             locked_by = null, locked_until = null \
         where job_id = $1 and status = 'running' and locked_by = $2 and attempts = $3",
    )
    .bind(job.id.get())
    .bind(&job.locked_by)
    .bind(job.attempts)
    .bind(if dead { "dead" } else { "queued" })
    .bind(retry_at)
    .bind(error)
    .execute(pool)
    .await?;
    Ok(match (done.rows_affected(), dead) {
        (0, _) => FailOutcome::LeaseLost,
        (_, true) => FailOutcome::Dead,
        (_, false) => FailOutcome::RetryAt(retry_at),
    })
}

/// Extends a running job's lease, for long work. `false` when the lease is no longer ours.
pub async fn heartbeat(
    pool: &PgPool,
    job: &Job,
    lease: Duration,
    now: DateTime<Utc>,
) -> Result<bool, StorageError> {
    let done = sqlx::query(
        "update control.jobs set locked_until = $4 \
         where job_id = $1 and status = 'running' and locked_by = $2 and attempts = $3",
    )
    .bind(job.id.get())
    .bind(&job.locked_by)
    .bind(job.attempts)
    .bind(now + lease)
    .execute(pool)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn state(pool: &PgPool, id: JobId) -> Result<Option<JobState>, StorageError> {
    let row = sqlx::query(
        "select status, attempts, run_at, last_error from control.jobs where job_id = $1",
    )
    .bind(id.get())
    .fetch_optional(pool)
    .await?;
    row.map(|r| {
        Ok(JobState {
            status: r.try_get("status")?,
            attempts: r.try_get("attempts")?,
            run_at: r.try_get("run_at")?,
            last_error: r.try_get("last_error")?,
        })
    })
    .transpose()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_is_capped_at_an_hour() {
        assert_eq!(backoff(1), Duration::seconds(5));
        assert_eq!(backoff(2), Duration::seconds(10));
        assert_eq!(backoff(4), Duration::seconds(40));
        assert_eq!(backoff(30), Duration::seconds(3600));
    }
}
