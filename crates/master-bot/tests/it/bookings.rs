use std::sync::Arc;

use booking_core::ids::TenantId;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use test_support::{Salon, salon};

use crate::TestApp;

async fn salon_app() -> (TestApp, TenantId, Salon) {
    let app = TestApp::spawn().await;
    let (tenant, _) = app.t.tenant("Salon", chrono_tz::Europe::Moscow).await;
    let mut tx = app.t.tx(tenant.id).await;
    let s = salon(&mut tx).await;
    tx.commit().await.unwrap();
    (app, tenant.id, s)
}

fn booking(s: &Salon, start: &str, telegram: i64) -> Value {
    json!({
        "service_id": s.haircut, "staff_id": s.anna.id, "start": start,
        "customer": { "telegram_user_id": telegram, "first_name": format!("Customer {telegram}") }
    })
}

/// Services, staff and free slots as a website would read them with the tenant's key.
#[tokio::test]
async fn a_tenant_key_reads_services_staff_and_free_slots() {
    let (app, tenant, s) = salon_app().await;
    let key = app.tenant_key(tenant).await;
    let services = app.get(&format!("/tenants/{tenant}/services"), &key).await;
    assert_eq!(services.body[0]["name"], "Haircut");
    let staff = app.get(&format!("/tenants/{tenant}/staff"), &key).await;
    assert_eq!(staff.body[0]["name"], "Anna");

    let slots = app
        .get(
            &format!(
                "/tenants/{tenant}/slots?service_id={}&from=2026-06-02&to=2026-06-03",
                s.haircut
            ),
            &key,
        )
        .await;
    assert_eq!(slots.status, StatusCode::OK, "{:#}", slots.body);
    let starts: Vec<&str> = slots
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["start"].as_str().unwrap())
        .collect();
    // 09:00 Moscow is 06:00 UTC; the 13:00-14:00 break is missing; two days of 8 slots.
    assert_eq!(starts.len(), 16);
    assert_eq!(starts[0], "2026-06-02T06:00:00Z");
    assert!(!starts.contains(&"2026-06-02T10:00:00Z"));

    let bad = app
        .get(&format!("/tenants/{tenant}/slots?from=2026-06-02"), &key)
        .await;
    bad.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    assert_eq!(bad.fields(), ["query.service_id", "query.to"]);
    let long = app
        .get(
            &format!("/tenants/{tenant}/slots?service_id=1&from=2026-06-02&to=2026-08-02"),
            &key,
        )
        .await;
    assert_eq!(long.fields(), ["query.to"]);
    let garbled = app
        .get(
            &format!("/tenants/{tenant}/slots?service_id=1&from=June"),
            &key,
        )
        .await;
    assert_eq!(garbled.fields(), ["query"]);
}

/// Dates and starts from a request are bounded by the tenant's own booking horizon: dates at
/// the far end of the calendar (once a panic) or before yesterday are field errors, a start
/// beyond the horizon is the booking service's own refusal.
#[tokio::test]
async fn dates_outside_the_booking_horizon_are_refused_not_a_panic() {
    let (app, tenant, s) = salon_app().await;
    let key = app.tenant_key(tenant).await;
    let slots = |from: &str, to: &str| {
        let path = format!(
            "/tenants/{tenant}/slots?service_id={}&from={from}&to={to}",
            s.haircut
        );
        let (app, key) = (&app, &key);
        async move { app.get(&path, key).await }
    };
    // Now is Monday 2026-06-01 08:00 in Moscow; the default horizon is 60 days.
    for (from, to) in [
        ("%2B262142-01-01", "%2B262142-01-02"),
        ("9999-12-31", "9999-12-31"),
    ] {
        let far = slots(from, to).await;
        far.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
        assert_eq!(far.fields(), ["query.from", "query.to"], "{from}");
    }
    let early = slots("2026-05-30", "2026-06-02").await;
    assert_eq!(early.fields(), ["query.from"]);
    let late = slots("2026-07-25", "2026-08-01").await;
    assert_eq!(late.fields(), ["query.to"]);
    assert!(
        late.body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("2026-07-31"),
        "{:#}",
        late.body
    );
    let edges = slots("2026-05-31", "2026-06-01").await;
    assert_eq!(edges.status, StatusCode::OK, "{:#}", edges.body);
    let edges = slots("2026-07-25", "2026-07-31").await;
    assert_eq!(edges.status, StatusCode::OK, "{:#}", edges.body);

    // The horizon is the tenant's setting.
    let mut tx = app.t.tx(tenant).await;
    let mut profile = storage::tenant::settings::profile(&mut tx).await.unwrap();
    profile.policy.horizon_days = 14;
    storage::tenant::settings::set_policy(&mut tx, &profile.policy)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let short = slots("2026-06-10", "2026-06-20").await;
    assert_eq!(short.fields(), ["query.to"]);
    assert_eq!(
        slots("2026-06-10", "2026-06-15").await.status,
        StatusCode::OK
    );

    // A start at either end of the calendar is refused as the booking service refuses it.
    let path = format!("/tenants/{tenant}/bookings");
    for (start, code) in [
        ("+262142-12-31T00:00:00Z", "beyond_horizon"),
        ("9999-12-31T23:59:59Z", "beyond_horizon"),
        ("2026-06-16T07:00:00Z", "beyond_horizon"),
        ("-0001-01-01T00:00:00Z", "in_the_past"),
    ] {
        let refused = app.post(&path, &key, &booking(&s, start, 5)).await;
        refused.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, code);
    }
    let ok = app
        .post(&path, &key, &booking(&s, "2026-06-15T07:00:00Z", 5))
        .await;
    assert_eq!(ok.status, StatusCode::CREATED, "{:#}", ok.body);
}

