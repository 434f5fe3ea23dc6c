//! After an order is paid: the tenant provisioned, its bot deployed, the buyer told.
//!
//! The tenant's control row was written with the payment (`payments::activate`), so that an
//! order makes exactly one tenant; what is left is the provisioning half of
//! `provision::create_tenant` (a random role password sealed with the data key, then the
//! schema and role), desired state running, and the reconcile job every producer queues
//! (`JobKind::reconcile`). It runs right after the activation and again from every
//! reconciliation pass until it has been done, so a crash between the payment and the deploy
//! is finished later.

use booking_core::ids::{TelegramUserId, TenantId};
use storage::{
    control::{
        deployments,
        jobs::{self, JobKind, NewJob},
        orders::{self, Order},
        tenants::{self, DesiredState},
    },
    provision, redis_acl,
};
use teloxide::{prelude::Requester as _, types::ChatId};

use crate::{app::Sales, error::SalesError, texts::Texts};

/// Provisions and deploys the tenant of a paid order; tells the buyer it is starting.
pub async fn provision_order(sales: &Sales, order: &Order) -> Result<(), SalesError> {
    let Some(tenant) = order.tenant else {
        return Ok(());
    };
    let pool = sales.db.pool();
    let lock = orders::provisioning_lock(pool, order.id).await?;
    // Read under the lock: a concurrent run may have finished meanwhile.
    let Some(current) = orders::get(pool, order.id).await? else {
        return Ok(());
    };
    if current.provisioned_at.is_some() {
        return Ok(());
    }
    let record = tenants::get(pool, tenant)
        .await?
        .ok_or(storage::StorageError::TenantNotFound(tenant))?;
    if record.schema_version.is_none() {
        provision::provision_with_new_password(
            &sales.db,
            &sales.data_key,
            sales.redis_acl.as_ref(),
            tenant,
        )
        .await?;
    } else if let Some(acl) = &sales.redis_acl {
        // A retry after Redis failed the first time: the schema is there, the user may not be.
        redis_acl::ensure_tenant_user(&sales.db, &sales.data_key, acl, tenant).await?;
    }
    let has_bot = record.bot_username.is_some();
    if has_bot {
        tenants::set_desired_state(pool, tenant, DesiredState::Running).await?;
        jobs::enqueue(pool, &deploy_job(tenant, sales.now())).await?;
    }
    let first = orders::mark_provisioned(pool, order.id, sales.now()).await?;
    lock.commit().await.map_err(storage::StorageError::from)?;
    if first {
        let t = Texts::new(order.locale);
        let text = if has_bot {
            t.starting(&order.business_name)
        } else {
            t.bot_taken_after_payment()
        };
        tell(sales, order.telegram_user, &text).await;
    }
    Ok(())
}

/// The deploy worker's job for a tenant: the same reconcile job, under the same dedupe key,
/// as the operator API and the subscription monitor queue.
#[must_use]
pub const fn deploy_job(tenant: TenantId, now: chrono::DateTime<chrono::Utc>) -> NewJob {
    NewJob::new(JobKind::reconcile(tenant), now)
}

/// Tells buyers whose bot's first deployment succeeded that it is live, with its link.
pub async fn announce_live(sales: &Sales) -> Result<usize, SalesError> {
    let pool = sales.db.pool();
    let mut told = 0;
    for order in orders::unnotified(pool, 100).await? {
        let Some(tenant) = order.tenant else { continue };
        let Some(record) = tenants::get(pool, tenant).await? else {
            continue;
        };
        let Some(username) = record.bot_username else {
            continue;
        };
        let live = deployments::latest(pool, tenant, 1)
            .await?
            .first()
            .is_some_and(|d| d.status == "succeeded");
        if live && orders::mark_notified(pool, order.id, sales.now()).await? {
            let t = Texts::new(order.locale);
            tell(sales, order.telegram_user, &t.live(&username)).await;
            told += 1;
        }
    }
    Ok(told)
}

/// Sends a message to a buyer; a failure is logged, not retried (the state is in the
/// database, and the buyer can ask the bot).
pub async fn tell(sales: &Sales, user: TelegramUserId, text: &str) {
    if let Err(e) = sales.bot.send_message(ChatId(user.get()), text).await {
        tracing::warn!(user = %user, error = %e, "could not message the buyer");
    }
}
