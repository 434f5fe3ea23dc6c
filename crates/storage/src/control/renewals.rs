//! Subscriptions due for an automatic renewal charge to their saved YooKassa payment method.

use booking_core::ids::{PlanId, TelegramUserId, TenantId};
use chrono::{DateTime, Duration, Utc};
use sqlx::{PgPool, Row};

use crate::error::StorageError;

/// A subscription to charge.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DueRenewal {
    pub tenant: TenantId,
    pub owner: TelegramUserId,
    pub plan: PlanId,
    pub price_minor: i64,
    pub currency: String,
    pub payment_method_id: String,
    pub period_end: DateTime<Utc>,
}

/// Subscriptions with a saved method whose period ends within `ahead` of `now` (or ended, and
/// are in their grace period), of a tenant with an owner, with no renewal order pending and
/// none tried in the last `between_attempts`: at most one charge attempt per interval, and
/// none while one is open.
pub async fn due(
    pool: &PgPool,
    now: DateTime<Utc>,
    ahead: Duration,
    between_attempts: Duration,
) -> Result<Vec<DueRenewal>, StorageError> {
    let rows = sqlx::query(
        "select s.tenant_id, t.owner_telegram_id, p.plan_id, p.price_minor, p.currency, \
             s.payment_method_id, s.current_period_end \
         from control.subscriptions s \
         join control.tenants t using (tenant_id) \
         join control.plans p on p.plan_id = s.plan_id \
         where s.payment_method_id is not null \
           and s.status in ('active', 'past_due') \
           and s.current_period_end <= $1 + $2 \
           and t.owner_telegram_id is not null \
           and not exists (select 1 from control.orders o \
                           where o.tenant_id = s.tenant_id and o.kind = 'renewal' \
                             and (o.status = 'pending' or o.created_at > $1 - $3)) \
         order by s.current_period_end limit 100",
    )
    .bind(now)
    .bind(ahead)
    .bind(between_attempts)
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(DueRenewal {
                tenant: TenantId(r.try_get("tenant_id")?),
                owner: TelegramUserId(r.try_get("owner_telegram_id")?),
                plan: PlanId(r.try_get("plan_id")?),
                price_minor: r.try_get("price_minor")?,
                currency: r.try_get("currency")?,
                payment_method_id: r.try_get("payment_method_id")?,
                period_end: r.try_get("current_period_end")?,
            })
        })
        .collect()
}

/// The saved method of a tenant's subscription.
pub async fn method(pool: &PgPool, tenant: TenantId) -> Result<Option<String>, StorageError> {
    let method: Option<Option<String>> = sqlx::query_scalar(
        "select payment_method_id from control.subscriptions where tenant_id = $1",
    )
    .bind(tenant.get())
    .fetch_optional(pool)
    .await?;
    Ok(method.flatten())
}

/// The tenant `owner` already has with this bot, when that tenant has no saved payment method
/// (a trial, or a subscription paid by hand): buying with the same bot extends it instead of
/// making a second tenant the bot could not serve.
pub async fn own_tenant_to_extend(
    pool: &PgPool,
    username: &str,
    owner: TelegramUserId,
) -> Result<Option<TenantId>, StorageError> {
    let id: Option<i64> = sqlx::query_scalar(
        "select t.tenant_id from control.tenants t \
         join control.subscriptions s using (tenant_id) \
         where lower(t.bot_username) = lower($1) and t.owner_telegram_id = $2 \
           and s.payment_method_id is null",
    )
    .bind(username)
    .bind(owner.get())
    .fetch_optional(pool)
    .await?;
    Ok(id.map(TenantId))
}

/// What a renewal paid by hand needs of `owner`'s tenant: its bot and the plan its
/// subscription is on. `None` when the tenant is not theirs (or has no subscription or bot),
/// so a forwarded renewal link renews nothing for a stranger.
pub async fn owned_renewal(
    pool: &PgPool,
    tenant: TenantId,
    owner: TelegramUserId,
) -> Result<Option<(String, Option<PlanId>)>, StorageError> {
    let row: Option<(String, Option<i64>)> = sqlx::query_as(
        "select t.bot_username, s.plan_id from control.tenants t \
         join control.subscriptions s using (tenant_id) \
         where t.tenant_id = $1 and t.owner_telegram_id = $2 and t.bot_username is not null",
    )
    .bind(tenant.get())
    .bind(owner.get())
    .fetch_optional(pool)
    .await?;
    Ok(row.map(|(bot, plan)| (bot, plan.map(PlanId))))
}

/// Stops using a saved method (YooKassa cannot delete one; we just never charge it again).
pub async fn forget_method(
    pool: &PgPool,
    tenant: TenantId,
    method: &str,
) -> Result<bool, StorageError> {
    let done = sqlx::query(
        "update control.subscriptions set payment_method_id = null \
         where tenant_id = $1 and payment_method_id = $2",
    )
    .bind(tenant.get())
    .bind(method)
    .execute(pool)
    .await?;
    Ok(done.rows_affected() == 1)
}
