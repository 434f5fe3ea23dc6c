//! The Bot API surface through teloxide's own client and through raw HTTP.

use std::time::Duration;

use serde_json::json;
use teloxide::{
    ApiError, RequestError,
    payloads::setters::*,
    prelude::Requester,
    types::{
        ChatId, InlineKeyboardButton, InlineKeyboardMarkup, KeyboardButton, KeyboardMarkup,
        KeyboardRemove, MessageEntityKind, MessageId, ParseMode, ReplyMarkup,
    },
};

use crate::support::{WAIT, World, assert_tg_error, raw_call, updates};

fn chat(w: &World) -> ChatId {
    w.user.chat_id()
}

#[tokio::test]
async fn get_me_satisfies_teloxide() {
    let w = World::new().await;
    let me = w.bot().get_me().await.unwrap();
    assert_eq!(me.username(), "test_bot");
    assert!(me.is_bot);
    assert_eq!(me.id, w.bot_info.id);
    let (_, raw) = w.call("getMe", json!({})).await;
    for field in [
        "can_join_groups",
        "can_read_all_group_messages",
        "supports_inline_queries",
        "has_main_web_app",
    ] {
        assert!(
            raw["result"][field].is_boolean(),
            "{field} missing in {raw}"
        );
    }
}

#[tokio::test]
async fn get_updates_honours_offset_limit_and_negative_offset() {
    let w = World::new().await;
    for text in ["one", "two", "three"] {
        w.client
            .send_text(&w.bot_info.token, w.user.id, text)
            .await
            .unwrap();
    }
    let (_, answer) = w.call("getUpdates", json!({"limit": 2})).await;
    let first = updates(&answer);
    assert_eq!(first.len(), 2);
    let ids: Vec<i64> = first
        .iter()
        .map(|u| u["update_id"].as_i64().unwrap())
        .collect();
    assert!(ids[0] < ids[1]);
    // Without an offset nothing is acknowledged.
    let (_, answer) = w.call("getUpdates", json!({})).await;
    assert_eq!(updates(&answer).len(), 4);
    // An offset drops everything before it.
    let (_, answer) = w.call("getUpdates", json!({"offset": ids[1] + 1})).await;
    let rest = updates(&answer);
    assert_eq!(
        rest.iter()
            .map(|u| u["message"]["text"].as_str().unwrap())
            .collect::<Vec<_>>(),
        ["two", "three"]
    );
    // A negative offset keeps only the last updates.
    let (_, answer) = w.call("getUpdates", json!({"offset": -1})).await;
    let last = updates(&answer);
    assert_eq!(last.len(), 1);
    assert_eq!(last[0]["message"]["text"], "three");
    crate::support::parse_updates(&last);
}

#[tokio::test]
async fn long_poll_wakes_when_an_update_arrives() {
    let w = World::new().await;
    let (_, answer) = w.call("getUpdates", json!({})).await;
    let offset = updates(&answer)[0]["update_id"].as_i64().unwrap() + 1;
    let client = w.client.clone();
    let token = w.bot_info.token.as_str().to_owned();
    let poll = tokio::spawn(async move {
        raw_call(
            &client,
            &token,
            "getUpdates",
            json!({"offset": offset, "timeout": 20}),
        )
        .await
    });
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(!poll.is_finished(), "getUpdates returned without waiting");
    let started = tokio::time::Instant::now();
    w.client
        .send_text(&w.bot_info.token, w.user.id, "wake up")
        .await
        .unwrap();
    let (status, answer) = tokio::time::timeout(WAIT, poll).await.unwrap().unwrap();
    assert_eq!(status, 200);
    assert!(started.elapsed() < Duration::from_secs(5));
    assert_eq!(updates(&answer)[0]["message"]["text"], "wake up");
}

