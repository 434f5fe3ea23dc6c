//! `GET /ical/<token>.ics` on the master's real router: a feed shows its own tenant's bookings
//! (a cancelled one as cancelled), read back with `icalendar`'s parser; a token never opens
//! another tenant, and the database itself refuses the tenant's role anything outside its
//! schema.

use booking_core::{ids::BookingId, tenant::TenantSchema};
use icalendar::{Calendar, CalendarComponent, Component as _, EventStatus};
use reqwest::{Method, StatusCode};
use serde_json::json;
use storage::tenant::calendar_feeds::{self, FeedOwner, FeedToken};
use test_support::salon;

use crate::{TestApp, monday_morning};

/// A salon with its own tenant key.
async fn tenant(
    app: &TestApp,
    name: &str,
) -> (booking_core::ids::TenantId, test_support::Salon, String) {
    let (tenant, _) = app.t.tenant(name, chrono_tz::Europe::Moscow).await;
    let mut tx = app.t.tx(tenant.id).await;
    let s = salon(&mut tx).await;
    tx.commit().await.unwrap();
    let key = app.tenant_key(tenant.id).await;
    (tenant.id, s, key)
}

async fn book(
    app: &TestApp,
    tenant: booking_core::ids::TenantId,
    key: &str,
    s: &test_support::Salon,
    start: &str,
) -> BookingId {
    let made = app
        .post(
            &format!("/tenants/{tenant}/bookings"),
            key,
            &json!({
                "service_id": s.haircut, "staff_id": s.anna.id, "start": start,
                "customer": { "telegram_user_id": 77, "first_name": "Vera" }
            }),
        )
        .await;
    assert_eq!(made.status, StatusCode::CREATED, "{:#}", made.body);
    BookingId(made.body["id"].as_i64().unwrap())
}

async fn feed(app: &TestApp, token: &str) -> (StatusCode, String) {
    let resp = app
        .client
        .get(format!("{}/ical/{token}.ics", app.base))
        .send()
        .await
        .unwrap();
    (resp.status(), resp.text().await.unwrap())
}

async fn issue(app: &TestApp, tenant: booking_core::ids::TenantId) -> FeedToken {
    let mut tx = app.t.tx(tenant).await;
    let token = calendar_feeds::issue(&mut tx, tenant, FeedOwner::Business, monday_morning())
        .await
        .unwrap();
    tx.commit().await.unwrap();
    token
}

