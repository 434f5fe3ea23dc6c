//! The real booking bot in a container, talking to an in-process tg-sandbox over the host's
//! network: a token the Bot API rejects is a failed deployment that says why and alerts the
//! operators, once; a good token gives a healthy bot that answers a user.

use std::time::Duration;

use deploy_worker::{
    reconcile::Trigger,
    runtime::{ContainerRuntime, RunState},
    worker,
};
use secrecy::SecretString;
use storage::{
    control::{
        alerts::{self, AlertKind, NewAlert},
        jobs::{self, JobKind, NewJob},
    },
    kv::{Kv, TenantKey},
    redis_acl::{self, RedisAcl},
};
use tg_sandbox::{Config, NewUser};

use crate::support::{World, world};

/// The engine itself, to read what it holds for a container.
fn docker() -> bollard::Docker {
    bollard::Docker::connect_with_unix(
        crate::support::docker_host().trim_start_matches("unix://"),
        120,
        bollard::API_DEFAULT_VERSION,
    )
    .unwrap()
}

/// A world whose bots talk to `sandbox`.
async fn world_on(sandbox: &tg_sandbox::SandboxHandle) -> World {
    let mut w = world().await;
    w.reconciler.defaults.telegram_api_url = sandbox.url().to_string();
    w
}

#[tokio::test]
async fn a_rejected_token_fails_the_deployment_once_with_the_bots_own_words_and_an_alert() {
    let sandbox = tg_sandbox::spawn(Config::default()).await.unwrap();
    let w = world_on(&sandbox).await;
    let token = "424242:never-registered-token";
    let id = w.tenant(Some(token)).await;
    let job = NewJob::new(JobKind::reconcile(id), chrono::Utc::now());
    let job_id = jobs::enqueue(w.t.db.pool(), &job).await.unwrap().unwrap();
    assert!(worker::one_job(&w.reconciler, "it").await);

    // A failed deployment is the job's answer, not an error to retry: the job is done.
    let pool = w.t.db.pool();
    let state = jobs::state(pool, job_id).await.unwrap().unwrap();
    assert_eq!(state.status, "done", "{state:?}");
    // The crash-looping container is gone, not left restarting.
    assert!(w.containers(id).await.is_empty());

    let deployed = w.deployments(id).await;
    assert_eq!(deployed.len(), 1, "{deployed:?}");
    let d = &deployed[0];
    assert_eq!((d.action.as_str(), d.status.as_str()), ("deploy", "failed"));
    let error = d.error.as_deref().unwrap();
    assert!(error.contains("the bot exited (code 1)"), "{error}");
    assert!(error.contains("BOT_TOKEN was rejected"), "{error}");
    assert!(!error.contains(token), "the token leaked: {error}");
    assert!(
        d.events
            .iter()
            .any(|e| e.level == "error" && e.message.contains("BOT_TOKEN was rejected")),
        "{d:?}"
    );

    let raised = alerts::recent(pool, 10).await.unwrap();
    assert_eq!(raised.len(), 1, "{raised:?}");
    assert_eq!(raised[0].kind, "deployment_failed");
    assert_eq!(raised[0].tenant, Some(id));
    assert!(
        raised[0].message.contains("BOT_TOKEN was rejected"),
        "{raised:?}"
    );
    assert!(!raised[0].message.contains(token));
    // Keyed by the deployment: the same failure raised again is not a second alert.
    let again = NewAlert {
        kind: AlertKind::DeploymentFailed,
        tenant: Some(id),
        message: "again".to_owned(),
        dedupe_key: Some(format!("deployment_failed:{}", d.id)),
    };
    assert!(!alerts::raise(pool, &again).await.unwrap());

    // No storm: periodic passes leave the failed configuration alone until an operator acts.
    w.reconciler.all().await.unwrap();
    w.reconciler.all().await.unwrap();
    assert!(w.containers(id).await.is_empty());
    assert_eq!(w.deployments(id).await.len(), 1);
    assert_eq!(alerts::recent(pool, 10).await.unwrap().len(), 1);
    w.cleanup().await;
}

