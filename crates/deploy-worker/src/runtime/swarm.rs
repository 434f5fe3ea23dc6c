//! [`ContainerRuntime`] on Docker Swarm: each bot is a service of one replica, placed by Swarm on
//! any node of the swarm (or those its constraints allow), talked to through a manager's Engine
//! API (`shared/reference/docker-swarm.md`).
//!
//! Differences from the Docker engine, each for a reason:
//! - a new configuration is a rolling update of the same service ([`Replacement::InPlace`]):
//!   Swarm starts the new task, waits for its health check and the grace period, and goes back
//!   to the previous configuration by itself if the new one fails;
//! - health is Swarm's own check (the same command), since the worker cannot exec into a task
//!   on another node;
//! - secrets are Swarm secrets, mounted as files, not environment variables;
//! - a service cannot be renamed, and never needs to be: the update keeps its name.

/// Changes of a service's spec: scale, force, update, rollback.
mod changes;
/// Tasks' output kept during an update.
pub mod output;
/// Requests made without bollard.
pub mod raw;
/// Secrets: naming, making, removing.
pub mod secrets;
/// The service a container spec becomes.
pub mod service;
/// A service's state, from its tasks.
pub mod tasks;

use std::{collections::HashMap, sync::Arc, time::Duration};

use bollard::{
    Docker,
    container::LogOutput,
    errors::Error,
    models::{HealthStatusEnum, Service, Task},
    query_parameters::{
        InspectContainerOptions, ListServicesOptionsBuilder, ListTasksOptionsBuilder,
        LogsOptionsBuilder,
    },
};
use futures::{Stream, StreamExt as _};
use tokio::sync::OnceCell;

use super::{
    ContainerId, ContainerInfo, ContainerRuntime, ContainerSpec, Replacement, RuntimeError,
    UpdateProgress,
    client::{EngineClient, engine_error, status_of},
};
use crate::spec::LABEL_CONFIG_HASH;

/// How the worker's bots run on the swarm.
#[derive(Clone, Debug)]
pub struct SwarmOptions {
    /// The bot's health check, run by Swarm in each task's container.
    pub health_cmd: Vec<String>,
    /// How long a new task must stay healthy before an update is kept (Swarm's `monitor`).
    pub health_grace: Duration,
    /// Time between health checks of a running bot (each is an exec on its node).
    pub health_interval: Duration,
    /// Placement constraints (`node.labels.bots==true`); none places bots on any node.
    pub constraints: Vec<String>,
}

/// How often a stop or a start looks at the tasks.
const STOP_POLL: Duration = Duration::from_millis(200);
/// A stop waits this long for the task to end (its grace period is 10 s).
const STOP_WAIT: Duration = Duration::from_secs(20);
/// An update's output is kept from this long before it is asked for (clocks of nodes differ).
const CAPTURE_MARGIN_SECS: i64 = 5;
/// Beyond this many services, tasks are listed all at once rather than by service.
const TASK_FILTER_MAX: usize = 50;

/// A swarm, through one of its managers.
#[derive(Clone, Debug)]
pub struct SwarmRuntime {
    client: EngineClient,
    options: Arc<SwarmOptions>,
    /// The manager's own node: the one whose containers it can inspect.
    node: Arc<OnceCell<String>>,
    /// Output of services being updated (a failed task's goes with the task).
    captures: output::Captures,
}

impl SwarmRuntime {
    /// Connects lazily to a manager at `host` (`unix:///...`, `tcp://...`).
    pub fn connect(host: &str, options: SwarmOptions) -> Result<Self, RuntimeError> {
        Ok(Self {
            client: EngineClient::connect(host)?,
            options: Arc::new(options),
            node: Arc::new(OnceCell::new()),
            captures: output::Captures::default(),
        })
    }

    /// The client, for engine calls outside the trait (image import, nodes).
    #[must_use]
    pub fn client(&self) -> &EngineClient {
        &self.client
    }

    async fn service(&self, id: &ContainerId) -> Result<Option<Service>, RuntimeError> {
        let docker = self.client.get().await?;
        match docker.inspect_service(&id.0, None).await {
            Ok(s) => Ok(Some(s)),
            Err(e) if status_of(&e) == Some(404) => Ok(None),
            Err(e) => Err(engine_error(e)),
        }
    }