/// A booked slot is gone from the free slots; booking it again is a 409; other rule breaches
/// are 422 with the rule's code; a cancel frees it again.
#[tokio::test]
async fn bookings_follow_the_rules_and_a_taken_slot_is_409() {
    let (app, tenant, s) = salon_app().await;
    let path = format!("/tenants/{tenant}/bookings");
    let first = app
        .post(
            &path,
            &app.operator,
            &booking(&s, "2026-06-02T07:00:00Z", 1),
        )
        .await;
    assert_eq!(first.status, StatusCode::CREATED, "{:#}", first.body);
    assert_eq!(first.body["status"], "confirmed");
    assert_eq!(first.body["source"], "api");

    let taken = app
        .post(
            &path,
            &app.operator,
            &booking(&s, "2026-06-02T07:00:00Z", 2),
        )
        .await;
    taken.assert_problem(StatusCode::CONFLICT, "slot_taken");

    let past = app
        .post(
            &path,
            &app.operator,
            &booking(&s, "2026-05-01T07:00:00Z", 3),
        )
        .await;
    past.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "in_the_past");
    assert_eq!(past.body["rejection"]["reason"], "in_the_past");
    let closed = app
        .post(
            &path,
            &app.operator,
            &booking(&s, "2026-06-02T10:00:00Z", 3),
        )
        .await;
    assert_eq!(
        closed.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{:#}",
        closed.body
    );
    assert_ne!(closed.body["code"], "validation_failed");

    let invalid = app
        .post(
            &path,
            &app.operator,
            &json!({
                "service_id": s.haircut, "start": "2026-06-02T08:00:00Z",
                "customer": { "telegram_user_id": 0, "first_name": "" }
            }),
        )
        .await;
    assert_eq!(
        invalid.fields(),
        ["customer.telegram_user_id", "customer.first_name"]
    );
    // Found by schemathesis: PostgreSQL text cannot hold U+0000; it is a field error, not a 500.
    let nul = app
        .post(
            &path,
            &app.operator,
            &json!({
                "service_id": s.haircut, "start": "2026-06-02T08:00:00Z",
                "customer": { "telegram_user_id": 9, "first_name": "A\u{0}B" }
            }),
        )
        .await;
    assert_eq!(nul.fields(), ["customer.first_name"]);
    app.send(
        Method::DELETE,
        &format!("{path}/1?reason=a%00b"),
        Some(&app.operator),
        None,
        None,
    )
    .await
    .assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");

    let id = first.body["id"].as_i64().unwrap();
    let cancelled = app
        .send(
            Method::DELETE,
            &format!("{path}/{id}?reason=moved"),
            Some(&app.operator),
            None,
            None,
        )
        .await;
    assert_eq!(cancelled.status, StatusCode::OK, "{:#}", cancelled.body);
    assert_eq!(cancelled.body["status"], "cancelled");
    app.send(
        Method::DELETE,
        &format!("{path}/{id}"),
        Some(&app.operator),
        None,
        None,
    )
    .await
    .assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "not_changeable");
    app.send(
        Method::DELETE,
        &format!("{path}/999999"),
        Some(&app.operator),
        None,
        None,
    )
    .await
    .assert_problem(StatusCode::NOT_FOUND, "not_found");

    let again = app
        .post(
            &path,
            &app.operator,
            &booking(&s, "2026-06-02T07:00:00Z", 2),
        )
        .await;
    assert_eq!(
        again.status,
        StatusCode::CREATED,
        "the cancelled slot is free again"
    );
    assert_eq!(app.audited("booking.create").await, 2);
    assert_eq!(app.audited("booking.cancel").await, 1);
}

