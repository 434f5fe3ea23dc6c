//! YooKassa payments (`control.payments`), their notifications (`control.payment_events`),
//! refunds, and the one transaction that turns a paid order into a subscription.

use booking_core::ids::TenantId;
use chrono::{DateTime, Utc};
use sqlx::{Connection as _, PgConnection, PgExecutor, PgPool, Row};

use super::{
    alerts::{self, AlertKind, NewAlert},
    orders::{self, COLUMNS, Order, OrderId, OrderKind, from_row},
    tenant_admin,
};
use crate::{crypto::DataKey, error::StorageError};

/// A payment as YooKassa's API (not a notification) reported it.
#[derive(Clone, Debug)]
pub struct ApiPayment<'a> {
    pub payment_id: &'a str,
    pub order: OrderId,
    pub status: &'a str,
    pub amount_minor: i64,
    pub currency: &'a str,
    /// A payment method YooKassa saved for renewals (`payment_method.saved == true`).
    pub saved_method: Option<&'a str>,
    /// The object as fetched, kept for the record.
    pub raw: &'a serde_json::Value,
}

/// What [`activate`] did.
#[derive(Clone, Debug)]
pub enum Activation {
    /// This call paid the order and started (or extended) the tenant's subscription.
    Activated { order: Box<Order>, tenant: TenantId },
    /// The order was paid before (a duplicate notification, a second check): nothing changed.
    AlreadyPaid,
}

/// Records one notification: `false` when this (event, object) was recorded before.
pub async fn record_event<'e>(
    executor: impl PgExecutor<'e>,
    event: &str,
    object_id: &str,
) -> Result<bool, StorageError> {
    let done = sqlx::query(
        "insert into control.payment_events (event, object_id) values ($1, $2) \
         on conflict (event, object_id) do nothing",
    )
    .bind(event)
    .bind(object_id)
    .execute(executor)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Stores (or updates) a payment's row as last seen from the API.
pub async fn upsert<'e>(
    executor: impl PgExecutor<'e>,
    payment: &ApiPayment<'_>,
    tenant: Option<TenantId>,
) -> Result<(), StorageError> {
    sqlx::query(
        "insert into control.payments (payment_id, order_id, tenant_id, status, amount_minor, \
             currency, provider, raw) \
         values ($1, $2, $3, $4, $5, $6, 'yookassa', $7) \
         on conflict (payment_id) do update set status = excluded.status, raw = excluded.raw, \
             tenant_id = coalesce(excluded.tenant_id, control.payments.tenant_id)",
    )
    .bind(payment.payment_id)
    .bind(payment.order.0)
    .bind(tenant.map(TenantId::get))
    .bind(payment.status)
    .bind(payment.amount_minor)
    .bind(payment.currency)
    .bind(payment.raw)
    .execute(executor)
    .await?;
    Ok(())
}

