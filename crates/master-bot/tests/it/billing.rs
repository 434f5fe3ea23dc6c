use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::TestApp;

/// Plans are created once per code; a subscription starts from a plan, is extended by a
/// manual payment (in one transaction with the payment) and by hand, and is cancelled.
#[tokio::test]
async fn plans_subscriptions_and_manual_payments() {
    let app = TestApp::spawn().await;
    let (tenant, _) = app.t.tenant("Salon", chrono_tz::Europe::Moscow).await;
    let op = &app.operator;

    let bad = app
        .post(
            "/plans",
            op,
            &json!({ "code": "Pro!", "name": "", "price_minor": -1,
                                      "currency": "rub", "period_days": 0 }),
        )
        .await;
    assert_eq!(
        bad.fields(),
        ["code", "name", "price_minor", "currency", "period_days"]
    );
    let body = json!({ "code": "pro", "name": "Pro", "price_minor": 99_000, "period_days": 30 });
    let plan = app
        .send(
            Method::POST,
            "/plans",
            Some(op),
            Some(&body),
            Some("plan-pro"),
        )
        .await;
    assert_eq!(plan.status, StatusCode::CREATED, "{:#}", plan.body);
    assert_eq!(plan.body["currency"], "RUB");
    let again = app
        .send(
            Method::POST,
            "/plans",
            Some(op),
            Some(&body),
            Some("plan-pro"),
        )
        .await;
    assert_eq!(again.body, plan.body, "replayed");
    app.post("/plans", op, &body)
        .await
        .assert_problem(StatusCode::CONFLICT, "plan_code_taken");
    assert_eq!(
        app.get("/plans", op).await.body.as_array().unwrap().len(),
        1
    );

    let sub_path = format!("/tenants/{}/subscription", tenant.id);
    app.get(&sub_path, op)
        .await
        .assert_problem(StatusCode::NOT_FOUND, "not_found");
    let started = app
        .send(
            Method::PUT,
            &sub_path,
            Some(op),
            Some(&json!({ "plan_id": plan.body["id"], "status": "trial", "days": 14 })),
            None,
        )
        .await;
    assert_eq!(started.status, StatusCode::OK, "{:#}", started.body);
    assert_eq!(started.body["status"], "trial");
    // The test clock says 2026-06-01T05:00Z.
    assert_eq!(started.body["current_period_end"], "2026-06-15T05:00:00Z");
    let invalid = app
        .send(
            Method::PUT,
            &sub_path,
            Some(op),
            Some(&json!({ "plan_id": 999, "status": "gold" })),
            None,
        )
        .await;
    assert_eq!(invalid.fields(), ["status", "plan_id", "days"]);

    // A payment extends by the plan's 30 days, from the end of the current period.
    let payments = format!("/tenants/{}/payments", tenant.id);
    let paid = app
        .send(
            Method::POST,
            &payments,
            Some(op),
            Some(&json!({ "amount_minor": 99_000, "note": "cash" })),
            Some("pay-1"),
        )
        .await;
    assert_eq!(paid.status, StatusCode::CREATED, "{:#}", paid.body);
    assert_eq!(paid.body["subscription"]["status"], "active");
    assert_eq!(
        paid.body["subscription"]["current_period_end"],
        "2026-07-15T05:00:00Z"
    );
    assert!(
        paid.body["payment"]["payment_id"]
            .as_str()
            .unwrap()
            .starts_with("manual-")
    );
    let retried = app
        .send(
            Method::POST,
            &payments,
            Some(op),
            Some(&json!({ "amount_minor": 99_000, "note": "cash" })),
            Some("pay-1"),
        )
        .await;
    assert_eq!(
        retried.body, paid.body,
        "a retried payment is recorded once"
    );
    let count: i64 =
        sqlx::query_scalar("select count(*) from control.payments where provider = 'manual'")
            .fetch_one(app.t.db.pool())
            .await
            .unwrap();
    assert_eq!(count, 1);

    let extended = app
        .post(&format!("{sub_path}/extend"), op, &json!({ "days": 10 }))
        .await;
    assert_eq!(extended.body["current_period_end"], "2026-07-25T05:00:00Z");
    app.post(&format!("{sub_path}/extend"), op, &json!({ "days": 0 }))
        .await
        .assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");

    // The tenant's own key reads its subscription and nothing else here.
    let key = app.tenant_key(tenant.id).await;
    assert_eq!(app.get(&sub_path, &key).await.body["status"], "active");
    app.post(&format!("{sub_path}/extend"), &key, &json!({ "days": 10 }))
        .await
        .assert_problem(StatusCode::NOT_FOUND, "not_found");
    app.get("/plans", &key)
        .await
        .assert_problem(StatusCode::NOT_FOUND, "not_found");

    let cancelled = app
        .send(Method::DELETE, &sub_path, Some(op), None, None)
        .await;
    assert_eq!(cancelled.body["status"], "cancelled");
    for action in [
        "plan.create",
        "subscription.start",
        "payment.record",
        "subscription.extend",
        "subscription.cancel",
    ] {
        assert_eq!(app.audited(action).await, 1, "{action}");
    }
}
