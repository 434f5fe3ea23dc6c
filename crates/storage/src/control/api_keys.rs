//! API keys of the operator REST API.
//!
//! A key reads `bk_<prefix>_<secret>`. The prefix is public: it finds the row and appears in
//! lists and logs. The secret is shown once, when the key is made; only its SHA-256 is stored,
//! and presented secrets are compared with it in constant time.

use std::fmt;

use booking_core::ids::TenantId;
use chrono::{DateTime, Utc};
use rand::Rng;
use secrecy::{ExposeSecret, SecretString};
use serde::Serialize;
use sha2::{Digest, Sha256};
use sqlx::{PgPool, Row, postgres::PgRow};
use subtle::ConstantTimeEq;

use crate::error::StorageError;

const PREFIX_LEN: usize = 12;
const SECRET_LEN: usize = 40;
/// Lowercase letters and digits: no `_`, so the key splits unambiguously, and nothing that
/// needs escaping in a header or a shell.
const ALPHABET: &[u8] = b"abcdefghijkmnopqrstuvwxyz23456789";

/// An API key's row id.
#[derive(Copy, Clone, Eq, PartialEq, Ord, PartialOrd, Hash, Debug, Serialize)]
#[serde(transparent)]
pub struct ApiKeyId(pub i64);

impl ApiKeyId {
    #[must_use]
    pub const fn get(self) -> i64 {
        self.0
    }
}

impl fmt::Display for ApiKeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// What a key may touch: the whole platform, or one tenant.
#[derive(Copy, Clone, Eq, PartialEq, Debug, Serialize)]
#[serde(tag = "scope", content = "tenant_id", rename_all = "snake_case")]
pub enum Scope {
    Operator,
    Tenant(TenantId),
}

impl Scope {
    /// Whether this key may act on `tenant`.
    #[must_use]
    pub fn covers(self, tenant: TenantId) -> bool {
        match self {
            Self::Operator => true,
            Self::Tenant(own) => own == tenant,
        }
    }
}

/// A key as listed: never its secret.
#[derive(Clone, Debug, Serialize)]
pub struct ApiKeyRecord {
    pub id: ApiKeyId,
    pub prefix: String,
    #[serde(flatten)]
    pub scope: Scope,
    pub name: String,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

/// Why a presented key was refused, for the log (the client only ever hears "401").
#[derive(Copy, Clone, Eq, PartialEq, Debug, thiserror::Error)]
pub enum KeyRejection {
    #[error("not of the form bk_<prefix>_<secret>")]
    Malformed,
    #[error("no key has this prefix")]
    Unknown,
    #[error("the secret does not match")]
    WrongSecret,
    #[error("the key was revoked")]
    Revoked,
}

fn random(len: usize) -> String {
    let mut rng = rand::rng();
    (0..len)
        .map(|_| char::from(ALPHABET[rng.random_range(0..ALPHABET.len())]))
        .collect()
}

fn hash(secret: &str) -> [u8; 32] {
    Sha256::digest(secret.as_bytes()).into()
}

/// Splits `bk_<prefix>_<secret>`, checking the shape only.
fn split(key: &str) -> Option<(&str, &str)> {
    let rest = key.strip_prefix("bk_")?;
    let (prefix, secret) = rest.split_once('_')?;
    let well_formed =
        |s: &str, len: usize| s.len() == len && s.bytes().all(|b| ALPHABET.contains(&b));
    (well_formed(prefix, PREFIX_LEN) && well_formed(secret, SECRET_LEN)).then_some((prefix, secret))
}

const COLUMNS: &str =
    "api_key_id, prefix, scope, tenant_id, name, created_at, last_used_at, revoked_at";

fn from_row(row: &PgRow) -> Result<ApiKeyRecord, StorageError> {
    let scope: String = row.try_get("scope")?;
    let tenant: Option<i64> = row.try_get("tenant_id")?;
    let scope = match (scope.as_str(), tenant) {
        ("operator", None) => Scope::Operator,
        ("tenant", Some(t)) => Scope::Tenant(TenantId(t)),
        _ => return Err(StorageError::Corrupt(format!("api key scope {scope:?}"))),
    };
    Ok(ApiKeyRecord {
        id: ApiKeyId(row.try_get("api_key_id")?),
        prefix: row.try_get("prefix")?,
        scope,
        name: row.try_get("name")?,
        created_at: row.try_get("created_at")?,
        last_used_at: row.try_get("last_used_at")?,
        revoked_at: row.try_get("revoked_at")?,
    })
}

/// Makes a key. The returned secret is the whole key, and the only time it exists in clear.
pub async fn create(
    pool: &PgPool,
    scope: Scope,
    name: &str,
) -> Result<(ApiKeyRecord, SecretString), StorageError> {
    let (prefix, secret) = (random(PREFIX_LEN), random(SECRET_LEN));
    let (kind, tenant) = match scope {
        Scope::Operator => ("operator", None),
        Scope::Tenant(t) => ("tenant", Some(t.get())),
    };
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "insert into control.api_keys (prefix, secret_hash, scope, tenant_id, name) \
         values ($1, $2, $3, $4, $5) returning {COLUMNS}"
    )))
    .bind(&prefix)
    .bind(hash(&secret).as_slice())
    .bind(kind)
    .bind(tenant)
    .bind(name)
    .fetch_one(pool)
    .await?;
    let record = from_row(&row)?;
    Ok((record, SecretString::from(format!("bk_{prefix}_{secret}"))))
}

