//! Orders of the sales bot (`control.orders`): what a buyer asked for and the state of its
//! payment.
//!
//! An order is written, with its Idempotence-Key, before YooKassa is called, so a retry after
//! a crash or a 500 reuses the key and can only ever make one payment. Paying it is in
//! [`super::payments::activate`].

use std::{fmt, str::FromStr};

use booking_core::{
    Tz,
    ids::{PlanId, TelegramUserId, TenantId},
    locale::Locale,
};
use chrono::{DateTime, Utc};
use secrecy::SecretString;
use serde::{Deserialize, Serialize};
use sqlx::{PgExecutor, PgPool, Row, postgres::PgRow};
use uuid::Uuid;

use crate::{
    crypto::{DataKey, SealedAt},
    error::StorageError,
};

/// An order's id; also YooKassa's `metadata.order_id`.
#[derive(Copy, Clone, Eq, PartialEq, Hash, Debug, Serialize, Deserialize)]
#[serde(transparent)]
pub struct OrderId(pub Uuid);

impl fmt::Display for OrderId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl FromStr for OrderId {
    type Err = uuid::Error;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Uuid::parse_str(s).map(Self)
    }
}

/// The key sent as YooKassa's `Idempotence-Key` header for this order's payment.
#[derive(Copy, Clone, Eq, PartialEq, Debug)]
pub struct IdempotenceKey(pub Uuid);

impl fmt::Display for IdempotenceKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// Where an order is.
#[derive(Copy, Clone, Eq, PartialEq, Debug, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderStatus {
    Pending,
    Paid,
    Expired,
    Cancelled,
}

impl OrderStatus {
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Paid => "paid",
            Self::Expired => "expired",
            Self::Cancelled => "cancelled",
        }
    }

    fn parse(s: &str) -> Result<Self, StorageError> {
        Ok(match s {
            "pending" => Self::Pending,
            "paid" => Self::Paid,
            "expired" => Self::Expired,
            "cancelled" => Self::Cancelled,
            other => return Err(StorageError::Corrupt(format!("order status {other:?}"))),
        })
    }
}

/// What an order pays for.
#[derive(Copy, Clone, Eq, PartialEq, Debug, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderKind {
    /// A new tenant, created when the order is paid.
    New,
    /// Another period for an existing tenant, charged to its saved payment method.
    Renewal,
}

impl OrderKind {
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::New => "new",
            Self::Renewal => "renewal",
        }
    }
}

/// An order as stored. The bot token is not part of it (see [`bot_token`]).
#[derive(Clone, Debug)]
pub struct Order {
    pub id: OrderId,
    pub kind: OrderKind,
    pub telegram_user: TelegramUserId,
    pub plan: PlanId,
    pub tenant: Option<TenantId>,
    pub business_name: String,
    pub time_zone: Tz,
    pub locale: Locale,
    pub bot_username: Option<String>,
    pub amount_minor: i64,
    pub currency: String,
    pub status: OrderStatus,
    pub idempotence_key: IdempotenceKey,
    pub payment_id: Option<String>,
    pub confirmation_url: Option<String>,
    pub receipt_email: Option<String>,
    pub review_reason: Option<String>,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub paid_at: Option<DateTime<Utc>>,
    pub provisioned_at: Option<DateTime<Utc>>,
    pub live_notified_at: Option<DateTime<Utc>>,
    /// The saved payment method an automatic renewal charges; `None`: paid on YooKassa's page
    /// (a first purchase, or an owner renewing by hand).
    pub charge_method: Option<String>,
}

/// A new order for a new tenant; the caller has validated every field and checked the bot.
#[derive(Clone, Debug)]
pub struct NewOrder {
    pub telegram_user: TelegramUserId,
    pub plan: PlanId,
    pub business_name: String,
    pub time_zone: Tz,
    pub locale: Locale,
    pub bot_username: String,
    /// Sealed with the platform's data key when the order is written, bound to its row.
    pub bot_token: SecretString,
    pub amount_minor: i64,
    pub currency: String,
    pub receipt_email: Option<String>,
    pub expires_at: DateTime<Utc>,
}

