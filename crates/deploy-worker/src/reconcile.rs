//! Reconciliation: what `control.tenants` wants against the containers the engine has.
//!
//! Every step is idempotent and decided from what is found, never from what the worker
//! remembers, so a worker killed anywhere converges on its next pass: containers are found by
//! label, a container of the wanted configuration is kept (and checked), the rest removed.
//!
//! A new configuration replaces a bot as its engine does it ([`Replacement`]): side by side by
//! the worker (the Docker engine, here), or in place by the engine itself (Swarm, in
//! `in_place`), which the worker follows and records.

/// Points between a placement's steps where a test can kill the worker.
pub mod checkpoint;
/// The worker's health check of a bot.
mod health;
/// Shared bot hosts' containers: brought up, replaced, stopped when idle, kept tidy.
mod hosts;
/// Updates an engine rolls out itself.
mod in_place;
/// The deployment record a reconciliation writes.
mod log;
/// Tenants on shared bot hosts: assigned, moved, taken off.
mod shared;

use std::{collections::BTreeSet, time::Duration};

use anyhow::Context as _;
use booking_core::ids::TenantId;
use futures::StreamExt as _;
use storage::{
    Db,
    control::{
        deployment_log::{self, Action, Outcome},
        placement::{self, Placement},
        tenants::{self, DesiredState, TenantRecord},
    },
    crypto::DataKey,
};

use self::checkpoint::Checkpoints;
use self::log::{Log, Subject};
use crate::{
    config::{HostDefaults, TenantDefaults},
    host_api::HostApi,
    locks::{HostLocks, TenantLocks},
    runtime::{ContainerInfo, ContainerRuntime, Replacement, RunState},
    spec::{self, LABEL_CONFIG_HASH, LABEL_PLATFORM, LABEL_TENANT, Secrets},
};

/// Why a tenant is reconciled.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Trigger {
    /// A queued job: an operator changed something; failures are retried.
    Job,
    /// A queued restart.
    Restart,
    /// The periodic pass: corrects drift, leaves known failures alone.
    Periodic,
}

/// Lines of a failed container's output kept as the failure reason.
const LOG_LINES: usize = 15;
const POLL: Duration = Duration::from_millis(250);

/// Reconciles tenants' bots on one engine.
pub struct Reconciler<R> {
    pub runtime: R,
    pub db: Db,
    pub key: Option<DataKey>,
    pub defaults: TenantDefaults,
    /// One reconciliation per tenant at a time (jobs run concurrently).
    pub locks: TenantLocks,
    /// Tenants reconciled at once, by a pass and by the worker's jobs: a rollout mostly waits
    /// on a health check, so several share the wait.
    pub concurrency: usize,
    /// How shared bot hosts are made.
    pub hosts: HostDefaults,
    /// One bring-up of a bot host's container at a time.
    pub host_locks: HostLocks,
    /// Calls to bot hosts' control APIs.
    pub http: reqwest::Client,
    /// Where tests stop a placement half-way; none in production.
    pub checkpoints: Checkpoints,
}

impl<R: ContainerRuntime> Reconciler<R> {
    #[must_use]
    pub fn new(runtime: R, db: Db, key: Option<DataKey>, defaults: TenantDefaults) -> Self {
        Self {
            runtime,
            db,
            key,
            defaults,
            locks: TenantLocks::default(),
            concurrency: 1,
            hosts: HostDefaults::default(),
            host_locks: HostLocks::default(),
            // Only a TLS backend that cannot start fails this; hosts speak plain HTTP anyway.
            http: HostApi::client().unwrap_or_default(),
            checkpoints: Checkpoints::default(),
        }
    }

    #[must_use]
    pub fn with_hosts(mut self, hosts: HostDefaults) -> Self {
        self.hosts = hosts;
        self
    }

    #[must_use]
    pub fn with_concurrency(mut self, concurrency: usize) -> Self {
        self.concurrency = concurrency.max(1);
        self
    }

