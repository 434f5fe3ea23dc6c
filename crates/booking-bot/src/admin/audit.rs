//! Recording admin actions in the audit log, inside the action's own transaction.

use serde_json::Value;
use storage::{TenantTx, tenant::audit};

use super::Cx;
use crate::error::BotError;

/// Records `action` on `target` by the acting admin.
pub async fn record(
    cx: &Cx<'_>,
    tx: &mut TenantTx,
    action: &str,
    target: impl std::fmt::Display,
    details: Value,
) -> Result<(), BotError> {
    let target = target.to_string();
    audit::record(
        tx,
        cx.admin.id,
        action,
        Some(target.as_str()),
        &details,
        cx.app.now(),
    )
    .await?;
    Ok(())
}
