//! What the worker needs from a container engine, whatever the engine is.

/// An Engine API client shared by the implementations: connection and API version.
pub mod client;
/// The Docker Engine API implementation (Docker, or podman's compatible service).
pub mod docker;
/// The Docker Swarm implementation: bots as Swarm services, across the swarm's nodes.
pub mod swarm;

use std::{collections::BTreeMap, future::Future};

use secrecy::SecretString;

/// An engine's id of a bot: a container's id, or a Swarm service's.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ContainerId(pub String);

impl std::fmt::Display for ContainerId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Everything a container is created from. Its hash names the configuration in a label.
#[derive(Clone)]
pub struct ContainerSpec {
    pub name: String,
    pub image: String,
    /// The program and its arguments, in place of the image's entrypoint and command (a bot
    /// host runs `booking-bot host`); empty runs the image's own.
    pub command: Vec<String>,
    pub env: Vec<(String, String)>,
    /// Variables whose values are secrets (the bot token, the database URL with its password).
    /// An engine without secret storage puts them in the environment with the rest; Swarm
    /// stores each as a secret, mounted at `/run/secrets/<NAME>`, and sets `<NAME>_FILE`.
    pub secrets: Vec<(String, SecretString)>,
    pub labels: BTreeMap<String, String>,
    /// `host`, `bridge` or a network's name.
    pub network: String,
    /// Restarts after a crash before the container stays exited (`on-failure:N`); bounded
    /// because podman restarts with no backoff.
    pub restart_retries: i64,
    pub memory_bytes: Option<i64>,
    /// CPUs in billionths.
    pub nano_cpus: Option<i64>,
    /// Processes and threads the container may have (a fork bomb stops there).
    pub pids_limit: Option<i64>,
    /// A read-only root filesystem with a small writable `/tmp`; in any case the container
    /// gets no capabilities and no privilege escalation.
    pub read_only: bool,
}

/// Names only: values of the environment may be as sensitive as the secrets (a DSN, a URL with
/// a key), and a spec is logged when a create fails.
impl std::fmt::Debug for ContainerSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ContainerSpec")
            .field("name", &self.name)
            .field("image", &self.image)
            .field("command", &self.command)
            .field("env", &self.env.iter().map(|(k, _)| k).collect::<Vec<_>>())
            .field(
                "secrets",
                &self.secrets.iter().map(|(k, _)| k).collect::<Vec<_>>(),
            )
            .field("labels", &self.labels)
            .field("network", &self.network)
            .field("restart_retries", &self.restart_retries)
            .field("memory_bytes", &self.memory_bytes)
            .field("nano_cpus", &self.nano_cpus)
            .field("pids_limit", &self.pids_limit)
            .field("read_only", &self.read_only)
            .finish()
    }
}

/// How an engine puts a new configuration in the place of a running bot.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Replacement {
    /// The worker creates the new container beside the old one, checks it, then removes the
    /// old one (or the new one, if it is unhealthy).
    SideBySide,
    /// The engine updates the bot in place and rolls back by itself when the new
    /// configuration fails its health check (Swarm's rolling update); the worker follows it.
    InPlace,
}

/// Where an engine's own update of a bot stands (Swarm's `UpdateStatus`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum UpdateState {
    /// No update under way, or none recorded.
    Idle,
    Updating,
    Completed,
    RollingBack,
    RolledBack,
    /// Stopped half-way; the engine waits for an operator.
    Paused,
}

impl UpdateState {
    /// As written in a deployment's events.
    #[must_use]
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Idle => "idle",
            Self::Updating => "updating",
            Self::Completed => "completed",
            Self::RollingBack => "rolling back",
            Self::RolledBack => "rolled back",
            Self::Paused => "paused",
        }
    }

    /// The engine is still working on it.
    #[must_use]
    pub fn under_way(&self) -> bool {
        matches!(self, Self::Updating | Self::RollingBack)
    }
}

/// An engine's update, as the worker records it.
#[derive(Clone, Debug)]
pub struct UpdateProgress {
    pub state: UpdateState,
    /// The engine's own words.
    pub message: String,
    /// The newest task that failed since the update began: why it was rolled back.
    pub failed: Option<ContainerInfo>,
}

/// A container's life, reduced to what reconciliation decides on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RunState {
    Created,
    Running,
    /// Exited, dead, or between restarts.
    Exited,
    Other(String),
}

