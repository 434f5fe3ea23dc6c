//! Notifications: who may send them, what they can make happen, and exactly-once activation.

use serde_json::json;
use storage::control::{
    jobs::JobKind,
    orders::OrderStatus,
    subscriptions::{self, SubscriptionStatus},
};
use storage::crypto::SealedAt;
use test_support::eventually;

use crate::support::{Harness, stranger_ip, yookassa_ip};

#[tokio::test]
async fn a_notification_from_outside_yookassas_addresses_activates_nothing() {
    let h = Harness::start().await;
    let (order, payment) = h.ordered_and_created(2001, "wrong_source_bot").await;
    h.fake.pay(&payment.id);
    let status = h
        .fake
        .notify(
            &h.webhook_url,
            "payment.succeeded",
            &payment.id,
            stranger_ip(),
        )
        .await;
    assert_eq!(status, 403);
    // Nor does a forwarded-for header written by the stranger (no proxies are configured).
    let forged = reqwest::Client::new()
        .post(&h.webhook_url)
        .header("X-Forwarded-For", "127.0.0.2")
        .json(
            &json!({"type": "notification", "event": "payment.succeeded",
                      "object": {"id": payment.id}}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status().as_u16(), 403);
    assert_eq!(h.reload(order.id).await.status, OrderStatus::Pending);
    assert_eq!(h.activations().await, (0, 0, 0, 0));
}

#[tokio::test]
async fn behind_our_proxy_the_forwarded_address_is_checked_and_nowhere_else() {
    let h = Harness::start_with(|c| {
        c.yookassa_allowed_ips = "185.71.76.0/27".into();
        c.trusted_proxies = "127.0.0.1".into();
    })
    .await;
    let (order, payment) = h.ordered_and_created(2010, "behind_proxy_bot").await;
    h.fake.pay(&payment.id);
    let body = json!({"type": "notification", "event": "payment.succeeded",
                      "object": {"id": payment.id}});
    let send = |from: &str, forwarded: Option<&str>| {
        let client = reqwest::Client::builder()
            .local_address(from.parse::<std::net::IpAddr>().unwrap())
            .build()
            .unwrap();
        let mut request = client.post(&h.webhook_url).json(&body);
        if let Some(f) = forwarded {
            request = request.header("X-Forwarded-For", f);
        }
        async move { request.send().await.unwrap().status().as_u16() }
    };
    // Not our proxy: its header is not believed. Our proxy, but no YooKassa address behind it,
    // or a YooKassa address the sender wrote in front of its own: refused.
    assert_eq!(send("127.0.0.2", Some("185.71.76.5")).await, 403);
    assert_eq!(send("127.0.0.1", None).await, 403);
    assert_eq!(send("127.0.0.1", Some("185.71.76.5, 6.6.6.6")).await, 403);
    assert_eq!(h.reload(order.id).await.status, OrderStatus::Pending);
    // Our proxy saw YooKassa's address.
    assert_eq!(send("127.0.0.1", Some("185.71.76.5")).await, 200);
    assert_eq!(h.reload(order.id).await.status, OrderStatus::Paid);
}

#[tokio::test]
async fn a_forged_success_for_a_pending_payment_activates_nothing_and_does_not_hide_the_real_one() {
    let h = Harness::start().await;
    let (order, payment) = h.ordered_and_created(2002, "forged_body_bot").await;
    // From an allowed address, with a body that claims success: the API says pending.
    let mut object = h.fake.payment(&payment.id).unwrap();
    object["status"] = json!("succeeded");
    object["paid"] = json!(true);
    let status = h
        .fake
        .notify_raw(
            &h.webhook_url,
            &json!({"type": "notification", "event": "payment.succeeded", "object": object}),
            yookassa_ip(),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(h.reload(order.id).await.status, OrderStatus::Pending);
    assert_eq!(h.activations().await, (0, 0, 0, 0));

    // The buyer really pays; YooKassa's own notification (same event and id) still counts.
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
    assert_eq!(h.reload(order.id).await.status, OrderStatus::Paid);
}

#[tokio::test]
async fn a_payment_whose_amount_differs_from_the_order_activates_nothing() {
    let h = Harness::start().await;
    let (order, payment) = h.ordered_and_created(2003, "amount_mismatch_bot").await;
    h.fake.pay(&payment.id);
    h.fake
        .tamper(&payment.id, |p| p["amount"]["value"] = json!("1.00"));
    let status = h
        .fake
        .notify(
            &h.webhook_url,
            "payment.succeeded",
            &payment.id,
            yookassa_ip(),
        )
        .await;
    assert_eq!(
        status, 200,
        "answered, so YooKassa stops; the order is flagged instead"
    );
    let order = h.reload(order.id).await;
    assert_eq!(order.status, OrderStatus::Pending);
    assert!(order.review_reason.unwrap().contains("1.00"));
    assert_eq!(h.activations().await, (0, 0, 0, 0));
}

#[tokio::test]
async fn a_notification_of_an_unknown_payment_is_answered_and_changes_nothing() {
    let h = Harness::start().await;
    let status = h
        .fake
        .notify(
            &h.webhook_url,
            "payment.succeeded",
            "2419a771-000f-5000-9000-1edaf29243f2",
            yookassa_ip(),
        )
        .await;
    assert_eq!(status, 200);
    let garbage = h
        .fake
        .notify_raw(&h.webhook_url, &json!({"hello": "world"}), yookassa_ip())
        .await;
    assert_eq!(garbage, 400);
    assert_eq!(h.activations().await, (0, 0, 0, 0));
    assert_eq!(
        h.count("select count(*) from control.payment_events").await,
        0
    );
    // The service stops cleanly on its shutdown signal.
    h.stop().await;
}

#[tokio::test]
async fn duplicate_and_out_of_order_notifications_activate_once() {
    let h = Harness::start().await;
    let (order, payment) = h.ordered_and_created(2004, "duplicates_bot").await;
    // A stale "canceled" before anything happened: the API says pending, nothing changes.
    assert_eq!(
        h.fake
            .notify(
                &h.webhook_url,
                "payment.canceled",
                &payment.id,
                yookassa_ip()
            )
            .await,
        200
    );
    assert_eq!(h.reload(order.id).await.status, OrderStatus::Pending);
    h.fake.pay(&payment.id);
    // Five at once, then a stale waiting_for_capture and a canceled after the success.
    let sends = (0..5).map(|_| {
        h.fake.notify(
            &h.webhook_url,
            "payment.succeeded",
            &payment.id,
            yookassa_ip(),
        )
    });
    let statuses = futures_join(sends).await;
    assert!(statuses.iter().all(|s| *s == 200), "{statuses:?}");
    for event in [
        "payment.waiting_for_capture",
        "payment.canceled",
        "payment.succeeded",
    ] {
        assert_eq!(
            h.fake
                .notify(&h.webhook_url, event, &payment.id, yookassa_ip())
                .await,
            200
        );
    }
    let order = h.reload(order.id).await;
    assert_eq!(order.status, OrderStatus::Paid);
    let tenant = order.tenant.unwrap();
    // The follow-up runs beside the answer; wait for the deploy job it queues.
    eventually("the deploy job", || async {
        h.activations().await == (1, 1, 1, 1)
    })
    .await;
    let mut conn = h.db.db.pool().acquire().await.unwrap();
    let sub = subscriptions::get(&mut conn, tenant)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(sub.status, SubscriptionStatus::Active);
    let days = (sub.current_period_end - order.paid_at.unwrap()).num_days();
    assert_eq!(days, 30, "one period, not five");
    let saved: Option<String> =
        sqlx::query_scalar("select payment_method_id from control.subscriptions")
            .fetch_one(h.db.db.pool())
            .await
            .unwrap();
    assert_eq!(
        saved.as_deref(),
        Some(payment.id.as_str()),
        "the saved method is kept for renewals"
    );
}

#[tokio::test]
async fn a_paid_order_provisions_its_tenant_and_queues_one_deploy() {
    let h = Harness::start().await;
    let (order, payment) = h.ordered_and_created(2005, "provisioned_bot").await;
    h.fake.pay(&payment.id);
    assert_eq!(
        h.fake
            .notify(
                &h.webhook_url,
                "payment.succeeded",
                &payment.id,
                yookassa_ip()
            )
            .await,
        200
    );
    eventually("provisioning", || async {
        h.reload(order.id).await.provisioned_at.is_some()
    })
    .await;
    let tenant = h.reload(order.id).await.tenant.unwrap();
    let record = storage::control::tenants::get(h.db.db.pool(), tenant)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(record.owner_telegram_id.unwrap().get(), 2005);
    assert_eq!(record.bot_username.as_deref(), Some("provisioned_bot"));
    assert!(record.has_bot_token && record.schema_version.is_some());
    assert_eq!(record.desired_state.as_str(), "running");
    let payload: serde_json::Value = sqlx::query_scalar(
        "select payload from control.jobs where kind = 'reconcile_tenant' and dedupe_key = $1",
    )
    .bind(JobKind::reconcile(tenant).dedupe_key())
    .fetch_one(h.db.db.pool())
    .await
    .unwrap();
    assert_eq!(payload, json!({"tenant_id": tenant.get()}));
    // The token is stored sealed, and opens to the buyer's token.
    let sealed: Vec<u8> =
        sqlx::query_scalar("select bot_token_enc from control.tenants where tenant_id = $1")
            .bind(tenant.get())
            .fetch_one(h.db.db.pool())
            .await
            .unwrap();
    let token = h
        .client
        .bots()
        .await
        .unwrap()
        .into_iter()
        .find(|b| b.username == "provisioned_bot")
        .unwrap()
        .token;
    let secret = token.as_str().split_once(':').unwrap().1;
    assert!(!String::from_utf8_lossy(&sealed).contains(secret));
    let opened = h
        .sales
        .data_key
        .open(&sealed, SealedAt::TenantBotToken(tenant))
        .unwrap();
    assert_eq!(
        secrecy::ExposeSecret::expose_secret(&opened),
        token.as_str()
    );
}

#[tokio::test]
async fn a_lost_notification_is_caught_by_reconciliation_and_stale_orders_expire() {
    let h = Harness::start().await;
    let (paid, payment) = h.ordered_and_created(2006, "lost_notification_bot").await;
    let (stale, _) = h.ordered_and_created(2007, "stale_order_bot").await;
    h.fake.pay(&payment.id);
    // No notification at all.
    h.clock.advance(chrono::Duration::minutes(61));
    let report = sales_bot::reconcile::pass(&h.sales).await;
    assert_eq!(report.activated, 1, "{report:?}");
    assert_eq!(report.expired, 1, "{report:?}");
    assert_eq!(report.failures, 0, "{report:?}");
    assert_eq!(h.reload(paid.id).await.status, OrderStatus::Paid);
    assert!(h.reload(paid.id).await.provisioned_at.is_some());
    assert_eq!(h.reload(stale.id).await.status, OrderStatus::Expired);
    // A second pass changes nothing.
    let again = sales_bot::reconcile::pass(&h.sales).await;
    assert_eq!((again.activated, again.expired), (0, 0), "{again:?}");
    assert_eq!(h.activations().await, (1, 1, 1, 1));
}

#[tokio::test]
async fn a_canceled_payment_closes_its_order_and_the_buyer_is_told_once() {
    let h = Harness::start().await;
    let buyer = h.buyer("Petr").await;
    // Telegram lets a bot write only to people who started it.
    buyer.say("/start").await;
    buyer.next().await;
    let (order, payment) = h.ordered_and_created(buyer.id(), "canceled_bot").await;
    h.fake.cancel(&payment.id, "expired_on_confirmation");
    for _ in 0..2 {
        assert_eq!(
            h.fake
                .notify(
                    &h.webhook_url,
                    "payment.canceled",
                    &payment.id,
                    yookassa_ip()
                )
                .await,
            200
        );
    }
    // A later poll of the closed order says nothing either.
    sales_bot::reconcile::pass(&h.sales).await;
    assert_eq!(h.reload(order.id).await.status, OrderStatus::Cancelled);
    assert_eq!(h.activations().await, (0, 0, 0, 0));
    // The message is sent before the notification is answered, so the chat is final here.
    let chat = h
        .client
        .chat(&h.bot.token, buyer.chat.user.id)
        .await
        .unwrap();
    let told: Vec<_> = chat
        .iter()
        .filter(|m| m.is_from_bot() && m.text().contains("cancelled"))
        .collect();
    assert_eq!(told.len(), 1, "{chat:?}");
}

#[tokio::test]
async fn a_payment_made_before_is_fetched_never_made_again_after_yookassa_forgot_the_key() {
    let h = Harness::start().await;
    let (order, payment) = h.ordered_and_created(2009, "forgotten_key_bot").await;
    h.fake.expire_keys();
    let again = sales_bot::checkout::ensure_payment(&h.sales, &order)
        .await
        .unwrap();
    assert_eq!(again.id, payment.id);
    assert_eq!(h.fake.payments().len(), 1);
}

async fn futures_join<F: std::future::Future<Output = u16>>(
    futures: impl Iterator<Item = F>,
) -> Vec<u16> {
    let handles: Vec<_> = futures.collect();
    let mut out = Vec::new();
    // Polled together: the notifications overlap in the handler.
    let joined = futures_util_join(handles).await;
    out.extend(joined);
    out
}

async fn futures_util_join<F: std::future::Future<Output = u16>>(futures: Vec<F>) -> Vec<u16> {
    futures::future::join_all(futures).await
}

#[tokio::test]
async fn concurrent_follow_ups_provision_once_and_the_stored_password_opens_the_tenant_role() {
    use booking_core::tenant::TenantSchema;
    use storage::{Db, db::PoolSize};

    let h = Harness::start().await;
    let (order, payment) = h.ordered_and_created(2011, "raced_bot").await;
    h.fake.pay(&payment.id);
    let sales_bot::settle::Settled::Activated(paid) =
        sales_bot::settle::settle(&h.sales, &payment.id)
            .await
            .unwrap()
    else {
        panic!("not activated");
    };
    let runs = (0..4).map(|_| sales_bot::follow_up::provision_order(&h.sales, &paid));
    for result in futures::future::join_all(runs).await {
        result.unwrap();
    }
    let tenant = h.reload(order.id).await.tenant.unwrap();
    assert_eq!(
        h.count("select count(*) from control.jobs where kind = 'reconcile_tenant'")
            .await,
        1
    );
    // The password the deploy worker will hand the tenant's bot is the role's password.
    let password = storage::control::tenants::secrets(h.db.db.pool(), &h.sales.data_key, tenant)
        .await
        .unwrap()
        .db_password
        .unwrap();
    let schema = TenantSchema::for_tenant(tenant);
    let role = h.db.db.tenant_role(&schema);
    let as_tenant = Db::connect_as_tenant(
        &h.db.tenant_url(role.as_str(), &password),
        &schema,
        PoolSize(1),
    )
    .unwrap();
    as_tenant.ping().await.unwrap();
}

#[tokio::test]
async fn when_the_payment_cannot_be_checked_nothing_changes_and_the_redelivery_activates_once() {
    let h = Harness::start().await;
    let (order, payment) = h.ordered_and_created(2012, "redelivered_bot").await;
    h.fake.pay(&payment.id);
    h.fake.fail_next_gets(1);
    let pause = std::time::Duration::from_millis(20);
    let statuses = h
        .fake
        .notify_until_delivered(
            &h.webhook_url,
            "payment.succeeded",
            &payment.id,
            yookassa_ip(),
            &[pause, pause, pause],
        )
        .await;
    // The first check failed: an error, so YooKassa sends it again; the second is processed.
    assert_eq!(statuses, vec![502, 200]);
    assert_eq!(h.reload(order.id).await.status, OrderStatus::Paid);
    eventually("the deploy job", || async {
        h.activations().await == (1, 1, 1, 1)
    })
    .await;
}
