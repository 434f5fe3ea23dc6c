use std::net::SocketAddr;

use secrecy::SecretString;
use telemetry::{TelemetryArgs, parse_secret};

/// YooKassa's published notification sources (yookassa.ru/developers/using-api/webhooks).
pub const YOOKASSA_RANGES: &str = "185.71.76.0/27,185.71.77.0/27,77.75.153.0/25,77.75.156.11,\
    77.75.156.35,77.75.154.128/25,2a02:5180::/32";

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
    /// Redis: dialogue states (with REDIS_ACL=on, as the sales bot's own user, whose keys are
    /// `sales:*`; the URL then holds its password).
    #[arg(long, env = "REDIS_URL", default_value = "redis://127.0.0.1:6379",
          value_parser = parse_secret, hide_env_values = true)]
    pub redis_url: SecretString,
    /// `on`: each tenant the sales bot provisions gets a Redis user of its own (made through
    /// REDIS_ADMIN_URL), as the master makes them.
    #[arg(long, env = "REDIS_ACL", default_value = "off",
          value_parser = clap::builder::BoolishValueParser::new(), action = clap::ArgAction::Set)]
    pub redis_acl: bool,
    /// Redis as a user that may manage users, for REDIS_ACL=on.
    #[arg(long, env = "REDIS_ADMIN_URL", value_parser = parse_secret, hide_env_values = true)]
    pub redis_admin_url: Option<SecretString>,
    /// The Bot API server (tg-sandbox locally); buyers' bot tokens are checked there too.
    #[arg(
        long,
        env = "TELEGRAM_API_URL",
        default_value = "https://api.telegram.org"
    )]
    pub telegram_api_url: String,
    /// Health, readiness, metrics and the YooKassa webhook (`POST /yookassa/notifications`).
    #[arg(long, env = "HTTP_ADDR", default_value = "127.0.0.1:8091")]
    pub http_addr: SocketAddr,
    /// 32 bytes, base64: seals buyers' bot tokens and tenant database passwords.
    #[arg(long, env = "DATA_KEY", value_parser = parse_secret, hide_env_values = true)]
    pub data_key: SecretString,
    /// YooKassa's API base.
    #[arg(long, env = "YOOKASSA_API_URL", default_value = crate::yookassa::client::PRODUCTION)]
    pub yookassa_api_url: String,
    /// The shop id; without it (and the secret key) nothing can be bought, trials still work.
    #[arg(long, env = "YOOKASSA_SHOP_ID")]
    pub yookassa_shop_id: Option<String>,
    /// The shop's secret key; never logged.
    #[arg(long, env = "YOOKASSA_SECRET_KEY", value_parser = parse_secret, hide_env_values = true)]
    pub yookassa_secret_key: Option<SecretString>,
    /// Where YooKassa sends the buyer after paying (it proves nothing about the payment).
    #[arg(long, env = "YOOKASSA_RETURN_URL", default_value = "https://t.me")]
    pub yookassa_return_url: String,
    /// Comma-separated addresses and CIDR ranges notifications may come from.
    #[arg(long, env = "YOOKASSA_ALLOWED_IPS", default_value = YOOKASSA_RANGES)]
    pub yookassa_allowed_ips: String,
    /// Comma-separated addresses of our own reverse proxies: only from them is
    /// `X-Forwarded-For` believed.
    #[arg(long, env = "TRUSTED_PROXIES", default_value = "")]
    pub trusted_proxies: String,
    /// The shop is a YooKassa test shop: only `"test": true` payments are accepted (and only
    /// `false` ones otherwise).
    #[arg(long, env = "YOOKASSA_TEST_SHOP", default_value_t = false)]
    pub yookassa_test_shop: bool,
    /// Ask YooKassa to save the buyer's payment method for renewals (the live shop needs
    /// YooKassa's agreement for this).
    #[arg(long, env = "YOOKASSA_SAVE_PAYMENT_METHOD", default_value_t = false)]
    pub yookassa_save_method: bool,
    /// With a VAT code (1-12), every payment carries a 54-FZ receipt, and the buyer is asked
    /// for the email it goes to.
    #[arg(long, env = "YOOKASSA_RECEIPT_VAT_CODE", value_parser = clap::value_parser!(u8).range(1..=12))]
    pub receipt_vat_code: Option<u8>,
    /// The receipt's tax system code (1-6), when the shop needs it.
    #[arg(long, env = "YOOKASSA_TAX_SYSTEM_CODE", value_parser = clap::value_parser!(u8).range(1..=6))]
    pub receipt_tax_system: Option<u8>,
    /// A demo tenant's bot, shown to people who want to try before buying.
    #[arg(long, env = "DEMO_BOT_URL")]
    pub demo_bot_url: Option<String>,
    /// Length of the free trial (once per Telegram user).
    #[arg(long, env = "TRIAL_DAYS", default_value_t = 7, value_parser = clap::value_parser!(i32).range(1..=90))]
    pub trial_days: i32,
    /// An unpaid order expires after this long.
    #[arg(long, env = "ORDER_TTL_MINUTES", default_value_t = 60, value_parser = clap::value_parser!(i64).range(5..=10080))]
    pub order_ttl_minutes: i64,
    /// How often pending payments are polled and paid orders followed up.
    #[arg(long, env = "PAYMENTS_RECONCILE_SECS", default_value_t = 60, value_parser = clap::value_parser!(u64).range(1..))]
    pub reconcile_secs: u64,
    #[command(flatten)]
    pub telemetry: TelemetryArgs,
}

#[cfg(test)]
mod yookassa_ranges {
    use std::net::IpAddr;

    use telemetry::client_ip::Allowlist;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn yookassa_ranges_match_what_they_should() {
        let list = Allowlist::parse(super::YOOKASSA_RANGES).unwrap();
        assert!(list.contains(ip("185.71.76.5")));
        assert!(list.contains(ip("185.71.76.31")));
        assert!(!list.contains(ip("185.71.76.32")));
        assert!(list.contains(ip("77.75.156.11")));
        assert!(!list.contains(ip("77.75.156.12")));
        assert!(list.contains(ip("2a02:5180:0:1509::1")));
        assert!(list.contains(ip("::ffff:185.71.77.1")));
        assert!(!list.contains(ip("127.0.0.1")));
        assert!(!list.contains(ip("::1")));
    }
}
