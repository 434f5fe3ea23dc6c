//! The YooKassa client against the fake: idempotence, retries, errors.

use sales_bot::yookassa::{ShopId, YooKassa, YooKassaError, model::PaymentStatus};
use secrecy::SecretString;
use storage::control::orders::OrderStatus;
use test_support::yookassa::{FakeYooKassa, Fault};

use crate::support::{Harness, SECRET, SHOP, fast_retry};

#[tokio::test]
async fn a_500_after_the_payment_was_made_is_retried_with_the_same_key_and_yields_one_payment() {
    let h = Harness::start().await;
    h.fake.fail_next(Fault::Error500Applied);
    let (order, payment) = h.ordered_and_created(1001, "first_salon_bot").await;

    assert_eq!(h.fake.payments().len(), 1, "exactly one payment exists");
    let creates: Vec<_> = h
        .fake
        .received()
        .into_iter()
        .filter(|r| r.path == "/v3/payments")
        .collect();
    assert_eq!(creates.len(), 2, "the 500 was retried once");
    let key = order.idempotence_key.to_string();
    assert!(
        creates
            .iter()
            .all(|r| r.idempotence_key.as_deref() == Some(key.as_str()))
    );
    assert_eq!(
        creates[0].body, creates[1].body,
        "the retry is the same request"
    );
    assert_eq!(creates[0].status, 500);
    assert_eq!(creates[1].status, 200);
    assert_eq!(order.payment_id.as_deref(), Some(payment.id.as_str()));
    assert_eq!(order.status, OrderStatus::Pending);
    // What was sent: capture, redirect, the order in metadata.
    let body = &creates[0].body;
    assert_eq!(body["capture"], true);
    assert_eq!(body["confirmation"]["type"], "redirect");
    assert_eq!(body["metadata"]["order_id"], order.id.to_string());
    assert_eq!(body["amount"]["value"], "1990.00");
}

#[tokio::test]
async fn a_500_that_made_nothing_and_a_202_and_a_429_are_retried_into_one_payment() {
    let h = Harness::start().await;
    h.fake.fail_next(Fault::Error500NotApplied);
    h.fake.fail_next(Fault::Accepted202);
    h.fake.fail_next(Fault::TooManyRequests429);
    let (_, payment) = h.ordered_and_created(1002, "second_salon_bot").await;
    assert_eq!(h.fake.payments().len(), 1);
    assert_eq!(payment.status, PaymentStatus::Pending);
    assert!(payment.confirmation.unwrap().confirmation_url.is_some());
}

#[tokio::test]
async fn a_crash_before_the_answer_is_stored_is_resumed_with_the_stored_key() {
    let h = Harness::start().await;
    let order = h.order(1003, "third_salon_bot").await;
    // The first process made the payment but died before writing its id.
    h.fake.fail_next(Fault::Error500Applied);
    let yookassa = &h.sales.payments.as_ref().unwrap().yookassa;
    let request =
        sales_bot::checkout::payment_request(&order, h.sales.payments.as_ref().unwrap(), None);
    let first = YooKassa::new(
        &h.fake.api_url(),
        ShopId(SHOP.into()),
        SecretString::from(SECRET),
        sales_bot::yookassa::RetryPolicy {
            attempts: 1,
            ..fast_retry()
        },
    )
    .unwrap()
    .create_payment(&order.idempotence_key.to_string(), &request)
    .await;
    assert!(
        matches!(first, Err(YooKassaError::Unknown { .. })),
        "{first:?}"
    );
    // Reconciliation resends with the stored key: the same payment, not a second one.
    let report = sales_bot::reconcile::pass(&h.sales).await;
    assert_eq!(report.failures, 0, "{report:?}");
    let order = h.reload(order.id).await;
    assert_eq!(h.fake.payments().len(), 1);
    assert_eq!(
        order.payment_id.as_deref(),
        h.fake.payments()[0]["id"].as_str()
    );
    let _ = yookassa;
}

#[tokio::test]
async fn the_same_key_with_another_body_is_refused_as_a_programming_error() {
    let fake = FakeYooKassa::start(SHOP, SECRET).await;
    let client = YooKassa::new(
        &fake.api_url(),
        ShopId(SHOP.into()),
        SecretString::from(SECRET),
        fast_retry(),
    )
    .unwrap();
    let mut request =
        serde_json::from_value::<sales_bot::yookassa::model::CreatePayment>(serde_json::json!({
            "amount": {"value": "10.00", "currency": "RUB"}, "capture": true,
            "confirmation": {"type": "redirect", "return_url": "https://t.me"},
            "metadata": {"order_id": "x"}
        }))
        .unwrap();
    let first = client.create_payment("key-1", &request).await.unwrap();
    let again = client.create_payment("key-1", &request).await.unwrap();
    assert_eq!(first.id, again.id, "same key, same body: the first answer");
    request.amount.value = "11.00".into();
    let err = client.create_payment("key-1", &request).await.unwrap_err();
    assert!(err.is_key_reused(), "{err:?}");
    assert_eq!(fake.payments().len(), 1);
    // Only one request was made for the refused one: a 4xx is not retried.
    assert_eq!(fake.received().len(), 3);
}

#[tokio::test]
async fn wrong_credentials_are_refused_and_unknown_payments_are_none() {
    let fake = FakeYooKassa::start(SHOP, SECRET).await;
    let wrong = YooKassa::new(
        &fake.api_url(),
        ShopId(SHOP.into()),
        SecretString::from("wrong"),
        fast_retry(),
    )
    .unwrap();
    let err = wrong
        .get_payment("2419a771-000f-5000-9000-1edaf29243f2")
        .await
        .unwrap_err();
    assert!(
        matches!(&err, YooKassaError::Rejected { status: 401, code, .. } if code == "invalid_credentials"),
        "{err:?}"
    );
    assert!(!format!("{err} {err:?}").contains("wrong"));
    let right = YooKassa::new(
        &fake.api_url(),
        ShopId(SHOP.into()),
        SecretString::from(SECRET),
        fast_retry(),
    )
    .unwrap();
    assert!(
        right
            .get_payment("2419a771-000f-5000-9000-1edaf29243f2")
            .await
            .unwrap()
            .is_none()
    );
}
