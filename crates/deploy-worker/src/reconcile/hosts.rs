//! Shared bot hosts' containers. A host is brought up when a tenant is placed on it: its role
//! made able to log in, its container created (or started again) and checked like a bot. A
//! new configuration replaces it stop-first, not side by side: two host processes would want
//! the same port and, worse, both take the same tenants' updates. A host process that starts
//! fresh serves no one, so the reconciliations of its tenants are queued to give them back.
//!
//! The hosts' pass, after the tenants', takes strays off hosts (a tenant served or granted
//! where it is not assigned), stops hosts idle for `HOST_IDLE_SECS`, and removes containers of
//! hosts the database does not know.

use std::collections::BTreeSet;

use booking_core::ids::TenantId;
use chrono::Utc;
use storage::{
    control::{
        bot_hosts::{self, BotHost, HostLoad},
        deployment_log::{self, Action, Outcome},
        jobs::{self, JobKind, NewJob},
        placement,
    },
    crypto::SealedAt,
    host::{self, HostName},
};

use super::{Log, Reconciler, Subject, Trigger};
use crate::{
    host_api::HostApi,
    runtime::{ContainerInfo, ContainerRuntime, ContainerSpec, RunState},
    spec::{
        LABEL_CONFIG_HASH, LABEL_PLATFORM, Redact as _,
        host::{self as host_spec, HostSecrets, LABEL_HOST},
    },
};

/// A host as the worker would run it now: its spec, and the API of its process.
pub(super) struct HostView {
    pub(super) spec: ContainerSpec,
    pub(super) hash: String,
    pub(super) secrets: HostSecrets,
    pub(super) api: HostApi,
}

/// Whether a bring-up left the host serving.
enum BroughtUp {
    /// The wanted configuration runs.
    Yes,
    /// It failed its health check and the previous configuration runs again.
    RolledBack,
    No(String),
}

impl<R: ContainerRuntime> Reconciler<R> {
    /// The host's secrets opened, its spec and its API; `Err` with an operator-readable reason.
    pub(super) async fn host_view(
        &self,
        host: &BotHost,
    ) -> anyhow::Result<Result<HostView, String>> {
        let Some(key) = self.key.as_ref() else {
            return Ok(Err(
                "DATA_KEY is not set: the worker cannot open the bot host's secrets".to_owned(),
            ));
        };
        let sealed = bot_hosts::sealed_secrets(self.db.pool(), host.id).await?;
        let (Ok(db_password), Ok(secret)) = (
            key.open(&sealed.db_password, SealedAt::HostDbPassword(host.ordinal)),
            key.open(&sealed.secret, SealedAt::HostSecret(host.ordinal)),
        ) else {
            return Ok(Err(format!(
                "the secrets of bot host {} cannot be opened (another DATA_KEY?)",
                host.name
            )));
        };
        let secrets = HostSecrets {
            db_password,
            secret,
        };
        let spec = match host_spec::build(&self.defaults, &self.hosts, &self.db, host, &secrets) {
            Ok(spec) => spec,
            Err(reason) => return Ok(Err(reason)),
        };
        let address =
            host_spec::address(&self.defaults, &self.hosts, host).map_err(anyhow::Error::msg)?;
        let hash = spec
            .labels
            .get(LABEL_CONFIG_HASH)
            .cloned()
            .unwrap_or_default();
        let api = HostApi::new(self.http.clone(), address.url, secrets.secret.clone());
        Ok(Ok(HostView {
            spec,
            hash,
            secrets,
            api,
        }))
    }

    /// The containers of host `name`, running or not.
    pub(super) async fn host_containers(
        &self,
        name: &HostName,
    ) -> anyhow::Result<Vec<ContainerInfo>> {
        Ok(self
            .runtime
            .list(&[
                (LABEL_PLATFORM, &self.defaults.platform_label),
                (LABEL_HOST, name.as_str()),
            ])
            .await?)
    }

    /// The API of `host` if its container runs, else `None` (then it serves no one): for
    /// taking a tenant off it, with no bring-up.
    pub(super) async fn running_api(&self, host: &BotHost) -> anyhow::Result<Option<HostApi>> {
        let found = self.host_containers(&host.name).await?;
        if !found.iter().any(|c| c.state == RunState::Running) {
            return Ok(None);
        }
        match self.host_view(host).await? {
            Ok(view) => Ok(Some(view.api)),
            Err(reason) => anyhow::bail!("{reason}"),
        }
    }

