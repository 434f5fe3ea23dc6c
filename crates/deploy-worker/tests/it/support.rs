//! An engine, a test image built from the booking-bot binary, a database and a reconciler.

use std::{path::PathBuf, process::Command, time::Duration};

use booking_core::ids::TenantId;
use deploy_worker::{
    config::TenantDefaults,
    image,
    reconcile::Reconciler,
    runtime::{ContainerInfo, ContainerRuntime, docker::DockerRuntime},
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

pub fn docker_host() -> String {
    std::env::var("DOCKER_HOST").unwrap_or_else(|_| "unix:///run/podman/podman.sock".to_owned())
}

static IMAGES: OnceCell<()> = OnceCell::const_new();

/// The booking-bot binary of this build, built if the run has not built it yet.
fn booking_bot_binary() -> PathBuf {
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

/// Imports the two test images once per run, from the binaries this build made.
async fn images(runtime: &DockerRuntime) {
    IMAGES
        .get_or_init(|| async {
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
                runtime
                    .import_rootfs(&format!("{IMAGE}:{tag}"), tar.clone(), entrypoint)
                    .await
                    .expect("import the test image");
            }
            runtime
                .prune_untagged_images()
                .await
                .expect("prune the previous runs' images");
        })
        .await;
}

/// One test's world: its database, its engine label, its reconciler.
pub struct World {
    pub t: TestDb,
    pub key: DataKey,
    pub label: String,
    pub reconciler: Reconciler<DockerRuntime>,
}

pub async fn world() -> World {
    let host = docker_host();
    let reachable = match DockerRuntime::connect(&host) {
        Ok(runtime) => runtime.ping().await.map(|()| runtime),
        Err(e) => Err(e),
    };
    let runtime = reachable.unwrap_or_else(|e| {
        panic!(
            "no container engine at {host} ({e}): run scripts/podman.sh (as scripts/test.sh does) \
             or set DOCKER_HOST"
        )
    });
    images(&runtime).await;
    let t = TestDb::new().await;
    let key_b64 = SecretString::from(DataKey::generate_base64());
    let label = format!("it-{}", &uuid::Uuid::new_v4().simple().to_string()[..10]);
    let defaults = TenantDefaults {
        image: IMAGE.to_owned(),
        image_tag: GOOD.to_owned(),
        redis_url: SecretString::from("redis://127.0.0.1:6379"),
        redis_acl: false,
        // Nothing answers there: the bot retries getMe and keeps running, as in an outage.
        telegram_api_url: "http://127.0.0.1:9".to_owned(),
        tenant_sentry_dsn: None,
        network: "host".to_owned(),
        memory_mb: 128,
        millicpus: 500,
        restart_retries: 1,
        platform_label: label.clone(),
        health_grace_secs: 2,
        // The image's own check: the bot's /health, on the port it really took.
        health_cmd: vec!["/usr/local/bin/healthcheck".to_owned()],
        clock_offset_secs: 0,
    };
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

impl World {
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

    /// Removes every container this test made.
    pub async fn cleanup(&self) {
        let runtime = &self.reconciler.runtime;
        for c in runtime.list(&[("platform", &self.label)]).await.unwrap() {
            runtime.remove(&c.id).await.unwrap();
        }
    }
}

impl Drop for World {
    /// A failed test still leaves no container behind.
    fn drop(&mut self) {
        let label = self.label.clone();
        let host = docker_host();
        std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async {
                let runtime = DockerRuntime::connect(&host).unwrap();
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

/// Waits up to `secs` for `check` to hold.
pub async fn eventually<F, Fut>(secs: u64, mut check: F) -> bool
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = tokio::time::Instant::now() + Duration::from_secs(secs);
    while tokio::time::Instant::now() < deadline {
        if check().await {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    false
}
