use master_bot::api::{RateLimit, state::ApiSettings};
use reqwest::{Method, StatusCode};
use serde_json::json;
use storage::control::api_keys::{self, ApiKeyId};
use telemetry::client_ip::Allowlist;

use crate::TestApp;

/// No key, a malformed key, an unknown key, a wrong secret and a revoked key all get the same
/// 401 problem, and never any data.
#[tokio::test]
async fn missing_wrong_and_revoked_keys_get_401_and_no_data() {
    let app = TestApp::spawn().await;
    let (tenant, _) = app.t.tenant("Salon", chrono_tz::Europe::Moscow).await;
    // The operator's key with its last character changed (to another one: a key may end in
    // "x" already, one time in thirty-two).
    let (head, last) = app.operator.split_at(app.operator.len() - 1);
    let wrong_secret = format!("{head}{}", if last == "x" { "y" } else { "x" });
    let (revoked, revoked_key) = {
        let created = app
            .post("/api-keys", &app.operator, &json!({ "name": "old" }))
            .await;
        assert_eq!(created.status, StatusCode::CREATED);
        (
            created.body["id"].as_i64().unwrap(),
            created.body["key"].as_str().unwrap().to_owned(),
        )
    };
    assert_eq!(
        app.get("/tenants", &revoked_key).await.status,
        StatusCode::OK
    );
    let gone = app
        .send(
            Method::DELETE,
            &format!("/api-keys/{revoked}"),
            Some(&app.operator),
            None,
            None,
        )
        .await;
    assert_eq!(gone.status, StatusCode::NO_CONTENT);

    let unknown = "bk_abcdefghijkm_abcdefghijkmnopqrstuvwxyz23456789abcdefghijk";
    for key in [
        None,
        Some("nonsense"),
        Some(unknown),
        Some(wrong_secret.as_str()),
        Some(revoked_key.as_str()),
    ] {
        for path in [
            "/tenants".to_owned(),
            format!("/tenants/{}", tenant.id),
            format!("/tenants/{}/services", tenant.id),
        ] {
            let answer = app.send(Method::GET, &path, key, None, None).await;
            answer.assert_problem(StatusCode::UNAUTHORIZED, "unauthorized");
            assert_eq!(answer.headers["www-authenticate"], "Bearer");
            assert!(answer.body.get("items").is_none() && answer.body.get("name").is_none());
        }
    }
    // A key in the query string or without "Bearer" is not a key.
    let raw = app
        .client
        .get(format!("{}/api/v1/tenants", app.base))
        .header("Authorization", &app.operator)
        .send()
        .await
        .unwrap();
    assert_eq!(raw.status(), StatusCode::UNAUTHORIZED);
    let record = api_keys::get(app.t.db.pool(), ApiKeyId(revoked))
        .await
        .unwrap()
        .unwrap();
    assert!(record.revoked_at.is_some());
    assert_eq!(app.audited("api_key.revoke").await, 1);
}

