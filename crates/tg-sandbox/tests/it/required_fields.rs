//! Every answer carries every field Telegram always sends, checked on the raw JSON.
//!
//! teloxide's types make many of Telegram's always-present fields optional (`accent_color_id`, a
//! private chat's `first_name`, ...), so an answer teloxide accepts can still be one that a
//! stricter client rejects. The table below lists, for each method the sandbox implements, the
//! paths that the Bot API documentation marks as required (not "Optional") in the returned object,
//! plus the type-dependent ones Telegram always fills in.

use serde_json::{Value, json};
use tg_sandbox::NewUser;

use crate::support::{World, updates};

/// The paths every `User` object has.
const USER: &[&str] = &["id", "is_bot", "first_name"];
/// The paths every `Message` in a private chat has.
const PRIVATE_MESSAGE: &[&str] = &[
    "message_id",
    "date",
    "chat.id",
    "chat.type",
    "chat.first_name",
    "from.id",
    "from.is_bot",
    "from.first_name",
];

/// `prefix` joined to each of `paths`.
fn under(prefix: &str, paths: &[&str]) -> Vec<String> {
    paths.iter().map(|p| format!("{prefix}.{p}")).collect()
}

/// The values at `path` (dot-separated; `*` stands for every element of an array).
fn lookup<'v>(value: &'v Value, path: &str) -> Vec<&'v Value> {
    let mut current = vec![value];
    for segment in path.split('.') {
        current = current
            .into_iter()
            .flat_map(|v| -> Vec<&Value> {
                match (segment, v) {
                    ("*", Value::Array(items)) => items.iter().collect(),
                    (_, Value::Object(map)) => map.get(segment).into_iter().collect(),
                    (index, Value::Array(items)) => index
                        .parse::<usize>()
                        .ok()
                        .and_then(|i| items.get(i))
                        .into_iter()
                        .collect(),
                    _ => Vec::new(),
                }
            })
            .collect();
    }
    current
}

/// Fails unless every path is present and not null (for `*`, in every element, and at least one).
#[track_caller]
fn assert_has(method: &str, answer: &Value, paths: &[String]) {
    assert_eq!(answer["ok"], true, "{method} failed: {answer}");
    let missing: Vec<&String> = paths
        .iter()
        .filter(|path| {
            let found = lookup(answer, path);
            found.is_empty() || found.iter().any(|v| v.is_null())
        })
        .collect();
    assert!(
        missing.is_empty(),
        "{method}: missing {missing:?} in {answer}"
    );
}

/// `result` plus `result.<p>` for every path.
fn result(paths: &[&str]) -> Vec<String> {
    under("result", paths)
}

fn message_with(extra: &[&str]) -> Vec<String> {
    let mut paths = result(PRIVATE_MESSAGE);
    paths.extend(result(extra));
    paths
}

