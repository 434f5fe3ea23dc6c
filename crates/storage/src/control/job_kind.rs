//! The typed contract of a platform job: what it does and what it needs.
//!
//! A job's stored kind (`control.jobs.kind`), its payload and its dedupe key are all derived
//! from a [`JobKind`], so producers and the consumer cannot disagree on them. They once did:
//! the sales bot keyed its reconcile job `reconcile:<id>` while the operator API and the
//! subscription monitor used `reconcile_tenant:<id>`, so "one pending job per tenant" let a
//! sold tenant have two.

use std::fmt;

use booking_core::ids::TenantId;
use serde::{Deserialize, Serialize};

/// A job for the queue, with what it needs.
///
/// Serialised adjacently tagged: the tag is the stored kind, the content the stored payload
/// (`{"tenant_id": 7}`), which is what the queue held before this type existed, so jobs queued
/// by an older build still decode.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "payload", rename_all = "snake_case")]
pub enum JobKind {
    /// The deploy worker compares the tenant's desired state with its containers and acts.
    ReconcileTenant { tenant_id: TenantId },
    /// The deploy worker restarts the tenant's bot.
    RestartTenant { tenant_id: TenantId },
}

/// The name a kind of job is stored under, for claiming jobs by kind.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum JobName {
    ReconcileTenant,
    RestartTenant,
}

impl JobName {
    /// The kinds the deploy worker runs.
    pub const DEPLOY_WORKER: &'static [Self] = &[Self::ReconcileTenant, Self::RestartTenant];

    /// The value of `control.jobs.kind`.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::ReconcileTenant => "reconcile_tenant",
            Self::RestartTenant => "restart_tenant",
        }
    }
}

impl fmt::Display for JobName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

/// A stored job that is not one of ours: an unknown kind or a payload of the wrong shape.
#[derive(Debug, thiserror::Error)]
#[error("not a job this build knows: kind {kind:?}: {reason}")]
pub struct BadJob {
    pub kind: String,
    pub reason: String,
}

impl JobKind {
    /// Queue a reconcile of `tenant`.
    #[must_use]
    pub const fn reconcile(tenant: TenantId) -> Self {
        Self::ReconcileTenant { tenant_id: tenant }
    }

    /// Queue a restart of `tenant`'s bot.
    #[must_use]
    pub const fn restart(tenant: TenantId) -> Self {
        Self::RestartTenant { tenant_id: tenant }
    }

    #[must_use]
    pub const fn name(&self) -> JobName {
        match self {
            Self::ReconcileTenant { .. } => JobName::ReconcileTenant,
            Self::RestartTenant { .. } => JobName::RestartTenant,
        }
    }

    /// The tenant the job is about.
    #[must_use]
    pub const fn tenant(&self) -> TenantId {
        match self {
            Self::ReconcileTenant { tenant_id } | Self::RestartTenant { tenant_id } => *tenant_id,
        }
    }

    /// While a job with this key is queued or running, an equal one is not added: one pending
    /// job of each kind per tenant.
    #[must_use]
    pub fn dedupe_key(&self) -> String {
        format!("{}:{}", self.name(), self.tenant())
    }

    /// The stored kind and payload.
    pub fn encode(&self) -> Result<(&'static str, serde_json::Value), BadJob> {
        let bad = |e: serde_json::Error| BadJob {
            kind: self.name().as_str().to_owned(),
            reason: e.to_string(),
        };
        let mut tagged = serde_json::to_value(self).map_err(bad)?;
        let payload = tagged
            .get_mut("payload")
            .map(serde_json::Value::take)
            .unwrap_or_default();
        Ok((self.name().as_str(), payload))
    }

    /// Reads a stored kind and payload back.
    pub fn decode(kind: &str, payload: &serde_json::Value) -> Result<Self, BadJob> {
        serde_json::from_value(serde_json::json!({ "kind": kind, "payload": payload })).map_err(
            |e| BadJob {
                kind: kind.to_owned(),
                reason: e.to_string(),
            },
        )
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    const EVERY: [JobKind; 2] = [
        JobKind::reconcile(TenantId(7)),
        JobKind::restart(TenantId(7)),
    ];

    #[test]
    fn every_kind_round_trips_through_its_stored_form() {
        for kind in EVERY {
            let (name, payload) = kind.encode().unwrap();
            assert_eq!(name, kind.name().as_str());
            assert_eq!(JobKind::decode(name, &payload).unwrap(), kind);
        }
    }

    #[test]
    fn the_stored_form_is_what_older_builds_queued() {
        assert_eq!(
            JobKind::reconcile(TenantId(7)).encode().unwrap(),
            ("reconcile_tenant", json!({ "tenant_id": 7 }))
        );
        assert_eq!(
            JobKind::decode("restart_tenant", &json!({ "tenant_id": 9 })).unwrap(),
            JobKind::restart(TenantId(9))
        );
    }

    #[test]
    fn one_dedupe_key_per_kind_and_tenant() {
        assert_eq!(
            JobKind::reconcile(TenantId(7)).dedupe_key(),
            "reconcile_tenant:7"
        );
        assert_eq!(
            JobKind::restart(TenantId(7)).dedupe_key(),
            "restart_tenant:7"
        );
        assert_ne!(
            JobKind::reconcile(TenantId(7)).dedupe_key(),
            JobKind::reconcile(TenantId(8)).dedupe_key()
        );
    }

    #[test]
    fn the_deploy_worker_names_every_kind() {
        for kind in EVERY {
            assert!(JobName::DEPLOY_WORKER.contains(&kind.name()));
        }
    }

    #[test]
    fn unknown_kinds_and_misshapen_payloads_are_refused() {
        assert!(JobKind::decode("renew", &json!({ "tenant_id": 7 })).is_err());
        assert!(JobKind::decode("reconcile_tenant", &json!({})).is_err());
        assert!(JobKind::decode("reconcile_tenant", &json!({ "tenant_id": "7" })).is_err());
        assert!(JobKind::decode("reconcile_tenant", &json!(null)).is_err());
    }
}
