//! `/metrics` stays bounded whatever unauthenticated clients send.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use axum::{Router, routing::get};
use reqwest::Method;
use telemetry::{Readiness, ops};
use tokio::net::TcpListener;

/// Label sets of `http_requests_total` in a Prometheus text document.
fn request_series(text: &str) -> Vec<&str> {
    text.lines()
        .filter(|l| l.starts_with("http_requests_total{"))
        .collect()
}

/// The sum of `http_requests_total` over its series.
fn requests_counted(text: &str) -> f64 {
    request_series(text)
        .iter()
        .filter_map(|l| l.rsplit_once(' ')?.1.parse::<f64>().ok())
        .sum()
}

/// A small xorshift, so the test needs no extra crate and every run sends the same requests.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn token(&mut self) -> String {
        const CHARS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        let len = 1 + self.next() % 12;
        (0..len)
            .map(|_| char::from(CHARS[(self.next() % CHARS.len() as u64) as usize]))
            .collect()
    }
}

#[tokio::test]
async fn a_thousand_requests_with_random_methods_and_paths_leave_the_series_bounded() {
    let prometheus = telemetry::tracing_init::prometheus();
    let app: Router = ops::with_request_metrics(
        ops::ops_router(Readiness::new(), prometheus.clone())
            .route("/things/{id}", get(|| async { "a thing" })),
    );
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });

    let client = reqwest::Client::new();
    let standard = [
        Method::GET,
        Method::POST,
        Method::PUT,
        Method::PATCH,
        Method::DELETE,
        Method::HEAD,
        Method::OPTIONS,
    ];
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    for i in 0..1000_u64 {
        // Half invented methods, half standard ones; mostly unknown paths, some a route's.
        let method = if i % 2 == 0 {
            Method::from_bytes(format!("X{}", rng.token()).as_bytes()).unwrap()
        } else {
            standard[(rng.next() % standard.len() as u64) as usize].clone()
        };
        let path = match rng.next() % 4 {
            0 => format!("/things/{}", rng.token()),
            1 => "/health".to_owned(),
            _ => format!("/{}/{}", rng.token(), rng.token()),
        };
        client
            .request(method, format!("{base}{path}"))
            .send()
            .await
            .unwrap();
    }

    let text = client
        .get(format!("{base}/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    // Every request was counted (the recorder is the process's; nothing else here records).
    assert!(requests_counted(&text) >= 1000.0, "{text}");
    // At most 8 method labels x 3 paths (a route, /health, unmatched) x a few statuses
    // (200, 404, 405): dozens of series, not one per request.
    let series = request_series(&text);
    assert!(
        series.len() <= 8 * 3 * 3,
        "{} series:\n{text}",
        series.len()
    );
    assert!(
        series.iter().all(|s| !s.contains("method=\"X")),
        "an invented method became a label: {text}"
    );
    assert!(
        series.iter().all(|s| s.contains("path=\"/things/{id}\"")
            || s.contains("path=\"/health\"")
            || s.contains("path=\"unmatched\"")),
        "a path as sent became a label: {text}"
    );
    // The whole document (histograms included) is bounded too.
    assert!(
        text.lines().count() < 1000,
        "{} lines",
        text.lines().count()
    );
}
