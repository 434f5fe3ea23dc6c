//! Free trials (`control.trials`): one per Telegram user, ever.

use booking_core::ids::TenantId;
use chrono::{DateTime, Duration, Utc};
use sqlx::PgPool;
use uuid::Uuid;

use super::{
    alerts::{self, AlertKind, NewAlert},
    orders::{COLUMNS, NewOrder, Order, OrderId, from_row},
    payments::insert_tenant,
};
use crate::{
    crypto::{DataKey, SealedAt},
    error::StorageError,
};

/// Whether this Telegram user has had their trial.
pub async fn used(pool: &PgPool, telegram_user: i64) -> Result<bool, StorageError> {
    let used: bool = sqlx::query_scalar(
        "select exists (select 1 from control.trials where telegram_user_id = $1)",
    )
    .bind(telegram_user)
    .fetch_one(pool)
    .await?;
    Ok(used)
}

/// Starts a trial in one transaction: the user's one trial is taken, a free order is written
/// as paid (so the tenant is provisioned, deployed and announced like a bought one), the
/// tenant row is created and its `trial` subscription runs for `days`. `None` when the user
/// had their trial already (a second tap, a second chat): nothing is created.
pub async fn start(
    pool: &PgPool,
    key: &DataKey,
    new: &NewOrder,
    days: i32,
    now: DateTime<Utc>,
) -> Result<Option<(Order, TenantId)>, StorageError> {
    let mut tx = pool.begin().await?;
    let first = sqlx::query(
        "insert into control.trials (telegram_user_id) values ($1) \
         on conflict (telegram_user_id) do nothing",
    )
    .bind(new.telegram_user.get())
    .execute(&mut *tx)
    .await?;
    if first.rows_affected() == 0 {
        return Ok(None);
    }
    let id = OrderId(Uuid::new_v4());
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "insert into control.orders (order_id, kind, telegram_user_id, plan_id, business_name, \
             time_zone, locale, bot_username, bot_token_enc, amount_minor, currency, \
             idempotence_key, status, expires_at, paid_at) \
         values ($1, 'new', $2, $3, $4, $5, $6, $7, $8, 0, $9, $10, 'paid', $11, $11) \
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
    .bind(&new.currency)
    .bind(Uuid::new_v4())
    .bind(now)
    .fetch_one(&mut *tx)
    .await?;
    let mut order = from_row(&row)?;
    let tenant = insert_tenant(&mut tx, key, order.id).await?;
    order.tenant = Some(tenant);
    sqlx::query(
        "insert into control.subscriptions (tenant_id, plan_id, status, current_period_end) \
         values ($1, $2, 'trial', $3)",
    )
    .bind(tenant.get())
    .bind(new.plan.get())
    .bind(now + Duration::days(i64::from(days)))
    .execute(&mut *tx)
    .await?;
    sqlx::query("update control.trials set tenant_id = $2 where telegram_user_id = $1")
        .bind(new.telegram_user.get())
        .bind(tenant.get())
        .execute(&mut *tx)
        .await?;
    alerts::raise(
        &mut *tx,
        &NewAlert {
            kind: AlertKind::TenantCreated,
            tenant: Some(tenant),
            message: format!(
                "Trial started: \"{}\" (tenant {tenant}, {days} days)",
                new.business_name
            ),
            dedupe_key: Some(format!("trial:{}", new.telegram_user)),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(Some((order, tenant)))
}
