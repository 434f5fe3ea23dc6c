//! Faults of the platform's own services, each a real process: the deploy worker killed in the
//! middle of a deployment, and the sales bot killed and restarted while YooKassa keeps
//! redelivering the same notification.

use std::time::Duration;

use booking_core::ids::TenantId;
use chrono::Utc;
use deploy_worker::{runtime::RunState, spec::LABEL_TENANT};
use secrecy::SecretString;
use storage::control::{
    jobs::{self, JobKind, NewJob},
    tenant_admin,
    tenants::{self, DesiredState},
};

use crate::platform::{Platform, YOOKASSA_SOURCE};

/// The status of `tenant`'s latest deployment, if any.
async fn latest_deployment(p: &Platform, tenant: TenantId) -> Option<String> {
    sqlx::query_scalar(
        "select status from control.deployments where tenant_id = $1 \
         order by started_at desc, deployment_id desc limit 1",
    )
    .bind(tenant.get())
    .fetch_optional(p.db.db.pool())
    .await
    .unwrap()
}

/// SIGKILL while a tenant's bot is being deployed (its container created, its health not yet
/// known): the restarted worker closes the abandoned deployment and converges on exactly one
/// running, healthy container.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_deploy_worker_killed_mid_deployment_converges_on_one_container() {
    let mut p = Platform::start().await;
    let pool = p.db.db.pool().clone();
    let (record, password) = p.db.tenant("Mid-deploy", chrono_tz::Europe::Moscow).await;
    let bot = p.client.create_bot("mid_deploy_bot").await.unwrap();
    tenants::set_db_password(&pool, &p.data_key, record.id, &password)
        .await
        .unwrap();
    let token = SecretString::from(bot.token.as_str().to_owned());
    tenant_admin::set_bot(&pool, &p.data_key, record.id, &token, "mid_deploy_bot")
        .await
        .unwrap()
        .unwrap();
    tenants::set_desired_state(&pool, record.id, DesiredState::Running)
        .await
        .unwrap();
    let job = NewJob::new(JobKind::reconcile(record.id), Utc::now());
    jobs::enqueue(&pool, &job).await.unwrap();

    // Kill once the container exists and its health check is under way (the grace period).
    let started = std::time::Instant::now();
    while latest_deployment(&p, record.id).await.as_deref() != Some("running")
        || p.containers().await.is_empty()
    {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "no deployment began"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    p.worker.kill();
    let killed_with = p.containers().await.len();
    p.worker.restart().await;

    let started = std::time::Instant::now();
    loop {
        let containers = p.containers().await;
        let done = latest_deployment(&p, record.id).await.as_deref() == Some("succeeded");
        if done && containers.len() == 1 && containers[0].state == RunState::Running {
            assert_eq!(
                containers[0].labels.get(LABEL_TENANT).map(String::as_str),
                Some(record.id.to_string().as_str())
            );
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "did not converge: {containers:?}, latest deployment {:?}",
            latest_deployment(&p, record.id).await
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    // No deployment is left "running" by the dead worker.
    let running: i64 = sqlx::query_scalar(
        "select count(*) from control.deployments where tenant_id = $1 and status = 'running'",
    )
    .bind(record.id.get())
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(running, 0);
    println!("PASS deploy worker kill: {killed_with} container(s) at the kill, one running after");
}

/// YooKassa redelivers the same notification (and a burst of them arrives at once) while the
/// sales bot is killed and started again: the order activates exactly once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn duplicate_notifications_across_a_sales_bot_restart_activate_once() {
    let mut p = Platform::start().await;
    let (_sales, _bot, payment) = p.buy("Dora", "dora_salon_bot").await;
    p.yookassa.pay(&payment);
    let body = serde_json::json!({
        "type": "notification",
        "event": "payment.succeeded",
        "object": p.yookassa.payment(&payment).unwrap(),
    });
    let client = reqwest::Client::builder()
        .local_address(YOOKASSA_SOURCE.parse::<std::net::IpAddr>().unwrap())
        .build()
        .unwrap();
    let url = p.webhook_url();
    // A notification every 20 ms for 4 s, each on its own: some land before the kill, some
    // are cut off by it, some find nobody listening, the rest reach the restarted bot.
    let burst = {
        let (client, url, body) = (client.clone(), url.clone(), body.clone());
        tokio::spawn(async move {
            let mut sends = Vec::new();
            for _ in 0..200 {
                let (client, url, body) = (client.clone(), url.clone(), body.clone());
                sends.push(tokio::spawn(async move {
                    client
                        .post(url)
                        .json(&body)
                        .send()
                        .await
                        .map_or(0, |r| r.status().as_u16())
                }));
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            let mut statuses = Vec::new();
            for s in sends {
                statuses.push(s.await.unwrap());
            }
            statuses
        })
    };
    tokio::time::sleep(Duration::from_millis(300)).await;
    p.sales.kill();
    tokio::time::sleep(Duration::from_millis(300)).await;
    p.sales.restart().await;
    let statuses = burst.await.unwrap();
    // After the storm YooKassa's next delivery is answered 200.
    let last = client.post(&url).json(&body).send().await.unwrap();
    assert_eq!(last.status().as_u16(), 200);

    let activations = (
        p.count("select count(*) from control.orders where status = 'paid'")
            .await,
        p.count("select count(*) from control.tenants").await,
        p.count("select count(*) from control.subscriptions").await,
        p.count("select count(*) from control.operator_alerts where kind = 'payment_received'")
            .await,
        p.count("select count(*) from control.jobs where kind = 'reconcile_tenant'")
            .await,
    );
    assert_eq!(activations, (1, 1, 1, 1, 1));
    let ok = statuses.iter().filter(|s| **s == 200).count();
    let refused = statuses.iter().filter(|s| **s == 0).count();
    println!(
        "PASS webhook duplicates across a restart: {} notifications ({ok} answered 200, \
         {refused} found nobody listening), one activation",
        statuses.len() + 1
    );
}
