use std::{net::SocketAddr, time::Duration};

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
    /// The Docker-API engine (Docker, or podman's compatible service); with
    /// `DEPLOY_RUNTIME=swarm`, a manager of the swarm.
    #[arg(
        long,
        env = "DOCKER_HOST",
        default_value = "unix:///var/run/docker.sock"
    )]
    pub docker_host: String,
    /// `docker`: each bot a container on the engine at `DOCKER_HOST`. `swarm`: each bot a
    /// service of the swarm that `DOCKER_HOST` manages, on any of its nodes.
    #[arg(long, env = "DEPLOY_RUNTIME", value_enum, default_value_t = RuntimeKind::Docker)]
    pub runtime: RuntimeKind,
    #[command(flatten)]
    pub swarm: SwarmArgs,
    /// Health, readiness and metrics.
    #[arg(long, env = "HTTP_ADDR", default_value = "127.0.0.1:8092")]
    pub http_addr: SocketAddr,
    /// Opens the tenants' sealed bot tokens and database passwords (base64, 32 bytes). Without
    /// it the worker serves its endpoints but deploys nothing.
    #[arg(long, env = "DATA_KEY", value_parser = parse_secret, hide_env_values = true)]
    pub data_key: Option<SecretString>,
    #[command(flatten)]
    pub tenants: TenantDefaults,
    #[command(flatten)]
    pub hosts: HostDefaults,
    /// Seconds between full reconciliation passes over every tenant.
    #[arg(long, env = "RECONCILE_INTERVAL_SECS", default_value_t = 60)]
    pub reconcile_interval_secs: u64,
    /// Jobs (rollouts of different tenants) run at once; each mostly waits on a health check.
    #[arg(long, env = "DEPLOY_CONCURRENCY", default_value_t = 4)]
    pub deploy_concurrency: usize,
    #[command(flatten)]
    pub telemetry: TelemetryArgs,
}

/// Which engine API the worker drives (see `runtime`).
#[derive(Copy, Clone, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum RuntimeKind {
    /// Containers on one Docker engine.
    Docker,
    /// Services on a Docker Swarm.
    Swarm,
}

/// Settings of the Swarm runtime only.
#[derive(Clone, Debug, clap::Args)]
pub struct SwarmArgs {
    /// Placement constraints for bots, comma-separated (`node.labels.bots==true`); by default
    /// any node of the swarm.
    #[arg(long, env = "SWARM_CONSTRAINTS", value_delimiter = ',')]
    pub swarm_constraints: Vec<String>,
    /// Seconds between Swarm's health checks of a running bot (each an exec on its node). On
    /// Docker before 25 a new bot's first check also waits this long; later ones check every
    /// second while the bot starts.
    #[arg(long, env = "SWARM_HEALTH_INTERVAL_SECS", default_value_t = 10)]
    pub swarm_health_interval_secs: u64,
}

impl Config {
    /// How the Swarm runtime runs bots, from the Swarm settings and the tenants' health check.
    #[must_use]
    pub fn swarm_options(&self) -> crate::runtime::swarm::SwarmOptions {
        crate::runtime::swarm::SwarmOptions {
            health_cmd: self.tenants.health_cmd.clone(),
            health_grace: Duration::from_secs(self.tenants.health_grace_secs.max(1)),
            health_interval: Duration::from_secs(self.swarm.swarm_health_interval_secs.max(1)),
            constraints: self
                .swarm
                .swarm_constraints
                .iter()
                .filter(|c| !c.trim().is_empty())
                .cloned()
                .collect(),
        }
    }
}

