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

/// An operator renames a plan and takes it off sale: the sales bot's list no longer has it,
/// `GET /plans` still does, and its price cannot be changed in place (a new price is a new
/// plan, so subscribers keep what they bought). Bad names, unknown plans and tenant keys are
/// refused, and nothing changes.
#[tokio::test]
async fn an_operator_renames_a_plan_and_takes_it_off_sale() {
    let app = TestApp::spawn().await;
    let op = &app.operator;
    let body = json!({ "code": "pro", "name": "Pro", "price_minor": 99_000, "period_days": 30 });
    let plan = app.post("/plans", op, &body).await.body;
    let path = format!("/plans/{}", plan["id"]);
    let patch = |body: serde_json::Value, key: &str| {
        let (path, key) = (path.clone(), key.to_owned());
        let app = &app;
        async move {
            app.send(Method::PATCH, &path, Some(&key), Some(&body), None)
                .await
        }
    };
    let on_sale = || async {
        storage::control::plans::list(app.t.db.pool(), false)
            .await
            .unwrap()
            .into_iter()
            .map(|p| p.name)
            .collect::<Vec<_>>()
    };

    let bad = patch(json!({ "name": "   ", "active": false }), op).await;
    assert_eq!(bad.fields(), ["name"]);
    let repriced = patch(json!({ "price_minor": 1, "period_days": 7 }), op).await;
    assert_eq!(repriced.fields(), ["price_minor", "period_days"]);
    assert!(
        repriced.body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("POST /plans"),
        "says how: {:#}",
        repriced.body
    );
    let key = app
        .tenant_key(app.t.tenant("Salon", chrono_tz::Europe::Moscow).await.0.id)
        .await;
    patch(json!({ "active": false }), &key)
        .await
        .assert_problem(StatusCode::NOT_FOUND, "not_found");
    app.send(
        Method::PATCH,
        "/plans/999999",
        Some(op),
        Some(&json!({ "active": false })),
        None,
    )
    .await
    .assert_problem(StatusCode::NOT_FOUND, "not_found");
    assert_eq!(on_sale().await, ["Pro"], "nothing refused changed anything");

    let renamed = patch(json!({ "name": " Про, месяц " }), op).await;
    assert_eq!(renamed.status, StatusCode::OK, "{:#}", renamed.body);
    assert_eq!(renamed.body["name"], "Про, месяц");
    assert_eq!(renamed.body["active"], true);
    assert_eq!(renamed.body["price_minor"], 99_000);

    let retired = patch(json!({ "active": false }), op).await;
    assert_eq!(retired.body["active"], false);
    assert_eq!(retired.body["name"], "Про, месяц", "an absent field stays");
    assert!(on_sale().await.is_empty(), "off sale");
    let listed = app.get("/plans", op).await.body;
    assert_eq!(listed[0]["active"], false, "still listed for operators");

    let back = patch(json!({ "active": true }), op).await;
    assert_eq!(back.body["active"], true);
    assert_eq!(on_sale().await, ["Про, месяц"]);
    assert_eq!(app.audited("plan.update").await, 3);
}