#[tokio::test]
async fn a_newer_get_updates_ends_the_older_one_with_409() {
    let w = World::new().await;
    let client = w.client.clone();
    let token = w.bot_info.token.as_str().to_owned();
    let (_, answer) = w.call("getUpdates", json!({})).await;
    let offset = updates(&answer)[0]["update_id"].as_i64().unwrap() + 1;
    let older = tokio::spawn(async move {
        raw_call(
            &client,
            &token,
            "getUpdates",
            json!({"offset": offset, "timeout": 20}),
        )
        .await
    });
    tokio::time::sleep(Duration::from_millis(100)).await;
    let (status, _) = w
        .call("getUpdates", json!({"offset": offset, "timeout": 0}))
        .await;
    assert_eq!(status, 200);
    let (status, answer) = tokio::time::timeout(WAIT, older).await.unwrap().unwrap();
    assert!(assert_tg_error(status, &answer, 409).contains("terminated by other getUpdates"));
}

#[tokio::test]
async fn methods_are_case_insensitive_and_accept_form_and_query_bodies() {
    let w = World::new().await;
    let base = w.client.api_url();
    let token = w.bot_info.token.as_str();
    let http = reqwest::Client::new();
    // Query string on a GET, method name in capitals.
    let url = base.join(&format!("./bot{token}/GETME")).unwrap();
    let answer: serde_json::Value = http.get(url).send().await.unwrap().json().await.unwrap();
    assert_eq!(answer["result"]["username"], "test_bot");
    // Form body with the keyboard as JSON text, as Telegram accepts it.
    let url = base.join(&format!("./bot{token}/sendmessage")).unwrap();
    let keyboard =
        json!({"inline_keyboard": [[{"text": "Go", "callback_data": "go"}]]}).to_string();
    let chat_id = w.user.id.0.to_string();
    let form = [
        ("chat_id", chat_id.as_str()),
        ("text", "form body"),
        ("reply_markup", keyboard.as_str()),
    ];
    let answer: serde_json::Value = http
        .post(url)
        .form(&form)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(answer["ok"], true, "{answer}");
    // Query string parameters on a POST.
    let url = base
        .join(&format!(
            "./bot{token}/SendMessage?chat_id={chat_id}&text=query%20string"
        ))
        .unwrap();
    let answer: serde_json::Value = http.post(url).send().await.unwrap().json().await.unwrap();
    assert_eq!(answer["ok"], true, "{answer}");
    let messages = w.client.chat(&w.bot_info.token, w.user.id).await.unwrap();
    let texts: Vec<&str> = messages.iter().map(|m| m.text()).collect();
    assert_eq!(texts, ["/start", "form body", "query string"]);
    assert_eq!(messages[1].buttons(), [("Go".to_owned(), "go".to_owned())]);
}

