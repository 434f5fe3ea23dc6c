/// `apikey create|list|revoke`.
mod apikey;
/// `migrate`: control and every tenant, in lock-step.
mod migrate;
/// `tenant create|list|show|delete`.
mod tenant;

use std::net::SocketAddr;

use anyhow::Context as _;
use secrecy::SecretString;
use storage::{Db, crypto::DataKey, db::PoolSize};
use telemetry::{TelemetryArgs, parse_secret};

use crate::api::RateLimit;

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
            .context("HTTP_ADDR or an API_RATE_* variable is malformed")?;
        Ok(only.serve)
    }

    fn rate_limit(&self) -> RateLimit {
        RateLimit {
            burst: self.api_rate_burst,
            per_second: self.api_rate_per_second,
        }
    }
}

/// Runs the chosen command.
pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let url = cli.database_url.clone().context(
        "DATABASE_URL is not set (for example postgres://postgres@127.0.0.1:5432/booking)",
    )?;
    let command = match cli.command {
        Some(command) => command,
        // No subcommand: serve, with the same arguments (from the environment) as `serve`.
        None => Command::Serve(ServeArgs::from_env()?),
    };
    match command {
        Command::Serve(args) => {
            let listener = telemetry::bind(args.http_addr).await?;
            let db = Db::connect_lazy(&url, PoolSize(10))
                .context("DATABASE_URL is not a valid PostgreSQL URL")?;
            let key = cli.data_key.as_ref().map(DataKey::parse).transpose()?;
            let bot_api = crate::bot_api::BotApi::new(&cli.telegram_api_url)
                .context("cannot build the Bot API client")?;
            crate::serve::run(
                db,
                key,
                bot_api,
                args.rate_limit(),
                listener,
                telemetry::shutdown_signal(),
            )
            .await
        }
        Command::Migrate => {
            let db = connect(&url).await?;
            migrate::run(&db).await
        }
        Command::Tenant(command) => {
            let db = connect(&url).await?;
            let key = cli.data_key.as_ref().map(DataKey::parse).transpose()?;
            tenant::run(&db, key.as_ref(), command).await
        }
        Command::Apikey(command) => {
            let db = connect(&url).await?;
            apikey::run(&db, command).await
        }
    }
}

async fn connect(url: &SecretString) -> anyhow::Result<Db> {
    Db::connect(url, PoolSize(4))
        .await
        .context("cannot connect to PostgreSQL at DATABASE_URL")
}
