//! A shared bot host, configured from the environment (and `.env`): `booking-bot host`. Any
//! variable `X` can come from the file `X_FILE` names, as for a dedicated bot (on Swarm the
//! deploy worker gives a host its secret and database URL as files).

use std::net::SocketAddr;

use clap::Args as _;

use secrecy::SecretString;
use storage::host::HostName;
use telemetry::{TelemetryArgs, parse_secret};

/// A bot host: one process serving the tenants the deploy worker assigns to it.
#[derive(Clone, Debug, clap::Args)]
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
    /// YooKassa's API, which the refund worker gives payments back through with each tenant's
    /// shop (the fake YooKassa in tests).
    #[arg(long, env = "YOOKASSA_API_URL", default_value = crate::refunds::api::DEFAULT_URL)]
    pub yookassa_api_url: String,
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

/// The derived arguments with `X_FILE` read for any `X` (see `crate::config`).
impl clap::CommandFactory for HostConfig {
    fn command() -> clap::Command {
        crate::config::with_files(base_command(), |key| std::env::var_os(key))
            .unwrap_or_else(|e| e.exit())
    }

    fn command_for_update() -> clap::Command {
        Self::augment_args_for_update(clap::Command::new("booking-bot host"))
    }
}

impl clap::Parser for HostConfig {}

fn base_command() -> clap::Command {
    HostConfig::augment_args(clap::Command::new("booking-bot host"))
}

fn parse_host_name(s: &str) -> Result<HostName, String> {
    HostName::parse(s).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use std::{collections::HashMap, ffi::OsString};

    use clap::FromArgMatches as _;
    use secrecy::ExposeSecret as _;

    use super::*;

    #[test]
    fn the_hosts_secret_and_database_url_may_come_from_files() {
        let dir = std::env::temp_dir();
        let secret = dir.join(format!("host-secret-{}", std::process::id()));
        let url = dir.join(format!("host-db-url-{}", std::process::id()));
        std::fs::write(&secret, "bearer\n").unwrap();
        std::fs::write(&url, "postgres://h:pw@db/booking").unwrap();
        let vars = HashMap::from([
            ("HOST_SECRET_FILE", OsString::from(&secret)),
            ("DATABASE_URL_FILE", OsString::from(&url)),
        ]);
        let cmd = crate::config::with_files(base_command(), |k| vars.get(k).cloned()).unwrap();
        let mut matches = cmd
            .try_get_matches_from(["host", "--host-name", "shared1"])
            .unwrap();
        let config = HostConfig::from_arg_matches_mut(&mut matches).unwrap();
        assert_eq!(config.host_secret.expose_secret(), "bearer");
        assert_eq!(
            config.database_url.expose_secret(),
            "postgres://h:pw@db/booking"
        );
        assert_eq!(config.host_name.as_str(), "shared1");
    }

    #[test]
    fn the_command_line_is_well_formed() {
        use clap::CommandFactory as _;
        base_command().debug_assert();
        let _ = HostConfig::command_for_update();
    }
}