#[tokio::test]
async fn send_message_with_parse_modes_and_keyboards() {
    let w = World::new().await;
    let bot = w.bot();
    let sent = bot
        .send_message(chat(&w), "<b>Hello</b>, &lt;friend&gt;")
        .parse_mode(ParseMode::Html)
        .reply_markup(InlineKeyboardMarkup::new([[
            InlineKeyboardButton::callback("Book", "book:1"),
            InlineKeyboardButton::url("Site", "https://example.com".parse().unwrap()),
        ]]))
        .await
        .unwrap();
    assert_eq!(sent.text(), Some("Hello, <friend>"));
    assert_eq!(sent.entities().unwrap()[0].kind, MessageEntityKind::Bold);
    assert_eq!(sent.from.as_ref().unwrap().id, w.bot_info.id);

    let share = KeyboardMarkup::new([[
        KeyboardButton::new("Share phone").request(teloxide::types::ButtonRequest::Contact)
    ]])
    .resize_keyboard()
    .one_time_keyboard();
    bot.send_message(chat(&w), "Your phone?")
        .reply_markup(ReplyMarkup::Keyboard(share))
        .await
        .unwrap();
    let view = w
        .client
        .chat_view(&w.bot_info.token, chat(&w))
        .await
        .unwrap();
    let keyboard = view.reply_keyboard.clone().unwrap();
    assert_eq!(keyboard[0][0].text, "Share phone");
    assert!(keyboard[0][0].request_contact);
    let first = &view.messages[1];
    assert_eq!(first.parse_mode.as_deref(), Some("HTML"));
    assert_eq!(
        first.source_text.as_deref(),
        Some("<b>Hello</b>, &lt;friend&gt;")
    );
    assert_eq!(
        first.button("Site").unwrap().url.as_deref(),
        Some("https://example.com/")
    );
    assert_eq!(first.button_data("Book").as_deref(), Some("book:1"));

    bot.send_message(chat(&w), "Thanks")
        .reply_markup(ReplyMarkup::KeyboardRemove(KeyboardRemove::new()))
        .await
        .unwrap();
    let view = w
        .client
        .chat_view(&w.bot_info.token, chat(&w))
        .await
        .unwrap();
    assert!(view.reply_keyboard.is_none());
    assert!(view.messages.last().unwrap().remove_keyboard);

    let sent = bot
        .send_message(chat(&w), "*Total*: 10\\.5")
        .parse_mode(ParseMode::MarkdownV2)
        .await
        .unwrap();
    assert_eq!(sent.text(), Some("Total: 10.5"));
    let reply = bot
        .send_message(chat(&w), "a reply")
        .reply_parameters(teloxide::types::ReplyParameters::new(sent.id))
        .await
        .unwrap();
    assert_eq!(reply.reply_to_message().unwrap().id, sent.id);
}

#[tokio::test]
async fn edits_and_deletes_behave_like_telegram() {
    let w = World::new().await;
    let bot = w.bot();
    let keyboard = InlineKeyboardMarkup::new([[InlineKeyboardButton::callback("A", "a")]]);
    let sent = bot
        .send_message(chat(&w), "v1")
        .reply_markup(keyboard.clone())
        .await
        .unwrap();

    let edited = bot
        .edit_message_text(chat(&w), sent.id, "v2")
        .reply_markup(keyboard.clone())
        .await
        .unwrap();
    assert_eq!(edited.text(), Some("v2"));
    assert!(edited.edit_date().is_some());
    let err = bot
        .edit_message_text(chat(&w), sent.id, "v2")
        .reply_markup(keyboard.clone())
        .await
        .unwrap_err();
    assert!(
        matches!(err, RequestError::Api(ApiError::MessageNotModified)),
        "{err:?}"
    );
    let err = bot
        .edit_message_reply_markup(chat(&w), sent.id)
        .reply_markup(keyboard.clone())
        .await
        .unwrap_err();
    assert!(
        matches!(err, RequestError::Api(ApiError::MessageNotModified)),
        "{err:?}"
    );
    let err = bot
        .edit_message_text(chat(&w), MessageId(999), "x")
        .await
        .unwrap_err();
    assert!(
        matches!(err, RequestError::Api(ApiError::MessageToEditNotFound)),
        "{err:?}"
    );
    // A user's message cannot be edited by the bot.
    let err = bot
        .edit_message_text(chat(&w), MessageId(1), "x")
        .await
        .unwrap_err();
    assert!(
        matches!(err, RequestError::Api(ApiError::MessageCantBeEdited)),
        "{err:?}"
    );

    let bare = bot
        .edit_message_reply_markup(chat(&w), sent.id)
        .await
        .unwrap();
    assert!(bare.reply_markup().is_none());
    let view = w.client.chat(&w.bot_info.token, w.user.id).await.unwrap();
    assert_eq!(view[1].edit_count, 2);
    assert!(view[1].inline_keyboard.is_empty());

    bot.delete_message(chat(&w), sent.id).await.unwrap();
    let err = bot.delete_message(chat(&w), sent.id).await.unwrap_err();
    assert!(
        matches!(err, RequestError::Api(ApiError::MessageToDeleteNotFound)),
        "{err:?}"
    );
    let view = w.client.chat(&w.bot_info.token, w.user.id).await.unwrap();
    assert_eq!(view.len(), 1, "only the user's /start is left");
}