pub(crate) const COLUMNS: &str = "order_id, kind, telegram_user_id, plan_id, tenant_id, \
    business_name, time_zone, locale, bot_username, amount_minor, currency, status, \
    idempotence_key, payment_id, confirmation_url, receipt_email, review_reason, created_at, \
    expires_at, paid_at, provisioned_at, live_notified_at, charge_method";

pub(crate) fn from_row(row: &PgRow) -> Result<Order, StorageError> {
    let zone: String = row.try_get("time_zone")?;
    let locale: String = row.try_get("locale")?;
    let kind: String = row.try_get("kind")?;
    let status: String = row.try_get("status")?;
    Ok(Order {
        id: OrderId(row.try_get("order_id")?),
        kind: match kind.as_str() {
            "new" => OrderKind::New,
            "renewal" => OrderKind::Renewal,
            other => return Err(StorageError::Corrupt(format!("order kind {other:?}"))),
        },
        telegram_user: TelegramUserId(row.try_get("telegram_user_id")?),
        plan: PlanId(row.try_get("plan_id")?),
        tenant: row.try_get::<Option<i64>, _>("tenant_id")?.map(TenantId),
        business_name: row.try_get("business_name")?,
        time_zone: Tz::from_str(&zone)
            .map_err(|_| StorageError::Corrupt(format!("order time zone {zone:?}")))?,
        locale: Locale::from_str(&locale)
            .map_err(|_| StorageError::Corrupt(format!("order locale {locale:?}")))?,
        bot_username: row.try_get("bot_username")?,
        amount_minor: row.try_get("amount_minor")?,
        currency: row.try_get("currency")?,
        status: OrderStatus::parse(&status)?,
        idempotence_key: IdempotenceKey(row.try_get("idempotence_key")?),
        payment_id: row.try_get("payment_id")?,
        confirmation_url: row.try_get("confirmation_url")?,
        receipt_email: row.try_get("receipt_email")?,
        review_reason: row.try_get("review_reason")?,
        charge_method: row.try_get("charge_method")?,
        created_at: row.try_get("created_at")?,
        expires_at: row.try_get("expires_at")?,
        paid_at: row.try_get("paid_at")?,
        provisioned_at: row.try_get("provisioned_at")?,
        live_notified_at: row.try_get("live_notified_at")?,
    })
}

fn select(tail: &str) -> sqlx::AssertSqlSafe<String> {
    sqlx::AssertSqlSafe(format!("select {COLUMNS} from control.orders {tail}"))
}

/// Unpaid orders one buyer may have open at once. Each one is a row here and a payment at
/// YooKassa, so a buyer (or a script behind one Telegram account) cannot pile them up.
pub const MAX_PENDING_PER_BUYER: i64 = 3;

/// The buyer already has [`MAX_PENDING_PER_BUYER`] unpaid orders; nothing was written.
#[derive(Copy, Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("the buyer has {limit} unpaid orders already")]
pub struct TooManyPending {
    pub limit: i64,
}

/// Writes a new order with a fresh Idempotence-Key, before any payment is attempted, its bot
/// token sealed with `key` for this order's row. Refused while the buyer has
/// [`MAX_PENDING_PER_BUYER`] unpaid orders that have not expired at `now`.
pub async fn insert(
    pool: &PgPool,
    key: &DataKey,
    new: &NewOrder,
    now: DateTime<Utc>,
) -> Result<Result<Order, TooManyPending>, StorageError> {
    let mut tx = pool.begin().await?;
    // One buyer's inserts one at a time: two taps at once cannot both slip under the cap.
    sqlx::query("select pg_advisory_xact_lock(hashtext('order_cap'), hashtext($1::text))")
        .bind(new.telegram_user.get())
        .execute(&mut *tx)
        .await?;
    let pending: i64 = sqlx::query_scalar(
        "select count(*) from control.orders \
         where telegram_user_id = $1 and status = 'pending' and expires_at > $2",
    )
    .bind(new.telegram_user.get())
    .bind(now)
    .fetch_one(&mut *tx)
    .await?;
    if pending >= MAX_PENDING_PER_BUYER {
        return Ok(Err(TooManyPending {
            limit: MAX_PENDING_PER_BUYER,
        }));
    }
    let id = OrderId(Uuid::new_v4());
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "insert into control.orders (order_id, kind, telegram_user_id, plan_id, business_name, \
             time_zone, locale, bot_username, bot_token_enc, amount_minor, currency, \
             idempotence_key, receipt_email, expires_at) \
         values ($1, 'new', $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) \
         returning {COLUMNS}"
    )))
    .bind(id.0)
    .bind(new.telegram_user.get())
    .bind(new.plan.get())
    .bind(&new.business_name)
    .bind(new.time_zone.name())
    .bind(new.locale.code())
    .bind(&new.bot_username)
    .bind(key.seal(&new.bot_token, SealedAt::OrderBotToken(id)))
    .bind(new.amount_minor)
    .bind(&new.currency)
    .bind(Uuid::new_v4())
    .bind(&new.receipt_email)
    .bind(new.expires_at)
    .fetch_one(&mut *tx)
    .await?;
    let order = from_row(&row)?;
    tx.commit().await?;
    Ok(Ok(order))
}