#[tokio::test]
async fn every_method_answers_with_every_required_field() {
    let w = World::new().await;
    let chat = w.user.id.0;
    let call = |method: &'static str, body: Value| {
        let w = &w;
        async move {
            let (status, answer) = w.call(method, body).await;
            assert_eq!(status, 200, "{method}: {answer}");
            answer
        }
    };
    let is_true = |method: &str, answer: &Value| {
        assert_eq!(answer, &json!({"ok": true, "result": true}), "{method}");
    };

    // getMe: a User plus the bot-only fields Telegram returns in getMe.
    let mut me = result(USER);
    me.extend(result(&[
        "username",
        "can_join_groups",
        "can_read_all_group_messages",
        "supports_inline_queries",
        "can_connect_to_business",
        "has_main_web_app",
    ]));
    assert_has("getMe", &call("getMe", json!({})).await, &me);

    // getWebhookInfo: url (a string, empty without a webhook), has_custom_certificate,
    // pending_update_count.
    let info = call("getWebhookInfo", json!({})).await;
    assert_has(
        "getWebhookInfo",
        &info,
        &result(&["url", "has_custom_certificate", "pending_update_count"]),
    );
    assert_eq!(info["result"]["url"], "");

    // sendMessage with entities and an inline keyboard.
    let keyboard = json!({"inline_keyboard": [[{"text": "Go", "callback_data": "go"}]]});
    let sent = call(
        "sendMessage",
        json!({"chat_id": chat, "text": "<b>Hi</b>", "parse_mode": "HTML", "reply_markup": keyboard}),
    )
    .await;
    assert_has(
        "sendMessage",
        &sent,
        &message_with(&[
            "text",
            "entities.*.type",
            "entities.*.offset",
            "entities.*.length",
            "reply_markup.inline_keyboard.*.*.text",
        ]),
    );
    let message_id = sent["result"]["message_id"].as_i64().unwrap();

    let edited = call(
        "editMessageText",
        json!({"chat_id": chat, "message_id": message_id, "text": "Hello", "reply_markup": keyboard}),
    )
    .await;
    assert_has(
        "editMessageText",
        &edited,
        &message_with(&["text", "edit_date"]),
    );
    let edited = call(
        "editMessageReplyMarkup",
        json!({"chat_id": chat, "message_id": message_id}),
    )
    .await;
    assert_has("editMessageReplyMarkup", &edited, &message_with(&["text"]));

    let forwarded = call(
        "forwardMessage",
        json!({"chat_id": chat, "from_chat_id": chat, "message_id": message_id}),
    )
    .await;
    let mut forward_paths = message_with(&["forward_origin.type", "forward_origin.date", "text"]);
    forward_paths.extend(under("result.forward_origin.sender_user", USER));
    assert_has("forwardMessage", &forwarded, &forward_paths);

    let copied = call(
        "copyMessage",
        json!({"chat_id": chat, "from_chat_id": chat, "message_id": message_id}),
    )
    .await;
    assert_has("copyMessage", &copied, &result(&["message_id"]));

    let location = call(
        "sendLocation",
        json!({"chat_id": chat, "latitude": 55.75, "longitude": 37.62}),
    )
    .await;
    assert_has(
        "sendLocation",
        &location,
        &message_with(&["location.latitude", "location.longitude"]),
    );

    // sendDocument and sendPhoto by multipart, as teloxide uploads them.
    let document = upload(&w, "sendDocument", "document", "report.csv", b"a,b\n1,2\n").await;
    assert_has(
        "sendDocument",
        &document,
        &message_with(&["document.file_id", "document.file_unique_id", "caption"]),
    );
    let photo = upload(&w, "sendPhoto", "photo", "dot.png", PNG).await;
    assert_has(
        "sendPhoto",
        &photo,
        &message_with(&[
            "photo.*.file_id",
            "photo.*.file_unique_id",
            "photo.*.width",
            "photo.*.height",
        ]),
    );
    let caption = call(
        "editMessageCaption",
        json!({"chat_id": chat, "message_id": document["result"]["message_id"], "caption": "new"}),
    )
    .await;
    assert_has(
        "editMessageCaption",
        &caption,
        &message_with(&["document.file_id", "caption"]),
    );

    let file_id = document["result"]["document"]["file_id"].clone();
    let file = call("getFile", json!({"file_id": file_id})).await;
    assert_has(
        "getFile",
        &file,
        &result(&["file_id", "file_unique_id", "file_size", "file_path"]),
    );

    // getChat: ChatFullInfo's required fields, and the type-dependent ones Telegram fills in.
    let full = call("getChat", json!({"chat_id": chat})).await;
    assert_has(
        "getChat (private)",
        &full,
        &result(&[
            "id",
            "type",
            "first_name",
            "accent_color_id",
            "max_reaction_count",
            "accepted_gift_types.unlimited_gifts",
            "accepted_gift_types.limited_gifts",
            "accepted_gift_types.unique_gifts",
            "accepted_gift_types.premium_subscription",
        ]),
    );
    let bob = w.client.create_user(NewUser::named("Bob")).await.unwrap();
    let group = w
        .client
        .create_group("Staff", &[w.user.id, bob.id])
        .await
        .unwrap();
    let full = call("getChat", json!({"chat_id": group.id.0})).await;
    assert_has(
        "getChat (group)",
        &full,
        &result(&[
            "id",
            "type",
            "title",
            "accent_color_id",
            "max_reaction_count",
            "accepted_gift_types.unlimited_gifts",
        ]),
    );

    let member = call(
        "getChatMember",
        json!({"chat_id": chat, "user_id": w.user.id.0}),
    )
    .await;
    let mut member_paths = result(&["status"]);
    member_paths.extend(under("result.user", USER));
    assert_has("getChatMember", &member, &member_paths);
    let carol = w.client.create_user(NewUser::named("Carol")).await.unwrap();
    let left = call(
        "getChatMember",
        json!({"chat_id": group.id.0, "user_id": carol.id.0}),
    )
    .await;
    assert_has("getChatMember (left)", &left, &member_paths);
    assert_eq!(left["result"]["status"], "left");

    // Commands: true for the setters, BotCommand objects for the getter.
    is_true(
        "setMyCommands",
        &call(
            "setMyCommands",
            json!({"commands": [{"command": "start", "description": "Start"}]}),
        )
        .await,
    );
    let commands = call("getMyCommands", json!({})).await;
    assert_has(
        "getMyCommands",
        &commands,
        &result(&["*.command", "*.description"]),
    );
    is_true(
        "deleteMyCommands",
        &call("deleteMyCommands", json!({})).await,
    );

    is_true(
        "sendChatAction",
        &call(
            "sendChatAction",
            json!({"chat_id": chat, "action": "typing"}),
        )
        .await,
    );
    is_true(
        "deleteMessage",
        &call(
            "deleteMessage",
            json!({"chat_id": chat, "message_id": location["result"]["message_id"]}),
        )
        .await,
    );
    is_true(
        "deleteMessages",
        &call(
            "deleteMessages",
            json!({"chat_id": chat, "message_ids": [copied["result"]["message_id"]]}),
        )
        .await,
    );
    for method in [
        "setMyDescription",
        "setMyShortDescription",
        "setMyName",
        "setChatMenuButton",
    ] {
        is_true(method, &call(method, json!({})).await);
    }

    // sendInvoice: a Message with an Invoice (answerPreCheckoutQuery's `true` is checked in
    // payments_raw, which needs a customer paying).
    let invoice = call(
        "sendInvoice",
        json!({"chat_id": chat, "title": "Haircut", "description": "45 minutes",
               "payload": "order-1", "provider_token": "test", "currency": "RUB",
               "prices": [{"label": "Haircut", "amount": 150000}]}),
    )
    .await;
    assert_has(
        "sendInvoice",
        &invoice,
        &message_with(&[
            "invoice.title",
            "invoice.description",
            "invoice.start_parameter",
            "invoice.currency",
            "invoice.total_amount",
        ]),
    );

    // The webhook setters, and the session methods the sandbox accepts and ignores.
    is_true(
        "setWebhook",
        &call("setWebhook", json!({"url": "http://127.0.0.1:9/hook"})).await,
    );
    is_true("deleteWebhook", &call("deleteWebhook", json!({})).await);
    for method in ["logOut", "close"] {
        is_true(method, &call(method, json!({})).await);
    }

    let photos = call("getUserProfilePhotos", json!({"user_id": w.user.id.0})).await;
    assert_has(
        "getUserProfilePhotos",
        &photos,
        &result(&["total_count", "photos"]),
    );
}

