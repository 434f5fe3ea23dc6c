//! Deploy benchmark against a real engine (podman's service: `scripts/podman.sh`, or with
//! `--runtime swarm` the one-node swarm of `scripts/swarm.sh`), PostgreSQL, Redis and an
//! in-process tg-sandbox, with the real booking bot in the containers:
//!
//! 1. latency: one tenant at a time, from its deploy job queued to its deployment finished
//!    healthy (the worker loop as it runs in production, queue polling included);
//! 2. throughput: `--burst` tenants queued at once, one worker running `--concurrency` jobs at
//!    once (`DEPLOY_CONCURRENCY`, 4): containers brought up healthy per minute.
//!
//! ```sh
//! bash scripts/podman.sh && cargo build -p booking-bot -p deploy-worker --bins
//! cargo run -p deploy-worker --profile perf --example bench_deploy -- --rounds 5 --burst 10
//! bash scripts/swarm.sh
//! cargo run -p deploy-worker --profile perf --example bench_deploy -- --runtime swarm \
//!   --rounds 5 --burst 10 --health-interval 1
//! ```
//!
//! On Swarm the engine runs the health check: `--health-interval` is
//! `SWARM_HEALTH_INTERVAL_SECS` (10 by default), and Docker 20.10 makes a new bot's first check
//! wait that long.
//!
//! The image is imported from `target/debug/booking-bot` and `target/debug/healthcheck` (the
//! binaries the test run builds); `--bin-dir` picks another profile's.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use std::{path::PathBuf, time::Duration};

use booking_core::ids::{JobId, TenantId};
use chrono::Utc;
use deploy_worker::{
    config::TenantDefaults,
    image,
    reconcile::Reconciler,
    runtime::{
        ContainerRuntime,
        client::EngineClient,
        docker::DockerRuntime,
        swarm::{SwarmOptions, SwarmRuntime},
    },
    worker,
};
use secrecy::SecretString;
use storage::{
    control::{
        deployments,
        jobs::{self, JobKind, NewJob},
        tenant_admin, tenants,
    },
    crypto::DataKey,
};
use test_support::TestDb;

const IMAGE: &str = "localhost/booking-bot-bench";

struct Args {
    /// `docker` or `swarm`.
    runtime: String,
    /// Swarm's health check interval, seconds.
    health_interval: u64,
    rounds: usize,
    burst: usize,
    grace_secs: u64,
    concurrency: usize,
    bin_dir: PathBuf,
}

fn args() -> Args {
    let mut out = Args {
        runtime: "docker".to_owned(),
        health_interval: 10,
        rounds: 5,
        burst: 10,
        grace_secs: 3,
        concurrency: 4,
        bin_dir: PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/debug"),
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let value = it.next().unwrap_or_else(|| panic!("{flag} needs a value"));
        match flag.as_str() {
            "--runtime" => out.runtime = value,
            "--health-interval" => {
                out.health_interval = value.parse().expect("--health-interval SECS");
            }
            "--rounds" => out.rounds = value.parse().expect("--rounds N"),
            "--burst" => out.burst = value.parse().expect("--burst N"),
            "--grace-secs" => out.grace_secs = value.parse().expect("--grace-secs N"),
            "--concurrency" => out.concurrency = value.parse().expect("--concurrency N"),
            "--bin-dir" => out.bin_dir = PathBuf::from(value),
            other => panic!("unknown flag {other}"),
        }
    }
    out
}

struct Bench {
    t: TestDb,
    key: DataKey,
    sandbox: tg_sandbox::SandboxHandle,
    label: String,
}

impl Bench {
    /// A provisioned, running tenant whose bot token the sandbox knows.
    async fn tenant(&self, n: usize) -> TenantId {
        let bot = self
            .sandbox
            .client()
            .create_bot(&format!("bench{}_{n}_bot", std::process::id()))
            .await
            .unwrap();
        let (record, password) = self.t.tenant("Salon", chrono_tz::Europe::Moscow).await;
        let pool = self.t.db.pool();
        tenants::set_db_password(pool, &self.key, record.id, &password)
            .await
            .unwrap();
        let token = SecretString::from(bot.token.as_str().to_owned());
        tenant_admin::set_bot(pool, &self.key, record.id, &token, &bot.username)
            .await
            .unwrap()
            .unwrap();
        tenants::set_desired_state(pool, record.id, tenants::DesiredState::Running)
            .await
            .unwrap();
        record.id
    }

