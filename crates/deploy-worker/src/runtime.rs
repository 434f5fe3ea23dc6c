//! What the worker needs from a container engine, whatever the engine is.

/// The Docker Engine API implementation (Docker, or podman's compatible service).
pub mod docker;

use std::{collections::BTreeMap, future::Future};

/// An engine's container id.
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
    pub env: Vec<(String, String)>,
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

/// Names only: values of the environment are secrets (the bot token, database and Redis URLs
/// with passwords), and a spec is logged when a create fails.
impl std::fmt::Debug for ContainerSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ContainerSpec")
            .field("name", &self.name)
            .field("image", &self.image)
            .field("env", &self.env.iter().map(|(k, _)| k).collect::<Vec<_>>())
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
    /// Runs `cmd` inside the container; true when it exits 0. The health check (engines'
    /// own health checks do not run on podman without systemd).
    fn exec_ok(
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
}
