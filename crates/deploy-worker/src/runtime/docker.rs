//! [`ContainerRuntime`] over the Docker Engine API with bollard. Works with Docker and with
//! podman 4.3's compatible service, whose quirks are tolerated here (see
//! `shared/reference/bollard-podman.md`): a `stopped` state bollard cannot parse, and health
//! checks that never run (so health is checked by exec). Secrets are put in the environment:
//! a plain engine has nowhere else to keep them.

use std::{collections::HashMap, time::Duration};

use bollard::{
    errors::Error,
    exec::{CreateExecOptions, StartExecResults},
    models::{ContainerCreateBody, HostConfig, RestartPolicy, RestartPolicyNameEnum},
    query_parameters::{
        CreateContainerOptionsBuilder, InspectContainerOptions, ListContainersOptionsBuilder,
        LogsOptionsBuilder, RemoveContainerOptionsBuilder, RenameContainerOptionsBuilder,
        StopContainerOptionsBuilder,
    },
};
use futures::StreamExt as _;

use secrecy::ExposeSecret as _;

use super::{
    ContainerId, ContainerInfo, ContainerRuntime, ContainerSpec, RunState, RuntimeError,
    client::{EngineClient, engine_error, status_of},
};

/// How often a podman `stopped` state is retried before giving up.
const STOPPED_RETRIES: usize = 25;
const STOPPED_PAUSE: Duration = Duration::from_millis(200);
/// Seconds a container gets to stop before it is killed.
const STOP_TIMEOUT: i32 = 10;

/// A Docker-API engine.
#[derive(Clone, Debug)]
pub struct DockerRuntime {
    client: EngineClient,
}

impl DockerRuntime {
    /// Connects lazily to `host` (`unix:///...`, `tcp://...`, `http://...`).
    pub fn connect(host: &str) -> Result<Self, RuntimeError> {
        Ok(Self {
            client: EngineClient::connect(host)?,
        })
    }

    /// The client, for engine calls outside the trait (image import).
    #[must_use]
    pub fn client(&self) -> &EngineClient {
        &self.client
    }
}

/// Docker answers 409 for a name in use; podman 4.3 answers 500 "... already in use".
fn name_in_use(e: &Error) -> bool {
    match e {
        Error::DockerResponseServerError {
            status_code,
            message,
        } => *status_code == 409 || message.contains("already in use"),
        _ => false,
    }
}

/// Podman 4.3 reports a container between restarts as `stopped`, which is no Docker state.
fn is_podman_stopped(e: &Error) -> bool {
    matches!(e, Error::JsonDataError { message, .. } if message.contains("stopped"))
}

fn run_state(status: Option<&str>) -> RunState {
    match status {
        Some("created") => RunState::Created,
        Some("running") => RunState::Running,
        Some("exited" | "dead" | "restarting" | "stopped" | "removing") => RunState::Exited,
        other => RunState::Other(other.unwrap_or("unknown").to_owned()),
    }
}

impl ContainerRuntime for DockerRuntime {
    async fn ping(&self) -> Result<(), RuntimeError> {
        let docker = self.client.get().await?;
        docker.ping().await.map(|_| ()).map_err(engine_error)
    }

