//! A tenant's overrides of the bot's texts, by stable key and locale.
//!
//! Storage keeps what it is given; which keys exist and which placeholders a text must carry
//! is the bot's catalogue (`booking_bot::overrides::validate_override`), checked before `set`.

use booking_core::{ids::TelegramUserId, locale::Locale};
use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::Row;

use crate::{db::TenantTx, error::StorageError};

/// One stored override.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct TextOverride {
    pub key: String,
    pub locale: Locale,
    pub text: String,
    pub updated_by: Option<i64>,
    pub updated_at: DateTime<Utc>,
}

/// Every override, by key then locale.
pub async fn all(tx: &mut TenantTx) -> Result<Vec<TextOverride>, StorageError> {
    let rows = sqlx::query(
        "select key, locale, text, updated_by, updated_at from text_overrides order by key, locale",
    )
    .fetch_all(tx.conn())
    .await?;
    rows.iter()
        .map(|r| {
            let locale: String = r.try_get("locale")?;
            Ok(TextOverride {
                key: r.try_get("key")?,
                locale: locale
                    .parse()
                    .map_err(|e: booking_core::locale::UnknownLocale| {
                        StorageError::Corrupt(e.to_string())
                    })?,
                text: r.try_get("text")?,
                updated_by: r.try_get("updated_by")?,
                updated_at: r.try_get("updated_at")?,
            })
        })
        .collect()
}

/// Sets (or replaces) the text of `key` in `locale`.
pub async fn set(
    tx: &mut TenantTx,
    key: &str,
    locale: Locale,
    text: &str,
    by: Option<TelegramUserId>,
    now: DateTime<Utc>,
) -> Result<(), StorageError> {
    sqlx::query(
        "insert into text_overrides (key, locale, text, updated_by, updated_at) values ($1, $2, $3, $4, $5) \
         on conflict (key, locale) do update set text = excluded.text, updated_by = excluded.updated_by, \
             updated_at = excluded.updated_at",
    )
    .bind(key)
    .bind(locale.code())
    .bind(text)
    .bind(by.map(TelegramUserId::get))
    .bind(now)
    .execute(tx.conn())
    .await?;
    Ok(())
}

/// Back to the default; `true` when there was an override.
pub async fn reset(tx: &mut TenantTx, key: &str, locale: Locale) -> Result<bool, StorageError> {
    let done = sqlx::query("delete from text_overrides where key = $1 and locale = $2")
        .bind(key)
        .bind(locale.code())
        .execute(tx.conn())
        .await?;
    Ok(done.rows_affected() == 1)
}
