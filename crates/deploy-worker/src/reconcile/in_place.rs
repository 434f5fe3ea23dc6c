//! Updates an engine rolls out itself ([`Replacement::InPlace`], Swarm): the worker asks for the
//! new configuration, follows what the engine does, writes each step as an event of the
//! deployment and records the outcome the engine reached. When the engine could not judge the
//! new bot (nothing was running to replace, so it only started one), the worker checks it as it
//! does on the Docker engine, and asks the engine to roll back if it is unhealthy.
//!
//! [`Replacement::InPlace`]: crate::runtime::Replacement::InPlace

use std::time::Duration;

use storage::control::{
    deployment_log::{Action, Outcome},
    tenants::TenantRecord,
};

use super::{Log, POLL, Reconciler};
use crate::{
    runtime::{
        ContainerId, ContainerInfo, ContainerRuntime, ContainerSpec, Replacement, RunState,
        UpdateProgress, UpdateState,
    },
    spec::Secrets,
};

/// How long the engine may take to begin an update it was asked for; beyond it, it made none.
const START_WAIT: Duration = Duration::from_secs(10);
/// Beyond the bot's own start-up bound, for the engine to start, watch and finish an update.
const UPDATE_SLACK: Duration = Duration::from_secs(120);

/// What became of an update.
enum Verdict {
    Healthy,
    /// The engine went back to the previous configuration by itself.
    RolledBack(String),
    /// The new configuration is not healthy and the engine still runs it.
    Unhealthy(String),
}

impl<R: ContainerRuntime> Reconciler<R> {
    /// Gives the tenant's service (the one of `old` with the bot's name, else the first) the
    /// configuration `spec`; the rest of `old` go once it is healthy.
    pub(super) async fn update_in_place(
        &self,
        record: &TenantRecord,
        spec: &ContainerSpec,
        hash: &str,
        mut old: Vec<ContainerInfo>,
        secrets: &Secrets,
    ) -> anyhow::Result<()> {
        let at = old.iter().position(|c| c.name == spec.name).unwrap_or(0);
        let target = old.remove(at);
        let log = self
            .begin(record.id, Action::Deploy, Some(&spec.image), Some(hash))
            .await?;
        if let Err(e) = self.runtime.update(&target.id, spec).await {
            let reason = secrets.redact(&format!("cannot update {}: {e}", target.name));
            log.error(&reason).await?;
            return log.finish(Outcome::Failed, None, Some(&reason)).await;
        }
        log.info(&format!(
            "asked the engine to update {} to {}",
            target.name, spec.image
        ))
        .await?;
        let verdict = if target.state == RunState::Running {
            let progress = self.follow(&log, &target.id, true).await?;
            match progress.state {
                // The engine watched the new bot through the grace period: checked once more.
                UpdateState::Completed => Verdict::from(
                    self.health_after(&target.id, secrets, Duration::ZERO)
                        .await?,
                ),
                UpdateState::Idle => Verdict::from(self.health(&target.id, secrets).await?),
                UpdateState::RolledBack => {
                    Verdict::RolledBack(self.update_failure(&progress, secrets).await)
                }
                UpdateState::Updating | UpdateState::RollingBack | UpdateState::Paused => {
                    Verdict::Unhealthy(self.update_failure(&progress, secrets).await)
                }
            }
        } else {
            // Nothing ran to be replaced: the engine only starts the new bot, unwatched.
            Verdict::from(self.health(&target.id, secrets).await?)
        };
        match verdict {
            Verdict::Healthy => {
                log.info(&format!("{} is healthy", target.name)).await?;
                self.settle(&log, &target.id).await?;
                self.retire(&log, &old).await?;
                log.finish(Outcome::Succeeded, Some(&target.id), None).await
            }
            Verdict::RolledBack(reason) => {
                log.error(&reason).await?;
                self.settle(&log, &target.id).await?;
                log.finish(Outcome::RolledBack, None, Some(&reason)).await
            }
            Verdict::Unhealthy(reason) => {
                log.error(&reason).await?;
                self.runtime.rollback(&target.id).await?;
                log.info(&format!("asked the engine to roll {} back", target.name))
                    .await?;
                self.follow(&log, &target.id, true).await?;
                self.restore(&log, std::slice::from_ref(&target)).await?;
                self.settle(&log, &target.id).await?;
                log.finish(Outcome::RolledBack, None, Some(&reason)).await
            }
        }
    }

