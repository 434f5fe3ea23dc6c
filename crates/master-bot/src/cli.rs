/// `apikey create|list|revoke`.
mod apikey;
/// `demo`: the demo tenant of `scripts/up.sh`.
mod demo;
/// `migrate`: control and every tenant, in lock-step.
mod migrate;
/// `tenant create|list|show|delete`.
mod tenant;

use std::{net::SocketAddr, time::Duration};

use anyhow::Context as _;
use secrecy::SecretString;
use storage::{Db, crypto::DataKey, db::PoolSize, redis_acl::RedisAcl};
use telemetry::{TelemetryArgs, client_ip::Allowlist, parse_secret};

use crate::{
    api::{
        RateLimit,
        state::{ApiSettings, PlatformKeys},
    },
    monitor::MonitorConfig,
    operator_bot::{OperatorBotConfig, allowlist::OperatorIds},
    serve::Background,
};

/// The platform's operator binary. Without a subcommand it serves.
#[derive(Debug, clap::Parser)]
#[command(version, about = "Operator REST API, operator bot and platform CLI")]
pub struct Cli {
    /// PostgreSQL, as the platform's user (it creates tenant schemas and roles).
    #[arg(long, env = "DATABASE_URL", value_parser = parse_secret, hide_env_values = true, global = true)]
    pub database_url: Option<SecretString>,
    /// The data key sealing bot tokens and tenant passwords: 32 bytes in base64.
    #[arg(long, env = "DATA_KEY", value_parser = parse_secret, hide_env_values = true, global = true)]
    pub data_key: Option<SecretString>,
    /// The Bot API server that checks tenants' bot tokens (getMe); tg-sandbox locally.
    #[arg(long, env = "TELEGRAM_API_URL", default_value = crate::bot_api::TELEGRAM, global = true)]
    pub telegram_api_url: String,
    /// `on`: every tenant's bot reaches Redis as a user of its own, limited to its own keys;
    /// the platform makes the users (needs REDIS_ADMIN_URL). `off`: one shared Redis URL.
    #[arg(long, env = "REDIS_ACL", default_value = "off", global = true,
          value_parser = clap::builder::BoolishValueParser::new(), action = clap::ArgAction::Set)]
    pub redis_acl: bool,
    /// Redis as a user that may manage users (`ACL SETUSER`), for REDIS_ACL=on.
    #[arg(long, env = "REDIS_ADMIN_URL", value_parser = parse_secret, hide_env_values = true, global = true)]
    pub redis_admin_url: Option<SecretString>,
    /// With REDIS_ACL=on: the password of the sales bot's own Redis user (`<database>_sales`,
    /// keys `sales:*`), made by `migrate` and at `serve`. The sales bot's REDIS_URL names it.
    #[arg(long, env = "SALES_REDIS_PASSWORD", value_parser = parse_secret, hide_env_values = true, global = true)]
    pub sales_redis_password: Option<SecretString>,
    #[command(flatten)]
    pub telemetry: TelemetryArgs,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Serve the REST API and the operator bot (the default).
    Serve(ServeArgs),
    /// Migrate the control schema and every tenant schema, in lock-step.
    Migrate,
    /// Manage tenants.
    #[command(subcommand)]
    Tenant(tenant::TenantCommand),
    /// Manage API keys of the REST API (`apikey create --operator` makes the first one).
    #[command(subcommand)]
    Apikey(apikey::ApiKeyCommand),
    /// Create (once) and seed the demo tenant that `scripts/up.sh` shows; prints its id.
    Demo(demo::DemoArgs),
}

