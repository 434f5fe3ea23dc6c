//! Prepayment through the API (issue 19): a service's payment terms in `PATCH .../services/{id}`
//! and in the service's JSON; the tenant's payment account set with `PUT .../payment-account`,
//! sealed with the tenant's own key, and answered only as a summary.

use reqwest::{Method, StatusCode};
use secrecy::ExposeSecret as _;
use serde_json::{Value, json};
use storage::crypto::tenant_secrets::TenantSealedAt;
use test_support::salon;

use crate::TestApp;

const TOKEN: &str = "381764678:TEST:100500";

async fn put_account(app: &TestApp, tenant: i64, key: &str, body: &Value) -> crate::Answer {
    app.send(
        Method::PUT,
        &format!("/tenants/{tenant}/payment-account"),
        Some(key),
        Some(body),
        None,
    )
    .await
}

/// Prepayment is refused until the tenant has a provider token; then a 30 % deposit is set,
/// shown in the service's JSON and kept by a later change of the timeout alone; bad terms are
/// 422s on the field that is wrong, and change nothing.
#[tokio::test]
async fn a_service_asks_for_a_deposit_once_the_tenant_can_take_payments() {
    let app = TestApp::spawn().await;
    let (tenant, _) = app.t.tenant("Salon", chrono_tz::Europe::Moscow).await;
    let mut tx = app.t.tx(tenant.id).await;
    let s = salon(&mut tx).await;
    tx.commit().await.unwrap();
    let key = app.tenant_key(tenant.id).await;
    let path = format!("/tenants/{}/services/{}", tenant.id, s.haircut);
    let patch = |body: Value| {
        let (app, path, key) = (&app, &path, &key);
        async move {
            app.send(Method::PATCH, path, Some(key), Some(&body), None)
                .await
        }
    };
    let deposit = json!({ "payment": { "prepayment": { "mode": "deposit", "percent": 30 } } });

    let services = app
        .get(&format!("/tenants/{}/services", tenant.id), &key)
        .await;
    assert_eq!(
        services.body[0]["payment"],
        json!({ "prepayment": { "mode": "none" }, "timeout_min": 15,
                "refund": { "policy": "cutoff", "keep_percent": 100 } })
    );

    patch(deposit.clone())
        .await
        .assert_problem(StatusCode::CONFLICT, "no_provider_token");

    let set = put_account(&app, tenant.id.0, &key, &json!({ "provider_token": TOKEN })).await;
    assert_eq!(set.status, StatusCode::OK, "{:#}", set.body);
    let made = patch(deposit).await;
    assert_eq!(made.status, StatusCode::OK, "{:#}", made.body);
    assert_eq!(
        made.body["payment"]["prepayment"],
        json!({ "mode": "deposit", "percent": 30 })
    );
    let later = patch(json!({ "payment": { "timeout_min": 30,
        "refund": { "policy": "cutoff", "keep_percent": 50 } } }))
    .await;
    assert_eq!(later.status, StatusCode::OK, "{:#}", later.body);
    assert_eq!(
        later.body["payment"],
        json!({ "prepayment": { "mode": "deposit", "percent": 30 }, "timeout_min": 30,
                "refund": { "policy": "cutoff", "keep_percent": 50 } })
    );

    for (bad, field) in [
        (
            json!({ "payment": { "prepayment": { "mode": "deposit", "percent": 0 } } }),
            "payment.prepayment.percent",
        ),
        (
            json!({ "payment": { "prepayment": { "mode": "deposit", "fixed": 0 } } }),
            "payment.prepayment.fixed",
        ),
        (
            json!({ "payment": { "timeout_min": 4 } }),
            "payment.timeout_min",
        ),
        (
            json!({ "payment": { "refund": { "policy": "cutoff", "keep_percent": 101 } } }),
            "payment.refund.keep_percent",
        ),
    ] {
        let refused = patch(bad.clone()).await;
        assert_eq!(
            refused.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{bad}: {:#}",
            refused.body
        );
        assert_eq!(refused.fields(), [field], "{bad}");
    }
    let unknown = patch(json!({ "payment": { "prepayment": { "mode": "half" } } })).await;
    assert_eq!(
        unknown.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{:#}",
        unknown.body
    );

    let stored: (String, Option<i16>, i32, i16) = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "select prepayment, deposit_percent, payment_timeout_min, late_keep_percent \
         from tenant_{}.services where service_id = $1",
        tenant.id
    )))
    .bind(s.haircut.get())
    .fetch_one(app.t.db.pool())
    .await
    .unwrap();
    assert_eq!(stored, ("deposit".to_owned(), Some(30), 30, 50));
    assert_eq!(app.audited("service.payment").await, 2);
    assert_eq!(app.audited("service.seats").await, 0);
}

