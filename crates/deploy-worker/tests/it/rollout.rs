//! A changed configuration replaces the bot only once the new one is healthy; a bot that
//! cannot start is a failed deployment that says why.

use deploy_worker::{reconcile::Trigger, runtime::RunState};
use storage::control::tenant_admin::{self, TenantChanges};

use crate::{
    both_engines,
    support::{BROKEN, Engine, GOOD, World, world},
};

both_engines!(
    an_update_whose_bot_fails_is_rolled_back_and_the_old_bot_keeps_serving,
    a_failed_update_of_a_stopped_bot_is_rolled_back_and_the_old_one_started_again,
    a_bot_that_cannot_start_is_a_failed_deployment_with_the_reason_in_its_events,
);

async fn set_tag<E: Engine>(w: &World<E>, id: booking_core::ids::TenantId, tag: &str) {
    let changes = TenantChanges {
        image_tag: Some(Some(tag.to_owned())),
        ..TenantChanges::default()
    };
    assert!(
        tenant_admin::update(w.t.db.pool(), id, &changes)
            .await
            .unwrap()
    );
}

async fn an_update_whose_bot_fails_is_rolled_back_and_the_old_bot_keeps_serving<E: Engine>() {
    let mut w = world::<E>().await;
    let id = w.tenant(Some("123:good-token")).await;
    w.reconciler.tenant(id, Trigger::Job).await.unwrap();
    let old = w.containers(id).await.remove(0);

    set_tag(&w, id, BROKEN).await;
    w.reconciler.tenant(id, Trigger::Job).await.unwrap();
    let found = w.containers(id).await;
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].id, old.id);
    assert_eq!(found[0].state, RunState::Running);
    let latest = &w.deployments(id).await[0];
    assert_eq!(latest.status, "rolled_back", "{latest:?}");
    let error = latest.error.as_deref().unwrap();
    assert!(error.contains("--no-such-flag"), "{latest:?}");

    // The periodic pass does not try the failed configuration again.
    w.reconciler.all().await.unwrap();
    assert_eq!(w.deployments(id).await.len(), 2);

    // Back to the image it runs: the same configuration, kept as it is.
    set_tag(&w, id, GOOD).await;
    w.reconciler.tenant(id, Trigger::Job).await.unwrap();
    assert_eq!(w.containers(id).await[0].id, old.id);

    // A healthy change replaces the bot: the new one checked, the old removed, the name taken
    // (on Swarm: the same service, updated in place).
    w.reconciler.defaults.memory_mb = 160;
    w.reconciler.tenant(id, Trigger::Job).await.unwrap();
    let found = w.containers(id).await;
    assert_eq!(found.len(), 1, "{found:?}");
    if w.in_place() {
        assert_eq!(found[0].id, old.id);
    } else {
        assert_ne!(found[0].id, old.id);
    }
    assert_ne!(found[0].labels["config-hash"], old.labels["config-hash"]);
    assert_eq!(found[0].state, RunState::Running);
    assert_eq!(found[0].name, format!("{}-tenant-{id}", w.label));
    assert_eq!(w.deployments(id).await[0].status, "succeeded");
    w.cleanup().await;
}

async fn a_bot_that_cannot_start_is_a_failed_deployment_with_the_reason_in_its_events<E: Engine>() {
    let w = world::<E>().await;
    let id = w.tenant(Some("123:good-token")).await;
    set_tag(&w, id, BROKEN).await;
    w.reconciler.tenant(id, Trigger::Job).await.unwrap();
    assert!(w.containers(id).await.is_empty());
    let latest = &w.deployments(id).await[0];
    assert_eq!(latest.status, "failed", "{latest:?}");
    assert!(
        latest
            .events
            .iter()
            .any(|e| e.level == "error" && e.message.contains("--no-such-flag")),
        "{latest:?}"
    );

    // No token at all: nothing is started, and the operator reads why.
    let bare = w.tenant(None).await;
    w.reconciler.tenant(bare, Trigger::Job).await.unwrap();
    assert!(w.containers(bare).await.is_empty());
    let latest = &w.deployments(bare).await[0];
    assert_eq!(latest.status, "failed");
    assert!(
        latest.events[0].message.contains("no bot token"),
        "{latest:?}"
    );
    w.cleanup().await;
}

/// With nothing running to compare with, Swarm's rolling update does not judge the new bot: the
/// worker checks it and asks for the rollback itself.
async fn a_failed_update_of_a_stopped_bot_is_rolled_back_and_the_old_one_started_again<
    E: Engine,
>() {
    let w = world::<E>().await;
    let id = w.tenant(Some("123:good-token")).await;
    w.reconciler.tenant(id, Trigger::Job).await.unwrap();
    let old = w.containers(id).await.remove(0);
    // Stopped by hand, then given a configuration that cannot start.
    w.reconciler.runtime.stop(&old.id).await.unwrap();
    set_tag(&w, id, BROKEN).await;
    w.reconciler.tenant(id, Trigger::Job).await.unwrap();

    let latest = &w.deployments(id).await[0];
    assert_eq!(latest.status, "rolled_back", "{latest:?}");
    assert!(
        latest.error.as_deref().unwrap().contains("--no-such-flag"),
        "{latest:?}"
    );
    if w.in_place() {
        let asked = latest
            .events
            .iter()
            .any(|e| e.message.starts_with("asked the engine to roll"));
        assert!(asked, "{latest:?}");
    }
    let found = w.containers(id).await;
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].id, old.id);
    assert_eq!(found[0].labels["config-hash"], old.labels["config-hash"]);
    assert!(
        crate::support::eventually(30, || async {
            w.containers(id).await[0].state == RunState::Running
        })
        .await,
        "the old configuration does not run again: {:?}",
        w.containers(id).await
    );
    w.cleanup().await;
}
