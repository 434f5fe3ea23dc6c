//! Create, start, health, stop, remove, and drift corrected by the periodic pass.

use deploy_worker::{reconcile::Trigger, runtime::RunState, worker};
use storage::control::{
    jobs::{self, JobKind, NewJob},
    tenants::{self, DesiredState},
};

use crate::{
    both_engines,
    support::{Engine, world},
};

both_engines!(
    a_queued_job_creates_starts_and_health_checks_the_bot_then_stop_and_remove,
    drift_is_corrected_a_removed_bot_is_recreated_a_stopped_one_started,
    a_queued_restart_restarts_the_same_container_and_engine_calls_are_idempotent,
);

async fn a_queued_job_creates_starts_and_health_checks_the_bot_then_stop_and_remove<E: Engine>() {
    let w = world::<E>().await;
    let id = w.tenant(Some("123:good-token")).await;
    let job = NewJob::new(JobKind::reconcile(id), chrono::Utc::now());
    let job_id = jobs::enqueue(w.t.db.pool(), &job).await.unwrap().unwrap();
    assert!(worker::one_job(&w.reconciler, "it").await);
    assert_eq!(
        jobs::state(w.t.db.pool(), job_id)
            .await
            .unwrap()
            .unwrap()
            .status,
        "done"
    );

    let found = w.containers(id).await;
    assert_eq!(found.len(), 1, "{found:?} {:?}", w.deployments(id).await);
    let c = &found[0];
    assert_eq!(c.state, RunState::Running);
    assert_eq!(c.name, format!("{}-tenant-{id}", w.label));
    assert_eq!(c.labels["config-hash"].len(), 64);
    let deployed = w.deployments(id).await;
    assert_eq!(deployed.len(), 1);
    assert_eq!(deployed[0].action, "deploy");
    assert_eq!(deployed[0].status, "succeeded", "{deployed:?}");
    assert_eq!(deployed[0].container_id.as_deref(), Some(c.id.0.as_str()));
    let messages: Vec<_> = deployed[0].events.iter().map(|e| &e.message).collect();
    assert!(
        messages.iter().any(|m| m.contains("is healthy")),
        "{messages:?}"
    );

    // Nothing to do: a pass writes no deployment.
    w.reconciler.all().await.unwrap();
    assert_eq!(w.deployments(id).await.len(), 1);

    // Stop on suspension.
    tenants::set_desired_state(w.t.db.pool(), id, DesiredState::Stopped)
        .await
        .unwrap();
    w.reconciler.tenant(id, Trigger::Job).await.unwrap();
    let found = w.containers(id).await;
    assert_eq!(found.len(), 1);
    assert_ne!(found[0].state, RunState::Running);
    let latest = &w.deployments(id).await[0];
    assert_eq!(
        (latest.action.as_str(), latest.status.as_str()),
        ("stop", "succeeded")
    );

    // Remove on deletion: the container is now an orphan of a tenant that is gone.
    tenants::delete(w.t.db.pool(), id).await.unwrap();
    w.reconciler.all().await.unwrap();
    assert!(w.containers(id).await.is_empty());
    w.cleanup().await;
}

async fn drift_is_corrected_a_removed_bot_is_recreated_a_stopped_one_started<E: Engine>() {
    let w = world::<E>().await;
    let id = w.tenant(Some("123:good-token")).await;
    w.reconciler.tenant(id, Trigger::Job).await.unwrap();
    let first = w.containers(id).await.remove(0);

    // Removed by hand.
    w.reconciler.runtime.remove(&first.id).await.unwrap();
    w.reconciler.all().await.unwrap();
    let found = w.containers(id).await;
    assert_eq!(found.len(), 1);
    assert_ne!(found[0].id, first.id);
    assert_eq!(
        found[0].state,
        RunState::Running,
        "{:?}",
        w.deployments(id).await
    );

    // Stopped by hand.
    w.reconciler.runtime.stop(&found[0].id).await.unwrap();
    w.reconciler.all().await.unwrap();
    let again = w.containers(id).await;
    assert_eq!(again.len(), 1);
    assert_eq!(again[0].id, found[0].id);
    assert_eq!(
        again[0].state,
        RunState::Running,
        "{:?}",
        w.deployments(id).await
    );
    w.cleanup().await;
}

async fn a_queued_restart_restarts_the_same_container_and_engine_calls_are_idempotent<E: Engine>() {
    let w = world::<E>().await;
    let id = w.tenant(Some("123:good-token")).await;
    w.reconciler.tenant(id, Trigger::Job).await.unwrap();
    let before = w.containers(id).await.remove(0);

    let job = NewJob::new(JobKind::restart(id), chrono::Utc::now());
    jobs::enqueue(w.t.db.pool(), &job).await.unwrap().unwrap();
    assert!(worker::one_job(&w.reconciler, "it").await);
    let after = w.containers(id).await;
    assert_eq!(after.len(), 1);
    assert_eq!(after[0].id, before.id);
    assert_eq!(
        after[0].state,
        RunState::Running,
        "{after:?} {:?}",
        w.deployments(id).await
    );
    let latest = &w.deployments(id).await[0];
    assert_eq!(
        (latest.action.as_str(), latest.status.as_str()),
        ("restart", "succeeded"),
        "{latest:?}"
    );

    // A create that finds its container (a worker killed after creating) returns it; removing
    // or stopping what is gone succeeds.
    let runtime = &w.reconciler.runtime;
    let inspected = runtime.inspect(&before.id).await.unwrap().unwrap();
    let spec = deploy_worker::runtime::ContainerSpec {
        name: inspected.name.clone(),
        image: format!("{}:{}", crate::support::IMAGE, crate::support::GOOD),
        command: vec![],
        env: vec![],
        secrets: vec![],
        labels: inspected.labels.clone(),
        network: "host".to_owned(),
        restart_retries: 1,
        memory_bytes: None,
        nano_cpus: None,
        pids_limit: None,
        read_only: false,
    };
    assert_eq!(runtime.create(&spec).await.unwrap(), before.id);
    runtime.remove(&before.id).await.unwrap();
    runtime.remove(&before.id).await.unwrap();
    runtime.stop(&before.id).await.unwrap();
    assert!(runtime.inspect(&before.id).await.unwrap().is_none());
    w.cleanup().await;
}