    async fn create(&self, spec: &ContainerSpec) -> Result<ContainerId, RuntimeError> {
        let host_config = HostConfig {
            network_mode: Some(spec.network.clone()),
            memory: spec.memory_bytes,
            nano_cpus: spec.nano_cpus,
            restart_policy: Some(RestartPolicy {
                name: Some(RestartPolicyNameEnum::ON_FAILURE),
                maximum_retry_count: Some(spec.restart_retries),
            }),
            pids_limit: spec.pids_limit,
            // A bot needs no capability and never gains privileges (no setuid in the image).
            cap_drop: Some(vec!["ALL".to_owned()]),
            security_opt: Some(vec!["no-new-privileges".to_owned()]),
            readonly_rootfs: Some(spec.read_only),
            tmpfs: spec.read_only.then(|| {
                HashMap::from([("/tmp".to_owned(), "rw,noexec,nosuid,size=16m".to_owned())])
            }),
            ..HostConfig::default()
        };
        let body = ContainerCreateBody {
            image: Some(spec.image.clone()),
            // The entrypoint, not the command: an image's own entrypoint would otherwise run
            // with this as its arguments (and an entrypoint given drops the image's command).
            entrypoint: (!spec.command.is_empty()).then(|| spec.command.clone()),
            env: Some(
                spec.env
                    .iter()
                    .map(|(k, v)| format!("{k}={v}"))
                    .chain(
                        spec.secrets
                            .iter()
                            .map(|(k, v)| format!("{k}={}", v.expose_secret())),
                    )
                    .collect(),
            ),
            labels: Some(
                spec.labels
                    .iter()
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect::<HashMap<_, _>>(),
            ),
            host_config: Some(host_config),
            ..ContainerCreateBody::default()
        };
        let options = CreateContainerOptionsBuilder::new()
            .name(&spec.name)
            .build();
        let docker = self.client.get().await?;
        match docker.create_container(Some(options), body).await {
            Ok(created) => Ok(ContainerId(created.id)),
            // A worker killed after the create: the container of that name is the one.
            Err(e) if name_in_use(&e) => {
                let name = ContainerId(spec.name.clone());
                match self.inspect(&name).await? {
                    Some(found) => Ok(found.id),
                    None => Err(engine_error(e)),
                }
            }
            Err(e) => Err(engine_error(e)),
        }
    }

    async fn start(&self, id: &ContainerId) -> Result<(), RuntimeError> {
        let docker = self.client.get().await?;
        match docker.start_container(&id.0, None).await {
            Ok(()) => Ok(()),
            Err(e) if status_of(&e) == Some(304) => Ok(()),
            Err(e) => Err(engine_error(e)),
        }
    }

    async fn stop(&self, id: &ContainerId) -> Result<(), RuntimeError> {
        let options = StopContainerOptionsBuilder::new().t(STOP_TIMEOUT).build();
        let docker = self.client.get().await?;
        match docker.stop_container(&id.0, Some(options)).await {
            Ok(()) => Ok(()),
            Err(e) if matches!(status_of(&e), Some(304 | 404)) => Ok(()),
            Err(e) => Err(engine_error(e)),
        }
    }

    async fn remove(&self, id: &ContainerId) -> Result<(), RuntimeError> {
        // Force: the only way to end a podman restart loop, and a running container goes too.
        let options = RemoveContainerOptionsBuilder::new().force(true).build();
        let docker = self.client.get().await?;
        match docker.remove_container(&id.0, Some(options)).await {
            Ok(()) => Ok(()),
            Err(e) if status_of(&e) == Some(404) => Ok(()),
            Err(e) => Err(engine_error(e)),
        }
    }

    async fn rename(&self, id: &ContainerId, name: &str) -> Result<(), RuntimeError> {
        let options = RenameContainerOptionsBuilder::new().name(name).build();
        let docker = self.client.get().await?;
        docker
            .rename_container(&id.0, options)
            .await
            .map_err(engine_error)
    }

    async fn inspect(&self, id: &ContainerId) -> Result<Option<ContainerInfo>, RuntimeError> {
        let docker = self.client.get().await?;
        let mut last = None;
        for _ in 0..STOPPED_RETRIES {
            match docker
                .inspect_container(&id.0, None::<InspectContainerOptions>)
                .await
            {
                Ok(c) => {
                    let state = c.state.unwrap_or_default();
                    return Ok(Some(ContainerInfo {
                        id: ContainerId(c.id.unwrap_or_else(|| id.0.clone())),
                        name: c
                            .name
                            .unwrap_or_default()
                            .trim_start_matches('/')
                            .to_owned(),
                        labels: c
                            .config
                            .and_then(|c| c.labels)
                            .unwrap_or_default()
                            .into_iter()
                            .collect(),
                        state: run_state(state.status.map(|s| s.to_string()).as_deref()),
                        exit_code: state.exit_code,
                        restart_count: c.restart_count.unwrap_or(0),
                        error: state.error.filter(|e| !e.is_empty()),
                    }));
                }
                Err(e) if status_of(&e) == Some(404) => return Ok(None),
                Err(e) if is_podman_stopped(&e) => {
                    last = Some(e);
                    tokio::time::sleep(STOPPED_PAUSE).await;
                }
                Err(e) => return Err(engine_error(e)),
            }
        }
        // Still looping between restarts: exited, as far as reconciliation is concerned.
        tracing::warn!(container = %id, error = ?last, "the container keeps restarting");
        Ok(Some(ContainerInfo {
            id: id.clone(),
            name: String::new(),
            labels: std::collections::BTreeMap::new(),
            state: RunState::Exited,
            exit_code: None,
            restart_count: 0,
            error: None,
        }))
    }

