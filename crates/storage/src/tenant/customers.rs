use std::str::FromStr;

use booking_core::{
    ids::{CustomerId, TelegramUserId},
    locale::Locale,
};
use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::{Row, postgres::PgRow};

use crate::{db::TenantTx, error::StorageError};

/// What Telegram tells us about a user when they write.
#[derive(Clone, Debug)]
pub struct TelegramProfile {
    pub telegram_user_id: TelegramUserId,
    pub first_name: String,
    pub last_name: Option<String>,
    pub username: Option<String>,
}

/// A customer of this business.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct Customer {
    pub id: CustomerId,
    pub telegram_user_id: TelegramUserId,
    pub first_name: String,
    pub last_name: Option<String>,
    pub username: Option<String>,
    pub phone: Option<String>,
    pub locale: Option<Locale>,
    pub source: Option<String>,
    pub blocked_bot_at: Option<DateTime<Utc>>,
}

impl Customer {
    #[must_use]
    pub fn display_name(&self) -> String {
        match &self.last_name {
            Some(last) if !last.is_empty() => format!("{} {last}", self.first_name),
            _ => self.first_name.clone(),
        }
    }
}

const COLUMNS: &str = "customer_id, telegram_user_id, first_name, last_name, username, phone, locale, source, blocked_bot_at";

fn from_row(row: &PgRow) -> Result<Customer, StorageError> {
    let locale: Option<String> = row.try_get("locale")?;
    Ok(Customer {
        id: CustomerId(row.try_get("customer_id")?),
        telegram_user_id: TelegramUserId(row.try_get("telegram_user_id")?),
        first_name: row.try_get("first_name")?,
        last_name: row.try_get("last_name")?,
        username: row.try_get("username")?,
        phone: row.try_get("phone")?,
        locale: locale.and_then(|l| Locale::from_str(&l).ok()),
        source: row.try_get("source")?,
        blocked_bot_at: row.try_get("blocked_bot_at")?,
    })
}

/// Creates the customer on first contact, or refreshes their names. The first deep-link
/// source sticks; a customer who writes again is no longer marked as having blocked the bot.
pub async fn upsert(
    tx: &mut TenantTx,
    profile: &TelegramProfile,
    source: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Customer, StorageError> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "insert into customers (telegram_user_id, first_name, last_name, username, source, last_seen_at) \
         values ($1, $2, $3, $4, $5, $6) \
         on conflict (telegram_user_id) do update set first_name = excluded.first_name, \
             last_name = excluded.last_name, username = excluded.username, \
             source = coalesce(customers.source, excluded.source), \
             last_seen_at = excluded.last_seen_at, blocked_bot_at = null \
         returning {COLUMNS}"
    )))
    .bind(profile.telegram_user_id.get())
    .bind(&profile.first_name)
    .bind(&profile.last_name)
    .bind(&profile.username)
    .bind(source)
    .bind(now)
    .fetch_one(tx.conn())
    .await?;
    from_row(&row)
}

pub async fn by_telegram(
    tx: &mut TenantTx,
    id: TelegramUserId,
) -> Result<Option<Customer>, StorageError> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "select {COLUMNS} from customers where telegram_user_id = $1"
    )))
    .bind(id.get())
    .fetch_optional(tx.conn())
    .await?;
    row.as_ref().map(from_row).transpose()
}

pub async fn get(tx: &mut TenantTx, id: CustomerId) -> Result<Option<Customer>, StorageError> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "select {COLUMNS} from customers where customer_id = $1"
    )))
    .bind(id.get())
    .fetch_optional(tx.conn())
    .await?;
    row.as_ref().map(from_row).transpose()
}

pub async fn set_phone(tx: &mut TenantTx, id: CustomerId, phone: &str) -> Result<(), StorageError> {
    sqlx::query("update customers set phone = $2 where customer_id = $1")
        .bind(id.get())
        .bind(phone)
        .execute(tx.conn())
        .await?;
    Ok(())
}

pub async fn set_locale(
    tx: &mut TenantTx,
    id: CustomerId,
    locale: Locale,
) -> Result<(), StorageError> {
    sqlx::query("update customers set locale = $2 where customer_id = $1")
        .bind(id.get())
        .bind(locale.code())
        .execute(tx.conn())
        .await?;
    Ok(())
}

/// Telegram answered 403: stop messaging them until they write again.
pub async fn mark_blocked(
    tx: &mut TenantTx,
    id: TelegramUserId,
    now: DateTime<Utc>,
) -> Result<(), StorageError> {
    sqlx::query("update customers set blocked_bot_at = $2 where telegram_user_id = $1 and blocked_bot_at is null")
        .bind(id.get())
        .bind(now)
        .execute(tx.conn())
        .await?;
    Ok(())
}