/// Pays the order and activates what it bought, exactly once, in one transaction: the order
/// becomes paid (only from pending or expired, only for the payment stored on it, only for its
/// amount and currency), the payment row is written, a new order's tenant row is created (with
/// the buyer's sealed bot token) and its subscription started, a renewal's subscription is
/// extended, and the operators are alerted. Provisioning the tenant's schema happens after
/// commit (see `orders::unprovisioned`), because DDL and migrations cannot share this
/// transaction.
pub async fn activate(
    pool: &PgPool,
    key: &DataKey,
    payment: &ApiPayment<'_>,
    now: DateTime<Utc>,
) -> Result<Activation, StorageError> {
    let mut tx = pool.begin().await?;
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "update control.orders set status = 'paid', paid_at = $5 \
         where order_id = $1 and payment_id = $2 and amount_minor = $3 and currency = $4 \
             and status in ('pending', 'expired') \
         returning {COLUMNS}"
    )))
    .bind(payment.order.0)
    .bind(payment.payment_id)
    .bind(payment.amount_minor)
    .bind(payment.currency)
    .bind(now)
    .fetch_optional(&mut *tx)
    .await?;
    let Some(row) = row else {
        return Ok(Activation::AlreadyPaid);
    };
    let mut order = from_row(&row)?;
    let tenant = match (order.kind, order.tenant) {
        (OrderKind::Renewal, Some(tenant)) => {
            extend(&mut tx, &order, tenant, payment.saved_method, now).await?;
            tenant
        }
        (OrderKind::Renewal, None) => {
            return Err(StorageError::Corrupt(format!(
                "renewal order {} has no tenant",
                order.id
            )));
        }
        (OrderKind::New, _) => {
            let tenant = insert_tenant(&mut tx, key, order.id).await?;
            start(&mut tx, &order, tenant, payment.saved_method, now).await?;
            tenant
        }
    };
    order.tenant = Some(tenant);
    upsert(&mut *tx, payment, Some(tenant)).await?;
    alerts::raise(
        &mut *tx,
        &NewAlert {
            kind: AlertKind::PaymentReceived,
            tenant: Some(tenant),
            message: format!(
                "Payment {} received: {} {} for \"{}\" ({} order, tenant {tenant})",
                payment.payment_id,
                minor_to_decimal(payment.amount_minor),
                payment.currency,
                order.business_name,
                order.kind.as_str(),
            ),
            dedupe_key: Some(format!("payment_received:{}", payment.payment_id)),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(Activation::Activated {
        order: Box::new(order),
        tenant,
    })
}

/// Creates the tenant row of a paid new order, with its bot when no other tenant took that
/// bot meanwhile (then without, and the operators are told to sort it out with the buyer).
/// The order's bot token is opened and sealed again for the tenant's row: a sealed value only
/// ever opens where it was sealed.
pub(crate) async fn insert_tenant(
    conn: &mut PgConnection,
    key: &DataKey,
    order: OrderId,
) -> Result<TenantId, StorageError> {
    let row = sqlx::query(
        "insert into control.tenants (name, time_zone, locale, owner_telegram_id) \
         select business_name, time_zone, locale, telegram_user_id \
         from control.orders where order_id = $1 \
         returning tenant_id, (select bot_username from control.orders where order_id = $1)",
    )
    .bind(order.0)
    .fetch_one(&mut *conn)
    .await?;
    let id = TenantId(row.try_get(0)?);
    let username: Option<String> = row.try_get(1)?;
    let token = orders::bot_token(&mut *conn, key, order).await?;
    if let (Some(username), Some(token)) = (username, token) {
        // A savepoint: a bot another tenant took meanwhile fails this statement alone.
        let mut savepoint = conn.begin().await?;
        match tenant_admin::set_bot(&mut *savepoint, key, id, &token, &username).await? {
            Ok(()) => savepoint.commit().await?,
            Err(_taken) => {
                savepoint.rollback().await?;
                alerts::raise(
                    &mut *conn,
                    &NewAlert {
                        kind: AlertKind::TenantCreated,
                        tenant: Some(id),
                        message: format!(
                            "Order {order} was paid but its bot already serves another tenant: \
                             tenant {id} was created without a bot; ask the buyer for another token"
                        ),
                        dedupe_key: Some(format!("order_bot_taken:{order}")),
                    },
                )
                .await?;
            }
        }
    }
    sqlx::query("update control.orders set tenant_id = $2 where order_id = $1")
        .bind(order.0)
        .bind(id.get())
        .execute(&mut *conn)
        .await?;
    Ok(id)
}

async fn start(
    conn: &mut PgConnection,
    order: &Order,
    tenant: TenantId,
    saved_method: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(), StorageError> {
    // The tenant was created in this transaction: it has no subscription yet.
    sqlx::query(
        "insert into control.subscriptions (tenant_id, plan_id, status, current_period_end, \
             payment_method_id) \
         select $1, p.plan_id, 'active', $3 + make_interval(days => p.period_days), $4 \
         from control.plans p where p.plan_id = $2",
    )
    .bind(tenant.get())
    .bind(order.plan.get())
    .bind(now)
    .bind(saved_method)
    .execute(conn)
    .await?;
    Ok(())
}

async fn extend(
    conn: &mut PgConnection,
    order: &Order,
    tenant: TenantId,
    saved_method: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(), StorageError> {
    let done = sqlx::query(
        "update control.subscriptions s \
         set current_period_end = greatest(s.current_period_end, $3) \
                 + make_interval(days => p.period_days), \
             status = 'active', grace_until = null, plan_id = p.plan_id, \
             payment_method_id = coalesce($4, s.payment_method_id) \
         from control.plans p where s.tenant_id = $1 and p.plan_id = $2",
    )
    .bind(tenant.get())
    .bind(order.plan.get())
    .bind(now)
    .bind(saved_method)
    .execute(conn)
    .await?;
    if done.rows_affected() == 1 {
        Ok(())
    } else {
        Err(StorageError::Corrupt(format!(
            "renewal order {} for tenant {tenant} without a subscription",
            order.id
        )))
    }
}

/// A refund as YooKassa's API reported it.
#[derive(Clone, Debug)]
pub struct ApiRefund<'a> {
    pub refund_id: &'a str,
    pub payment_id: &'a str,
    pub status: &'a str,
    pub amount_minor: i64,
    pub currency: &'a str,
}

/// Records a refund (or its new status); `true` when the refund was new.
pub async fn record_refund(pool: &PgPool, refund: &ApiRefund<'_>) -> Result<bool, StorageError> {
    let inserted: bool = sqlx::query_scalar(
        "insert into control.refunds (refund_id, payment_id, status, amount_minor, currency) \
         values ($1, $2, $3, $4, $5) \
         on conflict (refund_id) do update set status = excluded.status \
         returning (xmax = 0)",
    )
    .bind(refund.refund_id)
    .bind(refund.payment_id)
    .bind(refund.status)
    .bind(refund.amount_minor)
    .bind(refund.currency)
    .fetch_one(pool)
    .await?;
    Ok(inserted)
}

/// The refunds recorded for a payment: (refund id, status, amount in minor units).
pub async fn refunds_of(
    pool: &PgPool,
    payment_id: &str,
) -> Result<Vec<(String, String, i64)>, StorageError> {
    let rows = sqlx::query(
        "select refund_id, status, amount_minor from control.refunds \
         where payment_id = $1 order by created_at, refund_id",
    )
    .bind(payment_id)
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|r| {
            Ok((
                r.try_get("refund_id")?,
                r.try_get("status")?,
                r.try_get("amount_minor")?,
            ))
        })
        .collect()
}

/// `12345` kopecks as `"123.45"`.
#[must_use]
pub fn minor_to_decimal(minor: i64) -> String {
    let sign = if minor < 0 { "-" } else { "" };
    let abs = minor.unsigned_abs();
    format!("{sign}{}.{:02}", abs / 100, abs % 100)
}

/// Whether this (event, object) notification was acted on before.
pub async fn event_seen(pool: &PgPool, event: &str, object_id: &str) -> Result<bool, StorageError> {
    let seen: bool = sqlx::query_scalar(
        "select exists (select 1 from control.payment_events where event = $1 and object_id = $2)",
    )
    .bind(event)
    .bind(object_id)
    .fetch_one(pool)
    .await?;
    Ok(seen)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minor_units_print_with_two_decimals() {
        assert_eq!(minor_to_decimal(199_000), "1990.00");
        assert_eq!(minor_to_decimal(5), "0.05");
        assert_eq!(minor_to_decimal(-1050), "-10.50");
    }
}
