//! The admin audit log: who did what, when, to what. Written in the same transaction as the
//! action, so a rolled-back action leaves no entry and a committed one always has one.

use booking_core::ids::TelegramUserId;
use chrono::{DateTime, Utc};
use sqlx::Row;

use crate::{db::TenantTx, error::StorageError};

/// One entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditEntry {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub actor: Option<TelegramUserId>,
    pub action: String,
    pub target: Option<String>,
    pub details: serde_json::Value,
}

/// Records an admin action.
pub async fn record(
    tx: &mut TenantTx,
    actor: TelegramUserId,
    action: &str,
    target: Option<&str>,
    details: &serde_json::Value,
    at: DateTime<Utc>,
) -> Result<(), StorageError> {
    sqlx::query(
        "insert into audit_log (at, actor_id, action, target, details) values ($1, $2, $3, $4, $5)",
    )
    .bind(at)
    .bind(actor.get())
    .bind(action)
    .bind(target)
    .bind(details)
    .execute(tx.conn())
    .await?;
    Ok(())
}

/// Hands the entries at or after `since` to `each`, newest first, at most `limit`, as they
/// arrive from the server (a cursor, not a vector: an export of many thousands of entries
/// holds one at a time); how many there were.
pub async fn each_since(
    tx: &mut TenantTx,
    since: DateTime<Utc>,
    limit: i64,
    mut each: impl FnMut(AuditEntry) -> Result<(), StorageError> + Send,
) -> Result<u64, StorageError> {
    use futures::TryStreamExt as _;
    let mut rows = sqlx::query(
        "select audit_id, at, actor_id, action, target, details from audit_log \
         where at >= $1 order by at desc, audit_id desc limit $2",
    )
    .bind(since)
    .bind(limit)
    .fetch(tx.conn());
    let mut seen = 0;
    while let Some(r) = rows.try_next().await? {
        each(entry(&r)?)?;
        seen += 1;
    }
    Ok(seen)
}

fn entry(r: &sqlx::postgres::PgRow) -> Result<AuditEntry, StorageError> {
    Ok(AuditEntry {
        id: r.try_get("audit_id")?,
        at: r.try_get("at")?,
        actor: r.try_get::<Option<i64>, _>("actor_id")?.map(TelegramUserId),
        action: r.try_get("action")?,
        target: r.try_get("target")?,
        details: r.try_get("details")?,
    })
}

/// Entries newest first, `limit` from `offset`.
pub async fn page(
    tx: &mut TenantTx,
    offset: i64,
    limit: i64,
) -> Result<Vec<AuditEntry>, StorageError> {
    let rows = sqlx::query(
        "select audit_id, at, actor_id, action, target, details from audit_log \
         order by at desc, audit_id desc offset $1 limit $2",
    )
    .bind(offset)
    .bind(limit)
    .fetch_all(tx.conn())
    .await?;
    rows.iter().map(entry).collect()
}

/// How many entries there are.
pub async fn count(tx: &mut TenantTx) -> Result<i64, StorageError> {
    Ok(sqlx::query_scalar("select count(*) from audit_log")
        .fetch_one(tx.conn())
        .await?)
}
