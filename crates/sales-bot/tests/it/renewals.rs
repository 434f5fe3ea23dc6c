//! Renewals charged to the saved payment method, refunds, receipts.

use chrono::Duration;
use serde_json::json;
use storage::control::{
    orders::{OrderKind, OrderStatus},
    subscriptions,
};
use test_support::yookassa::ChargeOutcome;

use crate::support::{Harness, yookassa_ip};

async fn paid_tenant(h: &Harness, buyer: i64, bot: &str) -> (booking_core::ids::TenantId, String) {
    let (order, payment) = h.ordered_and_created(buyer, bot).await;
    h.fake.pay(&payment.id);
    let report = sales_bot::reconcile::pass(&h.sales).await;
    assert_eq!(report.activated, 1, "{report:?}");
    (h.reload(order.id).await.tenant.unwrap(), payment.id)
}

async fn period_end(
    h: &Harness,
    tenant: booking_core::ids::TenantId,
) -> chrono::DateTime<chrono::Utc> {
    let mut conn = h.db.db.pool().acquire().await.unwrap();
    subscriptions::get(&mut conn, tenant)
        .await
        .unwrap()
        .unwrap()
        .current_period_end
}

async fn saved_method(h: &Harness) -> Option<String> {
    sqlx::query_scalar("select payment_method_id from control.subscriptions")
        .fetch_one(h.db.db.pool())
        .await
        .unwrap()
}

#[tokio::test]
async fn a_saved_method_is_charged_before_expiry_once_and_a_failed_charge_is_retried_then_dropped()
{
    let h = Harness::start().await;
    let (tenant, first_payment) = paid_tenant(&h, 3001, "renewing_bot").await;
    assert_eq!(
        saved_method(&h).await.as_deref(),
        Some(first_payment.as_str())
    );
    let end = period_end(&h, tenant).await;

    // Nothing to do a week before the end.
    h.clock.set(end - Duration::days(7));
    assert_eq!(sales_bot::reconcile::pass(&h.sales).await.renewals, 0);

    // Two days before: one charge, no buyer involved, the period extended once.
    h.clock.set(end - Duration::days(2));
    let report = sales_bot::reconcile::pass(&h.sales).await;
    assert_eq!(report.renewals, 1, "{report:?}");
    assert_eq!(period_end(&h, tenant).await, end + Duration::days(30));
    let charge = h.fake.payments().last().cloned().unwrap();
    assert_eq!(charge["status"], "succeeded");
    let request = h
        .fake
        .received()
        .into_iter()
        .rev()
        .find(|r| r.path == "/v3/payments")
        .unwrap();
    assert_eq!(request.body["payment_method_id"], first_payment.as_str());
    assert!(request.body.get("confirmation").is_none());
    assert_eq!(request.body["capture"], true);
    let kinds: Vec<(String, String)> =
        sqlx::query_as("select kind, status from control.orders order by created_at")
            .fetch_all(h.db.db.pool())
            .await
            .unwrap();
    assert_eq!(kinds[1], ("renewal".to_owned(), "paid".to_owned()));
    assert_eq!(OrderKind::Renewal.as_str(), "renewal");
    assert_eq!(OrderStatus::Paid.as_str(), "paid");
    // A second pass at once charges nothing more.
    assert_eq!(sales_bot::reconcile::pass(&h.sales).await.renewals, 0);
    assert_eq!(h.fake.payments().len(), 2);

    // The next period: the card is empty. The charge fails, the owner is told, the method
    // stays for the next attempt a day later; that one is revoked, and the method is dropped.
    let end = period_end(&h, tenant).await;
    h.clock.set(end - Duration::days(2));
    h.fake
        .next_charge(ChargeOutcome::Canceled("insufficient_funds".into()));
    assert_eq!(sales_bot::reconcile::pass(&h.sales).await.renewals, 1);
    assert_eq!(period_end(&h, tenant).await, end, "not extended");
    assert!(saved_method(&h).await.is_some());
    h.clock.advance(Duration::hours(12));
    assert_eq!(
        sales_bot::reconcile::pass(&h.sales).await.renewals,
        0,
        "not twice a day"
    );
    h.clock.advance(Duration::hours(13));
    h.fake
        .next_charge(ChargeOutcome::Canceled("permission_revoked".into()));
    assert_eq!(sales_bot::reconcile::pass(&h.sales).await.renewals, 1);
    assert!(
        saved_method(&h).await.is_none(),
        "a revoked method is never charged again"
    );
    h.clock.advance(Duration::days(2));
    assert_eq!(sales_bot::reconcile::pass(&h.sales).await.renewals, 0);
    assert_eq!(period_end(&h, tenant).await, end);
    assert_eq!(
        h.count(
            "select count(*) from control.orders where kind = 'renewal' and status = 'cancelled'"
        )
        .await,
        2
    );
}

