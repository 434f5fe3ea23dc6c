//! A shared bot host's container: `booking-bot host` with the host's own database role (a
//! member of exactly the tenant roles the worker granted it) and the bearer secret of its
//! control API, through which the worker assigns it tenants. It runs the tenants' image with
//! their Redis, Bot API, network and health check; its limits are the hosts' own.

use secrecy::SecretString;
use storage::{Db, control::bot_hosts::BotHost, host::HostName};

use super::{LABEL_CONFIG_HASH, Redact, common_env, config_hash, labels, redact_all};
use crate::{
    config::{HostDefaults, TenantDefaults},
    runtime::ContainerSpec,
};

/// The label naming the host a container runs (instead of `tenant`).
pub const LABEL_HOST: &str = "host";
/// The port a host listens on in a network of its own, reached by its container's name.
pub const NETWORK_PORT: u16 = 8080;
/// Threads and processes of a host: tokio's blocking pool grows with many tenants' work.
pub const HOST_PIDS_LIMIT: i64 = 1024;
/// The program a host runs (the image's `booking-bot`, found on its `PATH`).
pub const HOST_COMMAND: [&str; 2] = ["booking-bot", "host"];

/// A host's secrets, opened with the data key.
pub struct HostSecrets {
    pub db_password: SecretString,
    /// The bearer of its control API.
    pub secret: SecretString,
}

impl Redact for HostSecrets {
    fn redact(&self, text: &str) -> String {
        redact_all(text, &[&self.db_password, &self.secret])
    }
}

/// The container name of bot host `host`.
#[must_use]
pub fn container_name(defaults: &TenantDefaults, host: &HostName) -> String {
    if defaults.platform_label == "booking" {
        format!("host-{host}")
    } else {
        format!("{}-host-{host}", defaults.platform_label)
    }
}

/// Where a host listens and where the worker reaches it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Address {
    /// The host's `HTTP_ADDR`.
    pub listen: String,
    /// The base URL of its control API, as the worker reaches it.
    pub url: String,
}

/// On the host network, host number N takes `HOST_PORT_BASE` + N on loopback (hosts share
/// the machine's ports); on any other network, 8080 in its own namespace, by container name.
pub fn address(
    defaults: &TenantDefaults,
    hosts: &HostDefaults,
    host: &BotHost,
) -> Result<Address, String> {
    if defaults.network == "host" {
        let port = u16::try_from(host.ordinal)
            .ok()
            .and_then(|n| hosts.host_port_base.checked_add(n))
            .ok_or_else(|| {
                format!(
                    "bot host {} has no port: HOST_PORT_BASE {} + {} is beyond 65535",
                    host.name, hosts.host_port_base, host.ordinal
                )
            })?;
        Ok(Address {
            listen: format!("127.0.0.1:{port}"),
            url: format!("http://127.0.0.1:{port}"),
        })
    } else {
        Ok(Address {
            listen: format!("0.0.0.0:{NETWORK_PORT}"),
            url: format!(
                "http://{}:{NETWORK_PORT}",
                container_name(defaults, &host.name)
            ),
        })
    }
}

/// The spec of bot host `host`'s container, labels included (the config hash last).
pub fn build(
    defaults: &TenantDefaults,
    hosts: &HostDefaults,
    db: &Db,
    host: &BotHost,
    secrets: &HostSecrets,
) -> Result<ContainerSpec, String> {
    let address = address(defaults, hosts, host)?;
    let mut env = vec![
        ("HOST_NAME".to_owned(), host.name.to_string()),
        (
            "HOST_POOL_SIZE".to_owned(),
            hosts.host_pool_size.to_string(),
        ),
        ("HTTP_ADDR".to_owned(), address.listen),
    ];
    env.extend(common_env(defaults));
    let mut spec = ContainerSpec {
        name: container_name(defaults, &host.name),
        image: format!("{}:{}", defaults.image, defaults.image_tag),
        command: HOST_COMMAND.iter().map(|s| (*s).to_owned()).collect(),
        env,
        secrets: vec![
            ("HOST_SECRET".to_owned(), secrets.secret.clone()),
            (
                "DATABASE_URL".to_owned(),
                db.url_as(db.host_role(&host.name).as_str(), &secrets.db_password),
            ),
            // The shared TENANT_REDIS_URL: a host serves many tenants on one connection, so
            // it cannot be any one tenant's Redis user (see DEPLOYMENT.md, "Placement").
            ("REDIS_URL".to_owned(), defaults.redis_url.clone()),
        ],
        labels: labels(defaults, LABEL_HOST, host.name.to_string()),
        network: defaults.network.clone(),
        restart_retries: defaults.restart_retries,
        memory_bytes: Some(hosts.host_memory_mb * 1024 * 1024),
        nano_cpus: Some(hosts.host_millicpus * 1_000_000),
        pids_limit: Some(HOST_PIDS_LIMIT),
        read_only: true,
    };
    let hash = config_hash(&spec);
    spec.labels.insert(LABEL_CONFIG_HASH.to_owned(), hash);
    Ok(spec)
}

