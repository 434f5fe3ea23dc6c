//! Recording admin actions in the audit log, inside the action's own transaction.

use crate::admin::roles::Acting;
use crate::runtime::context::Cx;
use serde_json::Value;
use storage::{TenantTx, tenant::audit};

use crate::error::BotError;

/// Records `action` on `target` by the acting admin.
pub async fn record(
    cx: &Cx<'_, Acting>,
    tx: &mut TenantTx,
    action: &str,
    target: impl std::fmt::Display,
    details: Value,
) -> Result<(), BotError> {
    let target = target.to_string();
    audit::record(
        tx,
        cx.who.id,
        action,
        Some(target.as_str()),
        &details,
        cx.app.now(),
    )
    .await?;
    Ok(())
}
