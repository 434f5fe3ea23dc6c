//! Malformed requests get Telegram-shaped errors, and no stored update is lost because of them.

use serde_json::{Value, json};
use teloxide::{ApiError, RequestError, prelude::Requester};
use tg_sandbox::{Config, FloodLimits};

use crate::support::{World, assert_tg_error, drain_updates, raw_call, start_with, teloxide_bot};

async fn post_raw(w: &World, path: &str, content_type: &str, body: Vec<u8>) -> (u16, Value) {
    let url = w.client.api_url().join(path).unwrap();
    let response = reqwest::Client::new()
        .post(url)
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap())
}

#[tokio::test]
async fn bad_requests_get_telegram_errors_and_lose_no_update() {
    let config = Config {
        flood: FloodLimits::off(),
        max_body_bytes: 4096,
        ..Config::default()
    };
    let (handle, client) = start_with(config).await;
    let w = World::with(handle, client).await;
    let token = w.bot_info.token.as_str().to_owned();
    for text in ["a", "b", "c"] {
        w.client
            .send_text(&w.bot_info.token, w.user.id, text)
            .await
            .unwrap();
    }

    // Malformed JSON.
    let (status, answer) = post_raw(
        &w,
        &format!("./bot{token}/sendMessage"),
        "application/json",
        b"{\"chat_id\":".to_vec(),
    )
    .await;
    assert!(assert_tg_error(status, &answer, 400).starts_with("Bad Request: "));
    // JSON that is not an object.
    let (status, answer) = post_raw(
        &w,
        &format!("./bot{token}/sendMessage"),
        "application/json",
        b"[1,2]".to_vec(),
    )
    .await;
    assert_tg_error(status, &answer, 400);
    // Unknown method.
    let (status, answer) = w.call("sendHologram", json!({})).await;
    assert_eq!(assert_tg_error(status, &answer, 404), "Not Found");
    // No method at all, or no token.
    let (status, answer) = post_raw(
        &w,
        &format!("./bot{token}"),
        "application/json",
        b"{}".to_vec(),
    )
    .await;
    assert_tg_error(status, &answer, 404);
    let (status, answer) = post_raw(&w, "./bot/getMe", "application/json", b"{}".to_vec()).await;
    assert_tg_error(status, &answer, 404);
    // Unknown token.
    let (status, answer) = raw_call(&w.client, "123:nope", "getMe", json!({})).await;
    assert_eq!(assert_tg_error(status, &answer, 401), "Unauthorized");
    // Oversized body (declared length over the limit).
    let big = json!({"chat_id": w.user.id.0, "text": "x".repeat(5000)});
    let (status, answer) = w.call("sendMessage", big).await;
    assert_eq!(
        assert_tg_error(status, &answer, 413),
        "Request Entity Too Large"
    );
    // Oversized multipart upload.
    let form = reqwest::multipart::Form::new()
        .text("chat_id", w.user.id.0.to_string())
        .part(
            "document",
            reqwest::multipart::Part::bytes(vec![7_u8; 10_000]).file_name("big.bin"),
        );
    let url = w
        .client
        .api_url()
        .join(&format!("./bot{token}/sendDocument"))
        .unwrap();
    let response = reqwest::Client::new()
        .post(url)
        .multipart(form)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let answer: Value = response.json().await.unwrap();
    assert_tg_error(status, &answer, 413);
    // Missing and wrong parameters.
    let (status, answer) = w.call("sendMessage", json!({"text": "hi"})).await;
    assert_eq!(
        assert_tg_error(status, &answer, 400),
        "Bad Request: chat_id is empty"
    );
    let (status, answer) = w.call("sendMessage", json!({"chat_id": w.user.id.0})).await;
    assert_eq!(
        assert_tg_error(status, &answer, 400),
        "Bad Request: message text is empty"
    );
    let (status, answer) = w
        .call(
            "sendMessage",
            json!({"chat_id": "not a number", "text": "x"}),
        )
        .await;
    assert_tg_error(status, &answer, 400);
    let (status, answer) = w
        .call(
            "sendMessage",
            json!({"chat_id": w.user.id.0, "text": "x", "reply_markup": "{bad"}),
        )
        .await;
    assert!(assert_tg_error(status, &answer, 400).contains("reply keyboard markup"));
    let (status, answer) = w.call("getUpdates", json!({"offset": "soon"})).await;
    assert_tg_error(status, &answer, 400);
    // Unescaped user input in HTML, a classic bot bug.
    let (status, answer) = w
        .call(
            "sendMessage",
            json!({"chat_id": w.user.id.0, "text": "Hi <Bob>", "parse_mode": "HTML"}),
        )
        .await;
    assert!(
        assert_tg_error(status, &answer, 400).starts_with("Bad Request: can't parse entities: ")
    );

    // teloxide maps these to its own error kinds.
    let bad_bot = teloxide::Bot::new("42:wrong").set_api_url(w.client.api_url());
    assert!(matches!(
        bad_bot.get_me().await,
        Err(RequestError::Api(ApiError::InvalidToken))
    ));
    let bot = teloxide_bot(&w.client, &w.bot_info);
    let err = bot
        .send_message(teloxide::types::ChatId(w.user.id.0 as i64), "")
        .await
        .unwrap_err();
    assert!(
        matches!(err, RequestError::Api(ApiError::MessageTextIsEmpty)),
        "{err:?}"
    );

    // Every stored update is still there, in order.
    let got = drain_updates(&w.client, &token, 4).await;
    let texts: Vec<&str> = got
        .iter()
        .map(|u| u["message"]["text"].as_str().unwrap())
        .collect();
    assert_eq!(texts, ["/start", "a", "b", "c"]);
    let stats = w.client.stats().await.unwrap();
    assert_eq!(stats.bots[0].pending_updates, 0);
}

