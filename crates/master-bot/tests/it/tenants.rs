use booking_core::locale::Locale;
use reqwest::{Method, StatusCode};
use serde_json::json;
use storage::control::tenants::{self, NewTenant};

use crate::TestApp;

const TOKEN: &str = "123456:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw";

/// Every invalid field is listed at once; broken JSON, unknown fields and oversized bodies get
/// their own problems.
#[tokio::test]
async fn invalid_creates_are_problems_that_name_the_fields() {
    let app = TestApp::spawn().await;
    let bad = app
        .post(
            "/tenants",
            &app.operator,
            &json!({ "name": "", "time_zone": "Mars/Olympus", "locale": "de",
                     "owner_telegram_id": -5, "bot_token": "leaked-if-echoed" }),
        )
        .await;
    bad.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    assert_eq!(
        bad.fields(),
        [
            "name",
            "time_zone",
            "locale",
            "owner_telegram_id",
            "bot_token"
        ]
    );
    assert!(!bad.body.to_string().contains("leaked-if-echoed"));

    let missing = app
        .post("/tenants", &app.operator, &json!({ "name": "A" }))
        .await;
    missing.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    assert_eq!(missing.fields(), ["time_zone"]);
    let unknown = app
        .post(
            "/tenants",
            &app.operator,
            &json!({ "name": "A", "time_zone": "UTC", "plan": 1 }),
        )
        .await;
    unknown.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    assert_eq!(unknown.fields(), ["plan"]);

    let broken = app
        .client
        .post(format!("{}/api/v1/tenants", app.base))
        .bearer_auth(&app.operator)
        .header("content-type", "application/json")
        .body("{\"name\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(broken.status(), StatusCode::BAD_REQUEST);
    assert_eq!(broken.headers()["content-type"], "application/problem+json");

    let huge = json!({ "name": "A".repeat(70 * 1024), "time_zone": "UTC" });
    app.post("/tenants", &app.operator, &huge)
        .await
        .assert_problem(StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large");

    let page = app.get("/tenants", &app.operator).await;
    assert_eq!(page.body["items"], json!([]), "nothing was created");
}

/// A create provisions the tenant; the bot token is sealed, never returned, and audited only
/// as "set".
#[tokio::test]
async fn a_created_tenant_is_provisioned_and_its_token_never_shown() {
    let app = TestApp::spawn().await;
    let sandbox = app.sandbox.client();
    sandbox
        .register_bot(&TOKEN.into(), "barber_bot")
        .await
        .unwrap();
    let body = json!({ "name": "Barber", "time_zone": "Europe/Moscow", "locale": "en",
                       "owner_telegram_id": 42, "bot_token": TOKEN });
    let create = || {
        app.send(
            Method::POST,
            "/tenants",
            Some(&app.operator),
            Some(&body),
            Some("barber"),
        )
    };
    let created = create().await;
    // A retry is the first answer, not "this bot already serves a tenant".
    assert_eq!(create().await.body, created.body);
    assert_eq!(created.status, StatusCode::CREATED, "{:#}", created.body);
    let body = created.body.to_string();
    assert!(!body.contains(TOKEN) && !body.contains("AAHdq"));
    assert_eq!(created.body["status"], "active");
    assert_eq!(created.body["has_bot_token"], true);
    assert_eq!(created.body["bot_username"], "barber_bot");
    assert_eq!(created.body["locale"], "en");
    assert_eq!(created.body["owner_telegram_id"], 42);
    assert!(created.body["schema_version"].is_i64());

    let id = created.body["id"].as_i64().unwrap();
    let (password, token): (Vec<u8>, Vec<u8>) = sqlx::query_as(
        "select db_password_enc, bot_token_enc from control.tenants where tenant_id = $1",
    )
    .bind(id)
    .fetch_one(app.t.db.pool())
    .await
    .unwrap();
    assert!(!password.is_empty());
    assert!(!String::from_utf8_lossy(&token).contains("AAHdq"));
    let audit: serde_json::Value =
        sqlx::query_scalar("select details from control.audit_log where action = 'tenant.create'")
            .fetch_one(app.t.db.pool())
            .await
            .unwrap();
    assert_eq!(audit, json!({ "bot_token_set": true }));

    // A token Telegram does not know is a field error; a bot that serves a tenant already
    // cannot serve a second one.
    let unknown = app
        .post(
            "/tenants",
            &app.operator,
            &json!({ "name": "B", "time_zone": "UTC", "bot_token": "999:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw" }),
        )
        .await;
    unknown.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    assert_eq!(unknown.fields(), ["bot_token"]);
    app.post(
        "/tenants",
        &app.operator,
        &json!({ "name": "B", "time_zone": "UTC", "bot_token": TOKEN }),
    )
    .await
    .assert_problem(StatusCode::CONFLICT, "bot_in_use");

    // The schema exists: the booking API answers with its (empty) catalogue.
    let services = app
        .get(&format!("/tenants/{id}/services"), &app.operator)
        .await;
    assert_eq!(services.status, StatusCode::OK);
    assert_eq!(services.body, json!([]));
}

/// The same Idempotency-Key with the same body answers the first response again; with another
/// body it is refused. One tenant exists either way.
#[tokio::test]
async fn creates_with_an_idempotency_key_happen_once() {
    let app = TestApp::spawn().await;
    let body = json!({ "name": "Once", "time_zone": "UTC" });
    let send = |body: serde_json::Value| {
        let app = &app;
        async move {
            app.send(
                Method::POST,
                "/tenants",
                Some(&app.operator),
                Some(&body),
                Some("create-once-1"),
            )
            .await
        }
    };
    let first = send(body.clone()).await;
    assert_eq!(first.status, StatusCode::CREATED, "{:#}", first.body);
    let again = send(body.clone()).await;
    assert_eq!(again.status, StatusCode::CREATED);
    assert_eq!(again.body, first.body);
    assert_eq!(again.headers["idempotent-replayed"], "true");

    let other = send(json!({ "name": "Twice", "time_zone": "UTC" })).await;
    other.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "idempotency_key_reused");

    let page = app.get("/tenants", &app.operator).await;
    assert_eq!(page.body["items"].as_array().unwrap().len(), 1);
    assert_eq!(app.audited("tenant.create").await, 1);

    // Keys belong to the API key that sent them: another operator key runs its own create.
    let (_, second) = storage::control::api_keys::create(
        app.t.db.pool(),
        storage::control::api_keys::Scope::Operator,
        "second",
    )
    .await
    .unwrap();
    let theirs = app
        .send(
            Method::POST,
            "/tenants",
            Some(secrecy::ExposeSecret::expose_secret(&second)),
            Some(&body),
            Some("create-once-1"),
        )
        .await;
    assert_eq!(theirs.status, StatusCode::CREATED);
    assert_ne!(theirs.body["id"], first.body["id"]);
}

/// Pages follow one another without gaps or repeats, and the last one says so.
#[tokio::test]
async fn tenants_are_listed_page_by_page() {
    let app = TestApp::spawn().await;
    for n in 0..5 {
        tenants::insert(
            app.t.db.pool(),
            &NewTenant {
                name: format!("T{n}"),
                time_zone: chrono_tz::UTC,
                locale: Locale::Ru,
                owner_telegram_id: None,
            },
        )
        .await
        .unwrap();
    }
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    let mut pages = 0;
    loop {
        let path = match &cursor {
            None => "/tenants?limit=2".to_owned(),
            Some(c) => format!("/tenants?limit=2&cursor={c}"),
        };
        let page = app.get(&path, &app.operator).await;
        assert_eq!(page.status, StatusCode::OK, "{:#}", page.body);
        pages += 1;
        for item in page.body["items"].as_array().unwrap() {
            seen.push(item["name"].as_str().unwrap().to_owned());
        }
        match page.body["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => break,
        }
    }
    assert_eq!(pages, 3);
    assert_eq!(seen, ["T0", "T1", "T2", "T3", "T4"]);

    let bad = app.get("/tenants?limit=0&cursor=zzz", &app.operator).await;
    bad.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    assert_eq!(bad.fields(), ["query.limit", "query.cursor"]);
    let bad = app.get("/tenants?limit=many", &app.operator).await;
    assert_eq!(bad.fields(), ["query"]);
}

/// Updates change what they name and ask the deploy worker to reconcile; a delete is refused
/// until the tenant is suspended and stopped, then removes it.
#[tokio::test]
async fn tenants_are_updated_and_deleted_only_when_suspended_and_stopped() {
    let app = TestApp::spawn().await;
    let (tenant, _) = app.t.tenant("Salon", chrono_tz::Europe::Moscow).await;
    let path = format!("/tenants/{}", tenant.id);
    let patch = |body: serde_json::Value| {
        let (app, path) = (&app, &path);
        async move {
            app.send(Method::PATCH, path, Some(&app.operator), Some(&body), None)
                .await
        }
    };

    let bad =
        patch(json!({ "desired_state": "dancing", "image_tag": "-x", "status": "gone" })).await;
    assert_eq!(bad.fields(), ["desired_state", "image_tag", "status"]);

    let running =
        patch(json!({ "name": "Salon Two", "desired_state": "running", "image_tag": "v2" })).await;
    assert_eq!(running.status, StatusCode::OK, "{:#}", running.body);
    assert_eq!(running.body["name"], "Salon Two");
    assert_eq!(running.body["desired_state"], "running");
    assert_eq!(running.body["image_tag"], "v2");
    let jobs: i64 = sqlx::query_scalar(
        "select count(*) from control.jobs where kind = 'reconcile_tenant' and status = 'queued'",
    )
    .fetch_one(app.t.db.pool())
    .await
    .unwrap();
    assert_eq!(jobs, 1);
    let mut tx = app.t.tx(tenant.id).await;
    let profile = storage::tenant::settings::profile(&mut tx).await.unwrap();
    assert_eq!(
        profile.name, "Salon Two",
        "the tenant's own schema has the new name"
    );
    tx.rollback().await.unwrap();

    let cleared = patch(json!({ "image_tag": null })).await;
    assert_eq!(cleared.body["image_tag"], serde_json::Value::Null);
    assert_eq!(cleared.body["name"], "Salon Two", "absent fields stay");

    let delete = |confirm: &str| {
        let (app, path) = (&app, &path);
        let confirm = confirm.to_owned();
        async move {
            app.send(
                Method::DELETE,
                &format!("{path}?confirm={confirm}"),
                Some(&app.operator),
                None,
                None,
            )
            .await
        }
    };
    app.send(Method::DELETE, &path, Some(&app.operator), None, None)
        .await
        .assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    delete("tenant_999")
        .await
        .assert_problem(StatusCode::CONFLICT, "delete_refused");
    delete(&format!("tenant_{}", tenant.id))
        .await
        .assert_problem(StatusCode::CONFLICT, "delete_refused");

    let suspended = patch(json!({ "status": "suspended", "desired_state": "stopped" })).await;
    assert_eq!(suspended.body["status"], "suspended");
    let deleted = delete(&format!("tenant_{}", tenant.id)).await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT, "{:#}", deleted.body);
    app.get(&path, &app.operator)
        .await
        .assert_problem(StatusCode::NOT_FOUND, "not_found");
    assert_eq!(app.audited("tenant.update").await, 3);
    assert_eq!(app.audited("tenant.delete").await, 1);
}

