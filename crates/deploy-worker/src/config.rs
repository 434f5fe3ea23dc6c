use std::net::SocketAddr;

use secrecy::SecretString;
use telemetry::{TelemetryArgs, parse_secret};

/// The deploy worker, configured from the environment (and `.env`).
#[derive(Clone, Debug, clap::Parser)]
#[command(
    version,
    about = "Runs tenant bots as containers on a Docker-API engine"
)]
pub struct Config {
    /// PostgreSQL, as the platform's user.
    #[arg(long, env = "DATABASE_URL", value_parser = parse_secret, hide_env_values = true)]
    pub database_url: SecretString,
    /// The Docker-API engine (Docker, or podman's compatible service).
    #[arg(
        long,
        env = "DOCKER_HOST",
        default_value = "unix:///var/run/docker.sock"
    )]
    pub docker_host: String,
    /// Health, readiness and metrics.
    #[arg(long, env = "HTTP_ADDR", default_value = "127.0.0.1:8092")]
    pub http_addr: SocketAddr,
    #[command(flatten)]
    pub telemetry: TelemetryArgs,
}