#[tokio::test]
async fn every_update_carries_every_required_field() {
    let w = World::new().await;
    let token = &w.bot_info.token;
    let other = w.client.create_user(NewUser::named("Carol")).await.unwrap();
    w.client
        .send_contact(token, w.user.id, "+7 900 000-00-00")
        .await
        .unwrap();
    w.client
        .forward_from(token, w.user.id, other.id, "from Carol")
        .await
        .unwrap();
    let chat = w.user.id.0;
    let (_, sent) = w
        .call(
            "sendMessage",
            json!({"chat_id": chat, "text": "Pick", "reply_markup":
                {"inline_keyboard": [[{"text": "A", "callback_data": "a"}]]}}),
        )
        .await;
    let message_id =
        teloxide::types::MessageId(sent["result"]["message_id"].as_i64().unwrap() as i32);
    w.client
        .press_button(token, w.user.id, message_id, "a")
        .await
        .unwrap();
    w.client.block_bot(token, w.user.id).await.unwrap();

    let (_, answer) = w.call("getUpdates", json!({})).await;
    let all = updates(&answer);
    assert_eq!(all.len(), 5, "{all:?}");
    let (_, answered) = w
        .call(
            "answerCallbackQuery",
            json!({"callback_query_id": all[3]["callback_query"]["id"], "text": "ok"}),
        )
        .await;
    assert_eq!(answered, json!({"ok": true, "result": true}));
    let wrap = |update: &Value| json!({"ok": true, "result": update});
    let message = |extra: &[&str]| {
        let mut paths = under("result.message", PRIVATE_MESSAGE);
        paths.extend(under("result.message", extra));
        paths.push("result.update_id".to_owned());
        paths
    };
    assert_has(
        "command update",
        &wrap(&all[0]),
        &message(&[
            "text",
            "entities.*.type",
            "entities.*.offset",
            "entities.*.length",
        ]),
    );
    assert_has(
        "contact update",
        &wrap(&all[1]),
        &message(&["contact.phone_number", "contact.first_name"]),
    );
    let mut forward = message(&["text", "forward_origin.type", "forward_origin.date"]);
    forward.extend(under("result.message.forward_origin.sender_user", USER));
    assert_has("forward update", &wrap(&all[2]), &forward);

    let mut callback = vec![
        "result.update_id".to_owned(),
        "result.callback_query.id".to_owned(),
        "result.callback_query.chat_instance".to_owned(),
        "result.callback_query.data".to_owned(),
    ];
    callback.extend(under("result.callback_query.from", USER));
    callback.extend(under("result.callback_query.message", PRIVATE_MESSAGE));
    assert_has("callback_query update", &wrap(&all[3]), &callback);

    let mut member = vec![
        "result.update_id".to_owned(),
        "result.my_chat_member.chat.id".to_owned(),
        "result.my_chat_member.chat.type".to_owned(),
        "result.my_chat_member.date".to_owned(),
        "result.my_chat_member.old_chat_member.status".to_owned(),
        "result.my_chat_member.new_chat_member.status".to_owned(),
        // A "kicked" member always has until_date (0 for ever).
        "result.my_chat_member.new_chat_member.until_date".to_owned(),
    ];
    member.extend(under("result.my_chat_member.from", USER));
    member.extend(under("result.my_chat_member.old_chat_member.user", USER));
    member.extend(under("result.my_chat_member.new_chat_member.user", USER));
    assert_has("my_chat_member update", &wrap(&all[4]), &member);
}

/// A 1×1 PNG.
const PNG: &[u8] = &[
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1f, 0x15, 0xc4,
    0x89, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0x00, 0x01, 0x00, 0x00,
    0x05, 0x00, 0x01, 0x0d, 0x0a, 0x2d, 0xb4, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae,
    0x42, 0x60, 0x82,
];

/// Uploads `bytes` as `field` of `method` with a caption, by multipart.
async fn upload(w: &World, method: &str, field: &str, name: &str, bytes: &'static [u8]) -> Value {
    let url = w
        .client
        .api_url()
        .join(&format!("./bot{}/{method}", w.bot_info.token))
        .unwrap();
    let part = reqwest::multipart::Part::bytes(bytes).file_name(name.to_owned());
    let form = reqwest::multipart::Form::new()
        .text("chat_id", w.user.id.0.to_string())
        .text("caption", "the file")
        .part(field.to_owned(), part);
    let response = reqwest::Client::new()
        .post(url)
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}