#[tokio::test]
async fn a_good_token_gives_a_healthy_bot_that_answers_a_user() {
    let sandbox = tg_sandbox::spawn(Config::default()).await.unwrap();
    let client = sandbox.client();
    let bot = client.create_bot("salon_deploy_it_bot").await.unwrap();
    let w = world_on(&sandbox).await;
    let id = w.tenant(Some(bot.token.as_str())).await;
    w.reconciler.tenant(id, Trigger::Job).await.unwrap();

    let found = w.containers(id).await;
    assert_eq!(found.len(), 1, "{found:?} {:?}", w.deployments(id).await);
    assert_eq!(found[0].state, RunState::Running);
    let d = &w.deployments(id).await[0];
    assert_eq!(d.status, "succeeded", "{d:?}");
    assert!(
        d.events.iter().any(|e| e.message.contains("is healthy")),
        "{d:?}"
    );
    assert!(alerts::recent(w.t.db.pool(), 10).await.unwrap().is_empty());
    // Limits and hardening as the engine holds them; the bot above runs with them.
    let docker = docker();
    let host = docker
        .inspect_container(&found[0].id.0, None)
        .await
        .unwrap()
        .host_config
        .unwrap();
    assert_eq!(host.memory, Some(128 * 1024 * 1024));
    assert_eq!(host.pids_limit, Some(256));
    assert_eq!(host.readonly_rootfs, Some(true));
    assert!(
        host.security_opt
            .unwrap_or_default()
            .iter()
            .any(|o| o.starts_with("no-new-privileges")),
    );
    // Docker reports `ALL`; podman lists each default capability it dropped.
    let dropped = host.cap_drop.unwrap_or_default();
    let all = dropped.iter().any(|c| c == "ALL")
        || [
            "CHOWN",
            "DAC_OVERRIDE",
            "NET_RAW",
            "SETUID",
            "SETGID",
            "KILL",
        ]
        .iter()
        .all(|c| dropped.iter().any(|d| d.trim_start_matches("CAP_") == *c));
    assert!(all, "capabilities kept: {dropped:?}");

    // The check is the image's own binary asking the bot's /health, run again here.
    let runtime = &w.reconciler.runtime;
    let check = vec!["/usr/local/bin/healthcheck".to_owned()];
    assert!(runtime.exec_ok(&found[0].id, &check).await.unwrap());

    // The containerised bot really serves: its own database role, Redis and the Bot API.
    let user = client
        .create_user(NewUser::named("Anna").language("en"))
        .await
        .unwrap();
    client
        .send_command(&bot.token, user.id, "/start")
        .await
        .unwrap();
    let reply = client
        .next_bot_message(&bot.token, user.id, Duration::from_secs(30))
        .await;
    assert!(reply.is_ok(), "no reply from the bot: {reply:?}");

    // A stopped bot is unhealthy, not an engine error.
    runtime.stop(&found[0].id).await.unwrap();
    assert!(!runtime.exec_ok(&found[0].id, &check).await.unwrap());
    w.cleanup().await;
}

/// With REDIS_ACL=on the bot reaches Redis as its tenant's own user: its URL names that user,
/// and what it writes (a rate-limit counter for the user who wrote) lands under its own keys.
#[tokio::test]
async fn with_redis_acls_the_bot_uses_its_tenants_own_redis_user() {
    let sandbox = tg_sandbox::spawn(Config::default()).await.unwrap();
    let client = sandbox.client();
    let bot = client.create_bot("salon_acl_it_bot").await.unwrap();
    let mut w = world_on(&sandbox).await;
    let _users = test_support::RedisUsers::with_prefix(&w.t.name);
    w.reconciler.defaults.redis_acl = true;
    let id = w.tenant(Some(bot.token.as_str())).await;

    // No Redis user yet: refused, with the way out in the reason.
    w.reconciler.tenant(id, Trigger::Job).await.unwrap();
    let d = &w.deployments(id).await[0];
    assert_eq!(d.status, "failed", "{d:?}");
    assert!(d.error.as_deref().unwrap().contains("master-bot migrate"));

    let acl = RedisAcl::new(&SecretString::from(test_support::redis_url())).unwrap();
    redis_acl::ensure_tenant_user(&w.t.db, &w.key, &acl, id)
        .await
        .unwrap();
    w.reconciler.tenant(id, Trigger::Job).await.unwrap();
    let found = w.containers(id).await;
    assert_eq!(found.len(), 1, "{:?}", w.deployments(id).await);
    let docker = docker();
    let env = docker
        .inspect_container(&found[0].id.0, None)
        .await
        .unwrap()
        .config
        .unwrap()
        .env
        .unwrap_or_default();
    let user = format!("{}_tenant_{id}", w.t.name);
    assert!(
        env.iter()
            .any(|e| e.starts_with(&format!("REDIS_URL=redis://{user}:"))),
        "no REDIS_URL with the tenant's user"
    );

    let someone = client
        .create_user(NewUser::named("Ivan").language("en"))
        .await
        .unwrap();
    client
        .send_command(&bot.token, someone.id, "/start")
        .await
        .unwrap();
    let reply = client
        .next_bot_message(&bot.token, someone.id, Duration::from_secs(30))
        .await;
    assert!(reply.is_ok(), "no reply from the bot: {reply:?}");
    let counted = TenantKey::new(id, "rl", someone.id.0);
    let admin = Kv::new(&test_support::redis_url()).unwrap();
    assert!(
        admin.get(&counted).await.unwrap().is_some(),
        "the bot wrote nothing under its own keys"
    );
    w.cleanup().await;
}
