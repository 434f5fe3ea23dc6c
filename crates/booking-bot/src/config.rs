use std::net::SocketAddr;

use booking_core::ids::TenantId;
use secrecy::SecretString;
use telemetry::{TelemetryArgs, parse_secret};

/// A tenant's booking bot, configured from the environment (and `.env`).
#[derive(Clone, Debug, clap::Parser)]
#[command(version, about = "One business's Telegram booking bot")]
pub struct Config {
    /// Which tenant this bot serves.
    #[arg(long, env = "TENANT_ID")]
    pub tenant_id: TenantId,
    /// The bot's token from BotFather.
    #[arg(long, env = "BOT_TOKEN", value_parser = parse_secret, hide_env_values = true)]
    pub bot_token: SecretString,
    /// PostgreSQL, as the tenant's own role.
    #[arg(long, env = "DATABASE_URL", value_parser = parse_secret, hide_env_values = true)]
    pub database_url: SecretString,
    /// Redis, for dialogue state and rate limits.
    #[arg(long, env = "REDIS_URL", default_value = "redis://127.0.0.1:6379")]
    pub redis_url: String,
    /// The Bot API server (tg-sandbox locally).
    #[arg(
        long,
        env = "TELEGRAM_API_URL",
        default_value = "https://api.telegram.org"
    )]
    pub telegram_api_url: String,
    /// Health, readiness and metrics.
    #[arg(long, env = "HTTP_ADDR", default_value = "127.0.0.1:8080")]
    pub http_addr: SocketAddr,
    /// Seconds added to the machine's clock for every rule that reads "now" (reminders,
    /// notice, cut-offs, holds). Never set in production: it exists so a staging or test
    /// platform can see tomorrow's reminders today, with the bot in its container.
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