#[derive(Debug, Clone, clap::Args)]
pub struct ServeArgs {
    /// The REST API, health, readiness and metrics.
    #[arg(long, env = "HTTP_ADDR", default_value = "127.0.0.1:8090")]
    pub http_addr: SocketAddr,
    /// Requests one API key may make at once before it is slowed down.
    #[arg(long, env = "API_RATE_BURST", default_value_t = RateLimit::default().burst)]
    pub api_rate_burst: u32,
    /// Requests per second one API key may make, sustained.
    #[arg(long, env = "API_RATE_PER_SECOND", default_value_t = RateLimit::default().per_second)]
    pub api_rate_per_second: u32,
    /// Requests with a missing or wrong API key one client address may make at once; past
    /// them it gets 429 before the database is asked.
    #[arg(long, env = "API_AUTH_FAILURE_BURST", default_value_t = RateLimit::AUTH_FAILURES.burst)]
    pub api_auth_failure_burst: u32,
    /// Such requests per second one address may make, sustained.
    #[arg(long, env = "API_AUTH_FAILURE_PER_SECOND", default_value_t = RateLimit::AUTH_FAILURES.per_second)]
    pub api_auth_failure_per_second: u32,
    /// Calendar feed fetches one client address may make at once; past them it gets 429.
    #[arg(long, env = "CALENDAR_FEED_RATE_BURST", default_value_t = RateLimit::FEEDS.burst)]
    pub calendar_feed_rate_burst: u32,
    /// Such fetches per second one address may make, sustained.
    #[arg(long, env = "CALENDAR_FEED_RATE_PER_SECOND", default_value_t = RateLimit::FEEDS.per_second)]
    pub calendar_feed_rate_per_second: u32,
    /// Comma-separated addresses of our own reverse proxies: only from them is
    /// `X-Forwarded-For` believed when telling clients apart.
    #[arg(long, env = "TRUSTED_PROXIES", default_value = "")]
    pub trusted_proxies: String,
    /// The operator bot's token; without it the operator bot does not run.
    #[arg(long, env = "OPERATOR_BOT_TOKEN", value_parser = parse_secret, hide_env_values = true)]
    pub operator_bot_token: Option<SecretString>,
    /// Telegram user ids the operator bot serves, comma-separated; everyone else is refused.
    #[arg(long, env = "OPERATOR_IDS")]
    pub operator_ids: Option<OperatorIds>,
    /// How often the operator bot looks for undelivered alerts, in seconds.
    #[arg(long, env = "OPERATOR_ALERT_INTERVAL_SECS", default_value_t = 5, value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub operator_alert_interval_secs: u64,
    /// Days before a subscription ends at which its owner is warned, comma-separated.
    #[arg(long, env = "SUBSCRIPTION_WARN_DAYS", default_value = "3,1", value_parser = parse_days)]
    pub subscription_warn_days: WarnDays,
    /// Days a past-due subscription is still served before the tenant is suspended.
    #[arg(long, env = "SUBSCRIPTION_GRACE_DAYS", default_value_t = 3, value_parser = clap::value_parser!(u32).range(0..=365))]
    pub subscription_grace_days: u32,
    /// How often the subscription monitor runs, in seconds.
    #[arg(long, env = "SUBSCRIPTION_MONITOR_INTERVAL_SECS", default_value_t = 60, value_parser = clap::value_parser!(u64).range(1..=86_400))]
    pub subscription_monitor_interval_secs: u64,
    /// The sales bot's username: owners' renewal warnings carry a button that opens it with
    /// the renewal of their bot (`/start renew_<tenant>`). Unset: no button.
    #[arg(long, env = "SALES_BOT_USERNAME")]
    pub sales_bot_username: Option<String>,
}

/// `SUBSCRIPTION_WARN_DAYS`, e.g. `3,1`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WarnDays(pub Vec<u32>);

