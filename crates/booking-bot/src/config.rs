use std::{ffi::OsString, net::SocketAddr};

use booking_core::ids::TenantId;
use clap::{Args as _, error::ErrorKind};
use secrecy::SecretString;
use telemetry::{TelemetryArgs, parse_secret};

/// A tenant's booking bot, configured from the environment (and `.env`). Any variable `X` can
/// come from a file instead, named by `X_FILE` (see the `CommandFactory` below).
#[derive(Clone, Debug, clap::Args)]
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
    /// Redis, for dialogue state and rate limits (the tenant's own user carries a password).
    #[arg(
        long,
        env = "REDIS_URL",
        value_parser = parse_secret,
        hide_env_values = true,
        default_value = "redis://127.0.0.1:6379"
    )]
    pub redis_url: SecretString,
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
    /// The platform's public address that serves calendar feeds (the master's
    /// `/ical/<token>.ics`), such as `https://platform.example.com`: the admin panel builds
    /// staff members' feed links on it. Unset, the panel shows the path alone.
    #[arg(long, env = "CALENDAR_FEED_URL")]
    pub calendar_feed_url: Option<String>,
    /// The tenant's own key (base64 of 32 bytes), which opens the payment account's secrets
    /// in its schema; the deploy worker derives it from the platform's data key. Unset, the
    /// bot asks for no payments.
    #[arg(long, env = "TENANT_SECRETS_KEY", value_parser = parse_secret, hide_env_values = true)]
    pub tenant_secrets_key: Option<SecretString>,
    /// YooKassa's API, which the refund worker gives payments back through with the tenant's
    /// shop (the fake YooKassa in tests).
    #[arg(long, env = "YOOKASSA_API_URL", default_value = crate::refunds::api::DEFAULT_URL)]
    pub yookassa_api_url: String,
    #[command(flatten)]
    pub telemetry: TelemetryArgs,
}

/// The command clap's `Parser::parse` reads: the arguments above, and any variable `X` read from
/// the file named by `X_FILE`, Docker's convention for secrets (Swarm mounts them under
/// `/run/secrets`, so a bot token or a database password is not in the container's
/// environment). Written by hand rather than derived for that one step; an unreadable file, or
/// `X` and `X_FILE` both set, ends the process with clap's message, as a missing `X` does.
impl clap::CommandFactory for Config {
    fn command() -> clap::Command {
        with_files(base_command(), |key| std::env::var_os(key)).unwrap_or_else(|e| e.exit())
    }

    fn command_for_update() -> clap::Command {
        Config::augment_args_for_update(clap::Command::new("booking-bot"))
    }
}

impl clap::Parser for Config {}

/// The derived arguments (with the binary's version and description) under its name.
fn base_command() -> clap::Command {
    Config::augment_args(clap::Command::new("booking-bot"))
}

/// `cmd` with every variable `X` whose `X_FILE` is set given that file's content (less a
/// trailing line break) as the argument's default, hidden from `--help`: a command-line flag
/// still wins, and `X` and `X_FILE` together are refused rather than one silently ignored.
pub(crate) fn with_files(
    mut cmd: clap::Command,
    var: impl Fn(&str) -> Option<OsString>,
) -> Result<clap::Command, clap::Error> {
    let from_files: Vec<(String, String, OsString)> = cmd
        .get_arguments()
        .filter_map(|arg| {
            let name = arg.get_env()?.to_str()?.to_owned();
            let path = var(&format!("{name}_FILE"))?;
            Some((arg.get_id().to_string(), name, path))
        })
        .collect();
    for (id, name, path) in from_files {
        if var(&name).is_some() {
            return Err(cmd.error(
                ErrorKind::ArgumentConflict,
                format!("{name} and {name}_FILE are both set; set one"),
            ));
        }
        let text = std::fs::read_to_string(&path).map_err(|e| {
            cmd.error(
                ErrorKind::Io,
                format!("{name}_FILE ({}): {e}", path.to_string_lossy()),
            )
        })?;
        // clap takes a default as `&'static str` (owned ones need its `string` feature). Leaked
        // once per process, like the environment block that holds a variable for good.
        let value: &'static str = Box::leak(
            text.trim_end_matches(['\n', '\r'])
                .to_owned()
                .into_boxed_str(),
        );
        // Required arguments ignore defaults: the file satisfies the requirement instead.
        cmd = cmd.mut_arg(id, |arg| {
            arg.default_value(value)
                .hide_default_value(true)
                .required(false)
        });
    }
    Ok(cmd)
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use clap::FromArgMatches as _;
    use secrecy::ExposeSecret as _;

    use super::*;

    fn file(name: &str, content: &str) -> OsString {
        let path = std::env::temp_dir().join(format!("{name}-{}", std::process::id()));
        std::fs::write(&path, content).unwrap();
        path.into_os_string()
    }

    fn parse_with(vars: &HashMap<&str, OsString>, args: &[&str]) -> Result<Config, clap::Error> {
        let cmd = with_files(base_command(), |key| vars.get(key).cloned())?;
        let mut matches = cmd.try_get_matches_from(args)?;
        Config::from_arg_matches_mut(&mut matches)
    }

    #[test]
    fn a_secret_comes_from_the_file_its_file_variable_names() {
        let vars = HashMap::from([
            ("BOT_TOKEN_FILE", file("bot-token", "123:from-file\n")),
            ("DATABASE_URL_FILE", file("db-url", "postgres://r:pw@h/db")),
        ]);
        let config = parse_with(&vars, &["booking-bot", "--tenant-id", "7"]).unwrap();
        assert_eq!(config.bot_token.expose_secret(), "123:from-file");
        assert_eq!(config.database_url.expose_secret(), "postgres://r:pw@h/db");

        // A flag still wins over the file.
        let config = parse_with(
            &vars,
            &["booking-bot", "--tenant-id", "7", "--bot-token", "9:flag"],
        )
        .unwrap();
        assert_eq!(config.bot_token.expose_secret(), "9:flag");
    }

    #[test]
    fn both_a_variable_and_its_file_or_a_missing_file_are_refused() {
        let both = HashMap::from([
            ("BOT_TOKEN", OsString::from("1:env")),
            ("BOT_TOKEN_FILE", file("bot-token-both", "1:file")),
        ]);
        let err = parse_with(&both, &["booking-bot"]).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::ArgumentConflict);
        assert!(
            err.to_string().contains("BOT_TOKEN and BOT_TOKEN_FILE"),
            "{err}"
        );

        let missing = HashMap::from([("BOT_TOKEN_FILE", OsString::from("/nonexistent/token"))]);
        let err = parse_with(&missing, &["booking-bot"]).unwrap_err();
        assert!(err.to_string().contains("/nonexistent/token"), "{err}");
    }
}
