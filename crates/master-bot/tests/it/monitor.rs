//! The subscription monitor with a moved clock: warnings, grace, suspension, reactivation,
//! each once, and nothing repeated by a restarted monitor.

use booking_core::ids::TenantId;
use chrono::{DateTime, Duration, Utc};
use master_bot::{
    actions,
    monitor::{self, MonitorConfig, PassReport},
};
use storage::control::{
    subscription_steps,
    subscriptions::{self, SubscriptionStatus},
    tenants::{self, DesiredState},
};
use test_support::TestDb;

use crate::monday_morning;

const OWNER: i64 = 555_000_111;

struct Setup {
    t: TestDb,
    tenant: TenantId,
    end: DateTime<Utc>,
}

/// A provisioned, running tenant with an English-speaking owner, paid for ten days.
async fn setup() -> Setup {
    let t = TestDb::new().await;
    let (tenant, _) = t.tenant("Barber", chrono_tz::Europe::Moscow).await;
    sqlx::query(
        "update control.tenants set owner_telegram_id = $2, locale = 'en', status = 'active', \
         desired_state = 'running' where tenant_id = $1",
    )
    .bind(tenant.id.get())
    .bind(OWNER)
    .execute(t.db.pool())
    .await
    .unwrap();
    let end = monday_morning() + Duration::days(10);
    subscriptions::start(
        t.db.pool(),
        tenant.id,
        None,
        SubscriptionStatus::Active,
        end,
    )
    .await
    .unwrap();
    Setup {
        t,
        tenant: tenant.id,
        end,
    }
}

impl Setup {
    async fn pass(&self, now: DateTime<Utc>) -> PassReport {
        monitor::pass(&self.t.db, now, &MonitorConfig::default())
            .await
            .unwrap()
    }

    /// The owner's notices in the tenant's outbox, oldest first.
    async fn notices(&self) -> Vec<String> {
        let mut tx = self.t.tx(self.tenant).await;
        let rows: Vec<(i64, String, String)> =
            sqlx::query_as("select chat_id, kind, payload->>'text' from outbox order by outbox_id")
                .fetch_all(tx.conn())
                .await
                .unwrap();
        assert!(
            rows.iter()
                .all(|(chat, kind, _)| *chat == OWNER && kind == "notice")
        );
        rows.into_iter().map(|(_, _, text)| text).collect()
    }

    async fn alerts(&self) -> Vec<String> {
        sqlx::query_scalar("select kind from control.operator_alerts order by alert_id")
            .fetch_all(self.t.db.pool())
            .await
            .unwrap()
    }

    async fn subscription(&self) -> subscriptions::Subscription {
        let mut conn = self.t.db.pool().acquire().await.unwrap();
        subscriptions::get(&mut conn, self.tenant)
            .await
            .unwrap()
            .unwrap()
    }

    async fn tenant(&self) -> tenants::TenantRecord {
        tenants::get(self.t.db.pool(), self.tenant)
            .await
            .unwrap()
            .unwrap()
    }

    async fn queued_reconciles(&self) -> i64 {
        sqlx::query_scalar(
            "select count(*) from control.jobs where kind = 'reconcile_tenant' \
             and status = 'queued' and payload->>'tenant_id' = $1::text",
        )
        .bind(self.tenant.get())
        .fetch_one(self.t.db.pool())
        .await
        .unwrap()
    }

    /// As if the deploy worker had run the queued jobs.
    async fn finish_jobs(&self) {
        sqlx::query("update control.jobs set status = 'done'")
            .execute(self.t.db.pool())
            .await
            .unwrap();
    }
}

fn report(warned: usize, past_due: usize, suspended: usize, reactivated: usize) -> PassReport {
    PassReport {
        warned,
        past_due,
        suspended,
        reactivated,
    }
}