/// How tenant bots' containers are made.
#[derive(Clone, Debug, clap::Args)]
pub struct TenantDefaults {
    /// The booking bot's image, without tag.
    #[arg(long, env = "TENANT_IMAGE", default_value = "localhost/booking-bot")]
    pub image: String,
    /// The tag used when a tenant names none.
    #[arg(long, env = "TENANT_IMAGE_TAG", default_value = "latest")]
    pub image_tag: String,
    /// Redis, as the tenant bots reach it. With REDIS_ACL=on, without a user: each bot gets
    /// its tenant's own user and password put in.
    #[arg(
        long,
        env = "TENANT_REDIS_URL",
        default_value = "redis://127.0.0.1:6379",
        value_parser = parse_secret,
        hide_env_values = true
    )]
    pub redis_url: SecretString,
    /// `on`: each bot reaches Redis as its tenant's own user (`<database>_tenant_<id>`, keys
    /// `t:<id>:*` only), made by the platform when it provisions the tenant. `off`: every bot
    /// gets TENANT_REDIS_URL as it is.
    #[arg(long, env = "REDIS_ACL", default_value = "off",
          value_parser = clap::builder::BoolishValueParser::new(), action = clap::ArgAction::Set)]
    pub redis_acl: bool,
    /// The Bot API as the tenant bots reach it.
    #[arg(
        long,
        env = "TENANT_TELEGRAM_API_URL",
        default_value = "https://api.telegram.org"
    )]
    pub telegram_api_url: String,
    /// The platform's public address of calendar feeds (the master's `/ical/<token>.ics`),
    /// handed to every bot as its CALENDAR_FEED_URL: the admin panel builds feed links on it.
    #[arg(long, env = "TENANT_CALENDAR_FEED_URL")]
    pub calendar_feed_url: Option<String>,
    /// Error reporting for the tenant bots.
    #[arg(long, env = "TENANT_SENTRY_DSN", value_parser = parse_secret, hide_env_values = true)]
    pub tenant_sentry_dsn: Option<SecretString>,
    /// `bridge` (the default: a bot sees only what it is given an address of), a network's
    /// name (compose's `booking-platform`), or `host`: the host's own network, where a bot
    /// could reach every service listening on the host's loopback (one machine, local runs).
    #[arg(long, env = "TENANT_NETWORK", default_value = "bridge")]
    pub network: String,
    #[arg(long, env = "TENANT_MEMORY_MB", default_value_t = 256)]
    pub memory_mb: i64,
    /// CPUs per bot, in thousandths.
    #[arg(long, env = "TENANT_MILLICPUS", default_value_t = 500)]
    pub millicpus: i64,
    /// Crash restarts before a bot stays exited.
    #[arg(long, env = "TENANT_RESTART_RETRIES", default_value_t = 3)]
    pub restart_retries: i64,
    /// The `platform` label value, and the prefix of container names; separates platforms
    /// (and tests) sharing one engine.
    #[arg(long, env = "TENANT_PLATFORM_LABEL", default_value = "booking")]
    pub platform_label: String,
    /// Seconds a new bot must stay running before its health check.
    #[arg(long, env = "TENANT_HEALTH_GRACE_SECS", default_value_t = 3)]
    pub health_grace_secs: u64,
    /// The health check run inside a bot's container; exit 0 is healthy. The image's
    /// `healthcheck` binary asks the bot's own `/health` (see `deploy_worker::healthcheck`).
    #[arg(
        long,
        env = "TENANT_HEALTH_CMD",
        default_value = "/usr/local/bin/healthcheck",
        value_delimiter = ' ',
        num_args = 1..
    )]
    pub health_cmd: Vec<String>,
    /// Passed to every bot as `CLOCK_OFFSET_SECS` when not 0. Staging and tests only: a
    /// change replaces every bot (the spec's hash changes), which is how a test moves the
    /// time of bots it cannot reach otherwise.
    #[arg(
        long,
        env = "TENANT_CLOCK_OFFSET_SECS",
        default_value_t = 0,
        allow_hyphen_values = true
    )]
    pub clock_offset_secs: i64,
}