    async fn list(&self, labels: &[(&str, &str)]) -> Result<Vec<ContainerInfo>, RuntimeError> {
        let filters: HashMap<String, Vec<String>> = HashMap::from([(
            "label".to_owned(),
            labels.iter().map(|(k, v)| format!("{k}={v}")).collect(),
        )]);
        let options = ListContainersOptionsBuilder::new()
            .all(true)
            .filters(&filters)
            .build();
        let docker = self.client.get().await?;
        let mut last = None;
        for _ in 0..STOPPED_RETRIES {
            match docker.list_containers(Some(options.clone())).await {
                Ok(found) => {
                    return Ok(found
                        .into_iter()
                        .map(|c| ContainerInfo {
                            id: ContainerId(c.id.unwrap_or_default()),
                            name: c
                                .names
                                .and_then(|n| n.into_iter().next())
                                .unwrap_or_default()
                                .trim_start_matches('/')
                                .to_owned(),
                            labels: c.labels.unwrap_or_default().into_iter().collect(),
                            state: run_state(c.state.map(|s| s.to_string()).as_deref()),
                            exit_code: None,
                            restart_count: 0,
                            error: None,
                        })
                        .collect());
                }
                // One container between restarts spoils the whole list on podman 4.3.
                Err(e) if is_podman_stopped(&e) => {
                    last = Some(e);
                    tokio::time::sleep(STOPPED_PAUSE).await;
                }
                Err(e) => return Err(engine_error(e)),
            }
        }
        Err(RuntimeError::Engine(format!(
            "containers keep restarting; the list cannot be read: {}",
            last.map(|e| e.to_string()).unwrap_or_default()
        )))
    }

    async fn check_health(&self, id: &ContainerId, cmd: &[String]) -> Result<bool, RuntimeError> {
        let docker = self.client.get().await?;
        let exec = docker
            .create_exec(
                &id.0,
                CreateExecOptions {
                    cmd: Some(cmd.to_vec()),
                    attach_stdout: Some(true),
                    attach_stderr: Some(true),
                    ..CreateExecOptions::default()
                },
            )
            .await;
        let exec = match exec {
            Ok(exec) => exec,
            // Not running (409) or gone (404): not healthy.
            Err(e) if matches!(status_of(&e), Some(404 | 409 | 500)) => return Ok(false),
            Err(e) => return Err(engine_error(e)),
        };
        match docker.start_exec(&exec.id, None).await {
            Ok(StartExecResults::Attached { mut output, .. }) => {
                while output.next().await.is_some() {}
            }
            Ok(StartExecResults::Detached) => {}
            Err(e) if matches!(status_of(&e), Some(404 | 409 | 500)) => return Ok(false),
            Err(e) => return Err(engine_error(e)),
        }
        let done = docker.inspect_exec(&exec.id).await.map_err(engine_error)?;
        Ok(done.exit_code == Some(0))
    }

    async fn logs_tail(&self, id: &ContainerId, lines: usize) -> Result<String, RuntimeError> {
        let options = LogsOptionsBuilder::new()
            .stdout(true)
            .stderr(true)
            .tail(&lines.to_string())
            .build();
        let docker = self.client.get().await?;
        let mut stream = docker.logs(&id.0, Some(options));
        let mut out = String::new();
        while let Some(chunk) = stream.next().await {
            match chunk {
                Ok(chunk) => out.push_str(&String::from_utf8_lossy(&chunk.into_bytes())),
                Err(e) if status_of(&e) == Some(404) => break,
                Err(e) => return Err(engine_error(e)),
            }
        }
        Ok(out)
    }
}
