//! What only the Swarm runtime does: a bot's secrets are Swarm secrets, replaced with the
//! value and removed with the service; a bot on a drained node moves to another node.

use std::{
    collections::{BTreeSet, HashMap},
    time::Duration,
};

use bollard::{
    models::TaskState,
    query_parameters::{ListSecretsOptionsBuilder, ListTasksOptionsBuilder},
};
use deploy_worker::{
    reconcile::Trigger,
    runtime::{
        ContainerId, ContainerRuntime as _, RunState,
        swarm::{SwarmOptions, SwarmRuntime},
    },
};
use secrecy::SecretString;
use storage::control::tenant_admin;

use crate::{
    second_node::SecondNode,
    support::{Engine as _, World, eventually, world},
};

/// The secrets labelled for `service`, by name.
async fn secrets_of(w: &World<SwarmRuntime>, service: &str) -> BTreeSet<String> {
    let docker = w.reconciler.runtime.client().get().await.unwrap();
    let filters = HashMap::from([("label", vec![format!("service={service}")])]);
    let options = ListSecretsOptionsBuilder::new().filters(&filters).build();
    docker
        .list_secrets(Some(options))
        .await
        .unwrap()
        .into_iter()
        .filter_map(|s| s.spec?.name)
        .collect()
}

#[tokio::test]
async fn a_new_token_is_a_new_secret_the_old_one_goes_after_the_update_and_all_with_the_service() {
    let w = world::<SwarmRuntime>().await;
    let id = w.tenant(Some("123:first-token")).await;
    w.reconciler.tenant(id, Trigger::Job).await.unwrap();
    let bot = w.containers(id).await.remove(0);
    let first = secrets_of(&w, &bot.name).await;
    assert_eq!(
        first.len(),
        4,
        "a token, a database URL, a Redis URL and the tenant's secrets key: {first:?}"
    );
    assert!(
        first.iter().all(|name| !name.contains("first-token")),
        "{first:?}"
    );

    let token = SecretString::from("123:second-token".to_owned());
    tenant_admin::set_bot(w.t.db.pool(), &w.key, id, &token, "bot_second")
        .await
        .unwrap()
        .unwrap();
    w.reconciler.tenant(id, Trigger::Job).await.unwrap();
    let latest = &w.deployments(id).await[0];
    assert_eq!(latest.status, "succeeded", "{latest:?}");
    let found = w.containers(id).await;
    assert_eq!((found.len(), &found[0].id), (1, &bot.id), "{found:?}");
    assert_eq!(found[0].state, RunState::Running);
    let second = secrets_of(&w, &bot.name).await;
    assert_eq!(second.len(), 4, "{second:?}");
    let kept: Vec<_> = first.intersection(&second).collect();
    // The URLs and the tenant's key did not change; the token's secret is a new one and the
    // old is gone.
    assert_eq!(kept.len(), 3, "{first:?} {second:?}");
    assert!(
        kept.iter().any(|name| name.contains(".database_url."))
            && kept.iter().any(|name| name.contains(".redis_url."))
            && kept
                .iter()
                .any(|name| name.contains(".tenant_secrets_key.")),
        "{kept:?}"
    );

    w.reconciler.runtime.remove(&bot.id).await.unwrap();
    assert!(secrets_of(&w, &bot.name).await.is_empty());
    w.cleanup().await;
}

/// The node the bot's running task is on.
async fn node_of(w: &World<SwarmRuntime>, service: &ContainerId) -> Option<String> {
    let docker = w.reconciler.runtime.client().get().await.unwrap();
    let filters = HashMap::from([("service", vec![service.0.clone()])]);
    let options = ListTasksOptionsBuilder::new().filters(&filters).build();
    docker
        .list_tasks(Some(options))
        .await
        .unwrap()
        .into_iter()
        .find(|t| {
            t.desired_state == Some(TaskState::RUNNING)
                && t.status.as_ref().and_then(|s| s.state) == Some(TaskState::RUNNING)
        })
        .and_then(|t| t.node_id)
}

#[tokio::test]
async fn a_bot_on_a_drained_node_moves_to_the_other_node() {
    let mut w = world::<SwarmRuntime>().await;
    let mut node = SecondNode::start(w.reconciler.runtime.client().clone()).await;
    // This test's bots go where its label is: at first, on the second node alone.
    let key = format!("booking.{}", w.label);
    node.label(&key).await;
    let defaults = &w.reconciler.defaults;
    let options = SwarmOptions {
        health_cmd: defaults.health_cmd.clone(),
        health_grace: Duration::from_secs(defaults.health_grace_secs),
        health_interval: Duration::from_secs(1),
        constraints: vec![format!("node.labels.{key}==on")],
    };
    w.reconciler.runtime = SwarmRuntime::connect(&SwarmRuntime::host(), options).unwrap();

    let id = w.tenant(Some("123:good-token")).await;
    w.reconciler.tenant(id, Trigger::Job).await.unwrap();
    let deployed = &w.deployments(id).await[0];
    assert_eq!(deployed.status, "succeeded", "{deployed:?}");
    let bot = w.containers(id).await.remove(0);
    // Healthy on the other node: Swarm ran the check there, the worker read its verdict.
    assert_eq!(
        node_of(&w, &bot.id).await.as_deref(),
        Some(node.id.as_str())
    );

    node.label_manager(&key).await;
    node.drain().await;
    let manager = node.manager_id().await;
    let moved = eventually(60, || async {
        node_of(&w, &bot.id).await.as_deref() == Some(manager.as_str())
    })
    .await;
    assert!(moved, "still on {:?}", node_of(&w, &bot.id).await);
    // The same bot, running: the next pass has nothing to do.
    w.reconciler.all().await.unwrap();
    let found = w.containers(id).await;
    assert_eq!((found.len(), &found[0].id), (1, &bot.id));
    assert_eq!(found[0].state, RunState::Running);
    assert_eq!(w.deployments(id).await.len(), 1);
    w.cleanup().await;
    node.stop().await;
}