/// A request whose client went away leaves its key reserved without an answer: a retry is told
/// to wait at first, and takes the reservation over once it is clearly abandoned.
#[tokio::test]
async fn an_abandoned_idempotency_key_is_taken_over_by_a_retry() {
    let app = TestApp::spawn().await;
    let body = json!({ "name": "Slow", "time_zone": "UTC" });
    let send = || {
        app.send(
            Method::POST,
            "/tenants",
            Some(&app.operator),
            Some(&body),
            Some("k-1"),
        )
    };
    assert_eq!(send().await.status, StatusCode::CREATED);
    let abandon = |age: &str| {
        let sql = format!(
            "update control.idempotency_keys set response_status = null, response_body = null, \
             created_at = now() - interval '{age}'"
        );
        let pool = app.t.db.pool().clone();
        async move {
            sqlx::query(sqlx::AssertSqlSafe(sql))
                .execute(&pool)
                .await
                .unwrap()
        }
    };
    abandon("1 second").await;
    send()
        .await
        .assert_problem(StatusCode::CONFLICT, "idempotency_key_in_progress");
    abandon("2 minutes").await;
    let retried = send().await;
    assert_eq!(retried.status, StatusCode::CREATED, "{:#}", retried.body);
    assert!(retried.headers.get("idempotent-replayed").is_none());
    assert_eq!(send().await.body, retried.body, "and its answer is kept");
}

