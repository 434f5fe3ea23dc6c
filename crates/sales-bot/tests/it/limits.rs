//! What one buyer can make the platform do: a few unpaid orders at once, and a flagged order
//! re-checked a bounded number of times, then left for an operator.

use booking_core::clock::Clock as _;
use chrono::Duration;
use serde_json::json;
use storage::control::{
    order_review::{MAX_REVIEW_AGE, MAX_REVIEW_CHECKS},
    orders::{self, MAX_PENDING_PER_BUYER},
};

use crate::support::{Harness, yookassa_ip};

/// The fourth unpaid order of one buyer is refused, in the buyer's language and before
/// YooKassa hears of it; once their orders expire they may order again.
#[tokio::test]
async fn a_buyer_with_three_unpaid_orders_is_told_to_pay_one_first() {
    let h = Harness::start().await;
    let buyer = h.buyer("Pavel").await;
    for n in 0..MAX_PENDING_PER_BUYER {
        h.order(buyer.id(), &format!("pending_{n}_{}_bot", buyer.id()))
            .await;
    }
    buyer.say("/start").await;
    let menu = buyer.next().await;
    let plans = buyer.press(&menu, "Plans").await;
    let ask_name = buyer.press(&plans, "Buy \"Month\"").await;
    assert!(ask_name.text().contains("business called"));
    buyer.say("Fourth Salon").await;
    let ask_zone = buyer.next().await;
    buyer.press(&ask_zone, "Москва").await;
    let fourth = h.client.create_bot("fourth_order_bot").await.unwrap();
    buyer.say(fourth.token.as_str()).await;
    let refused = buyer.next().await;
    assert!(
        refused.text().contains("You already have 3 unpaid orders"),
        "{}",
        refused.text()
    );
    assert_eq!(
        h.count("select count(*) from control.orders").await,
        MAX_PENDING_PER_BUYER
    );
    assert!(h.fake.payments().is_empty());

    // Unpaid orders that expired do not count.
    h.clock.advance(Duration::minutes(61));
    h.order(buyer.id(), "after_expiry_bot").await;
}

/// Another buyer's orders are theirs: the cap is per buyer.
#[tokio::test]
async fn the_cap_is_per_buyer() {
    let h = Harness::start().await;
    for n in 0..MAX_PENDING_PER_BUYER {
        h.order(3001, &format!("first_buyer_{n}_bot")).await;
    }
    let refused = orders::insert(
        h.db.db.pool(),
        &h.sales.data_key,
        &new_order(&h, 3001),
        h.clock.now(),
    )
    .await
    .unwrap();
    assert_eq!(refused.unwrap_err().limit, MAX_PENDING_PER_BUYER);
    h.order(3002, "second_buyer_bot").await;
}

fn new_order(h: &Harness, buyer: i64) -> orders::NewOrder {
    orders::NewOrder {
        telegram_user: booking_core::ids::TelegramUserId(buyer),
        plan: h.plan.id,
        business_name: "Capped".to_owned(),
        time_zone: chrono_tz::Europe::Moscow,
        locale: booking_core::locale::Locale::Ru,
        bot_username: "capped_bot".to_owned(),
        bot_token: secrecy::SecretString::from("1:capped"),
        amount_minor: h.plan.price_minor,
        currency: h.plan.currency.clone(),
        receipt_email: None,
        expires_at: h.clock.now() + Duration::minutes(60),
    }
}

/// A paid order whose payment does not match it, flagged by `settle`.
async fn flagged(h: &Harness, buyer: i64, bot: &str) -> orders::Order {
    let (order, payment) = h.ordered_and_created(buyer, bot).await;
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
    assert_eq!(status, 200);
    let order = h.reload(order.id).await;
    assert!(order.review_reason.is_some());
    order
}

async fn alerts(h: &Harness) -> i64 {
    h.count("select count(*) from control.operator_alerts where kind = 'order_needs_review'")
        .await
}

fn fetches_of(h: &Harness, payment: &str) -> usize {
    h.fake
        .received()
        .iter()
        .filter(|r| r.method == "GET" && r.path.ends_with(payment))
        .count()
}

/// Re-checked a bounded number of times, then left alone with one alert.
#[tokio::test]
async fn a_flagged_order_is_left_for_an_operator_after_its_rechecks() {
    let h = Harness::start().await;
    let order = flagged(&h, 3101, "flagged_checks_bot").await;
    let payment = order.payment_id.clone().unwrap();
    for pass in 1..=MAX_REVIEW_CHECKS {
        let report = sales_bot::reconcile::pass(&h.sales).await;
        let left = usize::from(pass == MAX_REVIEW_CHECKS);
        assert_eq!(report.left_for_review, left, "pass {pass}");
    }
    let order = h.reload(order.id).await;
    assert_eq!(order.status, orders::OrderStatus::Pending);
    assert_eq!(alerts(&h).await, 1);
    // No longer polled.
    let fetched = fetches_of(&h, &payment);
    for _ in 0..3 {
        sales_bot::reconcile::pass(&h.sales).await;
    }
    assert_eq!(fetches_of(&h, &payment), fetched);
    assert_eq!(alerts(&h).await, 1);
    assert_eq!(h.activations().await.0, 0, "nothing was activated");
}

/// However few checks it had, an order flagged long ago is left for an operator.
#[tokio::test]
async fn a_flagged_order_is_left_for_an_operator_once_old() {
    let h = Harness::start().await;
    flagged(&h, 3102, "flagged_age_bot").await;
    let report = sales_bot::reconcile::pass(&h.sales).await;
    assert_eq!(report.left_for_review, 0);
    h.clock.advance(MAX_REVIEW_AGE);
    let report = sales_bot::reconcile::pass(&h.sales).await;
    assert_eq!(report.left_for_review, 1);
    assert_eq!(alerts(&h).await, 1);
}