#[tokio::test]
async fn callback_answers_are_recorded_once() {
    let w = World::new().await;
    let bot = w.bot();
    let sent = bot
        .send_message(chat(&w), "pick")
        .reply_markup(InlineKeyboardMarkup::new([[
            InlineKeyboardButton::callback("X", "x"),
        ]]))
        .await
        .unwrap();
    // Only existing buttons can be pressed.
    let err = w
        .client
        .press_button(&w.bot_info.token, w.user.id, sent.id, "nope")
        .await
        .unwrap_err();
    assert!(
        matches!(err, tg_sandbox::ClientError::Api { status: 400, .. }),
        "{err:?}"
    );
    let query = w
        .client
        .press_button(&w.bot_info.token, w.user.id, sent.id, "x")
        .await
        .unwrap();
    let (_, answer) = w.call("getUpdates", json!({})).await;
    let parsed = crate::support::parse_updates(&updates(&answer));
    let teloxide::types::UpdateKind::CallbackQuery(q) = &parsed.last().unwrap().kind else {
        panic!("not a callback")
    };
    assert_eq!(q.id.0, query);
    assert!(!q.chat_instance.is_empty());
    assert_eq!(q.regular_message().unwrap().id, sent.id);

    bot.answer_callback_query(q.id.clone())
        .text("Done")
        .show_alert(true)
        .await
        .unwrap();
    let err = bot.answer_callback_query(q.id.clone()).await.unwrap_err();
    assert!(
        matches!(err, RequestError::Api(ApiError::InvalidQueryId)),
        "{err:?}"
    );
    let answers = w
        .client
        .callback_answers(&w.bot_info.token, w.user.id)
        .await
        .unwrap();
    assert_eq!(answers.len(), 1);
    assert_eq!(answers[0].text.as_deref(), Some("Done"));
    assert!(answers[0].show_alert);
    assert_eq!(answers[0].data, "x");
}

#[tokio::test]
async fn shutdown_ends_long_polls_at_once() {
    let w = World::new().await;
    let client = w.client.clone();
    let token = w.bot_info.token.as_str().to_owned();
    let (_, answer) = w.call("getUpdates", json!({})).await;
    let offset = updates(&answer)[0]["update_id"].as_i64().unwrap() + 1;
    let poll = tokio::spawn(async move {
        let url = client
            .api_url()
            .join(&format!("./bot{token}/getUpdates"))
            .unwrap();
        reqwest::Client::new()
            .post(url)
            .json(&json!({"offset": offset, "timeout": 30}))
            .send()
            .await
    });
    tokio::time::sleep(Duration::from_millis(100)).await;
    let started = tokio::time::Instant::now();
    tokio::time::timeout(Duration::from_secs(5), w.handle.shutdown())
        .await
        .unwrap()
        .unwrap();
    let _ = tokio::time::timeout(Duration::from_secs(5), poll)
        .await
        .unwrap();
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[tokio::test]
async fn allowed_updates_filter_what_is_queued_next() {
    let w = World::new().await;
    let (_, answer) = w
        .call("getUpdates", json!({"allowed_updates": ["callback_query"]}))
        .await;
    let offset = updates(&answer)[0]["update_id"].as_i64().unwrap() + 1;
    w.client
        .send_text(&w.bot_info.token, w.user.id, "ignored")
        .await
        .unwrap();
    let (_, answer) = w.call("getUpdates", json!({"offset": offset})).await;
    assert!(updates(&answer).is_empty());
    // An empty list goes back to the default set.
    w.call(
        "getUpdates",
        json!({"offset": offset, "allowed_updates": []}),
    )
    .await;
    w.client
        .send_text(&w.bot_info.token, w.user.id, "seen")
        .await
        .unwrap();
    let (_, answer) = w.call("getUpdates", json!({"offset": offset})).await;
    assert_eq!(updates(&answer)[0]["message"]["text"], "seen");
}