#[tokio::test]
async fn a_refund_is_recorded_from_its_notification_after_fetching_it() {
    let h = Harness::start().await;
    let (_, payment) = paid_tenant(&h, 3002, "refunded_bot").await;
    let client = &h.sales.payments.as_ref().unwrap().yookassa;
    let refund = client
        .create_refund(
            "refund-key-1",
            &serde_json::from_value(json!({
                "payment_id": payment, "amount": {"value": "500.00", "currency": "RUB"}
            }))
            .unwrap(),
        )
        .await
        .unwrap();
    // Over the paid amount: YooKassa refuses.
    let over = client
        .create_refund(
            "refund-key-2",
            &serde_json::from_value(json!({
                "payment_id": payment, "amount": {"value": "1490.01", "currency": "RUB"}
            }))
            .unwrap(),
        )
        .await;
    assert!(over.is_err());
    // A forged refund notification (no such refund) records nothing.
    assert_eq!(
        h.fake
            .notify(
                &h.webhook_url,
                "refund.succeeded",
                "216749f7-0016-50be-b000-078d43a63ae4",
                yookassa_ip()
            )
            .await,
        200
    );
    assert_eq!(h.count("select count(*) from control.refunds").await, 0);
    for _ in 0..2 {
        assert_eq!(
            h.fake
                .notify(
                    &h.webhook_url,
                    "refund.succeeded",
                    &refund.id,
                    yookassa_ip()
                )
                .await,
            200
        );
    }
    let refunds = storage::control::payments::refunds_of(h.db.db.pool(), &payment)
        .await
        .unwrap();
    assert_eq!(
        refunds,
        vec![(refund.id.clone(), "succeeded".to_owned(), 50_000)]
    );
}

#[tokio::test]
async fn a_receipt_is_sent_when_configured_and_matches_the_amount() {
    let h = Harness::start().await;
    let mut order = h.order(3003, "receipt_bot").await;
    order.receipt_email = Some("owner@salon.ru".into());
    let mut payments = h.sales.payments.clone().unwrap();
    payments.receipt = Some(sales_bot::app::ReceiptRules {
        vat_code: 11,
        tax_system: Some(2),
    });
    let request = sales_bot::checkout::payment_request(&order, &payments, None);
    let receipt = request.receipt.clone().unwrap();
    assert_eq!(receipt.customer.email.as_deref(), Some("owner@salon.ru"));
    assert_eq!(receipt.items[0].amount.value, "1990.00");
    assert_eq!(receipt.items[0].quantity, "1.00");
    // The fake checks receipts the way YooKassa does, and takes this one.
    let payment = payments
        .yookassa
        .create_payment("receipt-key", &request)
        .await
        .unwrap();
    assert_eq!(payment.amount.value, "1990.00");
    // Without the buyer's email the fake refuses, as YooKassa does.
    let mut no_email = request.clone();
    no_email.receipt.as_mut().unwrap().customer.email = None;
    let err = payments
        .yookassa
        .create_payment("receipt-key-2", &no_email)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("receipt.customer"), "{err}");
}
