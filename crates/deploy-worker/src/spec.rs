//! A tenant's container spec: what its bot should run with, and the hash that names it.

/// A shared bot host's container spec.
pub mod host;

use std::collections::BTreeMap;

use booking_core::ids::TenantId;
use secrecy::{ExposeSecret as _, SecretString};
use sha2::{Digest as _, Sha256};
use storage::{
    Db,
    control::tenants::{self, TenantRecord},
    crypto::DataKey,
    redis_acl::{self, RedisUser},
};

use crate::{config::TenantDefaults, runtime::ContainerSpec};

/// Label keys on every container the worker manages.
pub const LABEL_PLATFORM: &str = "platform";
pub const LABEL_TENANT: &str = "tenant";
pub const LABEL_CONFIG_HASH: &str = "config-hash";
pub const LABEL_VERSION: &str = "platform-version";

/// Text that may carry secrets, made safe to store and show: a bot's output becomes a
/// deployment's reason and an operator alert.
pub trait Redact: Sync {
    /// `text` with every secret replaced by `[redacted]`.
    fn redact(&self, text: &str) -> String;
}

/// `text` with each of `secrets` (the non-empty ones) replaced.
#[must_use]
pub fn redact_all(text: &str, secrets: &[&SecretString]) -> String {
    let mut out = text.to_owned();
    for secret in secrets {
        let secret = secret.expose_secret();
        if !secret.is_empty() {
            out = out.replace(secret, "[redacted]");
        }
    }
    out
}

/// Threads and processes per bot: tokio's workers and blocking pool stay far below it.
pub const PIDS_LIMIT: i64 = 256;

/// A tenant's secrets, opened with the data key.
pub struct Secrets {
    pub bot_token: SecretString,
    pub db_password: SecretString,
    /// The password of the tenant's own Redis user (`REDIS_ACL=on`); `None`: the bots share
    /// TENANT_REDIS_URL.
    pub redis_password: Option<SecretString>,
    /// The tenant's own key (base64), derived from the data key: it opens the secrets the bot
    /// keeps in its schema (its payment account), and no other tenant's.
    pub secrets_key: SecretString,
}

impl Secrets {
    /// Opens tenant `tenant`'s secrets with `key`; `Err` with an operator-readable reason.
    /// Each opens only where it was sealed: a value moved from another row or column fails.
    /// With `redis_acl`, the tenant must have its own Redis user's password.
    pub async fn open(
        db: &Db,
        key: &DataKey,
        tenant: TenantId,
        redis_acl: bool,
    ) -> Result<Self, String> {
        let opened = tenants::secrets(db.pool(), key, tenant)
            .await
            .map_err(|e| format!("the tenant's secrets cannot be opened: {e}"))?;
        let redis_password = match (redis_acl, opened.redis_password) {
            (false, _) => None,
            (true, Some(password)) => Some(password),
            (true, None) => {
                return Err("REDIS_ACL is on but the tenant has no Redis user yet: \
                     run `master-bot migrate` with REDIS_ACL=on"
                    .to_owned());
            }
        };
        Ok(Self {
            bot_token: opened.bot_token.ok_or("the tenant has no bot token")?,
            db_password: opened
                .db_password
                .ok_or("the tenant has no database password")?,
            redis_password,
            secrets_key: key.tenant_secrets_key(tenant).to_base64(),
        })
    }

    /// `text` with every secret replaced: a bot that printed its own URL or token must not
    /// leak it into a deployment's reason or an alert.
    #[must_use]
    pub fn redact(&self, text: &str) -> String {
        let mut secrets = vec![&self.bot_token, &self.db_password, &self.secrets_key];
        secrets.extend(self.redis_password.as_ref());
        redact_all(text, &secrets)
    }
}

impl Redact for Secrets {
    fn redact(&self, text: &str) -> String {
        Self::redact(self, text)
    }
}

