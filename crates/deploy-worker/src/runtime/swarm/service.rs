//! A bot's [`ContainerSpec`] as a Swarm service: one replica, the same limits and hardening as
//! a container, the bot's health check run by Swarm, and a rolling update that starts the new
//! task before stopping the old one and rolls back by itself when the new one fails.

use std::{collections::HashMap, time::Duration};

use bollard::models::{
    HealthConfig, Limit, Mount, MountTmpfsOptions, MountType, NetworkAttachmentConfig, ServiceSpec,
    ServiceSpecMode, ServiceSpecModeReplicated, ServiceSpecRollbackConfig,
    ServiceSpecRollbackConfigFailureActionEnum, ServiceSpecRollbackConfigOrderEnum,
    ServiceSpecUpdateConfig, ServiceSpecUpdateConfigFailureActionEnum,
    ServiceSpecUpdateConfigOrderEnum, TaskSpec, TaskSpecContainerSpec,
    TaskSpecContainerSpecPrivileges, TaskSpecContainerSpecSecrets, TaskSpecPlacement,
    TaskSpecResources, TaskSpecRestartPolicy, TaskSpecRestartPolicyConditionEnum,
};

use super::SwarmOptions;
use crate::runtime::ContainerSpec;

/// Where secrets are mounted in a task's container.
pub const SECRETS_DIR: &str = "/run/secrets";
/// Seconds a bot gets to stop before it is killed (as on the Docker engine).
const STOP_GRACE: Duration = Duration::from_secs(10);
/// One health check may take this long.
const HEALTH_TIMEOUT: Duration = Duration::from_secs(3);
/// Failed checks in a row after the start period before a bot is unhealthy.
const HEALTH_RETRIES: i64 = 3;
/// Checks during the start period, on engines that know `StartInterval` (API 1.44, Docker 25):
/// a new bot is found healthy within a second of answering. Older engines ignore it and check
/// every `interval` from the start.
const HEALTH_START_INTERVAL: Duration = Duration::from_secs(1);
/// Pause before Swarm restarts a crashed bot (it makes a new task each time).
const RESTART_DELAY: Duration = Duration::from_secs(1);

fn nanos(d: Duration) -> i64 {
    i64::try_from(d.as_nanos()).unwrap_or(i64::MAX)
}

/// The environment variable that names the file holding secret `name`.
#[must_use]
pub fn file_variable(name: &str) -> String {
    format!("{name}_FILE")
}

/// The path of secret variable `name` in the container.
#[must_use]
pub fn secret_path(name: &str) -> String {
    format!("{SECRETS_DIR}/{name}")
}

