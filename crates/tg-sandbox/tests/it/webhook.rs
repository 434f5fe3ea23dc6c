//! Webhook delivery while the bot is down: retries with backoff, order kept, nothing lost.

use std::{
    sync::{Arc, Mutex},
    time::Duration,
};

use axum::{Json, Router, extract::State, http::HeaderMap, http::StatusCode, routing::post};
use serde_json::{Value, json};
use tg_sandbox::{Config, FloodLimits, RetryPolicy};

use crate::support::{World, assert_tg_error, start_with, updates};

type Received = Arc<Mutex<Vec<(Option<String>, Value)>>>;

async fn receive(
    State(seen): State<Received>,
    headers: HeaderMap,
    Json(update): Json<Value>,
) -> StatusCode {
    let secret = headers
        .get(tg_sandbox::SECRET_HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let mut seen = seen.lock().unwrap();
    seen.push((secret, update));
    // The first delivery fails with 500, so a non-2xx answer is retried as well as a refused one.
    if seen.len() == 1 {
        StatusCode::INTERNAL_SERVER_ERROR
    } else {
        StatusCode::OK
    }
}

#[tokio::test]
async fn webhook_retries_until_the_bot_is_up_and_keeps_order() {
    let config = Config {
        flood: FloodLimits::off(),
        webhook_retry: RetryPolicy {
            initial: Duration::from_millis(20),
            max: Duration::from_millis(200),
            request_timeout: Duration::from_secs(5),
        },
        ..Config::default()
    };
    let (handle, client) = start_with(config).await;
    let w = World::with(handle, client).await;

    // Reserve a port and free it: the bot is down there for now.
    let probe = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = probe.local_addr().unwrap();
    drop(probe);
    let (status, answer) = w
        .call(
            "setWebhook",
            json!({"url": format!("http://{addr}/hook"), "secret_token": "s3cret"}),
        )
        .await;
    assert_eq!(status, 200, "{answer}");
    let (status, answer) = w.call("getUpdates", json!({})).await;
    let description = assert_tg_error(status, &answer, 409);
    assert!(description.contains("webhook is active"), "{description}");

    for text in ["one", "two", "three"] {
        w.client
            .send_text(&w.bot_info.token, w.user.id, text)
            .await
            .unwrap();
    }
    // Wait for a few failed attempts.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let stats = w.client.stats().await.unwrap();
        if stats.bots[0].webhook_failures >= 2 {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "no delivery attempts"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let (_, info) = w.call("getWebhookInfo", json!({})).await;
    assert_eq!(info["result"]["pending_update_count"], 4, "{info}");
    assert!(
        info["result"]["last_error_message"].as_str().is_some(),
        "{info}"
    );

    // The bot comes up.
    let seen: Received = Arc::default();
    let app = Router::new()
        .route("/hook", post(receive))
        .with_state(seen.clone());
    let listener = tokio::net::TcpListener::bind(addr).await.unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });

    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        if seen.lock().unwrap().len() >= 5 {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "updates not delivered: {:?}",
            seen.lock().unwrap()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let seen = seen.lock().unwrap().clone();
    assert!(
        seen.iter()
            .all(|(secret, _)| secret.as_deref() == Some("s3cret"))
    );
    // The update refused with 500 came again; then the rest in order.
    let ids: Vec<i64> = seen
        .iter()
        .map(|(_, u)| u["update_id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids[0], ids[1], "{ids:?}");
    assert!(ids[1..].windows(2).all(|p| p[0] < p[1]), "{ids:?}");
    let texts: Vec<&str> = seen[1..]
        .iter()
        .map(|(_, u)| u["message"]["text"].as_str().unwrap())
        .collect();
    assert_eq!(texts, ["/start", "one", "two", "three"]);

    let (_, info) = w.call("getWebhookInfo", json!({})).await;
    assert_eq!(info["result"]["pending_update_count"], 0, "{info}");

    // Back to polling.
    let (status, _) = w.call("deleteWebhook", json!({})).await;
    assert_eq!(status, 200);
    w.client
        .send_text(&w.bot_info.token, w.user.id, "four")
        .await
        .unwrap();
    let (_, answer) = w.call("getUpdates", json!({})).await;
    let got = updates(&answer);
    assert_eq!(got.len(), 1);
    assert_eq!(got[0]["message"]["text"], "four");
}

#[tokio::test]
async fn delete_webhook_can_drop_pending_updates() {
    let (handle, client) = start_with(Config {
        flood: FloodLimits::off(),
        ..Config::default()
    })
    .await;
    let w = World::with(handle, client).await;
    let (status, _) = w
        .call("setWebhook", json!({"url": "http://127.0.0.1:9/never"}))
        .await;
    assert_eq!(status, 200);
    w.client
        .send_text(&w.bot_info.token, w.user.id, "lost on purpose")
        .await
        .unwrap();
    let (status, _) = w
        .call("deleteWebhook", json!({"drop_pending_updates": true}))
        .await;
    assert_eq!(status, 200);
    let (_, answer) = w.call("getUpdates", json!({})).await;
    assert!(updates(&answer).is_empty());
    let (_, info) = w.call("getWebhookInfo", json!({})).await;
    assert_eq!(info["result"]["url"], "");
}
