use std::process::ExitCode;

use clap::Parser as _;
use master_bot::cli::Cli;
use telemetry::Telemetry;

fn main() -> ExitCode {
    // A missing .env is normal in production.
    let _ = dotenvy::dotenv();
    let cli = Cli::parse();
    let _telemetry = Telemetry::init("master-bot", &cli.telemetry);
    telemetry::run_main(master_bot::cli::run(cli))
}