#[tokio::test]
async fn a_subscription_is_warned_about_then_suspended_then_reactivated_each_step_once() {
    let s = setup().await;
    let end = s.end;
    assert_eq!(s.pass(monday_morning()).await, report(0, 0, 0, 0));

    // Three days before: the first warning, once.
    let t = end - Duration::days(3) + Duration::hours(1);
    assert_eq!(s.pass(t).await, report(1, 0, 0, 0));
    assert_eq!(s.pass(t + Duration::hours(5)).await, report(0, 0, 0, 0));
    let notices = s.notices().await;
    assert_eq!(notices.len(), 1);
    assert!(
        notices[0].contains("Barber") && notices[0].contains("3 days left"),
        "{notices:?}"
    );
    assert_eq!(s.alerts().await, ["subscription_expiring"]);

    // One day before: the second.
    assert_eq!(s.pass(end - Duration::hours(20)).await, report(1, 0, 0, 0));
    assert!(s.notices().await[1].contains("1 day left"));

    // Past the end: past due with a grace period; the bot still runs.
    assert_eq!(s.pass(end + Duration::hours(1)).await, report(0, 1, 0, 0));
    let sub = s.subscription().await;
    assert_eq!(sub.status, SubscriptionStatus::PastDue);
    assert_eq!(sub.grace_until, Some(end + Duration::days(3)));
    assert_eq!(s.tenant().await.desired_state, DesiredState::Running);
    assert_eq!(s.pass(end + Duration::days(2)).await, report(0, 0, 0, 0));

    // Past the grace period: suspended, the bot to be stopped, operators told.
    let t = end + Duration::days(3) + Duration::minutes(1);
    assert_eq!(s.pass(t).await, report(0, 0, 1, 0));
    let tenant = s.tenant().await;
    assert_eq!(tenant.desired_state, DesiredState::Stopped);
    assert_eq!(tenant.status.as_str(), "suspended");
    assert_eq!(s.subscription().await.status, SubscriptionStatus::Suspended);
    assert_eq!(s.queued_reconciles().await, 1);
    assert_eq!(
        s.alerts().await,
        [
            "subscription_expiring",
            "subscription_expiring",
            "subscription_expiring",
            "subscription_suspended"
        ]
    );
    // A restarted monitor (a new pass, a later time) repeats nothing.
    s.finish_jobs().await;
    assert_eq!(s.pass(t + Duration::days(1)).await, report(0, 0, 0, 0));
    assert_eq!(s.queued_reconciles().await, 0);
    assert_eq!(s.notices().await.len(), 4);

    // Paid: an extension makes it active; the next pass brings the bot back, once.
    let now = t + Duration::days(2);
    actions::extend(&s.t.db, "operator:test", s.tenant, 30, now)
        .await
        .unwrap();
    assert_eq!(s.pass(now).await, report(0, 0, 0, 1));
    let tenant = s.tenant().await;
    assert_eq!(tenant.desired_state, DesiredState::Running);
    assert_eq!(tenant.status.as_str(), "active");
    assert_eq!(s.queued_reconciles().await, 1);
    assert_eq!(s.pass(now + Duration::hours(1)).await, report(0, 0, 0, 0));
    let notices = s.notices().await;
    assert_eq!(notices.len(), 5);
    assert!(notices[4].contains("active until"), "{notices:?}");
    let steps: Vec<String> = subscription_steps::taken(s.t.db.pool(), s.subscription().await.id)
        .await
        .unwrap()
        .into_iter()
        .map(|(_, step)| step)
        .collect();
    assert_eq!(
        steps,
        ["warn_3d", "warn_1d", "past_due", "suspended", "reactivated"]
    );
}

#[tokio::test]
async fn a_monitor_that_was_down_sends_only_the_most_urgent_step() {
    let s = setup().await;
    // Straight to half a day before the end: the one-day warning only.
    assert_eq!(
        s.pass(s.end - Duration::hours(12)).await,
        report(1, 0, 0, 0)
    );
    assert_eq!(s.notices().await.len(), 1);
    assert!(s.notices().await[0].contains("1 day left"));
    // Straight past the grace period: past due and suspended in one pass.
    assert_eq!(s.pass(s.end + Duration::days(5)).await, report(0, 1, 1, 0));
    assert_eq!(s.tenant().await.desired_state, DesiredState::Stopped);
}

#[tokio::test]
async fn a_payment_before_suspension_cancels_it_and_manual_suspensions_stay() {
    let s = setup().await;
    assert_eq!(s.pass(s.end + Duration::hours(1)).await, report(0, 1, 0, 0));
    // Paid during the grace period: active again, nothing suspended later.
    let now = s.end + Duration::days(1);
    actions::extend(&s.t.db, "operator:test", s.tenant, 30, now)
        .await
        .unwrap();
    assert_eq!(s.pass(s.end + Duration::days(4)).await, report(0, 0, 0, 0));
    assert_eq!(s.tenant().await.desired_state, DesiredState::Running);

    // An operator suspends by hand: neither the monitor nor the sales bot's call undoes it.
    sqlx::query("update control.tenants set status = 'suspended' where tenant_id = $1")
        .bind(s.tenant.get())
        .execute(s.t.db.pool())
        .await
        .unwrap();
    assert_eq!(s.pass(now).await, report(0, 0, 0, 0));
    assert!(
        !subscription_steps::reactivate(s.t.db.pool(), s.tenant, "sales-bot", now)
            .await
            .unwrap()
    );
    assert_eq!(s.tenant().await.status.as_str(), "suspended");
}

