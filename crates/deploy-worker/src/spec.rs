//! A tenant's container spec: what its bot should run with, and the hash that names it.

/// A shared bot host's container spec.
pub mod host;

use std::collections::BTreeMap;

use booking_core::{ids::TenantId, tenant::TenantSchema};
use secrecy::{ExposeSecret as _, SecretString};
use sha2::{Digest as _, Sha256};
use storage::{Db, control::tenants::TenantRecord};

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
}

impl Secrets {
    /// `text` with every secret replaced: a bot that printed its own URL or token must not
    /// leak it into a deployment's reason or an alert.
    #[must_use]
    pub fn redact(&self, text: &str) -> String {
        redact_all(text, &[&self.bot_token, &self.db_password])
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

/// A database URL on the platform's server and database as `role` (a tenant's, or a bot
/// host's). Passwords come from `crypto::random_password` and are URL-safe.
pub(crate) fn role_database_url(db: &Db, role: &str, password: &SecretString) -> SecretString {
    let options = db.options();
    SecretString::from(format!(
        "postgres://{role}:{}@{}:{}/{}",
        password.expose_secret(),
        options.get_host(),
        options.get_port(),
        options.get_database().unwrap_or("postgres")
    ))
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
    let mut env = vec![
        ("TENANT_ID".to_owned(), tenant.id.to_string()),
        ("REDIS_URL".to_owned(), defaults.redis_url.clone()),
        (
            "TELEGRAM_API_URL".to_owned(),
            defaults.telegram_api_url.clone(),
        ),
        ("LOG_FORMAT".to_owned(), "json".to_owned()),
    ];
    if defaults.network == "host" {
        // Bots share the host's ports: each takes a free one rather than all fighting for 8080.
        env.push(("HTTP_ADDR".to_owned(), "127.0.0.1:0".to_owned()));
    } else {
        env.push(("HTTP_ADDR".to_owned(), "0.0.0.0:8080".to_owned()));
    }
    if let Some(dsn) = &defaults.tenant_sentry_dsn {
        env.push(("SENTRY_DSN".to_owned(), dsn.clone()));
    }
    // Only when set, so every existing bot's spec (and hash) stays as it was.
    if defaults.clock_offset_secs != 0 {
        env.push((
            "CLOCK_OFFSET_SECS".to_owned(),
            defaults.clock_offset_secs.to_string(),
        ));
    }
    let mut spec = ContainerSpec {
        name: container_name(defaults, tenant.id),
        image: format!("{}:{tag}", defaults.image),
        command: Vec::new(),
        env,
        secrets: vec![
            ("BOT_TOKEN".to_owned(), secrets.bot_token.clone()),
            (
                "DATABASE_URL".to_owned(),
                role_database_url(
                    db,
                    db.tenant_role(&TenantSchema::for_tenant(tenant.id))
                        .as_str(),
                    &secrets.db_password,
                ),
            ),
        ],
        labels: BTreeMap::from([
            (LABEL_PLATFORM.to_owned(), defaults.platform_label.clone()),
            (LABEL_TENANT.to_owned(), tenant.id.to_string()),
            (
                LABEL_VERSION.to_owned(),
                env!("CARGO_PKG_VERSION").to_owned(),
            ),
        ]),
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
    fn redaction_removes_both_secrets_wherever_they_appear() {
        let secrets = Secrets {
            bot_token: SecretString::from("123:abc".to_owned()),
            db_password: SecretString::from("pw0".to_owned()),
        };
        let text = "token 123:abc rejected; postgres://r:pw0@h/db; again 123:abc";
        let out = secrets.redact(text);
        assert_eq!(
            out,
            "token [redacted] rejected; postgres://r:[redacted]@h/db; again [redacted]"
        );
        let empty = Secrets {
            bot_token: SecretString::from(String::new()),
            db_password: SecretString::from(String::new()),
        };
        assert_eq!(empty.redact("as is"), "as is");
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
