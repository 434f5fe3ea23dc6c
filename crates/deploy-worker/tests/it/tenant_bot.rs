//! The real booking bot in a container, talking to an in-process tg-sandbox over the host's
//! network: a token the Bot API rejects is a failed deployment that says why and alerts the
//! operators, once; a good token gives a healthy bot that answers a user. On Swarm the bot
//! reads its token and database URL from secret files.

use std::{collections::HashMap, time::Duration};

use bollard::{models::TaskState, query_parameters::ListTasksOptionsBuilder};
use deploy_worker::{
    reconcile::Trigger,
    runtime::{ContainerInfo, RunState, docker::DockerRuntime},
    worker,
};
use secrecy::{ExposeSecret as _, SecretString};
use storage::{
    control::{
        alerts::{self, AlertKind, NewAlert},
        jobs::{self, JobKind, NewJob},
    },
    kv::{Kv, TenantKey},
    redis_acl::{self, RedisAcl},
};
use tg_sandbox::{Config, NewUser};

use crate::{
    both_engines,
    support::{Engine, World, world},
};

both_engines!(
    a_rejected_token_fails_the_deployment_once_with_the_bots_own_words_and_an_alert,
    a_good_token_gives_a_healthy_bot_that_answers_a_user,
);

/// A world whose bots talk to `sandbox`.
async fn world_on<E: Engine>(sandbox: &tg_sandbox::SandboxHandle) -> World<E> {
    let mut w = world::<E>().await;
    w.reconciler.defaults.telegram_api_url = sandbox.url().to_string();
    w
}

async fn a_rejected_token_fails_the_deployment_once_with_the_bots_own_words_and_an_alert<
    E: Engine,
>() {
    let sandbox = tg_sandbox::spawn(Config::default()).await.unwrap();
    let w = world_on::<E>(&sandbox).await;
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

/// The engine's container of a bot: the container itself, or the task's on Swarm.
async fn container_of<E: Engine>(w: &World<E>, bot: &ContainerInfo) -> String {
    if !w.in_place() {
        return bot.id.0.clone();
    }
    let docker = w.reconciler.runtime.client().get().await.unwrap();
    let filters = HashMap::from([("service", vec![bot.id.0.clone()])]);
    let options = ListTasksOptionsBuilder::new().filters(&filters).build();
    docker
        .list_tasks(Some(options))
        .await
        .unwrap()
        .into_iter()
        .find(|t| t.status.as_ref().and_then(|s| s.state) == Some(TaskState::RUNNING))
        .and_then(|t| t.status?.container_status?.container_id)
        .expect("a running task")
}

async fn a_good_token_gives_a_healthy_bot_that_answers_a_user<E: Engine>() {
    let sandbox = tg_sandbox::spawn(Config::default()).await.unwrap();
    let client = sandbox.client();
    let bot = client
        .create_bot(&format!("salon_deploy_it_{}_bot", std::process::id()))
        .await
        .unwrap();
    let w = world_on::<E>(&sandbox).await;
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
    let docker = w.reconciler.runtime.client().get().await.unwrap();
    let container = docker
        .inspect_container(&container_of(&w, &found[0]).await, None)
        .await
        .unwrap();
    let host = container.host_config.unwrap();
    assert_eq!(host.memory, Some(128 * 1024 * 1024));
    assert_eq!(host.pids_limit, Some(256));
    assert_eq!(host.readonly_rootfs, Some(true));
    // As the kernel holds it (a Swarm on Docker 20.10 sets it daemon-wide, not per container).
    let pid = container.state.as_ref().and_then(|s| s.pid).unwrap();
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    assert!(status.contains("NoNewPrivs:\t1"), "{status}");
    if !w.in_place() {
        assert!(
            host.security_opt
                .unwrap_or_default()
                .iter()
                .any(|o| o.starts_with("no-new-privileges")),
        );
    }
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
    // On Swarm the token and the database URL are files, not environment variables, and the
    // engine itself runs the health check (it survived the scale from 0 to 1 replica).
    let health = container.state.as_ref().and_then(|s| s.health.as_ref());
    let env = container.config.and_then(|c| c.env).unwrap_or_default();
    if w.in_place() {
        assert_eq!(
            health.and_then(|h| h.status),
            Some(bollard::models::HealthStatusEnum::HEALTHY),
            "{health:?}"
        );
        assert!(
            env.contains(&"BOT_TOKEN_FILE=/run/secrets/BOT_TOKEN".to_owned()),
            "{env:?}"
        );
        assert!(env.contains(&"DATABASE_URL_FILE=/run/secrets/DATABASE_URL".to_owned()));
        assert!(
            env.contains(&"TENANT_SECRETS_KEY_FILE=/run/secrets/TENANT_SECRETS_KEY".to_owned())
        );
        assert!(
            env.iter()
                .all(|e| !e.contains(bot.token.as_str()) && !e.starts_with("DATABASE_URL=")),
            "a secret is in the environment"
        );
    } else {
        let key = w.key.tenant_secrets_key(id).to_base64();
        assert!(
            env.contains(&format!("TENANT_SECRETS_KEY={}", key.expose_secret())),
            "the bot was not given its tenant's secrets key"
        );
    }

    // The check is the image's own binary asking the bot's /health, run again here.
    let runtime = &w.reconciler.runtime;
    let check = vec!["/usr/local/bin/healthcheck".to_owned()];
    assert!(runtime.check_health(&found[0].id, &check).await.unwrap());

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
    assert!(!runtime.check_health(&found[0].id, &check).await.unwrap());
    w.cleanup().await;
}

/// With REDIS_ACL=on the bot reaches Redis as its tenant's own user: its URL names that user,
/// and what it writes (a rate-limit counter for the user who wrote) lands under its own keys.
#[tokio::test]
async fn with_redis_acls_the_bot_uses_its_tenants_own_redis_user() {
    let sandbox = tg_sandbox::spawn(Config::default()).await.unwrap();
    let client = sandbox.client();
    let bot = client.create_bot("salon_acl_it_bot").await.unwrap();
    let mut w = world_on::<DockerRuntime>(&sandbox).await;
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
    let docker = w.reconciler.runtime.client().get().await.unwrap();
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
    // Each update is counted under the tenant's own key. The bot answers even when Redis
    // cannot be reached (the limit is then not counted), and a container just started may
    // still be making its first Redis connection: so a few updates, and one count is enough.
    let counted = TenantKey::new(id, "rl", someone.id.0);
    let admin = Kv::new(&test_support::redis_url()).unwrap();
    let mut written = false;
    for _ in 0..3 {
        client
            .send_command(&bot.token, someone.id, "/start")
            .await
            .unwrap();
        let reply = client
            .next_bot_message(&bot.token, someone.id, Duration::from_secs(30))
            .await;
        assert!(reply.is_ok(), "no reply from the bot: {reply:?}");
        if admin.get(&counted).await.unwrap().is_some() {
            written = true;
            break;
        }
    }
    assert!(written, "the bot wrote nothing under its own keys");
    w.cleanup().await;
}
