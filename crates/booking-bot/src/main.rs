use std::process::ExitCode;

use booking_bot::config::Config;
use clap::Parser as _;
use telemetry::Telemetry;

fn main() -> ExitCode {
    // A missing .env is normal in production.
    let _ = dotenvy::dotenv();
    let config = Config::parse();
    let _telemetry = Telemetry::init("booking-bot", &config.telemetry);
    telemetry::run_main(async move {
        let listener = telemetry::bind(config.http_addr).await?;
        booking_bot::run(config, listener, telemetry::shutdown_signal()).await
    })
}