    async fn existing(&self, id: &ContainerId) -> Result<Service, RuntimeError> {
        self.service(id)
            .await?
            .ok_or_else(|| RuntimeError::Engine(format!("404: no such service: {id}")))
    }

    /// The tasks of `services`, ended ones included (Swarm keeps a few per replica).
    async fn tasks(&self, services: &[String]) -> Result<Vec<Task>, RuntimeError> {
        if services.is_empty() {
            return Ok(Vec::new());
        }
        let docker = self.client.get().await?;
        let filters: HashMap<&str, Vec<String>> = if services.len() <= TASK_FILTER_MAX {
            HashMap::from([("service", services.to_vec())])
        } else {
            HashMap::new()
        };
        let options = ListTasksOptionsBuilder::new().filters(&filters).build();
        docker.list_tasks(Some(options)).await.map_err(engine_error)
    }

    async fn local_node(&self) -> Result<&str, RuntimeError> {
        let node = self
            .node
            .get_or_try_init(|| async {
                let docker = self.client.get().await?;
                let info = docker.info().await.map_err(engine_error)?;
                Ok::<_, RuntimeError>(info.swarm.and_then(|s| s.node_id).unwrap_or_default())
            })
            .await?;
        Ok(node)
    }

    /// The labels a bot's secrets carry: the service's, less the configuration hash (a secret
    /// outlives the configuration that made it when the next one has the same value).
    fn secret_labels(spec: &ContainerSpec) -> HashMap<String, String> {
        spec.labels
            .iter()
            .filter(|(k, _)| k.as_str() != LABEL_CONFIG_HASH)
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    }
}

/// The names of the secrets a service's current spec mounts.
fn mounted_secrets(service: &Service) -> std::collections::BTreeSet<String> {
    service
        .spec
        .as_ref()
        .and_then(|s| s.task_template.as_ref())
        .and_then(|t| t.container_spec.as_ref())
        .and_then(|c| c.secrets.as_ref())
        .into_iter()
        .flatten()
        .filter_map(|s| s.secret_name.clone())
        .collect()
}

async fn collect_logs(
    mut stream: impl Stream<Item = Result<LogOutput, Error>> + Unpin,
) -> Result<Option<String>, RuntimeError> {
    let mut out = String::new();
    while let Some(chunk) = stream.next().await {
        match chunk {
            Ok(chunk) => out.push_str(&String::from_utf8_lossy(&chunk.into_bytes())),
            Err(e) if status_of(&e) == Some(404) && out.is_empty() => return Ok(None),
            Err(e) => return Err(engine_error(e)),
        }
    }
    Ok(Some(out))
}

impl ContainerRuntime for SwarmRuntime {
    /// The engine answers and is a manager of an active swarm (only managers take services).
    async fn ping(&self) -> Result<(), RuntimeError> {
        let docker = self.client.get().await?;
        docker.ping().await.map_err(engine_error)?;
        docker
            .inspect_swarm()
            .await
            .map(|_| ())
            .map_err(engine_error)
    }

    /// Creates the service with no replica: `start` makes its task.
    async fn create(&self, spec: &ContainerSpec) -> Result<ContainerId, RuntimeError> {
        let docker = self.client.get().await?;
        let mounts = secrets::ensure(
            docker,
            &spec.name,
            &Self::secret_labels(spec),
            &spec.secrets,
        )
        .await?;
        let body = service::service_spec(spec, &self.options, mounts, 0, None);
        match docker.create_service(body, None).await {
            Ok(created) => Ok(ContainerId(created.id.unwrap_or_default())),
            // A worker killed after the create: the service of that name is the one.
            Err(e) if status_of(&e) == Some(409) => {
                let found = self.existing(&ContainerId(spec.name.clone())).await?;
                Ok(ContainerId(found.id.unwrap_or_default()))
            }
            Err(e) => Err(engine_error(e)),
        }
    }

