//! What the placement tests share: a world whose bots (and bot hosts) talk to a tg-sandbox,
//! shared tenants with real bots, a host's control API as the worker reaches it, and a
//! checkpoint at which a worker is held so that a test can kill it there.

use std::{
    sync::{Arc, Mutex},
    time::Duration,
};

use booking_core::ids::TenantId;
use deploy_worker::{
    host_api::{HostApi, Served},
    reconcile::{
        Reconciler,
        checkpoint::{Checkpoints, Step},
    },
    runtime::{ContainerInfo, RunState, docker::DockerRuntime},
    spec::host::address,
};
use futures::FutureExt as _;
use storage::{
    control::{
        bot_hosts::{self, BotHost},
        placement::{self, Placement},
    },
    crypto::SealedAt,
};
use tg_sandbox::{BotInfo, NewUser, SandboxHandle};
use tokio::sync::oneshot;

use crate::support::{Engine, World, world};

pub type Podman = DockerRuntime;

/// A world on engine `E` whose bots talk to `sandbox`, with tenant ids no other test uses
/// (Redis keys carry them) and bot host ports that are free on this machine.
pub async fn world_on<E: Engine>(sandbox: &SandboxHandle) -> World<E> {
    let mut w = world::<E>().await;
    w.reconciler.defaults.telegram_api_url = sandbox.url().to_string();
    w.reconciler.hosts.host_port_base = free_ports(3) - 1;
    w.reconciler.hosts.host_memory_mb = 256;
    let micros = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_micros();
    let first = 1_000 + i64::try_from(micros % 1_000_000_000).unwrap() * 10;
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "alter table control.tenants alter column tenant_id restart with {first}"
    )))
    .execute(w.t.db.pool())
    .await
    .unwrap();
    w
}

/// The first of `n` consecutive ports free now (nothing is listening on them).
fn free_ports(n: u16) -> u16 {
    loop {
        let probe = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let first = probe.local_addr().unwrap().port();
        drop(probe);
        if first < 60_000
            && (0..n).all(|i| std::net::TcpListener::bind(("127.0.0.1", first + i)).is_ok())
        {
            return first;
        }
    }
}

/// A tenant served by a real sandbox bot, placed as `placement` says.
pub async fn tenant_with_bot<E: Engine>(
    w: &World<E>,
    sandbox: &SandboxHandle,
    placement: Placement,
) -> (TenantId, BotInfo) {
    let bot = sandbox
        .client()
        .create_bot(&format!(
            "placed_{}_bot",
            &uuid::Uuid::new_v4().simple().to_string()[..10]
        ))
        .await
        .unwrap();
    let id = w.tenant(Some(bot.token.as_str())).await;
    set_placement(w, id, placement).await;
    (id, bot)
}

pub async fn set_placement<E: Engine>(w: &World<E>, id: TenantId, placement: Placement) {
    assert!(
        placement::set_override(w.t.db.pool(), id, Some(placement))
            .await
            .unwrap()
    );
}

/// Whether the tenant's bot answers a new user's /start within `secs` seconds.
pub async fn answers(sandbox: &SandboxHandle, bot: &BotInfo, secs: u64) -> bool {
    let client = sandbox.client();
    let user = client
        .create_user(NewUser::named("Anna").language("en"))
        .await
        .unwrap();
    client
        .send_command(&bot.token, user.id, "/start")
        .await
        .unwrap();
    client
        .next_bot_message(&bot.token, user.id, Duration::from_secs(secs))
        .await
        .is_ok()
}

/// The bot hosts recorded, by number.
pub async fn hosts<E: Engine>(w: &World<E>) -> Vec<BotHost> {
    bot_hosts::loads(w.t.db.pool())
        .await
        .unwrap()
        .into_iter()
        .map(|l| l.host)
        .collect()
}

/// The containers of bot hosts.
pub async fn host_containers<E: Engine>(w: &World<E>) -> Vec<ContainerInfo> {
    w.reconciler
        .runtime
        .list(&[("platform", &w.label)])
        .await
        .unwrap()
        .into_iter()
        .filter(|c| c.labels.contains_key("host"))
        .collect()
}

pub async fn running_host_containers<E: Engine>(w: &World<E>) -> usize {
    host_containers(w)
        .await
        .iter()
        .filter(|c| c.state == RunState::Running)
        .count()
}

/// The host's control API as the worker reaches it (its secret opened with the data key).
pub async fn host_api<E: Engine>(w: &World<E>, host: &BotHost) -> HostApi {
    let sealed = bot_hosts::sealed_secrets(w.t.db.pool(), host.id)
        .await
        .unwrap();
    let url = address(&w.reconciler.defaults, &w.reconciler.hosts, host)
        .unwrap()
        .url;
    HostApi::new(
        HostApi::client().unwrap(),
        url,
        w.key
            .open(&sealed.secret, SealedAt::HostSecret(host.ordinal))
            .unwrap(),
    )
}

/// The tenants `host` serves, by id.
pub async fn served<E: Engine>(w: &World<E>, host: &BotHost) -> Vec<TenantId> {
    host_api(w, host)
        .await
        .list()
        .await
        .unwrap()
        .iter()
        .map(|s: &Served| s.tenant_id)
        .collect()
}

/// A second reconciler of the world that stops for good at `step` (until its task is
/// aborted), and a receiver told when it got there.
pub fn halting_at<E: Engine>(w: &World<E>, step: Step) -> (Reconciler<E>, oneshot::Receiver<()>) {
    let (reached, rx) = oneshot::channel();
    let reached = Arc::new(Mutex::new(Some(reached)));
    let mut reconciler = w.another_reconciler();
    reconciler.checkpoints = Checkpoints::hooked(Arc::new(move |at| {
        if at == step {
            if let Some(tx) = reached.lock().unwrap().take() {
                let _ = tx.send(());
            }
            std::future::pending::<()>().boxed()
        } else {
            async {}.boxed()
        }
    }));
    (reconciler, rx)
}

/// Whether any deployment of `tenant` is still open.
pub async fn open_deployments<E: Engine>(w: &World<E>, tenant: TenantId) -> bool {
    w.deployments(tenant)
        .await
        .iter()
        .any(|d| d.status == "running")
}
