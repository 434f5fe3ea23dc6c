//! A shared bot host, configured from the environment (and `.env`): `booking-bot host`.

use std::net::SocketAddr;

use secrecy::SecretString;
use storage::host::HostName;
use telemetry::{TelemetryArgs, parse_secret};

/// A bot host: one process serving the tenants the deploy worker assigns to it.
#[derive(Clone, Debug, clap::Parser)]
#[command(
    name = "booking-bot host",
    version,
    about = "A shared bot host: many businesses' Telegram booking bots in one process"
)]
pub struct HostConfig {
    /// The host's name (its database role is `<database>_host_<name>`).
    #[arg(long, env = "HOST_NAME", value_parser = parse_host_name)]
    pub host_name: HostName,
    /// Bearer token of the control API the deploy worker assigns tenants through.
    #[arg(long, env = "HOST_SECRET", value_parser = parse_secret, hide_env_values = true)]
    pub host_secret: SecretString,
    /// PostgreSQL, as the host's own role (a member of exactly the tenant roles it serves).
    #[arg(long, env = "DATABASE_URL", value_parser = parse_secret, hide_env_values = true)]
    pub database_url: SecretString,
    /// How many database connections the host may hold for all its tenants; idle ones close.
    #[arg(long, env = "HOST_POOL_SIZE", default_value_t = 8)]
    pub pool_size: u32,
    /// Redis, for dialogue state and rate limits (keys carry each tenant).
    #[arg(long, env = "REDIS_URL", default_value = "redis://127.0.0.1:6379", value_parser = parse_secret, hide_env_values = true)]
    pub redis_url: SecretString,
    /// The Bot API server (tg-sandbox locally).
    #[arg(
        long,
        env = "TELEGRAM_API_URL",
        default_value = "https://api.telegram.org"
    )]
    pub telegram_api_url: String,
    /// Updates by webhook instead of long polling: the public address of this host's
    /// `/telegram/` paths (each tenant gets `<WEBHOOK_URL>/telegram/<tenant id>`).
    #[arg(long, env = "WEBHOOK_URL")]
    pub webhook_url: Option<reqwest::Url>,
    /// Health, readiness, metrics, the control API and the webhooks.
    #[arg(long, env = "HTTP_ADDR", default_value = "127.0.0.1:8083")]
    pub http_addr: SocketAddr,
    /// Seconds added to the machine's clock (staging and tests only; see the booking bot's
    /// own setting).
    #[arg(
        long,
        env = "CLOCK_OFFSET_SECS",
        default_value_t = 0,
        allow_hyphen_values = true
    )]
    pub clock_offset_secs: i64,
    #[command(flatten)]
    pub telemetry: TelemetryArgs,
}

fn parse_host_name(s: &str) -> Result<HostName, String> {
    HostName::parse(s).map_err(|e| e.to_string())
}