    /// Brings `host`'s container to its current configuration, running and healthy: its API,
    /// or why it is not serving. A configuration that failed is not tried again by a periodic
    /// pass (the previous one keeps serving if it still runs). `asker`'s reconciliation is
    /// the one under way; the host's other tenants are queued after a fresh start.
    pub(super) async fn ensure_host(
        &self,
        host: &BotHost,
        trigger: Trigger,
        asker: TenantId,
    ) -> anyhow::Result<Result<HostApi, String>> {
        let _turn = self.host_locks.lock(host.name.clone()).await;
        let view = match self.host_view(host).await? {
            Ok(view) => view,
            Err(reason) => return Ok(Err(reason)),
        };
        let found = self.host_containers(&host.name).await?;
        let abandoned = deployment_log::close_abandoned_host(self.db.pool(), host.id).await? > 0;
        let (current, others): (Vec<_>, Vec<_>) = found
            .into_iter()
            .partition(|c| c.labels.get(LABEL_CONFIG_HASH) == Some(&view.hash));
        let running = |c: &ContainerInfo| c.state == RunState::Running;
        if current.iter().any(running) && others.is_empty() && !abandoned {
            return Ok(Ok(view.api));
        }
        if trigger == Trigger::Periodic
            && let Some((status, error)) =
                deployment_log::last_status_of_host(self.db.pool(), host.id, &view.hash).await?
            && matches!(status.as_str(), "failed" | "rolled_back")
        {
            if others.iter().any(running) {
                return Ok(Ok(view.api));
            }
            return Ok(Err(format!(
                "its configuration failed before ({}); an operator's change tries again",
                error.unwrap_or_default()
            )));
        }
        match self.bring_up(host, &view, current, others).await? {
            BroughtUp::Yes | BroughtUp::RolledBack => {
                self.queue_tenants_of(host, asker).await?;
                Ok(Ok(view.api))
            }
            BroughtUp::No(reason) => Ok(Err(reason)),
        }
    }