/// The status shows desired and actual state with the newest deployments and their events;
/// a restart is queued once for the deploy worker.
#[tokio::test]
async fn status_shows_deployments_and_restarts_are_queued_once() {
    let app = TestApp::spawn().await;
    let (tenant, _) = app.t.tenant("Salon", chrono_tz::Europe::Moscow).await;
    let status = app
        .get(&format!("/tenants/{}/status", tenant.id), &app.operator)
        .await;
    assert_eq!(status.status, StatusCode::OK, "{:#}", status.body);
    assert_eq!(status.body["actual_state"], "unknown");
    assert_eq!(status.body["deployments"], json!([]));

    let restart = format!("/tenants/{}/restart", tenant.id);
    app.post(&restart, &app.operator, &json!(null))
        .await
        .assert_problem(StatusCode::CONFLICT, "not_running");

    let pool = app.t.db.pool();
    let deployment: i64 = sqlx::query_scalar(
        "insert into control.deployments (tenant_id, action, status, image, finished_at) \
         values ($1, 'deploy', 'succeeded', 'bot:v1', now()) returning deployment_id",
    )
    .bind(tenant.id.get())
    .fetch_one(pool)
    .await
    .unwrap();
    for message in ["pulling", "started", "healthy"] {
        sqlx::query("insert into control.deployment_events (deployment_id, level, message) values ($1, 'info', $2)")
            .bind(deployment)
            .bind(message)
            .execute(pool)
            .await
            .unwrap();
    }
    app.send(
        Method::PATCH,
        &format!("/tenants/{}", tenant.id),
        Some(&app.operator),
        Some(&json!({ "desired_state": "running" })),
        None,
    )
    .await;
    let status = app
        .get(&format!("/tenants/{}/status", tenant.id), &app.operator)
        .await;
    assert_eq!(status.body["desired_state"], "running");
    assert_eq!(status.body["actual_state"], "running");
    let events: Vec<&str> = status.body["deployments"][0]["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["message"].as_str().unwrap())
        .collect();
    assert_eq!(events, ["pulling", "started", "healthy"]);

    let first = app.post(&restart, &app.operator, &json!(null)).await;
    assert_eq!(first.status, StatusCode::ACCEPTED, "{:#}", first.body);
    assert_eq!(first.body["queued"], true);
    let second = app.post(&restart, &app.operator, &json!(null)).await;
    assert_eq!(
        second.body["queued"], false,
        "one restart pending at a time"
    );
    assert_eq!(app.audited("tenant.restart").await, 2);

    let key = app.tenant_key(tenant.id).await;
    app.get(&format!("/tenants/{}/status", tenant.id), &key)
        .await
        .assert_problem(StatusCode::NOT_FOUND, "not_found");
}

/// Without DATA_KEY tenants cannot be created (their secrets could not be sealed); with the Bot
/// API unreachable a token cannot be checked. Both say so without internals, and create nothing.
#[tokio::test]
async fn missing_configuration_and_an_unreachable_bot_api_are_clear_problems() {
    let limit = master_bot::api::RateLimit::default();
    let no_key = TestApp::spawn_custom(limit, false, None).await;
    no_key
        .post(
            "/tenants",
            &no_key.operator,
            &json!({ "name": "A", "time_zone": "UTC" }),
        )
        .await
        .assert_problem(StatusCode::SERVICE_UNAVAILABLE, "not_configured");

    // Port 9 (discard) has no listener here: the connection is refused.
    let offline = TestApp::spawn_custom(limit, true, Some("http://127.0.0.1:9")).await;
    let answer = offline
        .post(
            "/tenants",
            &offline.operator,
            &json!({ "name": "A", "time_zone": "UTC", "bot_token": TOKEN }),
        )
        .await;
    answer.assert_problem(StatusCode::BAD_GATEWAY, "bot_api_unavailable");
    assert!(!answer.body.to_string().contains("AAHdq"));
    let page = offline.get("/tenants", &offline.operator).await;
    assert_eq!(page.body["items"], json!([]));
}

#[test]
fn a_create_request_does_not_show_its_token_in_debug() {
    let body: master_bot::api::tenants::CreateTenant = serde_json::from_str(
        r#"{"name": "Salon", "time_zone": "Europe/Moscow",
            "bot_token": "123456:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"}"#,
    )
    .unwrap();
    assert!(!format!("{body:?}").contains("AAHdq"));
}