#[tokio::test]
async fn a_feed_shows_its_own_tenants_bookings_and_nothing_else() {
    let app = TestApp::spawn().await;
    let (a, sa, key_a) = tenant(&app, "Salon A").await;
    let (b, sb, key_b) = tenant(&app, "Salon B").await;
    let kept = book(&app, a, &key_a, &sa, "2026-06-02T06:00:00Z").await;
    let dropped = book(&app, a, &key_a, &sa, "2026-06-02T07:00:00Z").await;
    let theirs = book(&app, b, &key_b, &sb, "2026-06-02T06:00:00Z").await;
    let cancelled = app
        .send(
            Method::DELETE,
            &format!("/tenants/{a}/bookings/{dropped}"),
            Some(&key_a),
            None,
            None,
        )
        .await;
    assert_eq!(cancelled.status, StatusCode::OK, "{:#}", cancelled.body);

    let token_a = issue(&app, a).await;
    let token_b = issue(&app, b).await;
    let (status, text) = feed(&app, &token_a.to_string()).await;
    assert_eq!(status, StatusCode::OK, "{text}");
    let calendar: Calendar = text.parse().unwrap();
    assert_eq!(calendar.get_name(), Some("Salon A"));
    let events: Vec<_> = calendar
        .components
        .iter()
        .filter_map(|c| match c {
            CalendarComponent::Event(e) => Some(e),
            _ => None,
        })
        .collect();
    let seen: Vec<(&str, Option<EventStatus>)> = events
        .iter()
        .map(|e| (e.get_uid().unwrap(), e.get_status()))
        .collect();
    let (uid_kept, uid_dropped) = (calendar_ics::uid(a, kept), calendar_ics::uid(a, dropped));
    assert_eq!(
        seen,
        [
            (uid_kept.as_str(), Some(EventStatus::Confirmed)),
            (uid_dropped.as_str(), Some(EventStatus::Cancelled)),
        ]
    );
    assert!(
        events[1].get_sequence() > events[0].get_sequence(),
        "{text}"
    );
    assert!(!text.contains(&calendar_ics::uid(b, theirs)), "{text}");
    assert_eq!(events[0].get_summary(), Some("Haircut · Vera"));

    // Tenant A's id with tenant B's secret is nobody's token.
    let (_, secret_b) = token_b
        .to_string()
        .split_once('-')
        .map(|(t, s)| (t.to_owned(), s.to_owned()))
        .unwrap();
    assert_eq!(
        feed(&app, &format!("{a}-{secret_b}")).await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(feed(&app, &token_b.to_string()).await.0, StatusCode::OK);
    // An unknown tenant, a malformed token, no suffix: the same bare 404.
    assert_eq!(
        feed(&app, &format!("999999-{secret_b}")).await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(feed(&app, "1-short").await.0, StatusCode::NOT_FOUND);
    let bare = app
        .client
        .get(format!("{}/ical/{token_a}", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(bare.status(), StatusCode::NOT_FOUND);

    // Revoked: gone.
    let mut tx = app.t.tx(a).await;
    assert!(
        calendar_feeds::revoke(&mut tx, FeedOwner::Business, monday_morning())
            .await
            .unwrap()
    );
    tx.commit().await.unwrap();
    assert_eq!(
        feed(&app, &token_a.to_string()).await.0,
        StatusCode::NOT_FOUND
    );
}

/// What the feed's reads run as: tenant A's role, which PostgreSQL keeps out of tenant B's
/// schema even when a statement names it outright.
#[tokio::test]
async fn the_feeds_transaction_cannot_read_another_tenants_schema() {
    let app = TestApp::spawn().await;
    let (a, _, _) = tenant(&app, "Salon A").await;
    let (b, _, _) = tenant(&app, "Salon B").await;
    let mut tx = app
        .t
        .db
        .tenant_as_its_role(&TenantSchema::for_tenant(a))
        .await
        .unwrap();
    let own: i64 = sqlx::query_scalar("select count(*) from bookings")
        .fetch_one(tx.conn())
        .await
        .unwrap();
    assert_eq!(own, 0);
    let other = format!(
        "select count(*) from {}.bookings",
        TenantSchema::for_tenant(b)
    );
    let refused = sqlx::query(sqlx::AssertSqlSafe(other))
        .fetch_one(tx.conn())
        .await
        .unwrap_err();
    assert!(
        refused.to_string().contains("permission denied"),
        "{refused}"
    );
}

/// The feed has no key, so it is limited per client address: past the burst a fetch gets 429
/// with Retry-After (before any token is looked up), and another address is not held up.
#[tokio::test]
async fn feed_fetches_are_limited_per_address() {
    let app = TestApp::spawn_settings(
        master_bot::api::state::ApiSettings {
            feeds: master_bot::api::RateLimit {
                burst: 3,
                per_second: 1,
            },
            // The test's own requests come from 127.0.0.1: a proxy, for the test.
            trusted_proxies: telemetry::client_ip::Allowlist::parse("127.0.0.1").unwrap(),
            ..master_bot::api::state::ApiSettings::default()
        },
        true,
        None,
    )
    .await;
    let (a, _, _) = tenant(&app, "Salon A").await;
    let token = issue(&app, a).await;
    let from = |client: &'static str| {
        let req = app
            .client
            .get(format!("{}/ical/{token}.ics", app.base))
            .header("x-forwarded-for", client);
        async move { req.send().await.unwrap() }
    };
    for _ in 0..3 {
        assert_eq!(from("203.0.113.5").await.status(), StatusCode::OK);
    }
    let limited = from("203.0.113.5").await;
    assert_eq!(limited.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(limited.headers().contains_key("retry-after"));
    assert_eq!(from("198.51.100.9").await.status(), StatusCode::OK);
}