/// What the sales bot does after a payment: extend, then `reactivate` at once, without
/// waiting for the monitor; a second call and the next pass change nothing.
#[tokio::test]
async fn reactivate_after_a_payment_brings_a_suspended_tenant_back_once() {
    let s = setup().await;
    let t = s.end + Duration::days(4);
    assert_eq!(s.pass(t).await, report(0, 1, 1, 0));
    s.finish_jobs().await;
    assert!(
        !subscription_steps::reactivate(s.t.db.pool(), s.tenant, "sales-bot", t)
            .await
            .unwrap(),
        "not before the subscription is live again"
    );
    actions::extend(&s.t.db, "sales-bot", s.tenant, 30, t)
        .await
        .unwrap();
    assert!(
        subscription_steps::reactivate(s.t.db.pool(), s.tenant, "sales-bot", t)
            .await
            .unwrap()
    );
    assert!(
        !subscription_steps::reactivate(s.t.db.pool(), s.tenant, "sales-bot", t)
            .await
            .unwrap()
    );
    let tenant = s.tenant().await;
    assert_eq!(tenant.desired_state, DesiredState::Running);
    assert_eq!(tenant.status.as_str(), "active");
    assert_eq!(s.queued_reconciles().await, 1);
    assert_eq!(s.pass(t + Duration::hours(1)).await, report(0, 0, 0, 0));
    let audit: Vec<String> = sqlx::query_scalar(
        "select action from control.audit_log where tenant_id = $1 and actor = 'sales-bot' \
         order by audit_id",
    )
    .bind(s.tenant.get())
    .fetch_all(s.t.db.pool())
    .await
    .unwrap();
    assert_eq!(audit, ["subscription.extend", "tenant.reactivate"]);
}

/// The scheduled job runs passes on its own and stops when told.
#[tokio::test]
async fn the_monitor_loop_runs_passes_until_stopped() {
    let s = setup().await;
    // Five days before the end nothing is due: the pass made at start finds nothing.
    let clock = booking_core::clock::ManualClock::new(s.end - Duration::days(5));
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let config = MonitorConfig {
        interval: std::time::Duration::from_secs(1),
        ..MonitorConfig::default()
    };
    let running = tokio::spawn(monitor::run(
        s.t.db.clone(),
        std::sync::Arc::new(clock.clone()),
        config,
        async move {
            let _ = stopped.await;
        },
    ));
    // Let the start's pass happen on the old time; then time moves past the last warning, and
    // only a scheduled pass can see it.
    tokio::time::sleep(std::time::Duration::from_secs(1)).await;
    assert!(s.notices().await.is_empty());
    clock.set(s.end - Duration::hours(2));
    // Bounded wait for a scheduled pass, not a timing assertion.
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(15);
    while s.notices().await.is_empty() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "no scheduled pass ran"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    // A few more passes: they repeat nothing.
    tokio::time::sleep(std::time::Duration::from_secs(2)).await;
    let _ = stop.send(());
    tokio::time::timeout(std::time::Duration::from_secs(15), running)
        .await
        .expect("the loop stops")
        .unwrap();
    let notices = s.notices().await;
    assert_eq!(notices.len(), 1, "later passes repeat nothing: {notices:?}");
    assert!(notices[0].contains("1 day left"));
}

/// The owner's warning gives the end in the tenant's zone (Moscow, not UTC) and carries a
/// button that opens the sales bot with this tenant's renewal; without a sales bot configured
/// there is no button, and the text stands alone.
#[tokio::test]
async fn a_warning_is_in_the_tenants_zone_with_a_button_that_pays_the_renewal() {
    let s = setup().await;
    let config = MonitorConfig {
        sales_bot: Some("platform_sales_bot".to_owned()),
        ..MonitorConfig::default()
    };
    let t = s.end - Duration::days(3) + Duration::hours(1);
    assert_eq!(
        monitor::pass(&s.t.db, t, &config).await.unwrap(),
        report(1, 0, 0, 0)
    );
    let mut tx = s.t.tx(s.tenant).await;
    let payload: serde_json::Value = sqlx::query_scalar("select payload from outbox")
        .fetch_one(tx.conn())
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let local = s
        .end
        .with_timezone(&chrono_tz::Europe::Moscow)
        .format("%H:%M")
        .to_string();
    let text = payload["text"].as_str().unwrap();
    assert!(text.contains(&local) && !text.contains("UTC"), "{text}");
    assert_eq!(
        payload["buttons"],
        serde_json::json!([[{
            "text": "💳 Renew the subscription",
            "url": format!("https://t.me/platform_sales_bot?start=renew_{}", s.tenant)
        }]])
    );

    // Without a sales bot: the same warning, no button.
    let plain = setup().await;
    plain.pass(t).await;
    let mut tx = plain.t.tx(plain.tenant).await;
    let payload: serde_json::Value = sqlx::query_scalar("select payload from outbox")
        .fetch_one(tx.conn())
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert!(payload.get("buttons").is_none(), "{payload}");
}
