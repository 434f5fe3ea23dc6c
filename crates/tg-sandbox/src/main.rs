//! The tg-sandbox binary: a local Telegram Bot API server with a control API and a web chat page.

use std::net::SocketAddr;

use anyhow::Context;
use clap::Parser;
use tg_sandbox::{BotToken, Config, FloodLimits, NewBot};

/// A local Telegram Bot API server for tests, demos and trying bots without a token.
#[derive(Debug, Parser)]
#[command(version, about)]
struct Cli {
    /// Address to listen on.
    #[arg(long, env = "HTTP_ADDR", default_value = "127.0.0.1:8081")]
    http_addr: SocketAddr,

    /// Answer bots with 429 like Telegram's flood control (`false` switches it off).
    #[arg(long, env = "SANDBOX_FLOOD_LIMITS", default_value_t = true, action = clap::ArgAction::Set)]
    flood_limits: bool,

    /// Largest request body accepted, in bytes.
    #[arg(long, env = "SANDBOX_MAX_BODY_BYTES", default_value_t = 50 * 1024 * 1024)]
    max_body_bytes: usize,

    /// Bots to register at start, as `username=token` pairs separated by commas.
    #[arg(long, env = "SANDBOX_BOTS", value_delimiter = ',')]
    bots: Vec<String>,

    /// Log filter, e.g. `info` or `tg_sandbox=debug`.
    #[arg(long, env = "RUST_LOG", default_value = "info")]
    log: String,

    /// Log format.
    #[arg(long, env = "LOG_FORMAT", default_value = "pretty", value_parser = ["pretty", "json"])]
    log_format: String,
}

fn parse_bot(spec: &str) -> anyhow::Result<NewBot> {
    let (username, token) = spec
        .split_once('=')
        .with_context(|| format!("SANDBOX_BOTS entry {spec:?} is not username=token"))?;
    Ok(NewBot {
        username: username.trim().to_owned(),
        token: Some(BotToken::new(token.trim())),
        first_name: None,
    })
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let filter =
        tracing_subscriber::EnvFilter::try_new(&cli.log).context("RUST_LOG is malformed")?;
    if cli.log_format == "json" {
        tracing_subscriber::fmt()
            .json()
            .with_env_filter(filter)
            .init();
    } else {
        tracing_subscriber::fmt().with_env_filter(filter).init();
    }
    let bots = cli
        .bots
        .iter()
        .filter(|s| !s.trim().is_empty())
        .map(|s| parse_bot(s))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let config = Config {
        flood: if cli.flood_limits {
            FloodLimits::telegram()
        } else {
            FloodLimits::off()
        },
        max_body_bytes: cli.max_body_bytes,
        bots,
        ..Config::default()
    };
    let listener = tokio::net::TcpListener::bind(cli.http_addr)
        .await
        .with_context(|| format!("cannot listen on HTTP_ADDR {}", cli.http_addr))?;
    let addr = listener.local_addr()?;
    tracing::info!(%addr, flood_limits = cli.flood_limits, "tg-sandbox listening; web chat at http://{addr}/");
    tg_sandbox::run(listener, config, telemetry::shutdown_signal())
        .await
        .context("server failed")?;
    Ok(())
}
