//! One worker brings several tenants up in the same health-check wait, while one tenant's
//! jobs still take turns.

use std::time::Duration;

use deploy_worker::{runtime::RunState, worker};
use storage::control::{
    deployments::Deployment,
    jobs::{self, JobKind, NewJob},
};

use test_support::holds_within;

use crate::support::{LOOK_EVERY, world};

/// The worker's scheduling, not the engine's: on the Docker engine only.
type E = deploy_worker::runtime::docker::DockerRuntime;

fn overlap(a: &Deployment, b: &Deployment) -> bool {
    let (Some(a_end), Some(b_end)) = (a.finished_at, b.finished_at) else {
        panic!("unfinished: {a:?} {b:?}");
    };
    a.started_at < b_end && b.started_at < a_end
}

#[tokio::test]
async fn different_tenants_deploy_at_once_and_one_tenants_jobs_take_turns() {
    let w = world::<E>().await;
    let a = w.tenant(Some("123:good-token-a")).await;
    let b = w.tenant(Some("124:good-token-b")).await;
    let pool = w.t.db.pool();
    let mut queued = Vec::new();
    for kind in [
        JobKind::reconcile(a),
        JobKind::reconcile(b),
        JobKind::restart(a),
    ] {
        let job = NewJob::new(kind, chrono::Utc::now());
        queued.push(jobs::enqueue(pool, &job).await.unwrap().unwrap());
    }

    let reconciler = w.another_reconciler().with_concurrency(4);
    let stop = telemetry::Shutdown::new();
    let running = tokio::spawn(worker::run(
        reconciler,
        "it-concurrent".to_owned(),
        Duration::from_secs(3600),
        stop.wait(),
    ));
    let all_done = holds_within(Duration::from_secs(120), LOOK_EVERY, || async {
        let mut done = true;
        for id in &queued {
            done &= jobs::state(pool, *id).await.unwrap().unwrap().status == "done";
        }
        done
    })
    .await;
    stop.trigger();
    running.await.unwrap();
    assert!(all_done, "jobs not done");
    // Each ran on its first claim: no claim was lost to wait out its lease.
    for id in &queued {
        let state = jobs::state(pool, *id).await.unwrap().unwrap();
        assert_eq!(state.attempts, 1, "{state:?}");
    }

    // Both tenants were brought up within each other's health-check wait.
    let first_a = w.deployments(a).await.pop().unwrap();
    let first_b = w.deployments(b).await.pop().unwrap();
    assert_eq!(first_b.status, "succeeded", "{first_b:?}");
    assert!(overlap(&first_a, &first_b), "{first_a:?} {first_b:?}");

    // Tenant a's deploy and restart never ran at once, and left one running bot.
    let of_a = w.deployments(a).await;
    assert!(!of_a.is_empty());
    for (i, x) in of_a.iter().enumerate() {
        assert_eq!(x.status, "succeeded", "{x:?}");
        for y in &of_a[i + 1..] {
            assert!(!overlap(x, y), "{x:?} {y:?}");
        }
    }
    for tenant in [a, b] {
        let found = w.containers(tenant).await;
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].state, RunState::Running);
    }
    w.cleanup().await;
}