/// A renewal order for `tenant`, with its own fresh Idempotence-Key, made at `now` (the
/// caller's clock: attempts are spaced by it). Receipts go to the email of the tenant's
/// latest order that gave one. `charge_method` is the saved method an automatic renewal
/// charges; `None` has the owner pay on YooKassa's page.
#[allow(clippy::too_many_arguments)] // each is one column of the order
pub async fn insert_renewal(
    pool: &PgPool,
    tenant: TenantId,
    telegram_user: TelegramUserId,
    plan: PlanId,
    amount_minor: i64,
    currency: &str,
    charge_method: Option<&str>,
    now: DateTime<Utc>,
    expires_at: DateTime<Utc>,
) -> Result<Order, StorageError> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "insert into control.orders (order_id, kind, telegram_user_id, plan_id, tenant_id, \
             business_name, time_zone, locale, amount_minor, currency, idempotence_key, \
             created_at, expires_at, charge_method, receipt_email) \
         select $1, 'renewal', $2, $3, t.tenant_id, t.name, t.time_zone, t.locale, $5, $6, $7, \
             $8, $9, $10, \
             (select o.receipt_email from control.orders o \
              where o.tenant_id = t.tenant_id and o.receipt_email is not null \
              order by o.created_at desc limit 1) \
         from control.tenants t where t.tenant_id = $4 \
         returning {COLUMNS}"
    )))
    .bind(Uuid::new_v4())
    .bind(telegram_user.get())
    .bind(plan.get())
    .bind(tenant.get())
    .bind(amount_minor)
    .bind(currency)
    .bind(Uuid::new_v4())
    .bind(now)
    .bind(expires_at)
    .bind(charge_method)
    .fetch_optional(pool)
    .await?
    .ok_or(StorageError::TenantNotFound(tenant))?;
    from_row(&row)
}

pub async fn get<'e>(
    executor: impl PgExecutor<'e>,
    id: OrderId,
) -> Result<Option<Order>, StorageError> {
    let row = sqlx::query(select("where order_id = $1"))
        .bind(id.0)
        .fetch_optional(executor)
        .await?;
    row.as_ref().map(from_row).transpose()
}

/// The order a YooKassa payment was made for.
pub async fn by_payment(pool: &PgPool, payment_id: &str) -> Result<Option<Order>, StorageError> {
    let row = sqlx::query(select("where payment_id = $1"))
        .bind(payment_id)
        .fetch_optional(pool)
        .await?;
    row.as_ref().map(from_row).transpose()
}

/// The bot token of an order for a new tenant, opened with `key`.
pub async fn bot_token<'e>(
    executor: impl PgExecutor<'e>,
    key: &DataKey,
    id: OrderId,
) -> Result<Option<SecretString>, StorageError> {
    let sealed: Option<Option<Vec<u8>>> =
        sqlx::query_scalar("select bot_token_enc from control.orders where order_id = $1")
            .bind(id.0)
            .fetch_optional(executor)
            .await?;
    sealed
        .flatten()
        .map(|sealed| key.open(&sealed, SealedAt::OrderBotToken(id)))
        .transpose()
}