fn parse_days(s: &str) -> Result<WarnDays, String> {
    let days = s
        .split(',')
        .map(str::trim)
        .filter(|d| !d.is_empty())
        .map(|d| match d.parse::<u32>() {
            Ok(n) if (1..=60).contains(&n) => Ok(n),
            _ => Err(format!("{d:?} is not a number of days between 1 and 60")),
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(WarnDays(days))
}

impl ServeArgs {
    /// `serve`'s arguments from the environment alone, as when no subcommand is given.
    fn from_env() -> anyhow::Result<Self> {
        #[derive(clap::Parser)]
        struct Only {
            #[command(flatten)]
            serve: ServeArgs,
        }
        let only = <Only as clap::Parser>::try_parse_from(["master-bot"])
            .context("HTTP_ADDR, API_RATE_*, OPERATOR_* or SUBSCRIPTION_* is malformed")?;
        Ok(only.serve)
    }

    /// The operator bot and the monitor, as configured.
    fn background(&self, telegram_api_url: &str) -> anyhow::Result<Background> {
        let operator_bot = match (&self.operator_bot_token, &self.operator_ids) {
            (None, _) => None,
            (Some(_), None) => anyhow::bail!(
                "OPERATOR_BOT_TOKEN is set but OPERATOR_IDS is not: list the operators' Telegram user ids"
            ),
            (Some(token), Some(ids)) => Some(OperatorBotConfig {
                token: token.clone(),
                api_url: telegram_api_url
                    .parse()
                    .context("TELEGRAM_API_URL is not a URL")?,
                allowlist: ids.clone(),
                alert_interval: Duration::from_secs(self.operator_alert_interval_secs),
            }),
        };
        Ok(Background {
            operator_bot,
            monitor: MonitorConfig {
                warn_days: self.subscription_warn_days.0.clone(),
                grace: chrono::Duration::days(i64::from(self.subscription_grace_days)),
                interval: Duration::from_secs(self.subscription_monitor_interval_secs),
                sales_bot: self
                    .sales_bot_username
                    .as_deref()
                    .map(|u| u.trim().trim_start_matches('@').to_owned())
                    .filter(|u| !u.is_empty()),
            },
        })
    }

    fn api_settings(&self) -> anyhow::Result<ApiSettings> {
        Ok(ApiSettings {
            rate_limit: RateLimit {
                burst: self.api_rate_burst,
                per_second: self.api_rate_per_second,
            },
            auth_failures: RateLimit {
                burst: self.api_auth_failure_burst,
                per_second: self.api_auth_failure_per_second,
            },
            feeds: RateLimit {
                burst: self.calendar_feed_rate_burst,
                per_second: self.calendar_feed_rate_per_second,
            },
            trusted_proxies: Allowlist::parse(&self.trusted_proxies).context("TRUSTED_PROXIES")?,
        })
    }
}

impl Cli {
    /// The data key, the Redis admin connection (with REDIS_ACL=on) and the sales bot's
    /// Redis password, as configured.
    fn keys(&self) -> anyhow::Result<PlatformKeys> {
        let data_key = self.data_key.as_ref().map(DataKey::parse).transpose()?;
        let redis_acl = if self.redis_acl {
            let url = self.redis_admin_url.as_ref().context(
                "REDIS_ACL=on needs REDIS_ADMIN_URL (a Redis user that may manage users)",
            )?;
            Some(RedisAcl::new(url).context("REDIS_ADMIN_URL is not a valid Redis URL")?)
        } else {
            None
        };
        Ok(PlatformKeys {
            data_key,
            redis_acl,
            sales_redis_password: self.sales_redis_password.clone(),
        })
    }
}

/// Runs the chosen command.
pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let url = cli.database_url.clone().context(
        "DATABASE_URL is not set (for example postgres://postgres@127.0.0.1:5432/booking)",
    )?;
    let keys = cli.keys()?;
    let command = match cli.command {
        Some(command) => command,
        // No subcommand: serve, with the same arguments (from the environment) as `serve`.
        None => Command::Serve(ServeArgs::from_env()?),
    };
    match command {
        Command::Serve(args) => {
            let background = args.background(&cli.telegram_api_url)?;
            let settings = args.api_settings()?;
            let listener = telemetry::bind(args.http_addr).await?;
            let db = Db::connect_lazy(&url, PoolSize(10))
                .context("DATABASE_URL is not a valid PostgreSQL URL")?;
            let bot_api = crate::bot_api::BotApi::new(&cli.telegram_api_url)
                .context("cannot build the Bot API client")?;
            crate::serve::run(
                db,
                keys,
                bot_api,
                settings,
                listener,
                background,
                telemetry::shutdown_signal(),
            )
            .await
        }
        Command::Migrate => {
            let db = connect(&url).await?;
            migrate::run(&db, &keys).await
        }
        Command::Tenant(command) => {
            let db = connect(&url).await?;
            tenant::run(&db, &keys, command).await
        }
        Command::Apikey(command) => {
            let db = connect(&url).await?;
            apikey::run(&db, command).await
        }
        Command::Demo(args) => {
            let db = connect(&url).await?;
            let bot_api = crate::bot_api::BotApi::new(&cli.telegram_api_url)
                .context("cannot build the Bot API client")?;
            demo::run(&db, &keys, &bot_api, &cli.telegram_api_url, args).await
        }
    }
}

async fn connect(url: &SecretString) -> anyhow::Result<Db> {
    Db::connect(url, PoolSize(4))
        .await
        .context("cannot connect to PostgreSQL at DATABASE_URL")
}

#[cfg(test)]
mod tests {
    use clap::Parser as _;

    use super::*;

    /// Every secret the command line takes stays out of `Debug` (a `{cli:?}` in a log line).
    #[test]
    fn no_secret_of_the_command_line_is_in_its_debug_output() {
        let cli = Cli::try_parse_from([
            "master-bot",
            "--database-url",
            "postgres://platform:pg-secret@h/db",
            "--data-key",
            "data-key-secret",
            "--redis-admin-url",
            "redis://default:admin-secret@redis:6379",
            "--sales-redis-password",
            "sales-secret",
            "demo",
            "--bot-token",
            "1:demo-token-secret",
            "--redis-url",
            "redis://u:demo-redis-secret@redis:6379",
        ])
        .unwrap();
        let shown = format!("{cli:?}");
        for secret in [
            "pg-secret",
            "data-key-secret",
            "admin-secret",
            "sales-secret",
            "demo-token-secret",
            "demo-redis-secret",
        ] {
            assert!(!shown.contains(secret), "{secret} in {shown}");
        }
    }

    #[test]
    fn per_tenant_redis_users_need_an_admin_connection() {
        let cli = Cli::try_parse_from([
            "master-bot",
            "--database-url",
            "postgres://h/db",
            "--redis-acl",
            "on",
            "migrate",
        ])
        .unwrap();
        assert!(cli.redis_acl);
        let err = cli.keys().unwrap_err().to_string();
        assert!(err.contains("REDIS_ADMIN_URL"), "{err}");
        let off = Cli::try_parse_from(["master-bot", "migrate"]).unwrap();
        assert!(!off.redis_acl && off.keys().unwrap().redis_acl.is_none());
    }
}
