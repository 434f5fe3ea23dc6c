//! An engine, a test image built from the booking-bot binary, a database and a reconciler; and
//! the test matrix: a shared test is written once, generic over the engine, and run against
//! the Docker engine (podman's service) and a Docker Swarm by [`both_engines!`].

use std::{path::PathBuf, process::Command, time::Duration};

use booking_core::ids::TenantId;
use deploy_worker::{
    config::TenantDefaults,
    image,
    reconcile::Reconciler,
    runtime::{
        ContainerInfo, ContainerRuntime, Replacement, RuntimeError,
        client::EngineClient,
        docker::DockerRuntime,
        swarm::{SwarmOptions, SwarmRuntime},
    },
};
use secrecy::SecretString;
use storage::{
    control::{deployments, tenant_admin, tenants},
    crypto::DataKey,
};
use test_support::TestDb;
use tokio::sync::OnceCell;

pub const IMAGE: &str = "localhost/booking-bot-it";
/// Starts like the real bot.
pub const GOOD: &str = "good";
/// Exits at once: the binary refuses an unknown flag, and says so.
pub const BROKEN: &str = "broken";

/// Runs each named generic test `async fn name<E: Engine>()` once per engine, as
/// `name::docker` and `name::swarm`.
#[macro_export]
macro_rules! both_engines {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[tokio::test]
            async fn docker() {
                super::$name::<deploy_worker::runtime::docker::DockerRuntime>().await;
            }

            #[tokio::test]
            async fn swarm() {
                super::$name::<deploy_worker::runtime::swarm::SwarmRuntime>().await;
            }
        }
    )*};
}

/// An engine the tests run on.
pub trait Engine: ContainerRuntime + Clone + Sized {
    /// Where it listens, and how to start it when it does not answer.
    fn host() -> String;
    const START: &'static str;
    fn connect(defaults: &TenantDefaults) -> Result<Self, RuntimeError>;
    fn client(&self) -> &EngineClient;
    /// The test images, imported once per run and engine.
    fn imported() -> &'static OnceCell<()>;
}

static DOCKER_IMAGES: OnceCell<()> = OnceCell::const_new();
static SWARM_IMAGES: OnceCell<()> = OnceCell::const_new();

impl Engine for DockerRuntime {
    fn host() -> String {
        std::env::var("DOCKER_HOST").unwrap_or_else(|_| "unix:///run/podman/podman.sock".to_owned())
    }
    const START: &'static str =
        "run scripts/podman.sh (as scripts/test.sh does) or set DOCKER_HOST";

    fn connect(_: &TenantDefaults) -> Result<Self, RuntimeError> {
        DockerRuntime::connect(&Self::host())
    }

    fn client(&self) -> &EngineClient {
        DockerRuntime::client(self)
    }

    fn imported() -> &'static OnceCell<()> {
        &DOCKER_IMAGES
    }
}

impl Engine for SwarmRuntime {
    fn host() -> String {
        std::env::var("SWARM_DOCKER_HOST")
            .unwrap_or_else(|_| "unix:///tmp/dkr/docker.sock".to_owned())
    }
    const START: &'static str =
        "run scripts/swarm.sh (as scripts/test.sh does) or set SWARM_DOCKER_HOST";

    fn connect(defaults: &TenantDefaults) -> Result<Self, RuntimeError> {
        let options = SwarmOptions {
            health_cmd: defaults.health_cmd.clone(),
            health_grace: Duration::from_secs(defaults.health_grace_secs),
            // Docker 20.10 has no start interval: the first check comes after one interval.
            health_interval: Duration::from_secs(1),
            // The node that reaches this machine's PostgreSQL and Redis, even while a test
            // has joined a second node (`second_node`).
            constraints: vec!["node.role==manager".to_owned()],
        };
        SwarmRuntime::connect(&Self::host(), options)
    }

    fn client(&self) -> &EngineClient {
        SwarmRuntime::client(self)
    }

    fn imported() -> &'static OnceCell<()> {
        &SWARM_IMAGES
    }
}

/// The booking-bot binary of this build, built if the run has not built it yet.
pub fn booking_bot_binary() -> PathBuf {
    let target = std::env::var("CARGO_TARGET_DIR").map_or_else(
        |_| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target"),
        PathBuf::from,
    );
    let bin = target.join("debug/booking-bot");
    if !bin.exists() {
        let ok = Command::new(env!("CARGO"))
            .args(["build", "-p", "booking-bot", "--bin", "booking-bot"])
            .status()
            .expect("cargo build booking-bot")
            .success();
        assert!(ok, "building booking-bot failed");
    }
    bin
}

