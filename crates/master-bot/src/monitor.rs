//! The subscription monitor: warns a tenant's owner before the period ends, marks the
//! subscription past due with a grace period, then suspends the tenant (desired state
//! `stopped`, a reconcile job, an operator alert), and reactivates it once the subscription is
//! live again after a payment.
//!
//! Each step is taken once: its row in `control.subscription_steps` (unique per subscription,
//! period end and step) is written in the same transaction as its effects, including the
//! owner's notice in the tenant's outbox and the operators' alert, so restarts and concurrent
//! monitors repeat nothing. Time comes from the injected clock.
//!
//! Scheduling is tokio-cron-scheduler's repeated job (whole seconds; its ticker looks twice a
//! second). Every rule is "has this moment passed?" and a pass is idempotent and safe to run
//! beside another, so no business state lives in the scheduler: a pass that is late, doubled
//! or missed across a restart changes nothing but when a notice goes out.

/// The texts the monitor sends.
pub mod notices;

use std::{future::Future, sync::Arc, time::Duration};

use booking_core::{clock::SharedClock, tenant::TenantSchema};
use chrono::{DateTime, Utc};
use sqlx::{PgConnection, Postgres, Transaction};
use storage::{
    Db, StorageError, TenantTx,
    control::{
        alerts::{self, AlertKind, NewAlert},
        subscription_steps::{self, Step, Watched},
        subscriptions::SubscriptionStatus,
    },
    tenant::outbox::{
        self, NewMessage,
        message::{Button, Message, Notice},
    },
};
use tokio_cron_scheduler::{Job, JobScheduler, JobSchedulerError};

/// Who the monitor is in the audit log.
pub const ACTOR: &str = "system:subscription-monitor";

/// The monitor's settings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MonitorConfig {
    /// Days before the period end at which the owner is warned, e.g. `[3, 1]`.
    pub warn_days: Vec<u32>,
    /// How long a past-due subscription is still served before the tenant is suspended.
    pub grace: chrono::Duration,
    /// How often a pass runs.
    pub interval: Duration,
    /// The sales bot's username, for the owner's "renew" button; `None`: no button.
    pub sales_bot: Option<String>,
}

impl Default for MonitorConfig {
    fn default() -> Self {
        Self {
            warn_days: vec![3, 1],
            grace: chrono::Duration::days(3),
            interval: Duration::from_secs(60),
            sales_bot: None,
        }
    }
}

/// What one pass did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PassReport {
    pub warned: usize,
    pub past_due: usize,
    pub suspended: usize,
    pub reactivated: usize,
}

/// Runs a pass at once, then every `config.interval` (whole seconds, at least one) until
/// `stop` resolves.
pub async fn run(
    db: Db,
    clock: SharedClock,
    config: MonitorConfig,
    stop: impl Future<Output = ()> + Send,
) {
    let config = Arc::new(config);
    logged_pass(&db, &clock, &config).await;
    let scheduler = schedule(db, clock, config).await;
    stop.await;
    match scheduler {
        Ok(mut scheduler) => {
            if let Err(e) = scheduler.shutdown().await {
                tracing::warn!(error = %e, "the subscription monitor's scheduler did not shut down");
            }
        }
        Err(e) => tracing::error!(error = %e, "the subscription monitor could not be scheduled"),
    }
}

/// The repeated job, started.
async fn schedule(
    db: Db,
    clock: SharedClock,
    config: Arc<MonitorConfig>,
) -> Result<JobScheduler, JobSchedulerError> {
    let scheduler = JobScheduler::new().await?;
    let every = config.interval.max(Duration::from_secs(1));
    let job = Job::new_repeated_async(every, move |_job, _scheduler| {
        let (db, clock, config) = (db.clone(), Arc::clone(&clock), Arc::clone(&config));
        Box::pin(async move { logged_pass(&db, &clock, &config).await })
    })?;
    scheduler.add(job).await?;
    scheduler.start().await?;
    Ok(scheduler)
}

