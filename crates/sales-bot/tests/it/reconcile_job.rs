//! The deploy job a sale queues is the job every other producer queues.

use storage::control::{
    jobs::{self, JobKind, JobName},
    subscription_steps,
    tenants::DesiredState,
};

use test_support::eventually;

use crate::support::{Harness, yookassa_ip};

/// A sold tenant's reconcile job is the same job whoever queues it: the sales follow-up, the
/// operator API (and operator bot) or the subscription monitor. Once they keyed it
/// differently, and a sold tenant got two.
#[tokio::test]
async fn a_sold_tenant_has_one_pending_reconcile_job_whoever_queues_it() {
    let h = Harness::start().await;
    let (order, payment) = h.ordered_and_created(2012, "one_job_bot").await;
    h.fake.pay(&payment.id);
    let status = h
        .fake
        .notify(
            &h.webhook_url,
            "payment.succeeded",
            &payment.id,
            yookassa_ip(),
        )
        .await;
    assert_eq!(status, 200);
    eventually("provisioning", || async {
        h.reload(order.id).await.provisioned_at.is_some()
    })
    .await;
    let tenant = h.reload(order.id).await.tenant.unwrap();
    let pending = || async {
        let n: i64 = sqlx::query_scalar(
            "select count(*) from control.jobs \
             where kind = 'reconcile_tenant' and status in ('queued', 'running') \
               and (payload->>'tenant_id')::bigint = $1",
        )
        .bind(tenant.get())
        .fetch_one(h.db.db.pool())
        .await
        .unwrap();
        n
    };
    assert_eq!(pending().await, 1, "the sales path queued it");

    // The operator API's path: `PATCH /tenants/{id}` and the operator bot's Deploy button.
    let now = h.sales.now();
    let again = master_bot::actions::queue_reconcile(&h.sales.db, tenant, now)
        .await
        .unwrap();
    assert_eq!(again, None, "absorbed by the sales path's job");
    master_bot::actions::set_desired_state(
        &h.sales.db,
        "operator:1",
        tenant,
        DesiredState::Running,
        now,
    )
    .await
    .unwrap();
    // The subscription monitor's path.
    subscription_steps::queue_reconcile(h.db.db.pool(), tenant, now)
        .await
        .unwrap();
    assert_eq!(pending().await, 1);

    // The one job is the deploy worker's to run: it decodes to this tenant's reconcile.
    let job = jobs::claim(
        h.db.db.pool(),
        "it",
        JobName::DEPLOY_WORKER,
        chrono::Duration::seconds(30),
        h.sales.now(),
    )
    .await
    .unwrap()
    .unwrap();
    assert_eq!(job.decode().unwrap(), JobKind::reconcile(tenant));
}