/// Imports the two test images once per run and engine, from the binaries this build made.
pub async fn images(client: &EngineClient, once: &OnceCell<()>) {
    once.get_or_init(|| async {
        let tar = image::rootfs_tar(&[
            (booking_bot_binary(), "booking-bot"),
            // This package's own binary, built by cargo for its integration tests.
            (
                PathBuf::from(env!("CARGO_BIN_EXE_healthcheck")),
                "healthcheck",
            ),
        ])
        .unwrap();
        for (tag, entrypoint) in [
            (GOOD, r#"["/usr/local/bin/booking-bot"]"#),
            (
                BROKEN,
                r#"["/usr/local/bin/booking-bot", "--no-such-flag"]"#,
            ),
        ] {
            image::import_rootfs(client, &format!("{IMAGE}:{tag}"), tar.clone(), entrypoint)
                .await
                .expect("import the test image");
        }
        image::prune_untagged_images(client)
            .await
            .expect("prune the previous runs' images");
    })
    .await;
}

/// One test's world: its database, its engine label, its reconciler.
pub struct World<E: Engine> {
    pub t: TestDb,
    pub key: DataKey,
    pub label: String,
    pub reconciler: Reconciler<E>,
}

pub fn defaults(label: &str) -> TenantDefaults {
    TenantDefaults {
        image: IMAGE.to_owned(),
        image_tag: GOOD.to_owned(),
        redis_url: SecretString::from("redis://127.0.0.1:6379"),
        redis_acl: false,
        // Nothing answers there: the bot retries getMe and keeps running, as in an outage.
        telegram_api_url: "http://127.0.0.1:9".to_owned(),
        calendar_feed_url: None,
        tenant_sentry_dsn: None,
        network: "host".to_owned(),
        memory_mb: 128,
        millicpus: 500,
        restart_retries: 1,
        platform_label: label.to_owned(),
        health_grace_secs: 2,
        // The image's own check: the bot's /health, on the port it really took.
        health_cmd: vec!["/usr/local/bin/healthcheck".to_owned()],
        clock_offset_secs: 0,
    }
}

pub async fn world<E: Engine>() -> World<E> {
    let label = format!("it-{}", &uuid::Uuid::new_v4().simple().to_string()[..10]);
    let defaults = defaults(&label);
    let reachable = match E::connect(&defaults) {
        Ok(runtime) => runtime.ping().await.map(|()| runtime),
        Err(e) => Err(e),
    };
    let runtime = reachable
        .unwrap_or_else(|e| panic!("no container engine at {} ({e}): {}", E::host(), E::START));
    images(runtime.client(), E::imported()).await;
    let t = TestDb::new().await;
    let key_b64 = SecretString::from(DataKey::generate_base64());
    let reconciler = Reconciler::new(
        runtime,
        t.db.clone(),
        Some(DataKey::parse(&key_b64).unwrap()),
        defaults,
    );
    World {
        t,
        key: DataKey::parse(&key_b64).unwrap(),
        label,
        reconciler,
    }
}

impl<E: Engine> World<E> {
    /// The engine replaces a bot in place (Swarm) rather than side by side.
    pub fn in_place(&self) -> bool {
        self.reconciler.runtime.replacement() == Replacement::InPlace
    }

    /// A provisioned tenant with a sealed bot token (if any) and database password.
    pub async fn tenant(&self, token: Option<&str>) -> TenantId {
        let (record, password) = self.t.tenant("Salon", chrono_tz::Europe::Moscow).await;
        let pool = self.t.db.pool();
        tenants::set_db_password(pool, &self.key, record.id, &password)
            .await
            .unwrap();
        if let Some(token) = token {
            let token = SecretString::from(token.to_owned());
            let username = format!("bot{}", record.id);
            tenant_admin::set_bot(pool, &self.key, record.id, &token, &username)
                .await
                .unwrap()
                .unwrap();
        }
        tenants::set_desired_state(pool, record.id, tenants::DesiredState::Running)
            .await
            .unwrap();
        record.id
    }

    pub async fn containers(&self, tenant: TenantId) -> Vec<ContainerInfo> {
        self.reconciler
            .runtime
            .list(&[("platform", &self.label), ("tenant", &tenant.to_string())])
            .await
            .unwrap()
    }

    pub async fn deployments(&self, tenant: TenantId) -> Vec<deployments::Deployment> {
        deployments::latest(self.t.db.pool(), tenant, 20)
            .await
            .unwrap()
    }

    /// A reconciler of its own on the same engine, database and defaults (a second worker).
    pub fn another_reconciler(&self) -> Reconciler<E> {
        Reconciler::new(
            self.reconciler.runtime.clone(),
            self.t.db.clone(),
            Some(self.key.clone()),
            self.reconciler.defaults.clone(),
        )
        .with_hosts(self.reconciler.hosts.clone())
    }

    /// Removes every container this test made.
    pub async fn cleanup(&self) {
        let runtime = &self.reconciler.runtime;
        for c in runtime.list(&[("platform", &self.label)]).await.unwrap() {
            runtime.remove(&c.id).await.unwrap();
        }
    }
}

impl<E: Engine> Drop for World<E> {
    /// A failed test still leaves no container behind.
    fn drop(&mut self) {
        let label = self.label.clone();
        let defaults = self.reconciler.defaults.clone();
        std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async {
                // A client of this thread's own: the test's may hold connections its runtime,
                // blocked in this drop, would have to serve.
                let Ok(runtime) = E::connect(&defaults) else {
                    return;
                };
                if let Ok(found) = runtime.list(&[("platform", &label)]).await {
                    for c in found {
                        let _ = runtime.remove(&c.id).await;
                    }
                }
            });
        })
        .join()
        .ok();
    }
}

/// How often a test looks at the engine while it waits (each look lists containers).
pub const LOOK_EVERY: Duration = Duration::from_millis(200);

/// Whether `check` comes to hold within `secs` seconds, looked at every [`LOOK_EVERY`].
pub async fn eventually<F, Fut>(secs: u64, check: F) -> bool
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    test_support::holds_within(Duration::from_secs(secs), LOOK_EVERY, check).await
}
