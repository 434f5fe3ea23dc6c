use std::collections::HashSet;

use booking_core::ids::TenantId;
use chrono::Duration;
use storage::control::jobs::{self, FailOutcome, JobKind, JobName, NewJob};
use test_support::TestDb;

use crate::monday_morning;

/// The kinds these tests' worker runs.
const KINDS: &[JobName] = JobName::DEPLOY_WORKER;

fn reconcile(tenant: i64) -> JobKind {
    JobKind::reconcile(TenantId(tenant))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_workers_never_run_the_same_job() {
    let t = TestDb::new().await;
    let now = monday_morning();
    for n in 0..60 {
        jobs::enqueue(t.db.pool(), &NewJob::new(reconcile(n), now))
            .await
            .unwrap();
    }
    let workers: Vec<_> = (0..4)
        .map(|w| {
            let pool = t.db.pool().clone();
            tokio::spawn(async move {
                let mut mine = Vec::new();
                while let Some(job) =
                    jobs::claim(&pool, &format!("w{w}"), KINDS, Duration::seconds(30), now)
                        .await
                        .unwrap()
                {
                    mine.push(job.id);
                    assert!(jobs::complete(&pool, &job).await.unwrap());
                }
                mine
            })
        })
        .collect();
    let mut all = Vec::new();
    for w in workers {
        all.extend(w.await.unwrap());
    }
    let unique: HashSet<_> = all.iter().collect();
    assert_eq!(all.len(), 60);
    assert_eq!(unique.len(), 60);
}

#[tokio::test]
async fn a_job_whose_worker_died_is_taken_again_after_its_lease() {
    let t = TestDb::new().await;
    let now = monday_morning();
    let id = jobs::enqueue(t.db.pool(), &NewJob::new(reconcile(1), now))
        .await
        .unwrap()
        .unwrap();
    let lost = jobs::claim(
        t.db.pool(),
        "dead-worker",
        KINDS,
        Duration::seconds(30),
        now,
    )
    .await
    .unwrap()
    .unwrap();
    // While the lease runs, nobody else gets it.
    assert!(
        jobs::claim(
            t.db.pool(),
            "w2",
            KINDS,
            Duration::seconds(30),
            now + Duration::seconds(29)
        )
        .await
        .unwrap()
        .is_none()
    );
    let again = jobs::claim(
        t.db.pool(),
        "w2",
        KINDS,
        Duration::seconds(30),
        now + Duration::seconds(31),
    )
    .await
    .unwrap()
    .unwrap();
    assert_eq!((again.id, again.attempts), (id, 2));
    // The dead worker, come back to life, can no longer complete or fail it.
    assert!(!jobs::complete(t.db.pool(), &lost).await.unwrap());
    assert_eq!(
        jobs::fail(t.db.pool(), &lost, "late", now).await.unwrap(),
        FailOutcome::LeaseLost
    );
    assert!(jobs::complete(t.db.pool(), &again).await.unwrap());
    assert_eq!(
        jobs::state(t.db.pool(), id).await.unwrap().unwrap().status,
        "done"
    );
}

#[tokio::test]
async fn failures_back_off_and_end_in_the_dead_letter_state() {
    let t = TestDb::new().await;
    let mut now = monday_morning();
    let id = jobs::enqueue(t.db.pool(), &NewJob::new(reconcile(1), now).max_attempts(3))
        .await
        .unwrap()
        .unwrap();
    let lease = Duration::seconds(60);
    let mut outcomes = Vec::new();
    for _ in 0..3 {
        let job = jobs::claim(t.db.pool(), "w", KINDS, lease, now)
            .await
            .unwrap()
            .expect("due");
        let outcome = jobs::fail(t.db.pool(), &job, "engine said no", now)
            .await
            .unwrap();
        if let FailOutcome::RetryAt(at) = outcome {
            // Not before its time.
            assert!(
                jobs::claim(t.db.pool(), "w", KINDS, lease, at - Duration::seconds(1))
                    .await
                    .unwrap()
                    .is_none()
            );
            now = at;
        }
        outcomes.push(outcome);
    }
    let start = monday_morning();
    assert_eq!(
        outcomes,
        vec![
            FailOutcome::RetryAt(start + Duration::seconds(5)),
            FailOutcome::RetryAt(start + Duration::seconds(15)),
            FailOutcome::Dead
        ]
    );
    let state = jobs::state(t.db.pool(), id).await.unwrap().unwrap();
    assert_eq!((state.status.as_str(), state.attempts), ("dead", 3));
    assert_eq!(state.last_error.as_deref(), Some("engine said no"));
    assert!(
        jobs::claim(t.db.pool(), "w", KINDS, lease, now + Duration::days(1))
            .await
            .unwrap()
            .is_none()
    );

    // A job whose final attempt died with its worker is dead too, not retried forever.
    let id = jobs::enqueue(
        t.db.pool(),
        &NewJob::new(JobKind::restart(TenantId(1)), now).max_attempts(1),
    )
    .await
    .unwrap()
    .unwrap();
    jobs::claim(t.db.pool(), "doomed", KINDS, lease, now)
        .await
        .unwrap()
        .unwrap();
    assert!(
        jobs::claim(t.db.pool(), "w", KINDS, lease, now + Duration::minutes(2))
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(
        jobs::state(t.db.pool(), id).await.unwrap().unwrap().status,
        "dead"
    );
}

#[tokio::test]
async fn a_dedupe_key_admits_one_pending_job() {
    let t = TestDb::new().await;
    let now = monday_morning();
    let job = NewJob::new(reconcile(1), now);
    assert!(jobs::enqueue(t.db.pool(), &job).await.unwrap().is_some());
    assert!(jobs::enqueue(t.db.pool(), &job).await.unwrap().is_none());
    // The key is the kind and the tenant: another tenant, or another kind, is its own job.
    assert!(
        jobs::enqueue(t.db.pool(), &NewJob::new(reconcile(2), now))
            .await
            .unwrap()
            .is_some()
    );
    assert!(
        jobs::enqueue(
            t.db.pool(),
            &NewJob::new(JobKind::restart(TenantId(1)), now)
        )
        .await
        .unwrap()
        .is_some()
    );
    let claimed = jobs::claim(
        t.db.pool(),
        "w",
        &[JobName::ReconcileTenant],
        Duration::seconds(30),
        now,
    )
    .await
    .unwrap()
    .unwrap();
    assert_eq!(claimed.decode().unwrap(), reconcile(1));
    jobs::complete(t.db.pool(), &claimed).await.unwrap();
    assert!(jobs::enqueue(t.db.pool(), &job).await.unwrap().is_some());
}

#[tokio::test]
async fn a_worker_claims_only_the_kinds_it_runs() {
    let t = TestDb::new().await;
    let now = monday_morning();
    let restart = NewJob::new(JobKind::restart(TenantId(1)), now);
    let id = jobs::enqueue(t.db.pool(), &restart).await.unwrap().unwrap();
    let lease = Duration::seconds(30);
    assert!(
        jobs::claim(
            t.db.pool(),
            "reconciler",
            &[JobName::ReconcileTenant],
            lease,
            now
        )
        .await
        .unwrap()
        .is_none()
    );
    let claimed = jobs::claim(
        t.db.pool(),
        "restarter",
        &[JobName::RestartTenant],
        lease,
        now,
    )
    .await
    .unwrap()
    .unwrap();
    assert_eq!(claimed.id, id);
    assert_eq!(claimed.decode().unwrap(), JobKind::restart(TenantId(1)));
}