async fn logged_pass(db: &Db, clock: &SharedClock, config: &MonitorConfig) {
    match pass(db, clock.now(), config).await {
        Ok(report) if report != PassReport::default() => {
            tracing::info!(?report, "subscription monitor pass");
        }
        Ok(_) => {}
        Err(e) => {
            tracing::warn!(error = %e, "subscription monitor pass failed; retrying later")
        }
    }
}

/// One pass over every subscription with something due at `now`.
pub async fn pass(
    db: &Db,
    now: DateTime<Utc>,
    config: &MonitorConfig,
) -> Result<PassReport, StorageError> {
    let horizon = chrono::Duration::days(i64::from(
        config.warn_days.iter().copied().max().unwrap_or(0),
    ));
    let mut report = PassReport::default();
    for w in subscription_steps::due(db.pool(), now, horizon).await? {
        // One tenant's failure (a dropped schema, say) must not stop the others.
        if let Err(e) = check(db, &w, now, config, &mut report).await {
            tracing::warn!(tenant = %w.tenant, error = %e, "subscription step failed");
        }
    }
    Ok(report)
}

async fn check(
    db: &Db,
    w: &Watched,
    now: DateTime<Utc>,
    config: &MonitorConfig,
    report: &mut PassReport,
) -> Result<(), StorageError> {
    let live = matches!(
        w.status,
        SubscriptionStatus::Trial | SubscriptionStatus::Active
    );
    if live && w.period_end > now {
        if w.tenant_suspended {
            if subscription_steps::reactivate(db.pool(), w.tenant, ACTOR, now).await? {
                report.reactivated += 1;
                notify_reactivated(db, w, now).await?;
            }
            return Ok(());
        }
        // Only the most urgent warning due: a monitor that was down does not send them all.
        let due = config
            .warn_days
            .iter()
            .copied()
            .filter(|d| now >= w.period_end - chrono::Duration::days(i64::from(*d)))
            .min();
        if let Some(days) = due
            && take(db, w, Step::Warned { days }, now, config).await?
        {
            report.warned += 1;
        }
        return Ok(());
    }
    let mut w = w.clone();
    if live {
        if !take(db, &w, Step::PastDue, now, config).await? {
            return Ok(());
        }
        report.past_due += 1;
        w.status = SubscriptionStatus::PastDue;
        w.grace_until = Some(w.period_end + config.grace);
    }
    if w.status == SubscriptionStatus::PastDue {
        let grace_until = w.grace_until.unwrap_or(w.period_end + config.grace);
        if now >= grace_until && take(db, &w, Step::Suspended, now, config).await? {
            report.suspended += 1;
            subscription_steps::queue_reconcile(db.pool(), w.tenant, now).await?;
        }
    }
    Ok(())
}

/// A transaction for one step: in the tenant's schema when it has one (the owner's notice
/// goes to its outbox), else a plain one. Every control statement names its schema, so both
/// reach `control` too.
enum StepTx {
    Tenant(TenantTx),
    Control(Transaction<'static, Postgres>),
}

impl StepTx {
    async fn begin(db: &Db, w: &Watched) -> Result<Self, StorageError> {
        Ok(if w.provisioned {
            Self::Tenant(db.tenant(&TenantSchema::for_tenant(w.tenant)).await?)
        } else {
            Self::Control(db.pool().begin().await?)
        })
    }

    fn conn(&mut self) -> &mut PgConnection {
        match self {
            Self::Tenant(tx) => tx.conn(),
            Self::Control(tx) => tx,
        }
    }