    /// Every tenant with a schema, and every container with our platform label (orphans go);
    /// then the bot hosts (idle ones stopped, strays taken off).
    pub async fn all(&self) -> anyhow::Result<()> {
        let found = self
            .runtime
            .list(&[(LABEL_PLATFORM, &self.defaults.platform_label)])
            .await?;
        let mut ids: BTreeSet<TenantId> = found
            .iter()
            .filter_map(|c| c.labels.get(LABEL_TENANT)?.parse().ok())
            .collect();
        ids.extend(
            tenants::list_provisioned(self.db.pool())
                .await?
                .iter()
                .map(|t| t.id),
        );
        let mut results = futures::stream::iter(ids)
            .map(|id| async move { (id, self.tenant(id, Trigger::Periodic).await) })
            .buffer_unordered(self.concurrency.max(1));
        let mut first_error = None;
        while let Some((id, result)) = results.next().await {
            if let Err(e) = result {
                tracing::warn!(tenant = %id, error = %format!("{e:#}"), "reconciliation failed");
                first_error.get_or_insert(e);
            }
        }
        drop(results);
        if let Err(e) = self.hosts_pass().await {
            tracing::warn!(error = %format!("{e:#}"), "the bot hosts' pass failed");
            first_error.get_or_insert(e);
        }
        first_error.map_or(Ok(()), Err)
    }

    /// Brings one tenant's containers to what `control.tenants` wants.
    pub async fn tenant(&self, id: TenantId, trigger: Trigger) -> anyhow::Result<()> {
        let _turn = self.locks.lock(id).await;
        let tenant_label = id.to_string();
        let found = self
            .runtime
            .list(&[
                (LABEL_PLATFORM, &self.defaults.platform_label),
                (LABEL_TENANT, &tenant_label),
            ])
            .await?;
        let Some(record) = tenants::get(self.db.pool(), id).await? else {
            // Deleted tenant (its deployments went with it): only the containers remain.
            for c in &found {
                tracing::info!(tenant = %id, container = %c.id, "removing an orphan container");
                self.runtime.remove(&c.id).await?;
            }
            return Ok(());
        };
        // A worker killed mid-rollout left its deployment open; this pass supersedes it, and
        // whatever container that rollout left has not been checked yet.
        let abandoned = deployment_log::close_abandoned(self.db.pool(), id).await? > 0;
        let place = placement::of(self.db.pool(), id)
            .await?
            .context("the tenant was deleted during its reconciliation")?;
        match (record.desired_state, place.wanted()) {
            (DesiredState::Stopped, _) => {
                self.take_off_hosts(id, place.host, Action::Stop).await?;
                self.stop_all(id, &found).await
            }
            (DesiredState::Running, Placement::Dedicated) => {
                // Off any host first: two processes must never take one bot's updates.
                self.take_off_hosts(id, place.host, Action::Place).await?;
                self.ensure_running(&record, found, trigger, abandoned)
                    .await
            }
            (DesiredState::Running, Placement::Shared) => {
                self.place_shared(&record, found, trigger).await
            }
        }
    }

    async fn stop_all(&self, id: TenantId, found: &[ContainerInfo]) -> anyhow::Result<()> {
        let running: Vec<_> = found
            .iter()
            .filter(|c| c.state == RunState::Running)
            .collect();
        if running.is_empty() {
            return Ok(());
        }
        let log = self.begin(id, Action::Stop, None, None).await?;
        for c in running {
            self.runtime.stop(&c.id).await?;
            log.info(&format!("stopped container {}", c.name)).await?;
        }
        log.finish(Outcome::Succeeded, None, None).await
    }

