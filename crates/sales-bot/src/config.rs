use std::net::SocketAddr;

use secrecy::SecretString;
use telemetry::{TelemetryArgs, parse_secret};

/// The sales bot and payment webhook, configured from the environment (and `.env`).
#[derive(Clone, Debug, clap::Parser)]
#[command(version, about = "The platform's sales bot and YooKassa webhook")]
pub struct Config {
    /// The sales bot's token from BotFather.
    #[arg(long, env = "BOT_TOKEN", value_parser = parse_secret, hide_env_values = true)]
    pub bot_token: SecretString,
    /// PostgreSQL, as the platform's user.
    #[arg(long, env = "DATABASE_URL", value_parser = parse_secret, hide_env_values = true)]
    pub database_url: SecretString,
    /// The Bot API server (tg-sandbox locally).
    #[arg(
        long,
        env = "TELEGRAM_API_URL",
        default_value = "https://api.telegram.org"
    )]
    pub telegram_api_url: String,
    /// Health, readiness, metrics and the YooKassa webhook.
    #[arg(long, env = "HTTP_ADDR", default_value = "127.0.0.1:8091")]
    pub http_addr: SocketAddr,
    #[command(flatten)]
    pub telemetry: TelemetryArgs,
}
