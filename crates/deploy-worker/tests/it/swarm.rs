//! What only the Swarm runtime does: a bot's secrets are Swarm secrets, replaced with the
//! value and removed with the service.

use std::collections::{BTreeSet, HashMap};

use bollard::query_parameters::ListSecretsOptionsBuilder;
use deploy_worker::{
    reconcile::Trigger,
    runtime::{ContainerRuntime as _, RunState, swarm::SwarmRuntime},
};
use secrecy::SecretString;
use storage::control::tenant_admin;

use crate::support::{World, world};

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
    assert_eq!(first.len(), 2, "a token and a database URL: {first:?}");
    assert!(
        first.iter().all(|name| !name.contains("first-token")),
        "{first:?}"
    );

    let sealed = w
        .key
        .seal(&SecretString::from("123:second-token".to_owned()));
    tenant_admin::set_bot(w.t.db.pool(), id, &sealed, "bot_second")
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
    assert_eq!(second.len(), 2, "{second:?}");
    let kept: Vec<_> = first.intersection(&second).collect();
    // The database URL did not change; the token's secret is a new one and the old is gone.
    assert_eq!(kept.len(), 1, "{first:?} {second:?}");
    assert!(kept[0].contains(".database_url."), "{kept:?}");

    w.reconciler.runtime.remove(&bot.id).await.unwrap();
    assert!(secrets_of(&w, &bot.name).await.is_empty());
    w.cleanup().await;
}