#[tokio::test]
async fn chunked_oversized_body_is_refused_too() {
    let config = Config {
        flood: FloodLimits::off(),
        max_body_bytes: 1024,
        ..Config::default()
    };
    let (handle, client) = start_with(config).await;
    let w = World::with(handle, client).await;
    // A streamed body has no Content-Length, so the limit is enforced while reading.
    let chunks: Vec<Result<Vec<u8>, std::io::Error>> =
        (0..8).map(|_| Ok(vec![b' '; 512])).collect();
    let body = reqwest::Body::wrap_stream(futures::stream::iter(chunks));
    let url = w
        .client
        .api_url()
        .join(&format!("./bot{}/getMe", w.bot_info.token))
        .unwrap();
    let response = reqwest::Client::new()
        .post(url)
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let answer: Value = response.json().await.unwrap();
    assert_tg_error(status, &answer, 413);
    // The server is fine afterwards.
    let (status, _) = w.call("getMe", json!({})).await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn broken_multipart_and_garbage_bodies_are_400s() {
    let w = World::new().await;
    let path = format!("./bot{}/sendDocument", w.bot_info.token);
    let (status, answer) =
        post_raw(&w, &path, "multipart/form-data", b"no boundary".to_vec()).await;
    assert_tg_error(status, &answer, 400);
    let body = b"--xyz\r\nContent-Disposition: form-data; name=\"chat_id\"\r\n\r\n1".to_vec();
    let (status, answer) = post_raw(&w, &path, "multipart/form-data; boundary=xyz", body).await;
    assert_tg_error(status, &answer, 400);
    let (status, answer) = post_raw(&w, &path, "application/json", vec![0xff, 0xfe, 0x00]).await;
    assert_tg_error(status, &answer, 400);
    let (status, answer) = post_raw(
        &w,
        &path,
        "application/x-www-form-urlencoded",
        vec![0xff, b'=', 0xfe],
    )
    .await;
    assert_tg_error(status, &answer, 400);
    // Still serving, with the /start update intact.
    let got = drain_updates(&w.client, w.bot_info.token.as_str(), 1).await;
    assert_eq!(got[0]["message"]["text"], "/start");
}