#[cfg(test)]
mod tests {
    use booking_core::ids::BotHostId;
    use secrecy::ExposeSecret as _;

    use super::*;

    fn host(ordinal: i32) -> BotHost {
        BotHost {
            id: BotHostId(1),
            name: HostName::parse(&format!("shared{ordinal}")).unwrap(),
            ordinal,
            capacity: 500,
            idle_since: None,
        }
    }

    fn tenant_defaults(network: &str, label: &str) -> TenantDefaults {
        use clap::Parser as _;
        let mut config =
            crate::Config::try_parse_from(["deploy-worker", "--database-url", "postgres://x@h/db"])
                .unwrap();
        config.tenants.network = network.to_owned();
        config.tenants.platform_label = label.to_owned();
        config.tenants
    }

    #[test]
    fn on_the_host_network_each_host_has_its_own_loopback_port() {
        let hosts = HostDefaults::default();
        let d = tenant_defaults("host", "booking");
        let a = address(&d, &hosts, &host(1)).unwrap();
        assert_eq!(a.listen, "127.0.0.1:8201");
        assert_eq!(a.url, "http://127.0.0.1:8201");
        assert_eq!(
            address(&d, &hosts, &host(7)).unwrap().listen,
            "127.0.0.1:8207"
        );
        let far = HostDefaults {
            host_port_base: 65_530,
            ..HostDefaults::default()
        };
        assert!(address(&d, &far, &host(9)).is_err());
    }

    #[test]
    fn on_another_network_a_host_is_reached_by_its_container_name() {
        let d = tenant_defaults("booking-platform", "booking");
        let a = address(&d, &HostDefaults::default(), &host(2)).unwrap();
        assert_eq!(a.listen, "0.0.0.0:8080");
        assert_eq!(a.url, "http://host-shared2:8080");
        let labelled = tenant_defaults("bridge", "it-x");
        assert_eq!(
            container_name(&labelled, &host(2).name),
            "it-x-host-shared2"
        );
    }

    #[tokio::test]
    async fn the_spec_runs_the_host_command_keeps_secrets_apart_and_hides_them_from_debug() {
        let d = tenant_defaults("host", "booking");
        let db = Db::connect_lazy(
            &SecretString::from("postgres://platform@db.internal:5433/booking".to_owned()),
            storage::db::PoolSize(1),
        )
        .unwrap();
        let secrets = HostSecrets {
            db_password: SecretString::from("pw-of-the-host".to_owned()),
            secret: SecretString::from("bearer-of-the-host".to_owned()),
        };
        let spec = build(&d, &HostDefaults::default(), &db, &host(1), &secrets).unwrap();
        assert_eq!(spec.command, ["booking-bot", "host"]);
        assert_eq!(spec.labels[LABEL_HOST], "shared1");
        assert!(!spec.labels.contains_key(super::super::LABEL_TENANT));
        assert_eq!(spec.labels[LABEL_CONFIG_HASH].len(), 64);
        let url = spec
            .secrets
            .iter()
            .find(|(k, _)| k == "DATABASE_URL")
            .unwrap();
        assert_eq!(
            url.1.expose_secret(),
            "postgres://booking_host_shared1:pw-of-the-host@db.internal:5433/booking"
        );
        assert!(spec.env.iter().all(|(_, v)| !v.contains("pw-of-the-host")));
        let shown = format!("{spec:?}");
        assert!(!shown.contains("pw-of-the-host") && !shown.contains("bearer-of-the-host"));
        assert_eq!(
            secrets.redact("a pw-of-the-host b bearer-of-the-host"),
            "a [redacted] b [redacted]"
        );
        // Another secret is another configuration: the host is replaced.
        let other = HostSecrets {
            db_password: SecretString::from("pw-2".to_owned()),
            secret: SecretString::from("bearer-of-the-host".to_owned()),
        };
        let spec2 = build(&d, &HostDefaults::default(), &db, &host(1), &other).unwrap();
        assert_ne!(
            spec.labels[LABEL_CONFIG_HASH],
            spec2.labels[LABEL_CONFIG_HASH]
        );
    }
}
