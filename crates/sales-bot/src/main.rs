use std::process::ExitCode;

use clap::Parser as _;
use sales_bot::Config;
use telemetry::Telemetry;

fn main() -> ExitCode {
    // A missing .env is normal in production.
    let _ = dotenvy::dotenv();
    let config = Config::parse();
    let _telemetry = Telemetry::init("sales-bot", &config.telemetry);
    telemetry::run_main(async move {
        let listener = telemetry::bind(config.http_addr).await?;
        sales_bot::run(config, listener, telemetry::shutdown_signal()).await
    })
}
