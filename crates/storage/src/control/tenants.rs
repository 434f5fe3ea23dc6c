use std::{fmt, str::FromStr};

use booking_core::{
    Tz,
    ids::{TelegramUserId, TenantId},
    locale::Locale,
    tenant::TenantStatus,
};
use chrono::{DateTime, Utc};
use secrecy::SecretString;
use serde::Serialize;
use sqlx::{PgExecutor, PgPool, Row, postgres::PgRow};

use crate::{
    control::placement::{self, Placement},
    crypto::{DataKey, SealedAt},
    error::StorageError,
};

/// Whether the operator wants a tenant's bot running.
#[derive(Copy, Clone, Eq, PartialEq, Debug, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DesiredState {
    Running,
    Stopped,
}

impl DesiredState {
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Running => "running",
            Self::Stopped => "stopped",
        }
    }
}

impl fmt::Display for DesiredState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

/// A tenant as stored in `control.tenants`. Secrets are not part of it.
#[derive(Clone, Debug, Serialize)]
pub struct TenantRecord {
    pub id: TenantId,
    pub name: String,
    pub status: TenantStatus,
    pub time_zone: Tz,
    pub locale: Locale,
    pub owner_telegram_id: Option<TelegramUserId>,
    pub bot_username: Option<String>,
    pub has_bot_token: bool,
    pub desired_state: DesiredState,
    pub image_tag: Option<String>,
    /// The operator's choice of where the bot runs; `None` follows the tenant's plan.
    pub placement: Option<Placement>,
    pub schema_version: Option<i64>,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// What is needed to create a tenant.
#[derive(Clone, Debug)]
pub struct NewTenant {
    pub name: String,
    pub time_zone: Tz,
    pub locale: Locale,
    pub owner_telegram_id: Option<TelegramUserId>,
}

const COLUMNS: &str = "tenant_id, name, status, time_zone, locale, owner_telegram_id, bot_username, \
    bot_token_enc is not null as has_bot_token, desired_state, image_tag, placement, schema_version, \
    last_error, created_at, updated_at";

fn from_row(row: &PgRow) -> Result<TenantRecord, StorageError> {
    let corrupt =
        |what: &str, value: &str| StorageError::Corrupt(format!("tenant {what} {value:?}"));
    let status: String = row.try_get("status")?;
    let zone: String = row.try_get("time_zone")?;
    let locale: String = row.try_get("locale")?;
    let desired: String = row.try_get("desired_state")?;
    Ok(TenantRecord {
        id: TenantId(row.try_get("tenant_id")?),
        name: row.try_get("name")?,
        status: TenantStatus::from_str(&status).map_err(|_| corrupt("status", &status))?,
        time_zone: Tz::from_str(&zone).map_err(|_| corrupt("time zone", &zone))?,
        locale: Locale::from_str(&locale).map_err(|_| corrupt("locale", &locale))?,
        owner_telegram_id: row
            .try_get::<Option<i64>, _>("owner_telegram_id")?
            .map(TelegramUserId),
        bot_username: row.try_get("bot_username")?,
        has_bot_token: row.try_get("has_bot_token")?,
        desired_state: match desired.as_str() {
            "running" => DesiredState::Running,
            "stopped" => DesiredState::Stopped,
            _ => return Err(corrupt("desired state", &desired)),
        },
        image_tag: row.try_get("image_tag")?,
        placement: placement::parse_stored(row.try_get("placement")?)?,
        schema_version: row.try_get("schema_version")?,
        last_error: row.try_get("last_error")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
    })
}

// The column list is a constant, so these statements are fixed text.
fn select(tail: &str) -> sqlx::AssertSqlSafe<String> {
    sqlx::AssertSqlSafe(format!("select {COLUMNS} from control.tenants {tail}"))
}

/// Inserts the tenant's control row (on a pool, or inside a transaction). Most callers want
/// [`crate::provision::create_tenant`], which also provisions and audits it.
pub async fn insert<'e>(
    executor: impl PgExecutor<'e>,
    new: &NewTenant,
) -> Result<TenantRecord, StorageError> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "insert into control.tenants (name, time_zone, locale, owner_telegram_id) \
         values ($1, $2, $3, $4) returning {COLUMNS}"
    )))
    .bind(&new.name)
    .bind(new.time_zone.name())
    .bind(new.locale.code())
    .bind(new.owner_telegram_id.map(TelegramUserId::get))
    .fetch_one(executor)
    .await?;
    from_row(&row)
}

pub async fn get(pool: &PgPool, id: TenantId) -> Result<Option<TenantRecord>, StorageError> {
    let row = sqlx::query(select("where tenant_id = $1"))
        .bind(id.get())
        .fetch_optional(pool)
        .await?;
    row.as_ref().map(from_row).transpose()
}

/// A page of tenants in id order, after `after`.
pub async fn list(
    pool: &PgPool,
    after: Option<TenantId>,
    limit: i64,
) -> Result<Vec<TenantRecord>, StorageError> {
    let rows = sqlx::query(select("where tenant_id > $1 order by tenant_id limit $2"))
        .bind(after.map_or(0, TenantId::get))
        .bind(limit)
        .fetch_all(pool)
        .await?;
    rows.iter().map(from_row).collect()
}

