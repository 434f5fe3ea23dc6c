use std::str::FromStr;

use booking_core::{Tz, currency::Currency, locale::Locale, policy::Policy};
use serde::{Serialize, de::DeserializeOwned};
use sqlx::Row;

use crate::{db::TenantTx, error::StorageError};

/// Who the tenant is, as its own schema records it (a tenant's bot cannot read `control`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TenantProfile {
    pub name: String,
    pub time_zone: Tz,
    pub locale: Locale,
    pub policy: Policy,
    /// What prices are in (RUB until the owner says otherwise).
    pub currency: Currency,
}

/// Writes the tenant's name, zone and locale, and the default policy if none is set yet.
pub async fn seed(
    tx: &mut TenantTx,
    name: &str,
    zone: Tz,
    locale: Locale,
) -> Result<(), StorageError> {
    set(tx, "name", &name).await?;
    set(tx, "time_zone", &zone.name()).await?;
    set(tx, "locale", &locale.code()).await?;
    sqlx::query(
        "insert into settings (key, value) values ('policy', $1) on conflict (key) do nothing",
    )
    .bind(
        serde_json::to_value(Policy::default())
            .map_err(|e| StorageError::Corrupt(e.to_string()))?,
    )
    .execute(tx.conn())
    .await?;
    Ok(())
}

/// The profile and policy in one round trip.
pub async fn profile(tx: &mut TenantTx) -> Result<TenantProfile, StorageError> {
    let rows = sqlx::query(
        "select key, value from settings \
         where key in ('name', 'time_zone', 'locale', 'policy', 'currency')",
    )
    .fetch_all(tx.conn())
    .await?;
    let mut pairs = Vec::with_capacity(rows.len());
    for row in rows {
        pairs.push((row.try_get("key")?, row.try_get("value")?));
    }
    profile_from(pairs)
}

/// Builds the profile from `(key, value)` settings; missing keys take their defaults.
pub(crate) fn profile_from(
    pairs: impl IntoIterator<Item = (String, serde_json::Value)>,
) -> Result<TenantProfile, StorageError> {
    let mut profile = TenantProfile {
        name: String::new(),
        time_zone: Tz::UTC,
        locale: Locale::default(),
        policy: Policy::default(),
        currency: Currency::default(),
    };
    for (key, value) in pairs {
        let bad = |what: &str| StorageError::Corrupt(format!("setting {what}: {value}"));
        match key.as_str() {
            "name" => profile.name = value.as_str().unwrap_or_default().to_owned(),
            "time_zone" => {
                profile.time_zone = value
                    .as_str()
                    .and_then(|z| Tz::from_str(z).ok())
                    .ok_or_else(|| bad("time_zone"))?;
            }
            "locale" => {
                profile.locale = value
                    .as_str()
                    .and_then(|l| Locale::from_str(l).ok())
                    .ok_or_else(|| bad("locale"))?;
            }
            "policy" => {
                profile.policy = serde_json::from_value(value.clone()).map_err(|_| bad("policy"))?
            }
            "currency" => {
                profile.currency =
                    serde_json::from_value(value.clone()).map_err(|_| bad("currency"))?;
            }
            _ => {}
        }
    }
    Ok(profile)
}

/// Sets the currency prices are shown in (the type only holds supported ISO 4217 codes).
pub async fn set_currency(tx: &mut TenantTx, currency: Currency) -> Result<(), StorageError> {
    set(tx, "currency", &currency).await
}

/// Replaces the policy after checking it.
pub async fn set_policy(tx: &mut TenantTx, policy: &Policy) -> Result<(), StorageError> {
    policy
        .validate()
        .map_err(|e| StorageError::Refused(e.to_string()))?;
    set(tx, "policy", policy).await
}

pub async fn get<T: DeserializeOwned>(
    tx: &mut TenantTx,
    key: &str,
) -> Result<Option<T>, StorageError> {
    let value: Option<serde_json::Value> =
        sqlx::query_scalar("select value from settings where key = $1")
            .bind(key)
            .fetch_optional(tx.conn())
            .await?;
    value
        .map(|v| {
            serde_json::from_value(v)
                .map_err(|e| StorageError::Corrupt(format!("setting {key}: {e}")))
        })
        .transpose()
}

pub async fn set<T: Serialize + ?Sized>(
    tx: &mut TenantTx,
    key: &str,
    value: &T,
) -> Result<(), StorageError> {
    let value = serde_json::to_value(value).map_err(|e| StorageError::Corrupt(e.to_string()))?;
    sqlx::query(
        "insert into settings (key, value) values ($1, $2) \
         on conflict (key) do update set value = excluded.value, updated_at = now()",
    )
    .bind(key)
    .bind(value)
    .execute(tx.conn())
    .await?;
    Ok(())
}