    /// For a bot found with the wanted configuration: an update of it that the engine is still
    /// rolling out (a worker was killed while following it) is followed to its end. `Some`
    /// reason when the engine rolled it back.
    pub(super) async fn unfinished_update(
        &self,
        log: &Log<'_>,
        id: &ContainerId,
        secrets: &Secrets,
    ) -> anyhow::Result<Option<String>> {
        if self.runtime.replacement() != Replacement::InPlace
            || !self.runtime.update_progress(id).await?.state.under_way()
        {
            return Ok(None);
        }
        log.info("the engine is still rolling out an update: following it")
            .await?;
        let progress = self.follow(log, id, false).await?;
        if progress.state == UpdateState::Completed {
            return Ok(None);
        }
        let reason = self.update_failure(&progress, secrets).await;
        self.settle(log, id).await?;
        Ok(Some(reason))
    }

    /// Polls the engine's update of `id` until it is over, writing each new state as an event.
    /// With `expect_start`, an update not begun yet is waited for (up to [`START_WAIT`]; then
    /// the engine made none, and `Idle` is returned). An update still under way at the
    /// deadline is returned as it stands.
    async fn follow(
        &self,
        log: &Log<'_>,
        id: &ContainerId,
        expect_start: bool,
    ) -> anyhow::Result<UpdateProgress> {
        let now = tokio::time::Instant::now();
        let start_by = now + START_WAIT;
        let deadline =
            now + Duration::from_secs(self.defaults.health_grace_secs) * 8 + UPDATE_SLACK;
        let mut began = !expect_start;
        let mut written: Option<(UpdateState, String)> = None;
        // The failed task Swarm names while it rolls back, kept for when it no longer does.
        let mut failed = None;
        loop {
            let mut progress = self.runtime.update_progress(id).await?;
            if progress.failed.is_some() {
                failed.clone_from(&progress.failed);
            } else {
                progress.failed.clone_from(&failed);
            }
            began |= progress.state != UpdateState::Idle;
            let step = (progress.state.clone(), progress.message.clone());
            if began && progress.state != UpdateState::Idle && written.as_ref() != Some(&step) {
                log.info(&format!(
                    "the engine: {}: {}",
                    progress.state.as_str(),
                    progress.message
                ))
                .await?;
                written = Some(step);
            }
            let now = tokio::time::Instant::now();
            if (began && !progress.state.under_way())
                || (!began && now >= start_by)
                || now >= deadline
            {
                return Ok(progress);
            }
            tokio::time::sleep(POLL).await;
        }
    }

    /// Why the engine's update did not keep the new bot: its words, and the failed task's exit
    /// and output (secrets redacted).
    async fn update_failure(&self, progress: &UpdateProgress, secrets: &Secrets) -> String {
        let what = match progress.state {
            UpdateState::RolledBack | UpdateState::RollingBack => {
                "the engine rolled the update back"
            }
            UpdateState::Paused => "the engine paused the update",
            UpdateState::Updating => "the engine did not finish the update in time",
            UpdateState::Completed | UpdateState::Idle => "the update did not take",
        };
        let mut reason = format!("{what}: {}", progress.message);
        if let Some(task) = &progress.failed {
            reason.push_str("; ");
            reason.push_str(&self.failure_reason(task).await);
        }
        secrets.redact(&reason)
    }

    /// Drops what only another configuration of `id` used (its previous secrets).
    async fn settle(&self, log: &Log<'_>, id: &ContainerId) -> anyhow::Result<()> {
        match self.runtime.settle(id).await {
            Ok(()) => Ok(()),
            // Left for the next update or the removal; nothing the bot depends on.
            Err(e) => {
                tracing::warn!(deployment = log.id.0, error = %e, "cannot tidy the previous configuration");
                Ok(())
            }
        }
    }
}

impl From<Result<(), String>> for Verdict {
    fn from(health: Result<(), String>) -> Self {
        match health {
            Ok(()) => Self::Healthy,
            Err(reason) => Self::Unhealthy(reason),
        }
    }
}