/// Tenants whose schema exists (everything past provisioning), for migrations.
pub async fn list_provisioned(pool: &PgPool) -> Result<Vec<TenantRecord>, StorageError> {
    let rows = sqlx::query(select(
        "where schema_version is not null order by tenant_id",
    ))
    .fetch_all(pool)
    .await?;
    rows.iter().map(from_row).collect()
}

/// Records the outcome of provisioning or migrating a tenant.
pub async fn record_migration(
    pool: &PgPool,
    id: TenantId,
    status: TenantStatus,
    version: Option<i64>,
    error: Option<&str>,
) -> Result<(), StorageError> {
    sqlx::query(
        "update control.tenants set status = $2, schema_version = $3, last_error = $4 where tenant_id = $1",
    )
    .bind(id.get())
    .bind(status.as_str())
    .bind(version)
    .bind(error)
    .execute(pool)
    .await?;
    Ok(())
}

pub async fn set_status(
    pool: &PgPool,
    id: TenantId,
    status: TenantStatus,
) -> Result<bool, StorageError> {
    let done = sqlx::query("update control.tenants set status = $2 where tenant_id = $1")
        .bind(id.get())
        .bind(status.as_str())
        .execute(pool)
        .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn set_desired_state(
    pool: &PgPool,
    id: TenantId,
    state: DesiredState,
) -> Result<bool, StorageError> {
    let done = sqlx::query("update control.tenants set desired_state = $2 where tenant_id = $1")
        .bind(id.get())
        .bind(state.as_str())
        .execute(pool)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Stores the tenant role's password, sealed with the data key for this column and row.
pub async fn set_db_password<'e>(
    executor: impl PgExecutor<'e>,
    key: &DataKey,
    id: TenantId,
    password: &SecretString,
) -> Result<(), StorageError> {
    sqlx::query("update control.tenants set db_password_enc = $2 where tenant_id = $1")
        .bind(id.get())
        .bind(key.seal(password, SealedAt::TenantDbPassword(id)))
        .execute(executor)
        .await?;
    Ok(())
}

/// Stores the password of the tenant's Redis user, sealed like the database password.
pub async fn set_redis_password<'e>(
    executor: impl PgExecutor<'e>,
    key: &DataKey,
    id: TenantId,
    password: &SecretString,
) -> Result<(), StorageError> {
    sqlx::query("update control.tenants set redis_password_enc = $2 where tenant_id = $1")
        .bind(id.get())
        .bind(key.seal(password, SealedAt::TenantRedisPassword(id)))
        .execute(executor)
        .await?;
    Ok(())
}

/// A tenant's secrets, opened: what whoever starts its bot needs. `None` where none is set.
#[derive(Clone, Debug)]
pub struct TenantSecrets {
    pub db_password: Option<SecretString>,
    pub bot_token: Option<SecretString>,
    /// Set once the tenant has a Redis user of its own (`REDIS_ACL=on`).
    pub redis_password: Option<SecretString>,
}

/// Opens a tenant's secrets. A value that does not open where it is stored (another key, a
/// value copied from another row or column) is an error, never taken as it is.
pub async fn secrets(
    pool: &PgPool,
    key: &DataKey,
    id: TenantId,
) -> Result<TenantSecrets, StorageError> {
    let row = sqlx::query(
        "select db_password_enc, bot_token_enc, redis_password_enc from control.tenants \
         where tenant_id = $1",
    )
    .bind(id.get())
    .fetch_optional(pool)
    .await?
    .ok_or(StorageError::TenantNotFound(id))?;
    let open = |column: &str, at: SealedAt| -> Result<Option<SecretString>, StorageError> {
        row.try_get::<Option<Vec<u8>>, _>(column)?
            .map(|sealed| key.open(&sealed, at))
            .transpose()
    };
    Ok(TenantSecrets {
        db_password: open("db_password_enc", SealedAt::TenantDbPassword(id))?,
        bot_token: open("bot_token_enc", SealedAt::TenantBotToken(id))?,
        redis_password: open("redis_password_enc", SealedAt::TenantRedisPassword(id))?,
    })
}

pub async fn delete(pool: &PgPool, id: TenantId) -> Result<bool, StorageError> {
    let done = sqlx::query("delete from control.tenants where tenant_id = $1")
        .bind(id.get())
        .execute(pool)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Writes one line of the platform audit log.
pub async fn audit<'e>(
    executor: impl PgExecutor<'e>,
    actor: &str,
    action: &str,
    tenant: Option<TenantId>,
    details: serde_json::Value,
) -> Result<(), StorageError> {
    sqlx::query(
        "insert into control.audit_log (actor, action, tenant_id, details) values ($1, $2, $3, $4)",
    )
    .bind(actor)
    .bind(action)
    .bind(tenant.map(TenantId::get))
    .bind(details)
    .execute(executor)
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opened_secrets_do_not_show_in_debug() {
        let secrets = TenantSecrets {
            db_password: Some(SecretString::from("db-pw")),
            bot_token: Some(SecretString::from("1:bot-token")),
            redis_password: Some(SecretString::from("redis-pw")),
        };
        let shown = format!("{secrets:?}");
        for secret in ["db-pw", "bot-token", "redis-pw"] {
            assert!(!shown.contains(secret), "{shown}");
        }
    }
}
