//! The one-time step that binds values sealed before bindings existed (see [`SealedAt`]):
//! each is opened without associated data and sealed again for its own column and row.
//!
//! `master-bot migrate` runs it after the migrations (and `master-bot serve` at start). It
//! runs in one transaction: either every stored value is bound and `control.sealed_bindings`
//! says so, or nothing changed. Once that row exists the step does nothing, so an unbound
//! value written back into a table later never opens, not even here.

use booking_core::ids::TenantId;
use sqlx::{PgConnection, PgPool, Row as _};
use uuid::Uuid;

use super::{DataKey, SealedAt};
use crate::{control::orders::OrderId, error::StorageError};

/// What [`bind_all`] did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ResealReport {
    /// Values found unbound and sealed again for their place.
    pub resealed: usize,
    /// Values that were bound already (written by this version).
    pub bound: usize,
    /// The step had run before: nothing was looked at.
    pub done_before: bool,
}

/// Where a value of a tenant's row is bound to, given the row.
type TenantPlace = fn(TenantId) -> SealedAt;

/// The sealed columns of `control.tenants`, with the place each is bound to.
const TENANT_COLUMNS: [(&str, TenantPlace); 3] = [
    ("bot_token_enc", SealedAt::TenantBotToken),
    ("db_password_enc", SealedAt::TenantDbPassword),
    ("redis_password_enc", SealedAt::TenantRedisPassword),
];

/// Binds every sealed value not bound yet, once. A value that opens neither bound nor
/// unbound (another key, a damaged row) stops the step with nothing changed and names it, so
/// a wrong `DATA_KEY` cannot mark the work done.
pub async fn bind_all(pool: &PgPool, key: &DataKey) -> Result<ResealReport, StorageError> {
    let mut tx = pool.begin().await?;
    // Two instances starting at once: the second waits, then finds the row.
    sqlx::query("lock table control.sealed_bindings in exclusive mode")
        .execute(&mut *tx)
        .await?;
    let done: bool = sqlx::query_scalar("select exists (select 1 from control.sealed_bindings)")
        .fetch_one(&mut *tx)
        .await?;
    if done {
        return Ok(ResealReport {
            done_before: true,
            ..ResealReport::default()
        });
    }
    let mut report = ResealReport::default();
    for (column, at) in TENANT_COLUMNS {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "select tenant_id, {column} as sealed from control.tenants \
             where {column} is not null order by tenant_id for update"
        )))
        .fetch_all(&mut *tx)
        .await?;
        for row in rows {
            let id = TenantId(row.try_get("tenant_id")?);
            let sealed: Vec<u8> = row.try_get("sealed")?;
            if let Some(fresh) = rebind(key, &sealed, at(id), &mut report)? {
                sqlx::query(sqlx::AssertSqlSafe(format!(
                    "update control.tenants set {column} = $2 where tenant_id = $1"
                )))
                .bind(id.get())
                .bind(fresh)
                .execute(&mut *tx)
                .await?;
            }
        }
    }
    bind_orders(&mut tx, key, &mut report).await?;
    sqlx::query("insert into control.sealed_bindings (resealed) values ($1)")
        .bind(i32::try_from(report.resealed).unwrap_or(i32::MAX))
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(report)
}

async fn bind_orders(
    conn: &mut PgConnection,
    key: &DataKey,
    report: &mut ResealReport,
) -> Result<(), StorageError> {
    let rows = sqlx::query(
        "select order_id, bot_token_enc from control.orders \
         where bot_token_enc is not null order by order_id for update",
    )
    .fetch_all(&mut *conn)
    .await?;
    for row in rows {
        let id = OrderId(row.try_get::<Uuid, _>("order_id")?);
        let sealed: Vec<u8> = row.try_get("bot_token_enc")?;
        if let Some(fresh) = rebind(key, &sealed, SealedAt::OrderBotToken(id), report)? {
            sqlx::query("update control.orders set bot_token_enc = $2 where order_id = $1")
                .bind(id.0)
                .bind(fresh)
                .execute(&mut *conn)
                .await?;
        }
    }
    Ok(())
}

/// The value sealed again for `at`, or `None` when it is bound already.
fn rebind(
    key: &DataKey,
    sealed: &[u8],
    at: SealedAt,
    report: &mut ResealReport,
) -> Result<Option<Vec<u8>>, StorageError> {
    if key.open(sealed, at).is_ok() {
        report.bound += 1;
        return Ok(None);
    }
    let plain = key.open_unbound(sealed).map_err(|_| {
        StorageError::Refused(format!(
            "{} opens neither bound nor unbound: another DATA_KEY, or a damaged value; \
             nothing was resealed",
            at.associated_data()
        ))
    })?;
    report.resealed += 1;
    Ok(Some(key.seal(&plain, at)))
}