    async fn begin_host(
        &self,
        host: &BotHost,
        action: Action,
        spec: Option<(&str, &str)>,
    ) -> anyhow::Result<Log<'_>> {
        let id = deployment_log::begin_on_host(
            self.db.pool(),
            None,
            host.id,
            action,
            spec.map(|s| s.0),
            spec.map(|s| s.1),
        )
        .await?;
        Ok(Log {
            db: &self.db,
            id,
            subject: Subject::Host(host.name.clone()),
            action,
        })
    }

    /// Stop-first replacement (see the module's note), checked like a bot; the previous
    /// containers come back if the new one is unhealthy.
    async fn bring_up(
        &self,
        host: &BotHost,
        view: &HostView,
        mut current: Vec<ContainerInfo>,
        mut extra: Vec<ContainerInfo>,
    ) -> anyhow::Result<BroughtUp> {
        let log = self
            .begin_host(host, Action::Deploy, Some((&view.spec.image, &view.hash)))
            .await?;
        host::ensure_role(&self.db, &host.name, &view.secrets.db_password).await?;
        log.info(&format!(
            "bot host {}'s database role can log in",
            host.name
        ))
        .await?;
        current.sort_by_key(|c| c.state != RunState::Running);
        extra.extend(current.drain(1.min(current.len())..));
        for c in extra.iter().filter(|c| c.state == RunState::Running) {
            self.runtime.stop(&c.id).await?;
            log.info(&format!("stopped {} before its replacement starts", c.name))
                .await?;
        }
        let (id, name) = match current.pop() {
            Some(c) => (c.id, c.name),
            None => {
                let mut spec = view.spec.clone();
                if !extra.is_empty() {
                    spec.name = format!("{}-next", view.spec.name);
                }
                match self.runtime.create(&spec).await {
                    Ok(id) => (id, spec.name),
                    Err(e) => {
                        let reason = view
                            .secrets
                            .redact(&format!("cannot create {}: {e}", spec.name));
                        log.error(&reason).await?;
                        return self.host_failed(&log, &extra, reason).await;
                    }
                }
            }
        };
        log.info(&format!("starting {name}")).await?;
        self.runtime.start(&id).await?;
        match self.health(&id, &view.secrets).await? {
            Ok(()) => {
                log.info(&format!("{name} is healthy")).await?;
                self.retire(&log, &extra).await?;
                let info = ContainerInfo {
                    id: id.clone(),
                    name,
                    labels: view.spec.labels.clone(),
                    state: RunState::Running,
                    exit_code: None,
                    restart_count: 0,
                    error: None,
                };
                self.take_name(&log, &info, &view.spec.name).await?;
                log.finish(Outcome::Succeeded, Some(&id), None).await?;
                Ok(BroughtUp::Yes)
            }
            Err(reason) => {
                log.error(&reason).await?;
                // As for a bot: an unhealthy container is not left restarting.
                self.runtime.remove(&id).await?;
                log.info(&format!("removed the unhealthy {name}")).await?;
                self.host_failed(&log, &extra, reason).await
            }
        }
    }

    /// Ends a failed bring-up: the previous containers start again if there are any.
    async fn host_failed(
        &self,
        log: &Log<'_>,
        previous: &[ContainerInfo],
        reason: String,
    ) -> anyhow::Result<BroughtUp> {
        if previous.is_empty() {
            log.finish(Outcome::Failed, None, Some(&reason)).await?;
            return Ok(BroughtUp::No(reason));
        }
        self.restore(log, previous).await?;
        log.finish(Outcome::RolledBack, None, Some(&reason)).await?;
        Ok(BroughtUp::RolledBack)
    }

    /// A host process that started fresh serves no one: its tenants' reconciliations (one
    /// queued job each, deduplicated) give them back to it.
    async fn queue_tenants_of(&self, host: &BotHost, asker: TenantId) -> anyhow::Result<()> {
        for tenant in bot_hosts::tenants_of(self.db.pool(), host.id).await? {
            if tenant != asker {
                let job = NewJob::new(JobKind::reconcile(tenant), Utc::now());
                jobs::enqueue(self.db.pool(), &job).await?;
            }
        }
        Ok(())
    }

    /// Every host: strays taken off, idle ones stopped; containers of unknown hosts removed.
    pub(super) async fn hosts_pass(&self) -> anyhow::Result<()> {
        let loads = bot_hosts::loads(self.db.pool()).await?;
        let mut first_error = None;
        for load in &loads {
            if let Err(e) = self.host_pass(load).await {
                tracing::warn!(host = %load.host.name, error = %format!("{e:#}"), "a bot host's pass failed");
                first_error.get_or_insert(e);
            }
        }
        let known: BTreeSet<&str> = loads.iter().map(|l| l.host.name.as_str()).collect();
        for c in self
            .runtime
            .list(&[(LABEL_PLATFORM, &self.defaults.platform_label)])
            .await?
        {
            if let Some(name) = c.labels.get(LABEL_HOST)
                && !known.contains(name.as_str())
            {
                tracing::info!(container = %c.name, "removing the container of an unknown bot host");
                self.runtime.remove(&c.id).await?;
            }
        }
        first_error.map_or(Ok(()), Err)
    }

    async fn host_pass(&self, load: &HostLoad) -> anyhow::Result<()> {
        let host = &load.host;
        let assigned: BTreeSet<TenantId> = bot_hosts::tenants_of(self.db.pool(), host.id)
            .await?
            .into_iter()
            .collect();
        if let Some(api) = self.running_api(host).await? {
            for served in api.list().await? {
                if !assigned.contains(&served.tenant_id) {
                    self.take_off_stray(host, Some(&api), served.tenant_id)
                        .await?;
                }
            }
        }
        for tenant in host::granted(&self.db, &host.name).await? {
            if !assigned.contains(&tenant) {
                self.take_off_stray(host, None, tenant).await?;
            }
        }
        if assigned.is_empty() {
            self.stop_if_idle(host).await?;
        }
        Ok(())
    }

    /// Takes `tenant` off `host` where it is not assigned (any more): a move or a removal a
    /// killed worker left half-done, a tenant deleted, a grant made by hand.
    async fn take_off_stray(
        &self,
        host: &BotHost,
        api: Option<&HostApi>,
        tenant: TenantId,
    ) -> anyhow::Result<()> {
        let _turn = self.locks.lock(tenant).await;
        let place = placement::of(self.db.pool(), tenant).await?;
        if place.as_ref().is_some_and(|p| p.host == Some(host.id)) {
            return Ok(()); // assigned meanwhile
        }
        if let Some(api) = api {
            api.remove(tenant).await?;
        }
        // A deleted tenant's role went with it, and its memberships too.
        if place.is_some() {
            host::revoke(&self.db, &host.name, tenant).await?;
        }
        tracing::info!(%tenant, host = %host.name, "took a stray tenant off a bot host");
        Ok(())
    }

    /// Stops `host` once it has had no tenant for `HOST_IDLE_SECS`; its container stays for
    /// the next tenant placed on it.
    async fn stop_if_idle(&self, host: &BotHost) -> anyhow::Result<()> {
        let _turn = self.host_locks.lock(host.name.clone()).await;
        let Some(since) = bot_hosts::note_idle(self.db.pool(), host.id).await? else {
            return Ok(());
        };
        let idle = bot_hosts::seconds_since(self.db.pool(), since).await?;
        if u64::try_from(idle).unwrap_or(0) < self.hosts.host_idle_secs {
            return Ok(());
        }
        let running: Vec<ContainerInfo> = self
            .host_containers(&host.name)
            .await?
            .into_iter()
            .filter(|c| c.state == RunState::Running)
            .collect();
        if running.is_empty() {
            return Ok(());
        }
        let log = self.begin_host(host, Action::Stop, None).await?;
        for c in running {
            self.runtime.stop(&c.id).await?;
            log.info(&format!("stopped {}: no tenant for {idle} s", c.name))
                .await?;
        }
        log.finish(Outcome::Succeeded, None, None).await
    }
}