/// A tenant key reads its own tenant; everything else is "not found", exactly like a tenant
/// that does not exist, so it learns nothing.
#[tokio::test]
async fn a_tenant_key_gets_404_for_everything_not_its_own() {
    let app = TestApp::spawn().await;
    let (own, _) = app.t.tenant("Own", chrono_tz::Europe::Moscow).await;
    let (other, _) = app.t.tenant("Other", chrono_tz::Europe::Moscow).await;
    let key = app.tenant_key(own.id).await;

    let mine = app.get(&format!("/tenants/{}", own.id), &key).await;
    assert_eq!(mine.status, StatusCode::OK);
    assert_eq!(mine.body["name"], "Own");
    assert_eq!(
        app.get(&format!("/tenants/{}/services", own.id), &key)
            .await
            .status,
        StatusCode::OK
    );

    let booking = json!({
        "service_id": 1, "start": "2026-06-02T07:00:00Z",
        "customer": { "telegram_user_id": 5, "first_name": "Eve" }
    });
    let mut answers = vec![
        app.get(&format!("/tenants/{}", other.id), &key).await,
        app.get("/tenants/999999", &key).await,
        app.get(&format!("/tenants/{}/services", other.id), &key)
            .await,
        app.get(&format!("/tenants/{}/staff", other.id), &key).await,
        app.get(
            &format!(
                "/tenants/{}/slots?service_id=1&from=2026-06-02&to=2026-06-02",
                other.id
            ),
            &key,
        )
        .await,
        app.post(&format!("/tenants/{}/bookings", other.id), &key, &booking)
            .await,
        app.send(
            Method::DELETE,
            &format!("/tenants/{}/bookings/1", other.id),
            Some(&key),
            None,
            None,
        )
        .await,
        // Operator endpoints, even on its own tenant.
        app.get("/tenants", &key).await,
        app.post(
            "/tenants",
            &key,
            &json!({ "name": "X", "time_zone": "UTC" }),
        )
        .await,
        app.send(
            Method::PATCH,
            &format!("/tenants/{}", own.id),
            Some(&key),
            Some(&json!({ "name": "Y" })),
            None,
        )
        .await,
        app.send(
            Method::DELETE,
            &format!("/tenants/{}?confirm=tenant_{}", own.id, own.id),
            Some(&key),
            None,
            None,
        )
        .await,
        app.get("/api-keys", &key).await,
        app.post("/api-keys", &key, &json!({ "name": "mine" }))
            .await,
    ];
    for answer in answers.drain(..) {
        answer.assert_problem(StatusCode::NOT_FOUND, "not_found");
    }
    // The other tenant's 404 and a missing tenant's 404 are the same document.
    let a = app.get(&format!("/tenants/{}", other.id), &key).await.body;
    let b = app.get("/tenants/999999", &key).await.body;
    assert_eq!(a, b);
    // Nothing changed.
    assert_eq!(
        app.get(&format!("/tenants/{}", own.id), &app.operator)
            .await
            .body["name"],
        "Own"
    );
    assert_eq!(app.audited("tenant.update").await, 0);
}