/// Records the payment YooKassa made for the order. The first id stays: the same key can only
/// ever yield the same payment, so a different one is refused (`false`).
pub async fn set_payment(
    pool: &PgPool,
    id: OrderId,
    payment_id: &str,
    confirmation_url: Option<&str>,
) -> Result<bool, StorageError> {
    let done = sqlx::query(
        "update control.orders set payment_id = $2, \
             confirmation_url = coalesce($3, confirmation_url) \
         where order_id = $1 and (payment_id is null or payment_id = $2)",
    )
    .bind(id.0)
    .bind(payment_id)
    .bind(confirmation_url)
    .execute(pool)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Orders still waiting for their payment, oldest first (for reconciliation); not those left
/// for an operator (see `order_review`).
pub async fn pending(pool: &PgPool, limit: i64) -> Result<Vec<Order>, StorageError> {
    let rows = sqlx::query(select(
        "where status = 'pending' and left_for_review_at is null \
         order by created_at, order_id limit $1",
    ))
    .bind(limit)
    .fetch_all(pool)
    .await?;
    rows.iter().map(from_row).collect()
}

/// Marks a pending order expired (or cancelled, when its payment was). `false` if it was not
/// pending any more. A payment that succeeds later still activates it (see
/// [`super::payments::activate`]): the money was taken.
pub async fn close(pool: &PgPool, id: OrderId, status: OrderStatus) -> Result<bool, StorageError> {
    let done = sqlx::query(
        "update control.orders set status = $2 where order_id = $1 and status = 'pending'",
    )
    .bind(id.0)
    .bind(status.as_str())
    .execute(pool)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Paid orders whose tenant still has to be provisioned and deployed.
pub async fn unprovisioned(pool: &PgPool, limit: i64) -> Result<Vec<Order>, StorageError> {
    let rows = sqlx::query(select(
        "where status = 'paid' and kind = 'new' and provisioned_at is null \
             and tenant_id is not null \
         order by paid_at limit $1",
    ))
    .bind(limit)
    .fetch_all(pool)
    .await?;
    rows.iter().map(from_row).collect()
}

pub async fn mark_provisioned(
    pool: &PgPool,
    id: OrderId,
    now: DateTime<Utc>,
) -> Result<bool, StorageError> {
    let done = sqlx::query(
        "update control.orders set provisioned_at = $2 \
         where order_id = $1 and provisioned_at is null",
    )
    .bind(id.0)
    .bind(now)
    .execute(pool)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// A lock on provisioning the order's tenant, held until the returned transaction ends
/// (dropped or committed). The webhook's follow-up and a reconciliation pass may both reach a
/// fresh paid order: without it, each would seal its own role password and the one stored
/// could end up not being the one the role has.
pub async fn provisioning_lock(
    pool: &PgPool,
    id: OrderId,
) -> Result<sqlx::Transaction<'static, sqlx::Postgres>, StorageError> {
    let mut tx = pool.begin().await?;
    sqlx::query("select pg_advisory_xact_lock(hashtext('sales_provision'), hashtext($1))")
        .bind(id.to_string())
        .execute(&mut *tx)
        .await?;
    Ok(tx)
}

/// Provisioned orders whose buyer has not been told yet that the bot is live.
pub async fn unnotified(pool: &PgPool, limit: i64) -> Result<Vec<Order>, StorageError> {
    let rows = sqlx::query(select(
        "where status = 'paid' and kind = 'new' and provisioned_at is not null \
             and live_notified_at is null \
         order by paid_at limit $1",
    ))
    .bind(limit)
    .fetch_all(pool)
    .await?;
    rows.iter().map(from_row).collect()
}

/// Claims the "your bot is live" message: `true` for exactly one caller.
pub async fn mark_notified(
    pool: &PgPool,
    id: OrderId,
    now: DateTime<Utc>,
) -> Result<bool, StorageError> {
    let done = sqlx::query(
        "update control.orders set live_notified_at = $2 \
         where order_id = $1 and live_notified_at is null",
    )
    .bind(id.0)
    .bind(now)
    .execute(pool)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Whether `username` is the bot of a tenant, or of another buyer's paid order.
pub async fn bot_in_use(pool: &PgPool, username: &str) -> Result<bool, StorageError> {
    let used: bool = sqlx::query_scalar(
        "select exists (select 1 from control.tenants where lower(bot_username) = lower($1)) \
             or exists (select 1 from control.orders \
                        where lower(bot_username) = lower($1) and status = 'paid')",
    )
    .bind(username)
    .fetch_one(pool)
    .await?;
    Ok(used)
}
