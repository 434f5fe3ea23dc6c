//! A worker killed mid-rollout: the next pass converges, with one container and no open
//! deployment.

use std::time::Duration;

use deploy_worker::{reconcile::Trigger, runtime::RunState, worker};
use storage::control::jobs::{self, JobKind, NewJob};

use test_support::holds_within;

use crate::{
    both_engines,
    support::{Engine, LOOK_EVERY, world},
};

both_engines!(
    a_worker_killed_mid_rollout_converges_on_the_next_pass,
    a_worker_killed_while_replacing_a_bot_converges_to_the_new_one_under_its_name,
);

async fn a_worker_killed_mid_rollout_converges_on_the_next_pass<E: Engine>() {
    let w = world::<E>().await;
    let id = w.tenant(Some("123:good-token")).await;
    let job = NewJob::new(JobKind::reconcile(id), chrono::Utc::now());
    jobs::enqueue(w.t.db.pool(), &job).await.unwrap();

    // The first worker dies as soon as its container exists (before the health check ends).
    let killed = {
        let reconciler = w.another_reconciler();
        tokio::spawn(worker::run(
            reconciler,
            "doomed".to_owned(),
            Duration::from_secs(3600),
            std::future::pending(),
        ))
    };
    assert!(
        holds_within(Duration::from_secs(30), LOOK_EVERY, || async {
            !w.containers(id).await.is_empty()
        })
        .await
    );
    killed.abort();
    let _ = killed.await;
    let open = w.deployments(id).await;
    assert_eq!(open[0].status, "running", "killed before the end: {open:?}");

    // The next pass, twice: one running container, the open deployment closed.
    w.reconciler.all().await.unwrap();
    w.reconciler.tenant(id, Trigger::Job).await.unwrap();
    let found = w.containers(id).await;
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].state, RunState::Running);
    assert!(
        w.deployments(id)
            .await
            .iter()
            .all(|d| d.status != "running"),
        "{:?}",
        w.deployments(id).await
    );
    w.cleanup().await;
}

async fn a_worker_killed_while_replacing_a_bot_converges_to_the_new_one_under_its_name<
    E: Engine,
>() {
    let mut w = world::<E>().await;
    let id = w.tenant(Some("123:good-token")).await;
    w.reconciler.tenant(id, Trigger::Job).await.unwrap();
    let old = w.containers(id).await.remove(0);

    // A new configuration; the worker dies once the new container exists beside the old (on
    // Swarm: once the service has the new configuration and Swarm rolls it out).
    w.reconciler.defaults.memory_mb = 160;
    let reconciler = w.another_reconciler();
    let killed = tokio::spawn(async move { reconciler.tenant(id, Trigger::Job).await });
    let replacing = holds_within(Duration::from_secs(30), LOOK_EVERY, || async {
        let found = w.containers(id).await;
        if w.in_place() {
            found.len() == 1 && found[0].labels["config-hash"] != old.labels["config-hash"]
        } else {
            found.len() == 2
        }
    })
    .await;
    assert!(replacing);
    killed.abort();
    let _ = killed.await;

    w.reconciler.all().await.unwrap();
    let found = w.containers(id).await;
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].id == old.id, w.in_place(), "{found:?}");
    assert_ne!(found[0].labels["config-hash"], old.labels["config-hash"]);
    assert_eq!(found[0].state, RunState::Running);
    assert_eq!(found[0].name, format!("{}-tenant-{id}", w.label));
    w.cleanup().await;
}
