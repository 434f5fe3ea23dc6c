//! Creating a tenant: the one sequence every creator runs (the operator API, the CLI, the demo
//! set-up, the test harness), so none of them forgets a step or does them in another order.
//!
//! The control row, its sealed role password and its bot are written in one transaction, so a
//! bot another tenant took meanwhile leaves nothing behind. The schema and role are made after
//! that commits: DDL and migrations run on their own connections and need the row.

use booking_core::{
    Tz,
    ids::{TelegramUserId, TenantId},
    locale::Locale,
};
use secrecy::SecretString;
use serde_json::json;

use super::{Provisioned, provision_tenant};
use crate::{
    control::{
        tenant_admin::{self, BotTaken},
        tenants::{self, NewTenant, TenantRecord},
    },
    crypto::{DataKey, random_password},
    db::Db,
    error::StorageError,
    redis_acl::{RedisAcl, ensure_tenant_user},
};

/// The tenant's bot: its token and its username as getMe gave it.
#[derive(Clone, Debug)]
pub struct TenantBot {
    pub username: String,
    /// Sealed with the data key for the tenant's row when the tenant is created.
    pub token: SecretString,
}

/// What a new tenant is made of, and who makes it.
#[derive(Clone, Debug)]
pub struct CreateTenant {
    /// The business's name, already checked by the caller (`catalogue::checked_name`).
    pub name: String,
    pub time_zone: Tz,
    pub locale: Locale,
    /// Gets the owner role in the tenant's bot.
    pub owner: Option<TelegramUserId>,
    pub bot: Option<TenantBot>,
    /// Who creates it, as the audit log names actors (`operator:<key id>`, `cli`, ...).
    pub actor: String,
}

/// Why a tenant was not created.
#[derive(Debug, thiserror::Error)]
pub enum CreateTenantError {
    /// Another tenant's bot has this username; nothing was created.
    #[error(transparent)]
    BotTaken(#[from] BotTaken),
    #[error(transparent)]
    Storage(#[from] StorageError),
}

impl From<sqlx::Error> for CreateTenantError {
    fn from(e: sqlx::Error) -> Self {
        Self::Storage(e.into())
    }
}

/// Creates a tenant: its control row with a random role password sealed with `key` (and its
/// bot, the token sealed with `key`), then its schema and role ([`provision_tenant`]), its
/// Redis user when `redis` is given (`REDIS_ACL=on`), then the `tenant.create` audit line.
/// Returns the tenant as it stands after provisioning.
///
/// A provisioning failure leaves the row with its error recorded (as [`provision_tenant`]
/// does), for an operator to retry or delete.
pub async fn create_tenant(
    db: &Db,
    key: &DataKey,
    redis: Option<&RedisAcl>,
    new: &CreateTenant,
) -> Result<TenantRecord, CreateTenantError> {
    let password = random_password();
    let mut tx = db.pool().begin().await?;
    let record = tenants::insert(
        &mut *tx,
        &NewTenant {
            name: new.name.clone(),
            time_zone: new.time_zone,
            locale: new.locale,
            owner_telegram_id: new.owner,
        },
    )
    .await?;
    tenants::set_db_password(&mut *tx, key, record.id, &password).await?;
    if let Some(bot) = &new.bot {
        // A lost race for the bot ends here: dropping the transaction undoes the row.
        tenant_admin::set_bot(&mut *tx, key, record.id, &bot.token, &bot.username).await??;
    }
    tx.commit().await?;
    provision_tenant(db, record.id, &password).await?;
    if let Some(redis) = redis {
        ensure_tenant_user(db, key, redis, record.id).await?;
    }
    tenants::audit(
        db.pool(),
        &new.actor,
        "tenant.create",
        Some(record.id),
        json!({ "bot_token_set": new.bot.is_some() }),
    )
    .await?;
    Ok(tenants::get(db.pool(), record.id)
        .await?
        .ok_or(StorageError::TenantNotFound(record.id))?)
}

/// Provisions a tenant whose control row another transaction wrote (a paid order's): a random
/// role password, sealed with `key` and stored, then [`provision_tenant`], then its Redis user
/// when `redis` is given.
pub async fn provision_with_new_password(
    db: &Db,
    key: &DataKey,
    redis: Option<&RedisAcl>,
    tenant: TenantId,
) -> Result<Provisioned, StorageError> {
    let password = random_password();
    tenants::set_db_password(db.pool(), key, tenant, &password).await?;
    let provisioned = provision_tenant(db, tenant, &password).await?;
    if let Some(redis) = redis {
        ensure_tenant_user(db, key, redis, tenant).await?;
    }
    Ok(provisioned)
}