    async fn begin(
        &self,
        id: TenantId,
        action: Action,
        image: Option<&str>,
        hash: Option<&str>,
    ) -> anyhow::Result<Log<'_>> {
        let did = deployment_log::begin(self.db.pool(), id, action, image, hash).await?;
        Ok(Log {
            db: &self.db,
            id: did,
            subject: Subject::Tenant(id),
            action,
        })
    }

    /// The tenant's secrets; `Err` with an operator-readable reason.
    async fn secrets(&self, record: &TenantRecord) -> Result<Secrets, String> {
        let key = self
            .key
            .as_ref()
            .ok_or("DATA_KEY is not set: the worker cannot open the tenant's secrets")?;
        Secrets::open(&self.db, key, record.id, self.defaults.redis_acl).await
    }

    async fn ensure_running(
        &self,
        record: &TenantRecord,
        found: Vec<ContainerInfo>,
        trigger: Trigger,
        unverified: bool,
    ) -> anyhow::Result<()> {
        let id = record.id;
        let secrets = match self.secrets(record).await {
            Ok(s) => s,
            Err(reason) if trigger != Trigger::Periodic => {
                let log = self.begin(id, Action::Deploy, None, None).await?;
                log.error(&reason).await?;
                return log.finish(Outcome::Failed, None, Some(&reason)).await;
            }
            Err(_) => return Ok(()),
        };
        let spec = spec::build(&self.defaults, &self.db, record, &secrets);
        let hash = spec
            .labels
            .get(LABEL_CONFIG_HASH)
            .cloned()
            .unwrap_or_default();
        let (mut current, others): (Vec<_>, Vec<_>) = found
            .into_iter()
            .partition(|c| c.labels.get(LABEL_CONFIG_HASH) == Some(&hash));
        // Prefer a running one; any further copies are leftovers.
        current.sort_by_key(|c| c.state != RunState::Running);
        let mut extra: Vec<ContainerInfo> = current.drain(1.min(current.len())..).collect();
        extra.extend(others);
        // A configuration that already failed is left alone by periodic passes; an operator's
        // change or restart tries again.
        let failed_before = trigger == Trigger::Periodic
            && matches!(
                deployment_log::last_status_of(self.db.pool(), id, &hash)
                    .await?
                    .as_deref(),
                Some("failed" | "rolled_back")
            );
        let Some(keep) = current.pop() else {
            if failed_before {
                return Ok(());
            }
            if self.runtime.replacement() == Replacement::InPlace && !extra.is_empty() {
                return self
                    .update_in_place(record, &spec, &hash, extra, &secrets)
                    .await;
            }
            return self.roll_out(record, &spec, &hash, extra, &secrets).await;
        };
        let action = if trigger == Trigger::Restart {
            Action::Restart
        } else {
            Action::Deploy
        };
        // A running container of the right configuration is left alone, unless the rollout
        // that made it died before its health check: then it is checked below, like a start.
        if keep.state == RunState::Running
            && extra.is_empty()
            && trigger != Trigger::Restart
            && !unverified
        {
            if keep.name != spec.name {
                // A worker killed between removing the old container and renaming the new.
                if let Err(e) = self.runtime.rename(&keep.id, &spec.name).await {
                    tracing::warn!(error = %e, "cannot rename {} to {}", keep.name, spec.name);
                }
            }
            return Ok(());
        }
        if failed_before {
            return Ok(());
        }
        let log = self
            .begin(id, action, Some(&spec.image), Some(&hash))
            .await?;
        // An engine's update that a killed worker left running: its outcome first.
        if let Some(reason) = self.unfinished_update(&log, &keep.id, &secrets).await? {
            log.error(&reason).await?;
            return log.finish(Outcome::RolledBack, None, Some(&reason)).await;
        }
        if trigger == Trigger::Restart {
            self.runtime.stop(&keep.id).await?;
            log.info(&format!("stopped {}", keep.name)).await?;
        }
        if keep.state != RunState::Running || trigger == Trigger::Restart {
            log.info(&format!("starting {} ({:?})", keep.name, keep.state))
                .await?;
            self.runtime.start(&keep.id).await?;
        }
        match self.health(&keep.id, &secrets).await? {
            Ok(()) => {
                log.info(&format!("{} is healthy", keep.name)).await?;
                self.retire(&log, &extra).await?;
                self.take_name(&log, &keep, &spec.name).await?;
                log.finish(Outcome::Succeeded, Some(&keep.id), None).await
            }
            Err(reason) => {
                log.error(&reason).await?;
                if extra.is_empty() {
                    log.finish(Outcome::Failed, Some(&keep.id), Some(&reason))
                        .await
                } else {
                    // The previous configuration is still there: it serves again.
                    self.runtime.remove(&keep.id).await?;
                    self.restore(&log, &extra).await?;
                    log.finish(Outcome::RolledBack, None, Some(&reason)).await
                }
            }
        }
    }

    /// A new container for `spec`: started and checked before the old ones go; if unhealthy,
    /// removed and the old ones kept.
    async fn roll_out(
        &self,
        record: &TenantRecord,
        spec: &crate::runtime::ContainerSpec,
        hash: &str,
        old: Vec<ContainerInfo>,
        secrets: &Secrets,
    ) -> anyhow::Result<()> {
        let log = self
            .begin(record.id, Action::Deploy, Some(&spec.image), Some(hash))
            .await?;
        let mut new_spec = spec.clone();
        if !old.is_empty() {
            // The old container keeps the name until the new one is healthy.
            new_spec.name = format!("{}-next", spec.name);
        }
        let created = match self.runtime.create(&new_spec).await {
            Ok(c) => c,
            Err(e) => {
                let reason = format!("cannot create {}: {e}", new_spec.name);
                log.error(&reason).await?;
                return log.finish(Outcome::Failed, None, Some(&reason)).await;
            }
        };
        log.info(&format!("created {} from {}", new_spec.name, spec.image))
            .await?;
        self.runtime.start(&created).await?;
        log.info(&format!("started {}", new_spec.name)).await?;
        match self.health(&created, secrets).await? {
            Ok(()) => {
                log.info(&format!("{} is healthy", new_spec.name)).await?;
                self.retire(&log, &old).await?;
                let info = ContainerInfo {
                    id: created.clone(),
                    name: new_spec.name.clone(),
                    labels: spec.labels.clone(),
                    state: RunState::Running,
                    exit_code: None,
                    restart_count: 0,
                    error: None,
                };
                self.take_name(&log, &info, &spec.name).await?;
                log.finish(Outcome::Succeeded, Some(&created), None).await
            }
            Err(reason) => {
                log.error(&reason).await?;
                self.runtime.remove(&created).await?;
                log.info(&format!("removed the unhealthy {}", new_spec.name))
                    .await?;
                if old.is_empty() {
                    log.finish(Outcome::Failed, None, Some(&reason)).await
                } else {
                    self.restore(&log, &old).await?;
                    log.finish(Outcome::RolledBack, None, Some(&reason)).await
                }
            }
        }
    }

    /// Removes containers a healthy one replaces.
    async fn retire(&self, log: &Log<'_>, old: &[ContainerInfo]) -> anyhow::Result<()> {
        for c in old {
            self.runtime.remove(&c.id).await?;
            log.info(&format!("removed the previous container {}", c.name))
                .await?;
        }
        Ok(())
    }

    /// Makes sure the previous containers run again after a failed replacement.
    async fn restore(&self, log: &Log<'_>, old: &[ContainerInfo]) -> anyhow::Result<()> {
        for c in old {
            self.runtime.start(&c.id).await?;
            log.info(&format!("rolled back: {} keeps serving", c.name))
                .await?;
        }
        Ok(())
    }

    /// Gives the kept container the tenant's container name once nothing else holds it.
    async fn take_name(&self, log: &Log<'_>, c: &ContainerInfo, name: &str) -> anyhow::Result<()> {
        if c.name == name || c.name.is_empty() {
            return Ok(());
        }
        match self.runtime.rename(&c.id, name).await {
            Ok(()) => log.info(&format!("renamed {} to {name}", c.name)).await,
            // Cosmetic: labels, not names, identify the container.
            Err(e) => {
                tracing::warn!(error = %e, "cannot rename {} to {name}", c.name);
                Ok(())
            }
        }
    }
}