/// Keys made through the API work at once and only within their scope.
#[tokio::test]
async fn operators_create_list_and_revoke_tenant_keys() {
    let app = TestApp::spawn().await;
    let (tenant, _) = app.t.tenant("Salon", chrono_tz::Europe::Moscow).await;
    let created = app
        .post(
            "/api-keys",
            &app.operator,
            &json!({ "name": "site", "tenant_id": tenant.id }),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{:#}", created.body);
    assert_eq!(created.body["scope"], "tenant");
    assert_eq!(created.body["tenant_id"], tenant.id.get());
    let key = created.body["key"].as_str().unwrap();
    assert!(key.starts_with(&format!("bk_{}_", created.body["prefix"].as_str().unwrap())));
    assert_eq!(
        app.get(&format!("/tenants/{}/staff", tenant.id), key)
            .await
            .status,
        StatusCode::OK
    );

    let listed = app
        .get(&format!("/api-keys?tenant_id={}", tenant.id), &app.operator)
        .await;
    assert_eq!(listed.body.as_array().unwrap().len(), 1);
    assert!(
        !listed.body.to_string().contains(key),
        "a list never shows a secret"
    );

    let bad = app
        .post(
            "/api-keys",
            &app.operator,
            &json!({ "name": " ", "tenant_id": 424242 }),
        )
        .await;
    bad.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    let bad = app
        .post(
            "/api-keys",
            &app.operator,
            &json!({ "name": "x", "tenant_id": 424242 }),
        )
        .await;
    assert_eq!(bad.fields(), ["tenant_id"]);
    assert_eq!(app.audited("api_key.create").await, 1);
}

/// A key gets its burst, then 429 problems with Retry-After.
#[tokio::test]
async fn a_key_over_its_rate_limit_gets_429() {
    let app = TestApp::spawn_with(RateLimit {
        burst: 3,
        per_second: 1,
    })
    .await;
    for _ in 0..3 {
        assert_eq!(
            app.get("/tenants", &app.operator).await.status,
            StatusCode::OK
        );
    }
    let limited = app.get("/tenants", &app.operator).await;
    limited.assert_problem(StatusCode::TOO_MANY_REQUESTS, "rate_limited");
    assert!(
        limited.headers["retry-after"]
            .to_str()
            .unwrap()
            .parse::<u64>()
            .unwrap()
            >= 1
    );
}

/// Too many requests with a missing or wrong key from one address get 429 before the database
/// is asked; other addresses are not held up. Behind a trusted proxy the address is the one
/// it wrote in X-Forwarded-For.
#[tokio::test]
async fn an_address_with_too_many_bad_keys_gets_429_before_any_database_lookup() {
    let app = TestApp::spawn_settings(
        ApiSettings {
            auth_failures: RateLimit {
                burst: 3,
                per_second: 1,
            },
            // The test's own requests come from 127.0.0.1: a proxy, for the test.
            trusted_proxies: Allowlist::parse("127.0.0.1").unwrap(),
            ..ApiSettings::default()
        },
        true,
        None,
    )
    .await;
    let from = |client: &'static str, key: Option<&str>| {
        let mut req = app
            .client
            .get(format!("{}/api/v1/tenants", app.base))
            .header("x-forwarded-for", client);
        if let Some(key) = key {
            req = req.bearer_auth(key);
        }
        async move { req.send().await.unwrap() }
    };
    // A well-formed key with a wrong secret: checking it takes a database lookup.
    let (head, last) = app.operator.split_at(app.operator.len() - 1);
    let wrong = format!("{head}{}", if last == "x" { "y" } else { "x" });
    let wrong = wrong.as_str();
    for key in [Some(wrong), None, Some("nonsense")] {
        assert_eq!(
            from("203.0.113.5", key).await.status(),
            StatusCode::UNAUTHORIZED
        );
    }
    let limited = from("203.0.113.5", Some(wrong)).await;
    assert_eq!(limited.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(limited.headers().contains_key("retry-after"));
    // Until the key is checked it cannot be told from a guess: a valid one waits too.
    assert_eq!(
        from("203.0.113.5", Some(&app.operator)).await.status(),
        StatusCode::TOO_MANY_REQUESTS
    );
    // Another client behind the same proxy is not held up.
    assert_eq!(
        from("198.51.100.9", Some(&app.operator)).await.status(),
        StatusCode::OK
    );

    // No database at all now: the limited address still gets its 429, without a lookup,
    // while a new address's key check fails on the missing database.
    app.t.db.pool().close().await;
    assert_eq!(
        from("203.0.113.5", Some(wrong)).await.status(),
        StatusCode::TOO_MANY_REQUESTS
    );
    let other = from("192.0.2.44", Some(wrong)).await.status();
    assert!(other.is_server_error(), "{other}");
}

/// Without trusted proxies, X-Forwarded-For is the sender's claim and changes nothing: the
/// TCP peer is the one limited.
#[tokio::test]
async fn a_forged_forwarded_for_does_not_escape_the_limit() {
    let app = TestApp::spawn_settings(
        ApiSettings {
            auth_failures: RateLimit {
                burst: 2,
                per_second: 1,
            },
            ..ApiSettings::default()
        },
        true,
        None,
    )
    .await;
    let mut statuses = Vec::new();
    for client in ["203.0.113.1", "203.0.113.2", "203.0.113.3"] {
        let answer = app
            .client
            .get(format!("{}/api/v1/tenants", app.base))
            .header("x-forwarded-for", client)
            .send()
            .await
            .unwrap();
        statuses.push(answer.status());
    }
    assert_eq!(
        statuses,
        [
            StatusCode::UNAUTHORIZED,
            StatusCode::UNAUTHORIZED,
            StatusCode::TOO_MANY_REQUESTS
        ]
    );
}

/// Unknown routes and methods are problem documents too.
#[tokio::test]
async fn unknown_routes_and_methods_are_problems() {
    let app = TestApp::spawn().await;
    app.get("/nothing-here", &app.operator)
        .await
        .assert_problem(StatusCode::NOT_FOUND, "not_found");
    app.send(Method::PUT, "/tenants", Some(&app.operator), None, None)
        .await
        .assert_problem(StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed");
}