/// How shared bot hosts are made (their image, Redis, Bot API, network and health check are
/// the tenants' settings above).
#[derive(Clone, Debug, clap::Args)]
pub struct HostDefaults {
    /// Tenants one new bot host serves at most (a host keeps the capacity it was made with).
    #[arg(long, env = "HOST_CAPACITY", default_value_t = 500)]
    pub host_capacity: i32,
    /// On the host network, bot host number N listens on this port + N (loopback only); on
    /// another network each listens on 8080 and is reached by its container's name.
    #[arg(long, env = "HOST_PORT_BASE", default_value_t = 8200)]
    pub host_port_base: u16,
    /// Seconds a bot host may run with no tenant before it is stopped.
    #[arg(long, env = "HOST_IDLE_SECS", default_value_t = 600)]
    pub host_idle_secs: u64,
    #[arg(long, env = "HOST_MEMORY_MB", default_value_t = 1024)]
    pub host_memory_mb: i64,
    /// CPUs per bot host, in thousandths.
    #[arg(long, env = "HOST_MILLICPUS", default_value_t = 1000)]
    pub host_millicpus: i64,
    /// Database connections one bot host may hold for all its tenants.
    #[arg(long, env = "HOST_POOL_SIZE", default_value_t = 8)]
    pub host_pool_size: u32,
}

impl Default for HostDefaults {
    /// The defaults of the environment variables above.
    fn default() -> Self {
        Self {
            host_capacity: 500,
            host_port_base: 8200,
            host_idle_secs: 600,
            host_memory_mb: 1024,
            host_millicpus: 1000,
            host_pool_size: 8,
        }
    }
}

#[cfg(test)]
mod tests {
    use clap::{CommandFactory as _, Parser as _};

    use super::{Config, RuntimeKind};

    #[test]
    fn the_command_line_is_well_formed() {
        Config::command().debug_assert();
    }

    #[test]
    fn the_plain_engine_is_the_default_and_swarm_is_chosen_by_name() {
        let base = ["deploy-worker", "--database-url", "postgres://x@h/db"];
        let config = Config::try_parse_from(base).unwrap();
        assert_eq!(config.runtime, RuntimeKind::Docker);
        let swarm = Config::try_parse_from(base.into_iter().chain([
            "--runtime",
            "swarm",
            "--swarm-constraints",
            "node.role==worker,node.labels.bots==true",
        ]))
        .unwrap();
        assert_eq!(swarm.runtime, RuntimeKind::Swarm);
        let options = swarm.swarm_options();
        assert_eq!(options.constraints.len(), 2);
        assert_eq!(options.health_interval.as_secs(), 10);
    }

    #[test]
    fn bots_are_off_the_host_network_unless_asked() {
        let base = ["deploy-worker", "--database-url", "postgres://x@h/db"];
        let config = Config::try_parse_from(base).unwrap();
        assert_eq!(config.tenants.network, "bridge");
        assert!(!config.tenants.redis_acl);
        let host = Config::try_parse_from(base.into_iter().chain(["--network", "host"])).unwrap();
        assert_eq!(host.tenants.network, "host");
        let acl = Config::try_parse_from(base.into_iter().chain(["--redis-acl", "on"])).unwrap();
        assert!(acl.tenants.redis_acl);
    }

    #[test]
    fn no_secret_of_the_configuration_is_in_its_debug_output() {
        let config = Config::try_parse_from([
            "deploy-worker",
            "--database-url",
            "postgres://platform:pg-secret@h/db",
            "--data-key",
            "data-key-secret",
            "--redis-url",
            "redis://shared:redis-secret@redis:6379",
            "--tenant-sentry-dsn",
            "https://sentry-key-secret@sentry.example/1",
        ])
        .unwrap();
        let shown = format!("{config:?}");
        for secret in [
            "pg-secret",
            "data-key-secret",
            "redis-secret",
            "sentry-key-secret",
        ] {
            assert!(!shown.contains(secret), "{secret} in {shown}");
        }
    }

    #[test]
    fn host_settings_default_as_documented() {
        let config =
            Config::try_parse_from(["deploy-worker", "--database-url", "postgres://x@h/db"])
                .unwrap();
        let documented = super::HostDefaults::default();
        assert_eq!(config.hosts.host_capacity, documented.host_capacity);
        assert_eq!(config.hosts.host_port_base, documented.host_port_base);
        assert_eq!(config.hosts.host_idle_secs, documented.host_idle_secs);
        assert_eq!(config.hosts.host_memory_mb, documented.host_memory_mb);
        assert_eq!(config.hosts.host_millicpus, documented.host_millicpus);
        assert_eq!(config.hosts.host_pool_size, documented.host_pool_size);
    }
}