    async fn commit(self) -> Result<(), StorageError> {
        match self {
            Self::Tenant(tx) => tx.commit().await,
            Self::Control(tx) => Ok(tx.commit().await?),
        }
    }
}

/// Takes one step with its effects, its owner notice and its alert, all or nothing. `false`
/// when the step was taken before, or the subscription changed meanwhile (it was paid).
async fn take(
    db: &Db,
    w: &Watched,
    step: Step,
    now: DateTime<Utc>,
    config: &MonitorConfig,
) -> Result<bool, StorageError> {
    let mut tx = StepTx::begin(db, w).await?;
    if !subscription_steps::take(tx.conn(), w, step, now).await? {
        return Ok(false);
    }
    let grace_until = w.grace_until.unwrap_or(w.period_end + config.grace);
    let (notice, alert) = match step {
        Step::Warned { days } => (
            notices::owner_warning(w.locale, &w.tenant_name, w.local_end(), days),
            NewAlert {
                kind: AlertKind::SubscriptionExpiring,
                tenant: Some(w.tenant),
                message: notices::alert_expiring(&w.tenant_name, w.period_end, days),
                dedupe_key: None,
            },
        ),
        Step::PastDue => {
            if !subscription_steps::mark_past_due(tx.conn(), w, grace_until).await? {
                return Ok(false);
            }
            (
                notices::owner_past_due(
                    w.locale,
                    &w.tenant_name,
                    grace_until.with_timezone(&w.time_zone),
                ),
                NewAlert {
                    kind: AlertKind::SubscriptionExpiring,
                    tenant: Some(w.tenant),
                    message: notices::alert_past_due(&w.tenant_name, grace_until),
                    dedupe_key: None,
                },
            )
        }
        Step::Suspended => {
            if !subscription_steps::suspend(tx.conn(), w, ACTOR).await? {
                return Ok(false);
            }
            (
                notices::owner_suspended(w.locale, &w.tenant_name),
                NewAlert {
                    kind: AlertKind::SubscriptionSuspended,
                    tenant: Some(w.tenant),
                    message: notices::alert_suspended(&w.tenant_name),
                    dedupe_key: None,
                },
            )
        }
        // Reactivation is storage's `reactivate`, shared with the sales bot.
        Step::Reactivated => return Ok(false),
    };
    let key = step_key(w, step);
    if let (StepTx::Tenant(tenant_tx), Some(owner)) = (&mut tx, w.owner) {
        let mut message = owner_notice(owner.get(), notice, now, &key);
        // Every step but the reactivation asks for a renewal: one press opens the sales bot
        // with this bot's renewal order.
        if let (Message::Notice(n), Some(sales)) = (&mut message.message, &config.sales_bot) {
            n.buttons.push(vec![Button::link(
                notices::renew_button(w.locale),
                notices::renew_link(sales, w.tenant),
            )]);
        }
        outbox::enqueue(tenant_tx, &message).await?;
    }
    alerts::raise(
        tx.conn(),
        &NewAlert {
            dedupe_key: Some(key),
            ..alert
        },
    )
    .await?;
    tx.commit().await?;
    Ok(true)
}

/// The owner hears that the bot is back. The step itself was taken by `reactivate`; the
/// outbox's dedupe key keeps a retried notice single.
async fn notify_reactivated(db: &Db, w: &Watched, now: DateTime<Utc>) -> Result<(), StorageError> {
    let (Some(owner), true) = (w.owner, w.provisioned) else {
        return Ok(());
    };
    let mut tx = db.tenant(&TenantSchema::for_tenant(w.tenant)).await?;
    let text = notices::owner_reactivated(w.locale, &w.tenant_name, w.local_end());
    let key = step_key(w, Step::Reactivated);
    outbox::enqueue(&mut tx, &owner_notice(owner.get(), text, now, &key)).await?;
    tx.commit().await
}

fn step_key(w: &Watched, step: Step) -> String {
    format!(
        "subscription:{}:{}:{}",
        w.subscription_id,
        w.period_end.timestamp(),
        step.name()
    )
}

fn owner_notice(chat_id: i64, text: String, now: DateTime<Utc>, key: &str) -> NewMessage {
    NewMessage {
        message: Message::Notice(Notice::text(text)),
        booking: None,
        chat_id,
        due_at: now,
        dedupe_key: Some(key.to_owned()),
    }
}
