//! Tenants on shared bot hosts. A shared tenant is placed in this order, each step decided
//! from what is found (the host's `GET /host/tenants`, the roles its host holds, its
//! containers), so a worker killed between any two converges on its next pass:
//!
//! 1. its host chosen and recorded (`control.tenants.bot_host_id`), kept while it has room;
//! 2. the host's container running and healthy;
//! 3. the tenant taken off any other host (`DELETE`, then the role revoked): Telegram keeps
//!    its updates meanwhile, and no two processes ever take them;
//! 4. the host granted the tenant's role;
//! 5. its dedicated container, if any, stopped;
//! 6. the host asked to serve it (`PUT` with its token), and still serving it a grace period
//!    later (a token the Bot API rejects shows there);
//! 7. the dedicated container removed.
//!
//! A dedicated (or stopped) tenant is taken off every host first, then handled as before.

use booking_core::ids::{BotHostId, TenantId};
use sha2::{Digest as _, Sha256};
use storage::{
    control::{
        bot_hosts::{self, BotHost, NewHost, SealedHostSecrets},
        deployment_log::{self, Action, Outcome},
        tenants::TenantRecord,
    },
    crypto::{SealedAt, random_password},
    host::{self, HostName},
};

use super::{Log, Reconciler, Subject, Trigger, checkpoint::Step};
use crate::{
    host_api::{self, HostApi, ServedState},
    runtime::{ContainerInfo, ContainerRuntime, RunState},
    spec::Secrets,
};

