//! Where a tenant's bot runs: in a container of its own (`dedicated`) or on a shared bot host
//! (`shared`). A plan sets it for its tenants (`control.plans.placement`), an operator may
//! override it per tenant (`control.tenants.placement`, null follows the plan), and a tenant
//! with neither is dedicated, as every tenant was before placement existed.

use std::{fmt, str::FromStr};

use booking_core::ids::{BotHostId, PlanId, TenantId};
use serde::{Deserialize, Serialize};
use sqlx::{PgExecutor, Row as _};

use crate::error::StorageError;

/// Where a tenant's bot runs.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Placement {
    /// A container of its own.
    Dedicated,
    /// A bot host shared with other tenants, up to the host's capacity.
    Shared,
}

impl Placement {
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Dedicated => "dedicated",
            Self::Shared => "shared",
        }
    }
}

impl fmt::Display for Placement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

/// Text that is not a placement.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("not a placement: {0:?} (dedicated or shared)")]
pub struct BadPlacement(pub String);

impl FromStr for Placement {
    type Err = BadPlacement;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "dedicated" => Ok(Self::Dedicated),
            "shared" => Ok(Self::Shared),
            other => Err(BadPlacement(other.to_owned())),
        }
    }
}

/// Reads a stored placement; anything else is corrupt data.
pub(crate) fn parse_stored(value: Option<String>) -> Result<Option<Placement>, StorageError> {
    value
        .map(|v| {
            v.parse()
                .map_err(|e: BadPlacement| StorageError::Corrupt(e.to_string()))
        })
        .transpose()
}

/// A tenant's placement as the deploy worker decides on it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TenantPlacement {
    pub tenant: TenantId,
    /// The operator's override, if any.
    pub overridden: Option<Placement>,
    /// The placement of the tenant's plan, if it has one.
    pub plan: Option<Placement>,
    /// The host the worker assigned it to, if any.
    pub host: Option<BotHostId>,
}

impl TenantPlacement {
    /// What the tenant should have: the override, else the plan's, else dedicated.
    #[must_use]
    pub fn wanted(&self) -> Placement {
        self.overridden
            .or(self.plan)
            .unwrap_or(Placement::Dedicated)
    }
}

/// The placement of `tenant`, `None` when there is no such tenant.
pub async fn of<'e>(
    executor: impl PgExecutor<'e>,
    tenant: TenantId,
) -> Result<Option<TenantPlacement>, StorageError> {
    let row = sqlx::query(
        "select t.placement, p.placement as plan_placement, t.bot_host_id \
         from control.tenants t \
           left join control.subscriptions s on s.tenant_id = t.tenant_id \
           left join control.plans p on p.plan_id = s.plan_id \
         where t.tenant_id = $1",
    )
    .bind(tenant.get())
    .fetch_optional(executor)
    .await?;
    let Some(row) = row else {
        return Ok(None);
    };
    Ok(Some(TenantPlacement {
        tenant,
        overridden: parse_stored(row.try_get("placement")?)?,
        plan: parse_stored(row.try_get("plan_placement")?)?,
        host: row.try_get::<Option<i64>, _>("bot_host_id")?.map(BotHostId),
    }))
}

/// Sets (or with `None` clears) the operator's override. False if there is no such tenant.
pub async fn set_override<'e>(
    executor: impl PgExecutor<'e>,
    tenant: TenantId,
    placement: Option<Placement>,
) -> Result<bool, StorageError> {
    let done = sqlx::query("update control.tenants set placement = $2 where tenant_id = $1")
        .bind(tenant.get())
        .bind(placement.map(Placement::as_str))
        .execute(executor)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Sets where a plan's tenants run. False if there is no such plan.
pub async fn set_for_plan<'e>(
    executor: impl PgExecutor<'e>,
    plan: PlanId,
    placement: Placement,
) -> Result<bool, StorageError> {
    let done = sqlx::query("update control.plans set placement = $2 where plan_id = $1")
        .bind(plan.get())
        .bind(placement.as_str())
        .execute(executor)
        .await?;
    Ok(done.rows_affected() == 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placements_read_back_as_written_and_nothing_else_reads() {
        for p in [Placement::Dedicated, Placement::Shared] {
            assert_eq!(p.as_str().parse::<Placement>(), Ok(p));
            assert_eq!(
                serde_json::to_value(p).unwrap(),
                serde_json::json!(p.as_str())
            );
        }
        for bad in ["", "Shared", "shared ", "both"] {
            assert!(bad.parse::<Placement>().is_err(), "{bad:?}");
        }
    }

    #[test]
    fn the_override_wins_then_the_plan_then_dedicated() {
        let mut p = TenantPlacement {
            tenant: TenantId(1),
            overridden: None,
            plan: None,
            host: None,
        };
        assert_eq!(p.wanted(), Placement::Dedicated);
        p.plan = Some(Placement::Shared);
        assert_eq!(p.wanted(), Placement::Shared);
        p.overridden = Some(Placement::Dedicated);
        assert_eq!(p.wanted(), Placement::Dedicated);
    }
}
