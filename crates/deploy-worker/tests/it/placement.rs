//! Placement with real bots (the first test on podman and on Swarm, the rest on podman): shared tenants land on one bot host container and are
//! served there (a real bot answers /start through tg-sandbox); a tenant switched to dedicated
//! moves into its own container and an empty host is stopped; a full host makes another.

use deploy_worker::reconcile::Trigger;
use storage::{
    control::{bot_hosts, placement::Placement},
    host,
};

use crate::{
    both_engines,
    placement_support::{
        Podman, answers, host_containers, hosts, running_host_containers, served, set_placement,
        tenant_with_bot, world_on,
    },
    support::Engine,
};

both_engines!(shared_tenants_share_one_host_and_each_is_served_there);

async fn shared_tenants_share_one_host_and_each_is_served_there<E: Engine>() {
    let sandbox = tg_sandbox::spawn(tg_sandbox::Config::default())
        .await
        .unwrap();
    let w = world_on::<E>(&sandbox).await;
    let (a, bot_a) = tenant_with_bot(&w, &sandbox, Placement::Shared).await;
    let (b, bot_b) = tenant_with_bot(&w, &sandbox, Placement::Shared).await;

    w.reconciler.tenant(a, Trigger::Job).await.unwrap();
    let placed = hosts(&w).await;
    assert_eq!(placed.len(), 1);
    let host = &placed[0];
    assert_eq!(host.name.as_str(), "shared1");
    assert_eq!(running_host_containers(&w).await, 1);
    assert!(w.containers(a).await.is_empty(), "no dedicated container");
    assert_eq!(served(&w, host).await, [a]);
    let d = &w.deployments(a).await[0];
    assert_eq!(
        (d.action.as_str(), d.status.as_str()),
        ("place", "succeeded"),
        "{d:?}"
    );
    assert!(
        answers(&sandbox, &bot_a, 30).await,
        "tenant A is not served"
    );

    // The second joins the same host: one container, both tenants, both answer.
    w.reconciler.tenant(b, Trigger::Job).await.unwrap();
    assert_eq!(hosts(&w).await.len(), 1);
    assert_eq!(host_containers(&w).await.len(), 1);
    assert_eq!(served(&w, host).await, [a, b]);
    assert_eq!(host::granted(&w.t.db, &host.name).await.unwrap(), [a, b]);
    assert!(
        answers(&sandbox, &bot_b, 30).await,
        "tenant B is not served"
    );

    // A pass with nothing to change changes nothing.
    w.reconciler.all().await.unwrap();
    assert_eq!(w.deployments(a).await.len(), 1);
    assert_eq!(served(&w, host).await, [a, b]);
    w.cleanup().await;
}

#[tokio::test]
async fn a_tenant_switched_to_dedicated_moves_into_its_own_container_and_an_idle_host_stops() {
    let sandbox = tg_sandbox::spawn(tg_sandbox::Config::default())
        .await
        .unwrap();
    let mut w = world_on::<Podman>(&sandbox).await;
    w.reconciler.hosts.host_idle_secs = 0;
    let (a, bot) = tenant_with_bot(&w, &sandbox, Placement::Shared).await;
    w.reconciler.tenant(a, Trigger::Job).await.unwrap();
    let host = hosts(&w).await.remove(0);
    assert_eq!(served(&w, &host).await, [a]);

    set_placement(&w, a, Placement::Dedicated).await;
    w.reconciler.tenant(a, Trigger::Job).await.unwrap();
    // Off the host (not served, not granted, not assigned), into a container of its own.
    assert!(served(&w, &host).await.is_empty());
    assert!(host::holders(&w.t.db, a).await.unwrap().is_empty());
    assert!(
        bot_hosts::tenants_of(w.t.db.pool(), host.id)
            .await
            .unwrap()
            .is_empty()
    );
    let own = w.containers(a).await;
    assert_eq!(own.len(), 1, "{own:?}");
    let steps: Vec<(String, String)> = w
        .deployments(a)
        .await
        .iter()
        .map(|d| (d.action.clone(), d.status.clone()))
        .collect();
    assert_eq!(
        steps[..2],
        [
            ("deploy".to_owned(), "succeeded".to_owned()),
            ("place".to_owned(), "succeeded".to_owned())
        ],
        "newest first: {steps:?}"
    );
    assert!(
        answers(&sandbox, &bot, 30).await,
        "the dedicated bot does not answer"
    );

    // The host has had no tenant for HOST_IDLE_SECS (0 here): the pass stops it.
    assert_eq!(running_host_containers(&w).await, 1);
    w.reconciler.all().await.unwrap();
    assert_eq!(running_host_containers(&w).await, 0);
    assert_eq!(
        host_containers(&w).await.len(),
        1,
        "kept for the next tenant"
    );
    w.cleanup().await;
}

#[tokio::test]
async fn hosts_of_capacity_one_make_a_second_host_for_the_second_tenant() {
    let sandbox = tg_sandbox::spawn(tg_sandbox::Config::default())
        .await
        .unwrap();
    let mut w = world_on::<Podman>(&sandbox).await;
    w.reconciler.hosts.host_capacity = 1;
    let (a, _) = tenant_with_bot(&w, &sandbox, Placement::Shared).await;
    let (b, _) = tenant_with_bot(&w, &sandbox, Placement::Shared).await;
    w.reconciler.tenant(a, Trigger::Job).await.unwrap();
    w.reconciler.tenant(b, Trigger::Job).await.unwrap();
    let made = hosts(&w).await;
    let names: Vec<&str> = made.iter().map(|h| h.name.as_str()).collect();
    assert_eq!(names, ["shared1", "shared2"]);
    assert_eq!(running_host_containers(&w).await, 2);
    assert_eq!(served(&w, &made[0]).await, [a]);
    assert_eq!(served(&w, &made[1]).await, [b]);
    w.cleanup().await;
}
