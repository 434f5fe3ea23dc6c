//! Flood limits: 429 with retry_after like Telegram, configurable, off when asked, and never hit
//! by a bot that throttles itself the way teloxide's Throttle does.

use std::time::Duration;

use serde_json::json;
use teloxide::{
    RequestError,
    adaptors::throttle::Limits,
    prelude::Requester,
    requests::{Request, RequesterExt},
};
use tg_sandbox::{Config, FloodLimits, NewUser, Rate};

use crate::support::{World, assert_tg_error, start_with};

#[tokio::test]
async fn per_chat_limit_answers_429_with_retry_after() {
    // Telegram's burst of 3, but refilled slowly, so a slow machine cannot turn the 4th send into
    // a success (the default rates are checked against a fixed clock in the unit tests).
    let limits = FloodLimits {
        per_chat: Some(Rate::new(3, 1, Duration::from_secs(60))),
        ..FloodLimits::telegram()
    };
    let (handle, client) = start_with(Config {
        flood: limits,
        ..Config::default()
    })
    .await;
    let w = World::with(handle, client).await;
    for i in 0..3 {
        let (status, answer) = w
            .call(
                "sendMessage",
                json!({"chat_id": w.user.id.0, "text": format!("burst {i}")}),
            )
            .await;
        assert_eq!(status, 200, "{answer}");
    }
    let (status, answer) = w
        .call(
            "sendMessage",
            json!({"chat_id": w.user.id.0, "text": "one too many"}),
        )
        .await;
    assert!(assert_tg_error(status, &answer, 429).starts_with("Too Many Requests: retry after"));
    assert!(
        answer["parameters"]["retry_after"].as_u64().unwrap() >= 1,
        "{answer}"
    );
    let err = w
        .bot()
        .send_message(w.user.chat_id(), "again")
        .await
        .unwrap_err();
    assert!(
        matches!(err, RequestError::RetryAfter(secs) if secs.seconds() >= 1),
        "{err:?}"
    );
    assert_eq!(w.client.flood_hits(&w.bot_info.token).await.unwrap(), 2);
    // Refused sends are not stored.
    assert_eq!(
        w.client
            .chat(&w.bot_info.token, w.user.id)
            .await
            .unwrap()
            .len(),
        4
    );
}

#[tokio::test]
async fn per_group_limit_is_twenty_a_minute() {
    let limits = FloodLimits {
        // 20 at once as in Telegram, refilled slowly so the test does not depend on its speed.
        per_group: Some(Rate::new(20, 1, Duration::from_secs(600))),
        ..FloodLimits::off()
    };
    let (handle, client) = start_with(Config {
        flood: limits,
        ..Config::default()
    })
    .await;
    let w = World::with(handle, client).await;
    let group = w.client.create_group("Team", &[w.user.id]).await.unwrap();
    for i in 0..20 {
        let (status, answer) = w
            .call(
                "sendMessage",
                json!({"chat_id": group.id.0, "text": format!("{i}")}),
            )
            .await;
        assert_eq!(status, 200, "{answer}");
    }
    let (status, answer) = w
        .call(
            "sendMessage",
            json!({"chat_id": group.id.0, "text": "21st"}),
        )
        .await;
    assert_tg_error(status, &answer, 429);
    assert!(
        answer["parameters"]["retry_after"].as_u64().unwrap() >= 3,
        "{answer}"
    );
    // Private chats are not affected by the group limit.
    let (status, _) = w
        .call(
            "sendMessage",
            json!({"chat_id": w.user.id.0, "text": "private"}),
        )
        .await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn limits_can_be_switched_off() {
    let w = World::new().await;
    for i in 0..40 {
        let (status, answer) = w
            .call(
                "sendMessage",
                json!({"chat_id": w.user.id.0, "text": format!("{i}")}),
            )
            .await;
        assert_eq!(status, 200, "{answer}");
    }
    assert_eq!(w.client.stats().await.unwrap().flood_hits, 0);
}

#[tokio::test]
async fn a_throttled_broadcast_never_hits_the_limits() {
    let (handle, client) = start_with(Config::default()).await;
    let w = World::with(handle, client).await;
    let mut chats = vec![w.user.chat_id()];
    for i in 0..39 {
        let user = w
            .client
            .create_user(NewUser::named(format!("User {i}")))
            .await
            .unwrap();
        w.client
            .send_command(&w.bot_info.token, user.id, "/start")
            .await
            .unwrap();
        chats.push(user.chat_id());
    }
    let bot = w.bot().throttle(Limits::default());
    let sends = chats
        .iter()
        .map(|chat| bot.send_message(*chat, "Promo: 10% off").send());
    for result in futures::future::join_all(sends).await {
        result.unwrap();
    }
    assert_eq!(w.client.flood_hits(&w.bot_info.token).await.unwrap(), 0);
}