    /// One replica; a service whose task gave up (restarts exhausted) gets a new task.
    async fn start(&self, id: &ContainerId) -> Result<(), RuntimeError> {
        let service = self.existing(id).await?;
        if tasks::replicas(&service) == 0 {
            self.scale(id, 1, false).await?;
        } else if self
            .tasks(std::slice::from_ref(&id.0))
            .await?
            .iter()
            .any(tasks::live)
        {
            return Ok(());
        } else {
            self.scale(id, 1, true).await?;
        }
        self.await_task(id).await
    }

    /// No replica, and waits (as `docker stop` does) until the task has ended, so that a
    /// restart never has two copies of the bot polling Telegram.
    async fn stop(&self, id: &ContainerId) -> Result<(), RuntimeError> {
        let Some(service) = self.service(id).await? else {
            return Ok(());
        };
        if tasks::replicas(&service) != 0 {
            self.scale(id, 0, false).await?;
        }
        let deadline = tokio::time::Instant::now() + STOP_WAIT;
        while tokio::time::Instant::now() < deadline {
            let tasks = self.tasks(std::slice::from_ref(&id.0)).await?;
            if !tasks.iter().any(|t| {
                t.status.as_ref().and_then(|s| s.state) == Some(bollard::models::TaskState::RUNNING)
            }) {
                return Ok(());
            }
            tokio::time::sleep(STOP_POLL).await;
        }
        tracing::warn!(service = %id, "the bot's task is still stopping");
        Ok(())
    }

    /// The service, then its secrets.
    async fn remove(&self, id: &ContainerId) -> Result<(), RuntimeError> {
        let Some(service) = self.service(id).await? else {
            return Ok(());
        };
        let docker = self.client.get().await?;
        match docker.delete_service(&id.0).await {
            Ok(()) => {}
            Err(e) if status_of(&e) == Some(404) => {}
            Err(e) => return Err(engine_error(e)),
        }
        self.captures.stop(&id.0);
        let name = service.spec.and_then(|s| s.name).unwrap_or_default();
        secrets::remove_unused(docker, &name, &std::collections::BTreeSet::new()).await
    }

    async fn rename(&self, id: &ContainerId, name: &str) -> Result<(), RuntimeError> {
        Err(RuntimeError::Engine(format!(
            "a Swarm service keeps its name ({id} cannot become {name}); updates happen in place"
        )))
    }

    async fn inspect(&self, id: &ContainerId) -> Result<Option<ContainerInfo>, RuntimeError> {
        let Some(service) = self.service(id).await? else {
            return Ok(None);
        };
        let tasks = self.tasks(std::slice::from_ref(&id.0)).await?;
        Ok(Some(tasks::info(&service, &tasks)))
    }

    async fn list(&self, labels: &[(&str, &str)]) -> Result<Vec<ContainerInfo>, RuntimeError> {
        let docker = self.client.get().await?;
        let filters = HashMap::from([(
            "label",
            labels
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>(),
        )]);
        let options = ListServicesOptionsBuilder::new().filters(&filters).build();
        let services = docker
            .list_services(Some(options))
            .await
            .map_err(engine_error)?;
        let ids: Vec<String> = services.iter().filter_map(|s| s.id.clone()).collect();
        let tasks = self.tasks(&ids).await?;
        Ok(services.iter().map(|s| tasks::info(s, &tasks)).collect())
    }

    /// A task runs only once Swarm found it healthy; on the manager's own node the container's
    /// current health is read as well (elsewhere the task's state is all the API offers).
    async fn check_health(&self, id: &ContainerId, _cmd: &[String]) -> Result<bool, RuntimeError> {
        let tasks = self.tasks(std::slice::from_ref(&id.0)).await?;
        let Some(task) = tasks.iter().find(|t| tasks::serving(t)) else {
            return Ok(false);
        };
        if task.node_id.as_deref() != Some(self.local_node().await?) {
            return Ok(true);
        }
        let Some(container) = task
            .status
            .as_ref()
            .and_then(|s| s.container_status.as_ref())
            .and_then(|c| c.container_id.clone())
        else {
            return Ok(false);
        };
        let docker = self.client.get().await?;
        match docker
            .inspect_container(&container, None::<InspectContainerOptions>)
            .await
        {
            Ok(c) => {
                let health = c.state.and_then(|s| s.health).and_then(|h| h.status);
                Ok(matches!(
                    health,
                    None | Some(HealthStatusEnum::HEALTHY | HealthStatusEnum::NONE)
                ))
            }
            Err(e) if status_of(&e) == Some(404) => Ok(false),
            Err(e) => Err(engine_error(e)),
        }
    }