/// A retried booking with the same Idempotency-Key is the same booking, not a 409.
#[tokio::test]
async fn a_retried_booking_with_its_idempotency_key_is_the_same_booking() {
    let (app, tenant, s) = salon_app().await;
    let key = app.tenant_key(tenant).await;
    let path = format!("/tenants/{tenant}/bookings");
    let body = booking(&s, "2026-06-02T08:00:00Z", 7);
    let first = app
        .send(
            Method::POST,
            &path,
            Some(&key),
            Some(&body),
            Some("site-order-1"),
        )
        .await;
    assert_eq!(first.status, StatusCode::CREATED, "{:#}", first.body);
    let retry = app
        .send(
            Method::POST,
            &path,
            Some(&key),
            Some(&body),
            Some("site-order-1"),
        )
        .await;
    assert_eq!(retry.status, StatusCode::CREATED);
    assert_eq!(retry.body, first.body);
    let other = booking(&s, "2026-06-02T11:00:00Z", 7);
    app.send(
        Method::POST,
        &path,
        Some(&key),
        Some(&other),
        Some("site-order-1"),
    )
    .await
    .assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "idempotency_key_reused");
    // A failed create does not keep its key: the retry runs again (and meets the same rule).
    let taken = booking(&s, "2026-06-02T08:00:00Z", 8);
    for _ in 0..2 {
        app.send(
            Method::POST,
            &path,
            Some(&key),
            Some(&taken),
            Some("site-order-2"),
        )
        .await
        .assert_problem(StatusCode::CONFLICT, "slot_taken");
    }
    let count: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "select count(*) from tenant_{tenant}.bookings"
    )))
    .fetch_one(app.t.db.pool())
    .await
    .unwrap();
    assert_eq!(count, 1);
}

/// 50 customers book the same slot through the API at once: exactly one 201, 49 409s, no 5xx.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fifty_concurrent_bookings_of_one_slot_yield_one_201_and_49_409s() {
    let (app, tenant, s) = salon_app().await;
    let app = Arc::new(app);
    let path = format!("/tenants/{tenant}/bookings");
    let tasks: Vec<_> = (0..50)
        .map(|n| {
            let (app, path) = (Arc::clone(&app), path.clone());
            let body = booking(&s, "2026-06-02T12:00:00Z", 1000 + n);
            tokio::spawn(async move { app.post(&path, &app.operator, &body).await })
        })
        .collect();
    let (mut created, mut taken) = (0, 0);
    for task in tasks {
        let answer = task.await.unwrap();
        match answer.status {
            StatusCode::CREATED => created += 1,
            StatusCode::CONFLICT => {
                answer.assert_problem(StatusCode::CONFLICT, "slot_taken");
                taken += 1;
            }
            other => panic!("unexpected {other}: {:#}", answer.body),
        }
    }
    assert_eq!((created, taken), (1, 49));
}

/// The API makes a service a class: its slots then say how many seats are left, two customers
/// book the same start, and the third gets 409 class_full; `null` makes it individual again,
/// and a bad seat count is a 422 that changes nothing.
#[tokio::test]
async fn a_class_set_through_the_api_takes_seats_until_full() {
    let (app, tenant, s) = salon_app().await;
    let key = app.tenant_key(tenant).await;
    let path = format!("/tenants/{tenant}/services/{}", s.haircut);
    for bad in [json!({ "seats": 1 }), json!({ "seats": "ten" }), json!({})] {
        let refused = app
            .send(Method::PATCH, &path, Some(&key), Some(&bad), None)
            .await;
        assert_eq!(
            refused.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{bad}: {:#}",
            refused.body
        );
    }
    let made = app
        .send(
            Method::PATCH,
            &path,
            Some(&key),
            Some(&json!({ "seats": 2 })),
            None,
        )
        .await;
    assert_eq!(made.status, StatusCode::OK, "{:#}", made.body);
    assert_eq!(made.body["seats"], 2);

    let slots_path = format!(
        "/tenants/{tenant}/slots?service_id={}&from=2026-06-02&to=2026-06-02",
        s.haircut
    );
    let ten = "2026-06-02T07:00:00Z";
    let seats_at_ten = |body: &Value| {
        body.as_array()
            .unwrap()
            .iter()
            .find(|x| x["start"] == ten)
            .map(|x| x["seats_left"].clone())
    };
    assert_eq!(
        seats_at_ten(&app.get(&slots_path, &key).await.body),
        Some(json!(2))
    );
    for telegram in [501, 502] {
        let booked = app
            .post(
                &format!("/tenants/{tenant}/bookings"),
                &key,
                &booking(&s, ten, telegram),
            )
            .await;
        assert_eq!(booked.status, StatusCode::CREATED, "{:#}", booked.body);
    }
    assert_eq!(seats_at_ten(&app.get(&slots_path, &key).await.body), None);
    let full = app
        .post(
            &format!("/tenants/{tenant}/bookings"),
            &key,
            &booking(&s, ten, 503),
        )
        .await;
    assert_eq!(full.status, StatusCode::CONFLICT, "{:#}", full.body);
    assert_eq!(full.body["code"], "class_full");

    let individual = app
        .send(
            Method::PATCH,
            &path,
            Some(&key),
            Some(&json!({ "seats": null })),
            None,
        )
        .await;
    assert_eq!(individual.status, StatusCode::OK, "{:#}", individual.body);
    assert!(
        individual.body.get("seats").is_none(),
        "{:#}",
        individual.body
    );
}
