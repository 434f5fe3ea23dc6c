use std::process::ExitCode;

use booking_bot::{
    config::Config,
    host::{config::HostConfig, run},
};
use clap::Parser as _;
use telemetry::Telemetry;

fn main() -> ExitCode {
    // A missing .env is normal in production.
    let _ = dotenvy::dotenv();
    // `booking-bot host`: a shared host of many tenants; otherwise one tenant's bot.
    if std::env::args().nth(1).as_deref() == Some("host") {
        let config = HostConfig::parse_from(std::env::args().skip(1));
        let _telemetry = Telemetry::init("booking-bot-host", &config.telemetry);
        return telemetry::run_main(async move {
            let listener = telemetry::bind(config.http_addr).await?;
            run::run(config, listener, telemetry::shutdown_signal()).await
        });
    }
    let config = Config::parse();
    let _telemetry = Telemetry::init("booking-bot", &config.telemetry);
    telemetry::run_main(async move {
        let listener = telemetry::bind(config.http_addr).await?;
        booking_bot::run(config, listener, telemetry::shutdown_signal()).await
    })
}
