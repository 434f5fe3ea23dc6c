//! The deployment a reconciliation writes its steps to, and the alert a failure raises.

use std::fmt;

use storage::{
    Db,
    control::{
        alerts::{self, AlertKind, NewAlert},
        deployment_log::{self, Action, DeploymentId, Level, Outcome},
    },
    host::HostName,
};

use booking_core::ids::TenantId;

use crate::runtime::ContainerId;

/// What a deployment is of: a tenant's bot (in its container, or on a bot host), or a bot
/// host's container.
#[derive(Clone, Debug)]
pub(super) enum Subject {
    Tenant(TenantId),
    Host(HostName),
}

impl fmt::Display for Subject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Tenant(id) => write!(f, "Tenant {id}"),
            Self::Host(name) => write!(f, "Bot host {name}"),
        }
    }
}

/// The open deployment a rollout writes its steps to.
pub(super) struct Log<'a> {
    pub(super) db: &'a Db,
    pub(super) id: DeploymentId,
    pub(super) subject: Subject,
    pub(super) action: Action,
}

impl Log<'_> {
    pub(super) async fn info(&self, message: &str) -> anyhow::Result<()> {
        tracing::info!(deployment = self.id.0, "{message}");
        Ok(deployment_log::event(self.db.pool(), self.id, Level::Info, message).await?)
    }

    pub(super) async fn error(&self, message: &str) -> anyhow::Result<()> {
        tracing::warn!(deployment = self.id.0, "{message}");
        Ok(deployment_log::event(self.db.pool(), self.id, Level::Error, message).await?)
    }

    pub(super) async fn finish(
        &self,
        outcome: Outcome,
        container: Option<&ContainerId>,
        error: Option<&str>,
    ) -> anyhow::Result<()> {
        metrics::counter!("deploy_worker_deployments_total", "outcome" => outcome.as_str())
            .increment(1);
        if outcome != Outcome::Succeeded {
            // An error event: Sentry (SENTRY_DSN) turns it into an operator alert.
            tracing::error!(
                deployment = self.id.0,
                outcome = outcome.as_str(),
                error = error.unwrap_or(""),
                "a tenant bot deployment did not succeed"
            );
        }
        deployment_log::finish(
            self.db.pool(),
            self.id,
            outcome,
            container.map(|c| c.0.as_str()),
            error,
        )
        .await?;
        if outcome != Outcome::Succeeded {
            self.alert(outcome, error.unwrap_or("no reason recorded"))
                .await?;
        }
        Ok(())
    }

    /// Tells the operators (the operator bot delivers the outbox). Keyed by deployment, so a
    /// retried finish alerts once, and every new failed attempt is its own alert.
    async fn alert(&self, outcome: Outcome, reason: &str) -> anyhow::Result<()> {
        let alert = NewAlert {
            kind: AlertKind::DeploymentFailed,
            tenant: match self.subject {
                Subject::Tenant(id) => Some(id),
                Subject::Host(_) => None,
            },
            message: format!(
                "{}: {} {} (deployment {}). {reason}",
                self.subject,
                self.action.as_str(),
                outcome.as_str().replace('_', " "),
                self.id.0
            ),
            dedupe_key: Some(format!("deployment_failed:{}", self.id.0)),
        };
        alerts::raise(self.db.pool(), &alert).await?;
        Ok(())
    }
}