    /// The service's output (every task's), or one task's when `id` is a task.
    async fn logs_tail(&self, id: &ContainerId, lines: usize) -> Result<String, RuntimeError> {
        let docker: &Docker = self.client.get().await?;
        let options = || {
            LogsOptionsBuilder::new()
                .stdout(true)
                .stderr(true)
                .tail(&lines.to_string())
                .build()
        };
        if let Some(out) =
            collect_logs(Box::pin(docker.service_logs(&id.0, Some(options())))).await?
        {
            return Ok(out);
        }
        let out = collect_logs(Box::pin(docker.task_logs(&id.0, Some(options()))))
            .await?
            .unwrap_or_default();
        if !out.trim().is_empty() {
            return Ok(out);
        }
        // A task a rollback deleted: what the update's capture saw of it.
        Ok(self.captures.lines_of(&id.0, lines).unwrap_or_default())
    }

    fn replacement(&self) -> Replacement {
        Replacement::InPlace
    }

    /// The new spec with one replica, its secrets made first; Swarm rolls it out. The
    /// service's output is kept from now until `settle`.
    async fn update(&self, id: &ContainerId, spec: &ContainerSpec) -> Result<(), RuntimeError> {
        let docker = self.client.get().await?;
        let mounts = secrets::ensure(
            docker,
            &spec.name,
            &Self::secret_labels(spec),
            &spec.secrets,
        )
        .await?;
        // From a little before now on the manager's clock (the nodes' may differ a little):
        // only the tasks this update starts matter, and lines are told apart by task.
        let now = docker.info().await.map_err(engine_error)?.system_time;
        let since = now
            .as_deref()
            .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
            .map_or(0, |t| t.timestamp() - CAPTURE_MARGIN_SECS);
        self.captures
            .start(
                self.client.host(),
                &docker.client_version().to_string(),
                &id.0,
                since,
            )
            .await;
        let new = serde_json::to_value(service::service_spec(spec, &self.options, mounts, 1, None))
            .map_err(|e| RuntimeError::Engine(format!("the service's spec: {e}")));
        let changed = match new {
            Ok(new) => {
                self.change(id, false, |current| {
                    // Kept: a counter that went back would not be a change.
                    let force = current.pointer("/TaskTemplate/ForceUpdate").cloned();
                    *current = new.clone();
                    if let Some(force) = force {
                        current["TaskTemplate"]["ForceUpdate"] = force;
                    }
                })
                .await
            }
            Err(e) => Err(e),
        };
        if let Err(e) = changed {
            // No update to follow, and no `settle` will come for it.
            self.captures.stop(&id.0);
            return Err(e);
        }
        self.await_task(id).await
    }

    async fn update_progress(&self, id: &ContainerId) -> Result<UpdateProgress, RuntimeError> {
        let service = self.existing(id).await?;
        let tasks = self.tasks(std::slice::from_ref(&id.0)).await?;
        Ok(tasks::progress(&service, &tasks))
    }

    /// Swarm's own rollback (`docker service rollback`): the spec before the last update.
    async fn rollback(&self, id: &ContainerId) -> Result<(), RuntimeError> {
        self.change(id, true, |_| {}).await
    }

    /// Removes the service's secrets its current spec does not mount, and stops keeping its
    /// output.
    async fn settle(&self, id: &ContainerId) -> Result<(), RuntimeError> {
        self.captures.stop(&id.0);
        let service = self.existing(id).await?;
        let name = service
            .spec
            .as_ref()
            .and_then(|s| s.name.clone())
            .unwrap_or_default();
        let docker = self.client.get().await?;
        secrets::remove_unused(docker, &name, &mounted_secrets(&service)).await
    }
}