/// The account's secrets are sealed with the tenant's own key (the one its bot is given) and
/// never answered; the shop's id and key come together; a malformed token is refused without
/// being repeated; `null` removes.
#[tokio::test]
async fn the_payment_account_is_sealed_and_answered_only_as_a_summary() {
    let app = TestApp::spawn().await;
    let (tenant, _) = app.t.tenant("Salon", chrono_tz::Europe::Moscow).await;
    let id = tenant.id.0;
    let operator = app.operator.clone();

    let empty = app
        .get(&format!("/tenants/{id}/payment-account"), &operator)
        .await;
    assert_eq!(
        empty.body,
        json!({ "provider_token_set": false, "shop_id": null, "vat_code": null })
    );

    let set = put_account(
        &app,
        id,
        &operator,
        &json!({ "provider_token": TOKEN, "shop_id": "506751",
                 "shop_secret": "test_SecretKey-1", "vat_code": 1 }),
    )
    .await;
    assert_eq!(set.status, StatusCode::OK, "{:#}", set.body);
    let summary = json!({ "provider_token_set": true, "shop_id": "506751", "vat_code": 1 });
    assert_eq!(set.body, summary);
    let read = app
        .get(&format!("/tenants/{id}/payment-account"), &operator)
        .await;
    assert_eq!(read.body, summary);
    assert!(!read.body.to_string().contains("100500"));

    let (token, secret): (Vec<u8>, Vec<u8>) = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "select provider_token_enc, shop_secret_enc from tenant_{id}.payment_settings"
    )))
    .fetch_one(app.t.db.pool())
    .await
    .unwrap();
    let key = app.t.data_key.tenant_secrets_key(tenant.id);
    assert_eq!(
        key.open(&token, TenantSealedAt::ProviderToken)
            .unwrap()
            .expose_secret(),
        TOKEN
    );
    assert_eq!(
        key.open(&secret, TenantSealedAt::ShopSecret)
            .unwrap()
            .expose_secret(),
        "test_SecretKey-1"
    );

    for (bad, field) in [
        (
            json!({ "provider_token": "my token is 123" }),
            "provider_token",
        ),
        (json!({ "shop_id": "506751" }), "shop_secret"),
        (
            json!({ "shop_id": "shop", "shop_secret": "test_x1" }),
            "shop_id",
        ),
        (json!({ "vat_code": 13 }), "vat_code"),
        (json!({}), "provider_token"),
    ] {
        let refused = put_account(&app, id, &operator, &bad).await;
        assert_eq!(
            refused.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{bad}: {:#}",
            refused.body
        );
        assert_eq!(refused.fields(), [field], "{bad}");
        assert!(
            !refused.body.to_string().contains("my token"),
            "{:#}",
            refused.body
        );
    }
    assert_eq!(
        app.get(&format!("/tenants/{id}/payment-account"), &operator)
            .await
            .body,
        summary
    );

    let removed = put_account(
        &app,
        id,
        &operator,
        &json!({ "shop_id": null, "shop_secret": null, "vat_code": null }),
    )
    .await;
    assert_eq!(
        removed.body,
        json!({ "provider_token_set": true, "shop_id": null, "vat_code": null })
    );
    assert_eq!(app.audited("payment_account.set").await, 2);
    let audit: Vec<Value> = sqlx::query_scalar(
        "select details from control.audit_log where action = 'payment_account.set'",
    )
    .fetch_all(app.t.db.pool())
    .await
    .unwrap();
    for line in &audit {
        let text = line.to_string();
        assert!(
            !text.contains("100500") && !text.contains("SecretKey"),
            "{text}"
        );
    }

    // Another tenant's key sees nothing of it.
    let (other, _) = app.t.tenant("Other", chrono_tz::Europe::Moscow).await;
    let foreign = app.tenant_key(other.id).await;
    let hidden = app
        .get(&format!("/tenants/{id}/payment-account"), &foreign)
        .await;
    assert_eq!(hidden.status, StatusCode::NOT_FOUND, "{:#}", hidden.body);
}
