//! Changes of a service's spec, written back as the engine's own JSON with Swarm's optimistic
//! locking, and the wait for the task a change makes.

use std::time::Duration;

use serde_json::Value;

use super::{STOP_POLL, SwarmRuntime, raw, tasks};
use crate::runtime::{ContainerId, RuntimeError};

/// Times a service update is retried when another writer changed the service in between.
const VERSION_RETRIES: usize = 5;
/// How long a start waits for Swarm to make the task (then the health check judges).
const TASK_WAIT: Duration = Duration::from_secs(10);

impl SwarmRuntime {
    /// Writes the spec `change` makes of the service's current one, at the version it was
    /// read at; another writer in between means reading it again (Swarm's optimistic locking).
    /// The spec goes through as the engine's own JSON (see `raw`: bollard's models would lose
    /// the health check on the way).
    pub(super) async fn change(
        &self,
        id: &ContainerId,
        rollback: bool,
        change: impl Fn(&mut Value),
    ) -> Result<(), RuntimeError> {
        let docker = self.client.get().await?;
        let version = docker.client_version().to_string();
        let raw = raw::Raw {
            host: self.client.host(),
            version: &version,
        };
        let mut last = None;
        for _ in 0..VERSION_RETRIES {
            let service = raw
                .get_json(&format!("/services/{id}"))
                .await?
                .ok_or_else(|| RuntimeError::Engine(format!("404: no such service: {id}")))?;
            let index = service
                .pointer("/Version/Index")
                .and_then(Value::as_u64)
                .unwrap_or(0);
            let mut spec = service.get("Spec").cloned().unwrap_or(Value::Null);
            change(&mut spec);
            let mut path = format!("/services/{id}/update?version={index}");
            if rollback {
                path.push_str("&rollback=previous");
            }
            match raw.post_json(&path, &spec).await {
                Ok(()) => return Ok(()),
                Err(RuntimeError::Engine(e)) if e.contains("out of sequence") => {
                    last = Some(e);
                }
                Err(e) => return Err(e),
            }
        }
        Err(RuntimeError::Engine(
            last.unwrap_or_else(|| "the service keeps changing".to_owned()),
        ))
    }

    /// The service with `replicas` and, with `force`, a new `ForceUpdate` counter (which makes
    /// Swarm start a new task even though nothing else changed).
    pub(super) async fn scale(
        &self,
        id: &ContainerId,
        replicas: i64,
        force: bool,
    ) -> Result<(), RuntimeError> {
        self.change(id, false, |spec| {
            spec["Mode"] = serde_json::json!({ "Replicated": { "Replicas": replicas } });
            if force {
                let counter = &mut spec["TaskTemplate"]["ForceUpdate"];
                *counter = Value::from(counter.as_u64().unwrap_or(0) + 1);
            }
        })
        .await
    }

    /// Waits (up to [`TASK_WAIT`]) until the service has a task on its way: Swarm makes it a
    /// moment after the spec changed, and until then the newest task is the one that ended
    /// before, which would read as a bot that exited.
    pub(super) async fn await_task(&self, id: &ContainerId) -> Result<(), RuntimeError> {
        let deadline = tokio::time::Instant::now() + TASK_WAIT;
        while tokio::time::Instant::now() < deadline {
            if self
                .tasks(std::slice::from_ref(&id.0))
                .await?
                .iter()
                .any(tasks::live)
            {
                return Ok(());
            }
            tokio::time::sleep(STOP_POLL).await;
        }
        Ok(())
    }
}