/// The service for `spec`, with `replicas` tasks, mounting `secrets` (made by `secrets.rs`)
/// and telling the bot where they are through `<NAME>_FILE`.
#[must_use]
pub fn service_spec(
    spec: &ContainerSpec,
    options: &SwarmOptions,
    secrets: Vec<TaskSpecContainerSpecSecrets>,
    replicas: i64,
    force_update: Option<u64>,
) -> ServiceSpec {
    let labels: HashMap<String, String> = spec
        .labels
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let env = spec
        .env
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .chain(
            spec.secrets
                .iter()
                .map(|(k, _)| format!("{}={}", file_variable(k), secret_path(k))),
        )
        .collect();
    let health_check = (!options.health_cmd.is_empty()).then(|| HealthConfig {
        test: Some(
            std::iter::once("CMD".to_owned())
                .chain(options.health_cmd.iter().cloned())
                .collect(),
        ),
        interval: Some(nanos(options.health_interval)),
        timeout: Some(nanos(HEALTH_TIMEOUT)),
        retries: Some(HEALTH_RETRIES),
        // As long as the worker waits for a bot to start, failures do not count.
        start_period: Some(nanos(options.health_grace * 4)),
        start_interval: Some(nanos(HEALTH_START_INTERVAL)),
    });
    let container = TaskSpecContainerSpec {
        image: Some(spec.image.clone()),
        // Swarm's `Command` replaces the image's entrypoint, as on the Docker engine.
        command: (!spec.command.is_empty()).then(|| spec.command.clone()),
        labels: Some(labels.clone()),
        env: Some(env),
        // Honoured from API 1.46 (Docker 27); Docker 20.10 takes it from dockerd's
        // `--no-new-privileges` (see scripts/swarm.sh and DEPLOYMENT.md).
        privileges: Some(TaskSpecContainerSpecPrivileges {
            no_new_privileges: Some(true),
            ..TaskSpecContainerSpecPrivileges::default()
        }),
        read_only: Some(spec.read_only),
        // A tmpfs mount is nosuid, nodev and noexec on Swarm: as `/tmp` on the Docker engine.
        mounts: spec.read_only.then(|| {
            vec![Mount {
                target: Some("/tmp".to_owned()),
                typ: Some(MountType::TMPFS),
                tmpfs_options: Some(MountTmpfsOptions {
                    size_bytes: Some(16 * 1024 * 1024),
                    ..MountTmpfsOptions::default()
                }),
                ..Mount::default()
            }]
        }),
        stop_grace_period: Some(nanos(STOP_GRACE)),
        health_check,
        secrets: Some(secrets),
        capability_drop: Some(vec!["ALL".to_owned()]),
        ..TaskSpecContainerSpec::default()
    };
    let monitor = Some(nanos(options.health_grace));
    ServiceSpec {
        name: Some(spec.name.clone()),
        labels: Some(labels),
        task_template: Some(TaskSpec {
            container_spec: Some(container),
            resources: Some(TaskSpecResources {
                limits: Some(Limit {
                    nano_cpus: spec.nano_cpus,
                    memory_bytes: spec.memory_bytes,
                    pids: spec.pids_limit,
                }),
                ..TaskSpecResources::default()
            }),
            restart_policy: Some(TaskSpecRestartPolicy {
                condition: Some(TaskSpecRestartPolicyConditionEnum::ON_FAILURE),
                delay: Some(nanos(RESTART_DELAY)),
                max_attempts: Some(spec.restart_retries),
                window: None,
            }),
            placement: (!options.constraints.is_empty()).then(|| TaskSpecPlacement {
                constraints: Some(options.constraints.clone()),
                ..TaskSpecPlacement::default()
            }),
            force_update,
            networks: Some(vec![NetworkAttachmentConfig {
                target: Some(spec.network.clone()),
                ..NetworkAttachmentConfig::default()
            }]),
            ..TaskSpec::default()
        }),
        mode: Some(ServiceSpecMode {
            replicated: Some(ServiceSpecModeReplicated {
                replicas: Some(replicas),
            }),
            ..ServiceSpecMode::default()
        }),
        // The new bot starts beside the old one, as on the Docker engine; it must run healthy
        // for the grace period, or Swarm goes back to the previous configuration.
        update_config: Some(ServiceSpecUpdateConfig {
            parallelism: Some(1),
            delay: Some(0),
            failure_action: Some(ServiceSpecUpdateConfigFailureActionEnum::ROLLBACK),
            monitor,
            max_failure_ratio: Some(0.0),
            order: Some(ServiceSpecUpdateConfigOrderEnum::START_FIRST),
        }),
        rollback_config: Some(ServiceSpecRollbackConfig {
            parallelism: Some(1),
            delay: Some(0),
            failure_action: Some(ServiceSpecRollbackConfigFailureActionEnum::PAUSE),
            monitor,
            max_failure_ratio: Some(0.0),
            order: Some(ServiceSpecRollbackConfigOrderEnum::START_FIRST),
        }),
        ..ServiceSpec::default()
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use secrecy::SecretString;

    use super::*;

    fn options() -> SwarmOptions {
        SwarmOptions {
            health_cmd: vec!["/usr/local/bin/healthcheck".to_owned()],
            health_grace: Duration::from_secs(3),
            health_interval: Duration::from_secs(10),
            constraints: vec!["node.labels.bots==true".to_owned()],
        }
    }

    #[test]
    fn secrets_are_files_named_in_the_environment_never_values() {
        let spec = ContainerSpec {
            name: "tenant-7".to_owned(),
            image: "img:1".to_owned(),
            command: Vec::new(),
            env: vec![("TENANT_ID".to_owned(), "7".to_owned())],
            secrets: vec![(
                "BOT_TOKEN".to_owned(),
                SecretString::from("123:secret".to_owned()),
            )],
            labels: BTreeMap::from([("tenant".to_owned(), "7".to_owned())]),
            network: "host".to_owned(),
            restart_retries: 3,
            memory_bytes: Some(1 << 27),
            nano_cpus: Some(500_000_000),
            pids_limit: Some(256),
            read_only: true,
        };
        let service = service_spec(&spec, &options(), Vec::new(), 1, None);
        let json = serde_json::to_string(&service).unwrap();
        assert!(!json.contains("123:secret"), "{json}");
        let task = service.task_template.unwrap();
        let container = task.container_spec.unwrap();
        assert_eq!(
            container.env.unwrap(),
            vec![
                "TENANT_ID=7".to_owned(),
                "BOT_TOKEN_FILE=/run/secrets/BOT_TOKEN".to_owned()
            ]
        );
        assert_eq!(container.capability_drop.unwrap(), vec!["ALL".to_owned()]);
        let health = container.health_check.unwrap();
        assert_eq!(health.test.unwrap()[0], "CMD");
        assert_eq!(health.start_period, Some(12_000_000_000));
        assert_eq!(task.resources.unwrap().limits.unwrap().pids, Some(256));
        assert_eq!(
            task.placement.unwrap().constraints.unwrap(),
            vec!["node.labels.bots==true".to_owned()]
        );
        let update = service.update_config.unwrap();
        assert_eq!(
            update.failure_action,
            Some(ServiceSpecUpdateConfigFailureActionEnum::ROLLBACK)
        );
        assert_eq!(update.monitor, Some(3_000_000_000));
    }
}