    async fn queue(&self, id: TenantId) -> (chrono::DateTime<Utc>, JobId) {
        let at = Utc::now();
        let job = NewJob::new(JobKind::reconcile(id), at);
        let job_id = jobs::enqueue(self.t.db.pool(), &job)
            .await
            .unwrap()
            .unwrap();
        (at, job_id)
    }

    /// When the tenant's deployment finished healthy; panics on a failed one.
    async fn healthy_at(&self, id: TenantId) -> Option<chrono::DateTime<Utc>> {
        let latest = deployments::latest(self.t.db.pool(), id, 1).await.unwrap();
        let d = latest.first()?;
        match d.status.as_str() {
            "succeeded" => d.finished_at,
            "running" => None,
            other => panic!("tenant {id}: deployment {other}: {:?}", d.error),
        }
    }

    async fn wait_healthy(&self, ids: &[TenantId]) -> Vec<chrono::DateTime<Utc>> {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(600);
        loop {
            let mut done = Vec::new();
            for id in ids {
                if let Some(at) = self.healthy_at(*id).await {
                    done.push(at);
                }
            }
            if done.len() == ids.len() {
                return done;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "not healthy in 10 minutes"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

fn secs(d: chrono::Duration) -> f64 {
    d.num_milliseconds() as f64 / 1000.0
}

#[tokio::main]
async fn main() {
    let args = args();
    let health_cmd = vec!["/usr/local/bin/healthcheck".to_owned()];
    match args.runtime.as_str() {
        "docker" => {
            let host = std::env::var("DOCKER_HOST")
                .unwrap_or_else(|_| "unix:///run/podman/podman.sock".to_owned());
            let runtime = DockerRuntime::connect(&host).expect("DOCKER_HOST");
            let client = runtime.client().clone();
            bench(runtime, &client, &args).await;
        }
        "swarm" => {
            let host = std::env::var("SWARM_DOCKER_HOST")
                .unwrap_or_else(|_| "unix:///tmp/dkr/docker.sock".to_owned());
            let options = SwarmOptions {
                health_cmd,
                health_grace: Duration::from_secs(args.grace_secs),
                health_interval: Duration::from_secs(args.health_interval),
                constraints: Vec::new(),
            };
            let runtime = SwarmRuntime::connect(&host, options).expect("SWARM_DOCKER_HOST");
            let client = runtime.client().clone();
            bench(runtime, &client, &args).await;
        }
        other => panic!("--runtime docker|swarm, not {other}"),
    }
}

async fn bench<R: ContainerRuntime + Clone>(runtime: R, client: &EngineClient, args: &Args) {
    runtime
        .ping()
        .await
        .expect("no engine: run scripts/podman.sh or scripts/swarm.sh");
    let tar = image::rootfs_tar(&[
        (args.bin_dir.join("booking-bot"), "booking-bot"),
        (args.bin_dir.join("healthcheck"), "healthcheck"),
    ])
    .expect("build the root filesystem (build the binaries first)");
    image::import_rootfs(
        client,
        &format!("{IMAGE}:latest"),
        tar,
        r#"["/usr/local/bin/booking-bot"]"#,
    )
    .await
    .expect("import the image");
    image::prune_untagged_images(client)
        .await
        .expect("prune the previous runs' images");

    // Telegram's flood limits would measure the sandbox, not the worker.
    let sandbox_config = tg_sandbox::Config {
        flood: tg_sandbox::FloodLimits::off(),
        ..tg_sandbox::Config::default()
    };
    let bench = Bench {
        t: TestDb::new().await,
        key: DataKey::parse(&SecretString::from(DataKey::generate_base64())).unwrap(),
        sandbox: tg_sandbox::spawn(sandbox_config).await.unwrap(),
        label: format!("bench-{}", std::process::id()),
    };
    let defaults = TenantDefaults {
        image: IMAGE.to_owned(),
        image_tag: "latest".to_owned(),
        redis_url: SecretString::from("redis://127.0.0.1:6379"),
        redis_acl: false,
        telegram_api_url: bench.sandbox.url().to_string(),
        calendar_feed_url: None,
        tenant_sentry_dsn: None,
        network: "host".to_owned(),
        memory_mb: 256,
        millicpus: 500,
        restart_retries: 3,
        platform_label: bench.label.clone(),
        health_grace_secs: args.grace_secs,
        health_cmd: vec!["/usr/local/bin/healthcheck".to_owned()],
        clock_offset_secs: 0,
    };
    let reconciler = Reconciler::new(
        runtime.clone(),
        bench.t.db.clone(),
        Some(bench.key.clone()),
        defaults,
    )
    .with_concurrency(args.concurrency);
    let stop = telemetry::Shutdown::new();
    let worker = tokio::spawn(worker::run(
        reconciler,
        "bench".to_owned(),
        // Periodic passes would only add noise: jobs alone drive this run.
        Duration::from_secs(3600),
        stop.wait(),
    ));

    let mut latencies = Vec::new();
    for n in 0..args.rounds {
        let id = bench.tenant(n).await;
        let (queued, _) = bench.queue(id).await;
        let healthy = bench.wait_healthy(&[id]).await[0];
        latencies.push(secs(healthy - queued));
    }
    latencies.sort_by(f64::total_cmp);
    let median = latencies[latencies.len() / 2];

    let mut ids = Vec::new();
    for n in 0..args.burst {
        ids.push(bench.tenant(args.rounds + n).await);
    }
    let mut first_queued = None;
    let mut job_ids = Vec::new();
    for id in &ids {
        let (at, job) = bench.queue(*id).await;
        first_queued.get_or_insert(at);
        job_ids.push(job);
    }
    let done = bench.wait_healthy(&ids).await;
    // Every deployment beyond one per tenant is a retry: say why, it is part of the figure.
    for id in &ids {
        let all = deployments::latest(bench.t.db.pool(), *id, 10)
            .await
            .unwrap();
        for d in all.iter().filter(|d| d.status != "succeeded") {
            eprintln!(
                "tenant {id}: a {} deployment before success ({:?} to {:?}): {:?}; error: {:?}",
                d.status,
                d.started_at,
                d.finished_at,
                d.events.iter().map(|e| &e.message).collect::<Vec<_>>(),
                d.error
            );
        }
    }
    for job in job_ids {
        let state = jobs::state(bench.t.db.pool(), job).await.unwrap().unwrap();
        if state.attempts > 1 {
            eprintln!(
                "job {job} took {} attempts: {:?}",
                state.attempts, state.last_error
            );
        }
    }
    let last = done.iter().max().copied().unwrap();
    let burst_secs = secs(last - first_queued.unwrap());
    let per_minute = args.burst as f64 * 60.0 / burst_secs;

    stop.trigger();
    let _ = worker.await;
    for c in runtime
        .list(&[("platform", bench.label.as_str())])
        .await
        .unwrap()
    {
        runtime.remove(&c.id).await.unwrap();
    }

    let engine = if args.runtime == "swarm" {
        format!("swarm, health interval {} s", args.health_interval)
    } else {
        "docker engine".to_owned()
    };
    println!(
        "{engine}: deploy latency (job queued -> bot healthy), {} rounds, health grace {} s: \
         median {median:.2} s, min {:.2} s, max {:.2} s",
        args.rounds,
        args.grace_secs,
        latencies[0],
        latencies[latencies.len() - 1]
    );
    println!(
        "burst: {} tenants queued at once, one worker running {} jobs at once: all healthy in \
         {burst_secs:.1} s = {per_minute:.1} containers per minute",
        args.burst, args.concurrency
    );
}