/// A container as found on the engine.
#[derive(Clone, Debug)]
pub struct ContainerInfo {
    pub id: ContainerId,
    pub name: String,
    pub labels: BTreeMap<String, String>,
    pub state: RunState,
    pub exit_code: Option<i64>,
    /// Restarts by the engine's restart policy (0 when the engine does not say).
    pub restart_count: i64,
    /// The engine's error for a container that could not run.
    pub error: Option<String>,
}

/// An engine failure.
#[derive(Clone, Debug, thiserror::Error)]
pub enum RuntimeError {
    #[error("the container engine cannot be reached: {0}")]
    Unreachable(String),
    #[error("the container engine refused: {0}")]
    Engine(String),
}

/// A container engine. Every call is idempotent: creating a container that exists returns
/// it, removing or stopping one that is gone succeeds.
///
/// The last four calls are for engines that replace a bot's configuration in place
/// ([`Replacement::InPlace`]); the defaults suit engines that do not.
pub trait ContainerRuntime: Send + Sync + 'static {
    /// Answers when the engine is reachable.
    fn ping(&self) -> impl Future<Output = Result<(), RuntimeError>> + Send;
    /// Creates (not starts) a container; an existing one of that name is returned.
    fn create(
        &self,
        spec: &ContainerSpec,
    ) -> impl Future<Output = Result<ContainerId, RuntimeError>> + Send;
    fn start(&self, id: &ContainerId) -> impl Future<Output = Result<(), RuntimeError>> + Send;
    fn stop(&self, id: &ContainerId) -> impl Future<Output = Result<(), RuntimeError>> + Send;
    /// Removes by force; a container already gone is not an error.
    fn remove(&self, id: &ContainerId) -> impl Future<Output = Result<(), RuntimeError>> + Send;
    fn rename(
        &self,
        id: &ContainerId,
        name: &str,
    ) -> impl Future<Output = Result<(), RuntimeError>> + Send;
    /// `None` when there is no such container.
    fn inspect(
        &self,
        id: &ContainerId,
    ) -> impl Future<Output = Result<Option<ContainerInfo>, RuntimeError>> + Send;
    /// Containers, running or not, carrying every one of `labels`.
    fn list(
        &self,
        labels: &[(&str, &str)],
    ) -> impl Future<Output = Result<Vec<ContainerInfo>, RuntimeError>> + Send;
    /// Whether the bot passes its health check `cmd` now. The Docker engine runs `cmd` in the
    /// container by exec (podman without systemd never runs an engine health check); Swarm
    /// runs the same command itself, as the service's health check, and this reads its verdict.
    fn check_health(
        &self,
        id: &ContainerId,
        cmd: &[String],
    ) -> impl Future<Output = Result<bool, RuntimeError>> + Send;
    /// The last `lines` lines of the container's output, stdout and stderr together.
    fn logs_tail(
        &self,
        id: &ContainerId,
        lines: usize,
    ) -> impl Future<Output = Result<String, RuntimeError>> + Send;

    /// How a new configuration replaces a running bot on this engine.
    fn replacement(&self) -> Replacement {
        Replacement::SideBySide
    }

    /// Gives `id` the configuration `spec` in place: the engine starts the new configuration,
    /// checks it and keeps it, or goes back to the old one.
    fn update(
        &self,
        id: &ContainerId,
        spec: &ContainerSpec,
    ) -> impl Future<Output = Result<(), RuntimeError>> + Send {
        let _ = (id, spec);
        std::future::ready(Err(RuntimeError::Engine(
            "this engine replaces containers side by side, not in place".to_owned(),
        )))
    }

    /// Where the engine's last update of `id` stands.
    fn update_progress(
        &self,
        id: &ContainerId,
    ) -> impl Future<Output = Result<UpdateProgress, RuntimeError>> + Send {
        let _ = id;
        std::future::ready(Ok(UpdateProgress {
            state: UpdateState::Idle,
            message: String::new(),
            failed: None,
        }))
    }

    /// Puts `id` back to its configuration before the last update.
    fn rollback(&self, id: &ContainerId) -> impl Future<Output = Result<(), RuntimeError>> + Send {
        let _ = id;
        std::future::ready(Err(RuntimeError::Engine(
            "this engine keeps no previous configuration".to_owned(),
        )))
    }

    /// An update of `id` has ended (kept or rolled back): drops what only another
    /// configuration used (Swarm: the secrets of the previous or of the failed one).
    fn settle(&self, id: &ContainerId) -> impl Future<Output = Result<(), RuntimeError>> + Send {
        let _ = id;
        std::future::ready(Ok(()))
    }
}