/// Names what a placement put where, for "a configuration that failed is not tried again by
/// the periodic pass": the host and the token's fingerprint.
fn place_hash(host: &HostName, fingerprint: &str) -> String {
    let digest = Sha256::digest(format!("place|{host}|{fingerprint}").as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

impl<R: ContainerRuntime> Reconciler<R> {
    async fn begin_place(
        &self,
        tenant: TenantId,
        host: &BotHost,
        hash: Option<&str>,
    ) -> anyhow::Result<Log<'_>> {
        let id = deployment_log::begin_on_host(
            self.db.pool(),
            Some(tenant),
            host.id,
            Action::Place,
            None,
            hash,
        )
        .await?;
        Ok(Log {
            db: &self.db,
            id,
            subject: Subject::Tenant(tenant),
            action: Action::Place,
        })
    }

    /// Places a shared tenant on its host (see the module's steps).
    pub(super) async fn place_shared(
        &self,
        record: &TenantRecord,
        found: Vec<ContainerInfo>,
        trigger: Trigger,
    ) -> anyhow::Result<()> {
        let id = record.id;
        let secrets = match self.secrets(record).await {
            Ok(s) => s,
            Err(reason) if trigger != Trigger::Periodic => {
                let log = self.begin(id, Action::Place, None, None).await?;
                log.error(&reason).await?;
                return log.finish(Outcome::Failed, None, Some(&reason)).await;
            }
            Err(_) => return Ok(()),
        };
        let host = self.assign(id).await?;
        self.checkpoints.reached(Step::Assigned).await;
        let api = match self.ensure_host(&host, trigger, id).await? {
            Ok(api) => api,
            Err(reason) if trigger == Trigger::Periodic => {
                anyhow::bail!("bot host {} is not serving: {reason}", host.name)
            }
            Err(reason) => {
                let log = self.begin_place(id, &host, None).await?;
                let reason = format!("bot host {} is not serving: {reason}", host.name);
                log.error(&reason).await?;
                return log.finish(Outcome::Failed, None, Some(&reason)).await;
            }
        };
        let holders = host::holders(&self.db, id).await?;
        let granted = holders.contains(&host.name);
        let others: Vec<&HostName> = holders.iter().filter(|h| **h != host.name).collect();
        let fingerprint = host_api::fingerprint(&secrets.bot_token);
        let hash = place_hash(&host.name, &fingerprint);
        let on_host = api
            .list()
            .await?
            .into_iter()
            .find(|s| s.tenant_id == id && s.token == fingerprint);
        let serving = on_host.as_ref().map(|s| s.state);
        if serving == Some(ServedState::Running)
            && granted
            && others.is_empty()
            && found.is_empty()
            && trigger != Trigger::Restart
        {
            return Ok(());
        }
        // A known failure waits for an operator's change (no retry storm on a rejected token).
        if trigger == Trigger::Periodic
            && (serving == Some(ServedState::TokenRejected)
                || (serving.is_none()
                    && deployment_log::last_status_of(self.db.pool(), id, &hash)
                        .await?
                        .is_some_and(|s| s == "failed" || s == "rolled_back")))
        {
            return Ok(());
        }
        let log = self.begin_place(id, &host, Some(&hash)).await?;
        log.info(&format!("bot host {} is the tenant's host", host.name))
            .await?;
        for other in others {
            self.take_off(&log, id, other).await?;
        }
        if !granted {
            host::grant(&self.db, &host.name, id).await?;
            log.info(&format!("granted bot host {} the tenant's role", host.name))
                .await?;
        }
        self.checkpoints.reached(Step::Granted).await;
        let stopped: Vec<&ContainerInfo> = found
            .iter()
            .filter(|c| c.state == RunState::Running)
            .collect();
        for c in &stopped {
            self.runtime.stop(&c.id).await?;
            log.info(&format!(
                "stopped the dedicated container {} so that only the host takes the bot's updates",
                c.name
            ))
            .await?;
        }
        self.checkpoints.reached(Step::DedicatedStopped).await;
        let put = serving != Some(ServedState::Running) || trigger == Trigger::Restart;
        if put
            && let Err(reason) = self
                .serve(&log, &api, &host, id, &secrets, serving.is_some())
                .await?
        {
            log.error(&reason).await?;
            if stopped.is_empty() {
                return log.finish(Outcome::Failed, None, Some(&reason)).await;
            }
            // The host does not serve it: the dedicated bot takes its updates again.
            api.remove(id).await?;
            for c in &stopped {
                self.runtime.start(&c.id).await?;
                log.info(&format!("rolled back: {} keeps serving", c.name))
                    .await?;
            }
            return log.finish(Outcome::RolledBack, None, Some(&reason)).await;
        }
        for c in &found {
            self.runtime.remove(&c.id).await?;
            log.info(&format!("removed the dedicated container {}", c.name))
                .await?;
        }
        log.finish(Outcome::Succeeded, None, None).await
    }

    /// The tenant's host, chosen and recorded (a new host made with sealed secrets if all are
    /// full).
    async fn assign(&self, id: TenantId) -> anyhow::Result<BotHost> {
        let key = self
            .key
            .as_ref()
            .ok_or_else(|| anyhow::anyhow!("DATA_KEY is not set"))?;
        let capacity = self.hosts.host_capacity;
        let assignment = bot_hosts::assign(self.db.pool(), id, |ordinal| NewHost {
            capacity,
            secrets: SealedHostSecrets {
                db_password: key.seal(&random_password(), SealedAt::HostDbPassword(ordinal)),
                secret: key.seal(&random_password(), SealedAt::HostSecret(ordinal)),
            },
        })
        .await?
        .ok_or_else(|| anyhow::anyhow!("tenant {id} was deleted during its placement"))?;
        if assignment.created {
            tracing::info!(host = %assignment.host.name, capacity, "made a new bot host");
        }
        Ok(assignment.host)
    }

    /// Asks `host` to serve the tenant (again, on a restart) and checks, a grace period later,
    /// that it still does: `Ok(Err(reason))` when it does not.
    async fn serve(
        &self,
        log: &Log<'_>,
        api: &HostApi,
        host: &BotHost,
        id: TenantId,
        secrets: &Secrets,
        listed: bool,
    ) -> anyhow::Result<Result<(), String>> {
        if listed {
            api.remove(id).await?;
        }
        if let Err(e) = api
            .serve(id, &secrets.bot_token, &secrets.secrets_key)
            .await
        {
            return Ok(Err(secrets.redact(&format!(
                "bot host {} did not take the tenant on: {e}",
                host.name
            ))));
        }
        log.info(&format!("bot host {} serves the tenant", host.name))
            .await?;
        self.checkpoints.reached(Step::Served).await;
        tokio::time::sleep(std::time::Duration::from_secs(
            self.defaults.health_grace_secs,
        ))
        .await;
        let fingerprint = host_api::fingerprint(&secrets.bot_token);
        let now = api.list().await?.into_iter().find(|s| s.tenant_id == id);
        Ok(match now {
            Some(s) if s.token == fingerprint && s.state == ServedState::Running => Ok(()),
            Some(s) if s.state == ServedState::TokenRejected => Err(format!(
                "the Bot API rejected the tenant's bot token (on bot host {})",
                host.name
            )),
            _ => Err(format!(
                "bot host {} no longer serves the tenant",
                host.name
            )),
        })
    }

    /// Takes the tenant off host `name`: its process stops taking the bot's updates (if it
    /// runs), then its role loses the tenant's.
    async fn take_off(&self, log: &Log<'_>, id: TenantId, name: &HostName) -> anyhow::Result<()> {
        if let Some(host) = bot_hosts::by_name(self.db.pool(), name).await?
            && let Some(api) = self.running_api(&host).await?
        {
            api.remove(id).await?;
        }
        host::revoke(&self.db, name, id).await?;
        log.info(&format!("took the tenant off bot host {name}"))
            .await
    }

    /// Takes a tenant that is not to be shared (dedicated, or stopped) off every host, with
    /// a deployment of `action` if there was anything to do.
    pub(super) async fn take_off_hosts(
        &self,
        id: TenantId,
        assigned: Option<BotHostId>,
        action: Action,
    ) -> anyhow::Result<()> {
        let holders = host::holders(&self.db, id).await?;
        if holders.is_empty() && assigned.is_none() {
            return Ok(());
        }
        let log = self.begin(id, action, None, None).await?;
        for name in &holders {
            if let Err(e) = self.take_off(&log, id, name).await {
                let reason = format!("cannot take the tenant off bot host {name}: {e:#}");
                log.error(&reason).await?;
                log.finish(Outcome::Failed, None, Some(&reason)).await?;
                anyhow::bail!(reason);
            }
        }
        bot_hosts::unassign(self.db.pool(), id).await?;
        log.finish(Outcome::Succeeded, None, None).await
    }
}