/// The sha256 of everything a container is created from, in hex.
#[must_use]
pub fn config_hash(spec: &ContainerSpec) -> String {
    let mut h = Sha256::new();
    h.update(spec.image.as_bytes());
    h.update([0]);
    // Only when set, so the hash of every bot made before commands existed stays the same.
    if !spec.command.is_empty() {
        h.update(format!("cmd{:?}", spec.command));
        h.update([0]);
    }
    // Secrets hash as the environment variables they were before they had a field of their
    // own: the hash of every existing bot stays the same (a changed hash replaces the bot).
    let mut env: Vec<(&str, &str)> = spec
        .env
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .chain(
            spec.secrets
                .iter()
                .map(|(k, v)| (k.as_str(), v.expose_secret())),
        )
        .collect();
    env.sort_unstable();
    for (k, v) in &env {
        h.update(k.as_bytes());
        h.update([b'=']);
        h.update(v.as_bytes());
        h.update([0]);
    }
    h.update(spec.network.as_bytes());
    h.update(format!(
        "|{}|{:?}|{:?}",
        spec.restart_retries, spec.memory_bytes, spec.nano_cpus
    ));
    // "caps-none": containers made before the runtime dropped capabilities get replaced.
    h.update(format!(
        "|{:?}|{}|caps-none",
        spec.pids_limit, spec.read_only
    ));
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// The container name of a tenant's bot.
#[must_use]
pub fn container_name(defaults: &TenantDefaults, tenant: TenantId) -> String {
    if defaults.platform_label == "booking" {
        format!("tenant-{tenant}")
    } else {
        format!("{}-tenant-{tenant}", defaults.platform_label)
    }
}

/// The tenant's Redis URL: TENANT_REDIS_URL with the tenant's own user when it has one.
fn tenant_redis_url(
    defaults: &TenantDefaults,
    db: &Db,
    tenant: TenantId,
    secrets: &Secrets,
) -> SecretString {
    let Some(password) = &secrets.redis_password else {
        return defaults.redis_url.clone();
    };
    redis_acl::url_with_user(
        defaults.redis_url.expose_secret(),
        &RedisUser::tenant(db, tenant),
        password,
    )
    // TENANT_REDIS_URL was checked at start-up (`crate::run`): not reached. Without its
    // user the bot is refused by Redis, and its health check says so.
    .unwrap_or_else(|_| defaults.redis_url.clone())
}

/// What every container the worker runs is told alike (its variables are sorted into the
/// config hash, so their order does not matter): the Bot API, JSON logs and, only when set so
/// that existing specs and hashes stay as they were, Sentry, the calendar feeds' address and
/// the clock offset.
pub(crate) fn common_env(defaults: &TenantDefaults) -> Vec<(String, String)> {
    let mut env = vec![
        (
            "TELEGRAM_API_URL".to_owned(),
            defaults.telegram_api_url.clone(),
        ),
        ("LOG_FORMAT".to_owned(), "json".to_owned()),
    ];
    if let Some(dsn) = &defaults.tenant_sentry_dsn {
        env.push(("SENTRY_DSN".to_owned(), dsn.expose_secret().to_owned()));
    }
    if let Some(url) = &defaults.calendar_feed_url {
        env.push(("CALENDAR_FEED_URL".to_owned(), url.clone()));
    }
    if defaults.clock_offset_secs != 0 {
        env.push((
            "CLOCK_OFFSET_SECS".to_owned(),
            defaults.clock_offset_secs.to_string(),
        ));
    }
    env
}

/// The labels of a managed container: the platform's, the version's, and `key` = `value`
/// saying what it runs (a tenant's bot, a bot host). The config hash is added last.
pub(crate) fn labels(
    defaults: &TenantDefaults,
    key: &str,
    value: String,
) -> BTreeMap<String, String> {
    BTreeMap::from([
        (LABEL_PLATFORM.to_owned(), defaults.platform_label.clone()),
        (key.to_owned(), value),
        (
            LABEL_VERSION.to_owned(),
            env!("CARGO_PKG_VERSION").to_owned(),
        ),
    ])
}

/// The spec of `tenant`'s bot, labels included (the config hash last, over the rest).
#[must_use]
pub fn build(
    defaults: &TenantDefaults,
    db: &Db,
    tenant: &TenantRecord,
    secrets: &Secrets,
) -> ContainerSpec {
    let tag = tenant.image_tag.as_deref().unwrap_or(&defaults.image_tag);
    let mut env = common_env(defaults);
    env.push(("TENANT_ID".to_owned(), tenant.id.to_string()));
    // Bots on the host network share its ports: each takes a free one rather than all
    // fighting for 8080.
    let listen = if defaults.network == "host" {
        "127.0.0.1:0"
    } else {
        "0.0.0.0:8080"
    };
    env.push(("HTTP_ADDR".to_owned(), listen.to_owned()));
    let mut spec = ContainerSpec {
        name: container_name(defaults, tenant.id),
        image: format!("{}:{tag}", defaults.image),
        command: Vec::new(),
        env,
        secrets: vec![
            ("BOT_TOKEN".to_owned(), secrets.bot_token.clone()),
            ("TENANT_SECRETS_KEY".to_owned(), secrets.secrets_key.clone()),
            (
                "DATABASE_URL".to_owned(),
                db.tenant_database_url(tenant.id, &secrets.db_password),
            ),
            // A secret even when shared: TENANT_REDIS_URL may carry the platform's password.
            (
                "REDIS_URL".to_owned(),
                tenant_redis_url(defaults, db, tenant.id, secrets),
            ),
        ],
        labels: labels(defaults, LABEL_TENANT, tenant.id.to_string()),
        network: defaults.network.clone(),
        restart_retries: defaults.restart_retries,
        memory_bytes: Some(defaults.memory_mb * 1024 * 1024),
        nano_cpus: Some(defaults.millicpus * 1_000_000),
        pids_limit: Some(PIDS_LIMIT),
        // The bot writes nothing but its output: a compromised bot cannot persist a change.
        read_only: true,
    };
    let hash = config_hash(&spec);
    spec.labels.insert(LABEL_CONFIG_HASH.to_owned(), hash);
    spec
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(env: &[(&str, &str)], image: &str) -> ContainerSpec {
        ContainerSpec {
            name: "tenant-1".to_owned(),
            image: image.to_owned(),
            command: Vec::new(),
            env: env
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
            secrets: Vec::new(),
            labels: BTreeMap::new(),
            network: "host".to_owned(),
            restart_retries: 3,
            memory_bytes: Some(1),
            nano_cpus: None,
            pids_limit: None,
            read_only: false,
        }
    }

    #[test]
    fn redaction_removes_every_secret_wherever_it_appears() {
        let secrets = Secrets {
            bot_token: SecretString::from("123:abc".to_owned()),
            db_password: SecretString::from("pw0".to_owned()),
            redis_password: Some(SecretString::from("rpw1".to_owned())),
            secrets_key: SecretString::from("k3y".to_owned()),
        };
        let text = "token 123:abc rejected; postgres://r:pw0@h/db; again 123:abc; \
                    redis://u:rpw1@redis:6379 k3y";
        let out = secrets.redact(text);
        assert_eq!(
            out,
            "token [redacted] rejected; postgres://r:[redacted]@h/db; again [redacted]; \
             redis://u:[redacted]@redis:6379 [redacted]"
        );
        let empty = Secrets {
            bot_token: SecretString::from(String::new()),
            db_password: SecretString::from(String::new()),
            redis_password: None,
            secrets_key: SecretString::from(String::new()),
        };
        assert_eq!(empty.redact("as is"), "as is");
    }

    fn record(id: i64) -> TenantRecord {
        TenantRecord {
            id: TenantId(id),
            name: "Salon".to_owned(),
            status: booking_core::tenant::TenantStatus::Active,
            time_zone: chrono_tz::Europe::Moscow,
            locale: booking_core::locale::Locale::Ru,
            owner_telegram_id: None,
            bot_username: Some("salon_bot".to_owned()),
            has_bot_token: true,
            desired_state: storage::control::tenants::DesiredState::Running,
            image_tag: None,
            placement: None,
            schema_version: Some(1),
            last_error: None,
            created_at: chrono::Utc::now(),
            updated_at: chrono::Utc::now(),
        }
    }

    fn defaults(args: &[&str]) -> TenantDefaults {
        use clap::Parser as _;
        let base = ["deploy-worker", "--database-url", "postgres://x@h/db"];
        crate::Config::try_parse_from(base.iter().chain(args))
            .unwrap()
            .tenants
    }

    fn env<'a>(spec: &'a ContainerSpec, name: &str) -> &'a str {
        &spec.env.iter().find(|(k, _)| k == name).unwrap().1
    }

    fn secret<'a>(spec: &'a ContainerSpec, name: &str) -> &'a str {
        spec.secrets
            .iter()
            .find(|(k, _)| k == name)
            .unwrap()
            .1
            .expose_secret()
    }

    /// A bot gets its tenant's own Redis user with REDIS_ACL=on, the shared URL without; its
    /// database URL keeps the platform's TLS settings; the spec's `Debug` shows no value.
    #[tokio::test]
    async fn the_bot_environment_carries_its_own_credentials() {
        let db = Db::connect_lazy(
            &SecretString::from(
                "postgres://booking:platform-pw@db:5432/booking?sslmode=verify-full\
                 &sslrootcert=/etc/ssl/ca.pem"
                    .to_owned(),
            ),
            storage::db::PoolSize(1),
        )
        .unwrap();
        let secrets = Secrets {
            bot_token: SecretString::from("42:bot-token".to_owned()),
            db_password: SecretString::from("db-pw".to_owned()),
            redis_password: Some(SecretString::from("redis-pw".to_owned())),
            secrets_key: SecretString::from("tenant-key".to_owned()),
        };
        let acl = defaults(&["--redis-url", "redis://redis:6379", "--redis-acl", "on"]);
        let spec = build(&acl, &db, &record(42), &secrets);
        assert_eq!(
            secret(&spec, "REDIS_URL"),
            "redis://booking_tenant_42:redis-pw@redis:6379"
        );
        let database_url = secret(&spec, "DATABASE_URL");
        assert!(
            database_url.starts_with("postgres://booking_tenant_42:db-pw@db:5432/booking?")
                && database_url.contains("sslmode=verify-full")
                && database_url.contains("sslrootcert=%2Fetc%2Fssl%2Fca.pem"),
            "{database_url}"
        );
        assert_eq!(spec.network, "bridge");
        assert_eq!(env(&spec, "HTTP_ADDR"), "0.0.0.0:8080");
        assert_eq!(secret(&spec, "TENANT_SECRETS_KEY"), "tenant-key");
        let shown = format!("{spec:?}");
        for secret in [
            "bot-token",
            "db-pw",
            "redis-pw",
            "platform-pw",
            "tenant-key",
        ] {
            assert!(!shown.contains(secret), "{secret} in {shown}");
        }
        assert!(shown.contains("REDIS_URL"));

        let shared = defaults(&["--redis-url", "redis://redis:6379"]);
        let plain = Secrets {
            redis_password: None,
            ..secrets
        };
        let spec = build(&shared, &db, &record(42), &plain);
        assert_eq!(secret(&spec, "REDIS_URL"), "redis://redis:6379");
        assert!(spec.env.iter().all(|(k, _)| k != "CALENDAR_FEED_URL"));
    }

    /// The calendar feeds' public address reaches every bot, dedicated or on a host, under
    /// the name the booking bot reads.
    #[test]
    fn the_calendar_feed_address_is_passed_to_the_bots() {
        let feeds = defaults(&["--calendar-feed-url", "https://platform.example.com"]);
        assert!(common_env(&feeds).contains(&(
            "CALENDAR_FEED_URL".to_owned(),
            "https://platform.example.com".to_owned()
        )));
        let none = defaults(&[]);
        assert!(
            common_env(&none)
                .iter()
                .all(|(k, _)| k != "CALENDAR_FEED_URL")
        );
    }

    #[test]
    fn the_hash_ignores_env_order_and_sees_every_change() {
        let a = config_hash(&spec(&[("A", "1"), ("B", "2")], "img:1"));
        assert_eq!(a.len(), 64);
        assert_eq!(a, config_hash(&spec(&[("B", "2"), ("A", "1")], "img:1")));
        assert_ne!(a, config_hash(&spec(&[("A", "1"), ("B", "3")], "img:1")));
        assert_ne!(a, config_hash(&spec(&[("A", "1"), ("B", "2")], "img:2")));
        let mut more_memory = spec(&[("A", "1"), ("B", "2")], "img:1");
        more_memory.memory_bytes = Some(2);
        assert_ne!(a, config_hash(&more_memory));
        let mut writable = spec(&[("A", "1"), ("B", "2")], "img:1");
        writable.read_only = true;
        assert_ne!(a, config_hash(&writable));
    }

    #[test]
    fn a_secret_hashes_as_the_variable_it_was_so_running_bots_are_not_replaced() {
        let in_env = config_hash(&spec(&[("A", "1"), ("BOT_TOKEN", "123:x")], "img:1"));
        let mut split = spec(&[("A", "1")], "img:1");
        split.secrets = vec![(
            "BOT_TOKEN".to_owned(),
            SecretString::from("123:x".to_owned()),
        )];
        assert_eq!(config_hash(&split), in_env);
        split.secrets = vec![(
            "BOT_TOKEN".to_owned(),
            SecretString::from("123:y".to_owned()),
        )];
        assert_ne!(config_hash(&split), in_env);
    }
}
