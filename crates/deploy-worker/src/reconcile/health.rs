//! The worker's health check of a bot, and the reason it records when one is not healthy.

use std::time::Duration;

use anyhow::Context as _;

use super::{LOG_LINES, POLL, Reconciler};
use crate::{
    runtime::{ContainerId, ContainerInfo, ContainerRuntime, RunState},
    spec::Redact,
};

impl<R: ContainerRuntime> Reconciler<R> {
    /// Healthy: still running after the grace period, and the health check passes.
    /// `Ok(Err(reason))` for an unhealthy container, with the engine's state and its output.
    /// The reason never holds the tenant's secrets, even if the bot printed them.
    pub(super) async fn health(
        &self,
        id: &ContainerId,
        secrets: &impl Redact,
    ) -> anyhow::Result<Result<(), String>> {
        let grace = Duration::from_secs(self.defaults.health_grace_secs);
        self.health_after(id, secrets, grace).await
    }

    /// [`Self::health`] with another grace period: none after an engine's rolling update,
    /// whose own monitoring has already kept the bot running that long.
    pub(super) async fn health_after(
        &self,
        id: &ContainerId,
        secrets: &impl Redact,
        grace: Duration,
    ) -> anyhow::Result<Result<(), String>> {
        // How long a bot may take to start, whatever the grace asked for here.
        let patience = Duration::from_secs(self.defaults.health_grace_secs) * 4;
        let started = tokio::time::Instant::now();
        let mut restarts_before = None;
        loop {
            let info = self
                .runtime
                .inspect(id)
                .await?
                .context("the container disappeared during its health check")?;
            restarts_before.get_or_insert(info.restart_count);
            if info.state == RunState::Exited {
                return Ok(Err(secrets.redact(&self.failure_reason(&info).await)));
            }
            if started.elapsed() >= grace && info.state == RunState::Running {
                break;
            }
            if started.elapsed() >= patience {
                let mut reason = format!("the container did not start: {:?}", info.state);
                if let Some(e) = &info.error {
                    reason.push_str(&format!("; engine: {e}"));
                }
                return Ok(Err(secrets.redact(&reason)));
            }
            tokio::time::sleep(POLL).await;
        }
        if self
            .runtime
            .check_health(id, &self.defaults.health_cmd)
            .await?
        {
            // A crash-looping bot can be caught running (and even answering) between two
            // crashes: it is healthy only if it did not restart while it was being checked.
            let after = self
                .runtime
                .inspect(id)
                .await?
                .context("the container disappeared during its health check")?;
            let before = restarts_before.unwrap_or(0);
            if after.state != RunState::Running {
                // It answered, then stopped (or is between restarts).
                return Ok(Err(secrets.redact(&self.failure_reason(&after).await)));
            }
            if after.restart_count > before {
                return Ok(Err(secrets.redact(&format!(
                    "the bot restarted {} times during its health check; {}",
                    after.restart_count - before,
                    self.failure_reason(&after).await
                ))));
            }
            Ok(Ok(()))
        } else {
            let info = self.runtime.inspect(id).await?;
            Ok(Err(match info {
                Some(info) if info.state == RunState::Exited => {
                    secrets.redact(&self.failure_reason(&info).await)
                }
                _ => format!(
                    "the health check `{}` failed",
                    self.defaults.health_cmd.join(" ")
                ),
            }))
        }
    }

    /// The exit code, the engine's error and the last lines of output of a bot that stopped.
    pub(super) async fn failure_reason(&self, info: &ContainerInfo) -> String {
        let logs = self
            .runtime
            .logs_tail(&info.id, LOG_LINES)
            .await
            .unwrap_or_else(|e| format!("(no logs: {e})"));
        let mut reason = format!(
            "the bot exited (code {})",
            info.exit_code
                .map_or("unknown".to_owned(), |c| c.to_string())
        );
        if let Some(e) = &info.error {
            reason.push_str(&format!("; engine: {e}"));
        }
        if !logs.trim().is_empty() {
            reason.push_str(&format!("; its last output: {}", logs.trim()));
        }
        reason
    }
}