/// Checks a presented key: the record when it is valid and live, otherwise why not.
pub async fn authenticate(
    pool: &PgPool,
    presented: &SecretString,
) -> Result<Result<ApiKeyRecord, KeyRejection>, StorageError> {
    let Some((prefix, secret)) = split(presented.expose_secret()) else {
        return Ok(Err(KeyRejection::Malformed));
    };
    let presented_hash = hash(secret);
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "select {COLUMNS}, secret_hash from control.api_keys where prefix = $1"
    )))
    .bind(prefix)
    .fetch_optional(pool)
    .await?;
    let Some(row) = row else {
        return Ok(Err(KeyRejection::Unknown));
    };
    let stored: Vec<u8> = row.try_get("secret_hash")?;
    if !bool::from(stored.as_slice().ct_eq(presented_hash.as_slice())) {
        return Ok(Err(KeyRejection::WrongSecret));
    }
    let record = from_row(&row)?;
    if record.revoked_at.is_some() {
        return Ok(Err(KeyRejection::Revoked));
    }
    // At most one write a minute per key: "last used" is for people, not an access log.
    sqlx::query(
        "update control.api_keys set last_used_at = now() \
         where api_key_id = $1 and (last_used_at is null or last_used_at < now() - interval '1 minute')",
    )
    .bind(record.id.get())
    .execute(pool)
    .await?;
    Ok(Ok(record))
}

/// Keys in id order, all of them or those of one tenant.
pub async fn list(
    pool: &PgPool,
    tenant: Option<TenantId>,
) -> Result<Vec<ApiKeyRecord>, StorageError> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "select {COLUMNS} from control.api_keys \
         where $1::bigint is null or tenant_id = $1 order by api_key_id"
    )))
    .bind(tenant.map(TenantId::get))
    .fetch_all(pool)
    .await?;
    rows.iter().map(from_row).collect()
}

pub async fn get(pool: &PgPool, id: ApiKeyId) -> Result<Option<ApiKeyRecord>, StorageError> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "select {COLUMNS} from control.api_keys where api_key_id = $1"
    )))
    .bind(id.get())
    .fetch_optional(pool)
    .await?;
    row.as_ref().map(from_row).transpose()
}

/// Revokes a key; revoking a revoked key keeps its first revocation time. False if no such key.
pub async fn revoke(pool: &PgPool, id: ApiKeyId) -> Result<bool, StorageError> {
    let done = sqlx::query(
        "update control.api_keys set revoked_at = coalesce(revoked_at, now()) where api_key_id = $1",
    )
    .bind(id.get())
    .execute(pool)
    .await?;
    Ok(done.rows_affected() == 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_split_only_when_well_formed() {
        let prefix = random(PREFIX_LEN);
        let secret = random(SECRET_LEN);
        let key = format!("bk_{prefix}_{secret}");
        assert_eq!(split(&key), Some((prefix.as_str(), secret.as_str())));
        assert_eq!(split(&key[1..]), None);
        assert_eq!(split(&format!("bk_{prefix}_{secret}x")), None);
        assert_eq!(
            split(&format!("bk_{prefix}_{}", secret.to_uppercase())),
            None
        );
        assert_eq!(split(""), None);
    }

    #[test]
    fn a_tenant_scope_covers_its_own_tenant_only() {
        assert!(Scope::Tenant(TenantId(1)).covers(TenantId(1)));
        assert!(!Scope::Tenant(TenantId(1)).covers(TenantId(2)));
        assert!(Scope::Operator.covers(TenantId(2)));
    }
}
