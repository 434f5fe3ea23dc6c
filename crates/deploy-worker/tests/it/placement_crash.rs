//! A worker killed in the middle of a placement, exactly between two steps (held at a
//! checkpoint, then its task aborted), and the next pass converging. A host that was not
//! granted a tenant's role serves nothing; the updates Telegram kept meanwhile are answered
//! once the tenant is served.

use std::time::Duration;

use deploy_worker::{
    host_api::HostApiError,
    reconcile::{Trigger, checkpoint::Step},
    runtime::RunState,
};
use storage::{control::placement::Placement, host};
use tg_sandbox::NewUser;

use crate::placement_support::{
    Podman, answers, halting_at, host_api, hosts, open_deployments, served, set_placement,
    tenant_with_bot, world_on,
};

#[tokio::test]
async fn a_worker_killed_between_the_grant_and_the_put_converges_and_an_ungranted_host_serves_nothing()
 {
    let sandbox = tg_sandbox::spawn(tg_sandbox::Config::default())
        .await
        .unwrap();
    let w = world_on::<Podman>(&sandbox).await;
    let (a, bot) = tenant_with_bot(&w, &sandbox, Placement::Shared).await;
    let (doomed, reached) = halting_at(&w, Step::Granted);
    let killed = tokio::spawn(async move { doomed.tenant(a, Trigger::Job).await });
    tokio::time::timeout(Duration::from_secs(60), reached)
        .await
        .expect("the worker did not reach the grant")
        .unwrap();
    killed.abort();
    let _ = killed.await;

    // Granted, not served: a customer's /start waits with Telegram.
    let host = hosts(&w).await.remove(0);
    assert_eq!(host::granted(&w.t.db, &host.name).await.unwrap(), [a]);
    assert!(served(&w, &host).await.is_empty());
    let client = sandbox.client();
    let user = client
        .create_user(NewUser::named("Boris").language("en"))
        .await
        .unwrap();
    client
        .send_command(&bot.token, user.id, "/start")
        .await
        .unwrap();
    assert!(
        client
            .next_bot_message(&bot.token, user.id, Duration::from_secs(2))
            .await
            .is_err()
    );

    // A host whose role does not hold the tenant's is refused it, and serves nothing.
    host::revoke(&w.t.db, &host.name, a).await.unwrap();
    let api = host_api(&w, &host).await;
    let token = secrecy::SecretString::from(bot.token.as_str().to_owned());
    assert!(matches!(
        api.serve(a, &token, &w.key.tenant_secrets_key(a).to_base64())
            .await,
        Err(HostApiError::NotGranted(t)) if t == a
    ));
    assert!(served(&w, &host).await.is_empty());

    // The next pass grants and serves; the /start Telegram kept is answered.
    w.reconciler.all().await.unwrap();
    assert_eq!(served(&w, &host).await, [a]);
    assert!(
        client
            .next_bot_message(&bot.token, user.id, Duration::from_secs(30))
            .await
            .is_ok(),
        "the kept /start was not answered"
    );
    assert!(
        !open_deployments(&w, a).await,
        "{:?}",
        w.deployments(a).await
    );
    w.cleanup().await;
}

#[tokio::test]
async fn a_worker_killed_after_the_put_before_the_dedicated_container_goes_converges_to_the_host() {
    let sandbox = tg_sandbox::spawn(tg_sandbox::Config::default())
        .await
        .unwrap();
    let w = world_on::<Podman>(&sandbox).await;
    let (a, bot) = tenant_with_bot(&w, &sandbox, Placement::Dedicated).await;
    w.reconciler.tenant(a, Trigger::Job).await.unwrap();
    assert_eq!(w.containers(a).await.len(), 1);

    set_placement(&w, a, Placement::Shared).await;
    let (doomed, reached) = halting_at(&w, Step::Served);
    let killed = tokio::spawn(async move { doomed.tenant(a, Trigger::Job).await });
    tokio::time::timeout(Duration::from_secs(60), reached)
        .await
        .expect("the worker did not reach the PUT")
        .unwrap();
    killed.abort();
    let _ = killed.await;

    // The host serves it; its dedicated container was stopped before (never both at once).
    let host = hosts(&w).await.remove(0);
    assert_eq!(served(&w, &host).await, [a]);
    let left = w.containers(a).await;
    assert_eq!(left.len(), 1, "{left:?}");
    assert_ne!(left[0].state, RunState::Running);

    // The next pass removes the dedicated container; the host keeps serving.
    w.reconciler.all().await.unwrap();
    assert!(w.containers(a).await.is_empty());
    assert_eq!(served(&w, &host).await, [a]);
    assert!(
        answers(&sandbox, &bot, 30).await,
        "not served after converging"
    );
    assert!(
        !open_deployments(&w, a).await,
        "{:?}",
        w.deployments(a).await
    );
    w.cleanup().await;
}
