//! Makes the tenant image on an engine that reaches no registry (this machine, a demo host):
//! the booking bot and `healthcheck` from a build directory, with the libraries they link,
//! imported as `localhost/booking-bot:latest` (the worker's default `TENANT_IMAGE`). On a
//! swarm, run it against every node's engine: each node runs the image it has by that tag.
//!
//! ```sh
//! cargo build -p booking-bot -p deploy-worker --bins
//! DOCKER_HOST=unix:///run/podman/podman.sock \
//!   cargo run -p deploy-worker --example import_tenant_image -- target/debug localhost/booking-bot:latest
//! ```
#![allow(clippy::expect_used)]

use std::{path::PathBuf, process::ExitCode};

use deploy_worker::{image, runtime::client::EngineClient};

#[tokio::main]
async fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let bin_dir = PathBuf::from(args.next().unwrap_or_else(|| "target/debug".to_owned()));
    let repo_tag = args
        .next()
        .unwrap_or_else(|| "localhost/booking-bot:latest".to_owned());
    let host =
        std::env::var("DOCKER_HOST").unwrap_or_else(|_| "unix:///var/run/docker.sock".to_owned());
    let result = async {
        let client = EngineClient::connect(&host)?;
        let tar = image::rootfs_tar(&[
            (bin_dir.join("booking-bot"), "booking-bot"),
            (bin_dir.join("healthcheck"), "healthcheck"),
        ])?;
        image::import_rootfs(&client, &repo_tag, tar, r#"["/usr/local/bin/booking-bot"]"#).await?;
        image::prune_untagged_images(&client).await?;
        anyhow::Ok(())
    }
    .await;
    match result {
        Ok(()) => {
            println!("imported {repo_tag} from {}", bin_dir.display());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e:#} (DOCKER_HOST={host})");
            ExitCode::FAILURE
        }
    }
}
