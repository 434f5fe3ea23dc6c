//! What `master-bot migrate` does, and `serve` before it serves: the migrations (control and
//! every tenant), the one-time binding of sealed values to their place
//! (`storage::crypto::reseal`), and, with `REDIS_ACL=on`, every tenant's Redis user (and the
//! sales bot's, when its password is given) made again where Redis lost it.

use storage::{
    Db, StorageError,
    crypto::reseal::{self, ResealReport},
    migrate::{self, MigrateProgress, MigrationReport},
    redis_acl::{self, SyncReport},
};

use crate::api::state::PlatformKeys;

/// What [`run`] did.
#[derive(Clone, Debug, Default)]
pub struct UpkeepReport {
    pub migration: MigrationReport,
    /// `None` without a data key: the sealed values could not be looked at.
    pub reseal: Option<ResealReport>,
    /// `None` with `REDIS_ACL=off`.
    pub redis: Option<SyncReport>,
}

/// Why the upkeep stopped.
#[derive(Debug, thiserror::Error)]
pub enum UpkeepError {
    #[error(transparent)]
    Storage(#[from] StorageError),
    #[error("REDIS_ACL=on needs DATA_KEY: tenants' Redis passwords are sealed with it")]
    RedisWithoutKey,
}

/// Migrates, binds sealed values, and makes Redis users; each step idempotent.
pub async fn run(
    db: &Db,
    keys: &PlatformKeys,
    progress: impl FnMut(MigrateProgress),
) -> Result<UpkeepReport, UpkeepError> {
    let migration = migrate::migrate_all(db, progress).await?;
    let reseal = match &keys.data_key {
        Some(key) => Some(reseal::bind_all(db.pool(), key).await?),
        None => None,
    };
    let redis = match (&keys.redis_acl, &keys.data_key) {
        (None, _) => None,
        (Some(_), None) => return Err(UpkeepError::RedisWithoutKey),
        (Some(acl), Some(key)) => {
            Some(redis_acl::sync(db, key, acl, keys.sales_redis_password.as_ref()).await?)
        }
    };
    Ok(UpkeepReport {
        migration,
        reseal,
        redis,
    })
}
