//! Payments seen from the wire: Telegram's exact field names, and its errors for bad invoices and
//! for pre-checkout answers that are repeated, unknown or late.

use std::{collections::BTreeSet, time::Duration};

use serde_json::{Value, json};
use teloxide::types::MessageId;
use tg_sandbox::{Bank, Config, FloodLimits, PaymentOutcome};

use crate::support::{World, assert_tg_error, start_with, updates};

const QUERY_INVALID: &str =
    "Bad Request: query is too old and response timeout expired or query id is invalid";

fn keys(value: &Value) -> BTreeSet<&str> {
    value
        .as_object()
        .unwrap_or_else(|| panic!("not an object: {value}"))
        .keys()
        .map(String::as_str)
        .collect()
}

fn set<'a>(names: &[&'a str]) -> BTreeSet<&'a str> {
    names.iter().copied().collect()
}

fn invoice_body(chat: u64) -> Value {
    json!({
        "chat_id": chat, "title": "Haircut", "description": "45 minutes", "payload": "order-1",
        "provider_token": "381764678:TEST:sandbox", "currency": "RUB",
        "prices": [{"label": "Haircut", "amount": 150000}],
    })
}

/// A World with a short pre-checkout timeout, for the bot that never answers.
async fn world(pre_checkout_timeout: Duration) -> World {
    let (handle, client) = start_with(Config {
        flood: FloodLimits::off(),
        pre_checkout_timeout,
        ..Config::default()
    })
    .await;
    World::with(handle, client).await
}

/// Long-polls until an update with `kind` arrives, acknowledging everything before it.
async fn next_update(w: &World, kind: &str) -> Value {
    for _ in 0..20 {
        let (_, answer) = w.call("getUpdates", json!({"timeout": 1})).await;
        let all = updates(&answer);
        if let Some(found) = all.iter().find(|u| u.get(kind).is_some()) {
            let next = found["update_id"].as_i64().unwrap() + 1;
            w.call("getUpdates", json!({"offset": next, "timeout": 0}))
                .await;
            return found.clone();
        }
        if let Some(last) = all.last() {
            let next = last["update_id"].as_i64().unwrap() + 1;
            w.call("getUpdates", json!({"offset": next, "timeout": 0}))
                .await;
        }
    }
    panic!("no {kind} update arrived");
}

#[tokio::test]
async fn invoices_and_payments_use_telegrams_field_names() {
    let w = world(Duration::from_secs(10)).await;
    let (status, sent) = w.call("sendInvoice", invoice_body(w.user.id.0)).await;
    assert_eq!(status, 200, "{sent}");
    let message = &sent["result"];
    assert_eq!(
        keys(&message["invoice"]),
        set(&[
            "title",
            "description",
            "start_parameter",
            "currency",
            "total_amount"
        ])
    );
    assert_eq!(message["invoice"]["total_amount"], 150000);
    assert_eq!(message["invoice"]["start_parameter"], "");
    assert_eq!(message["from"]["is_bot"], true);
    // teloxide reads it as an invoice.
    let parsed: teloxide::types::Message = serde_json::from_value(message.clone()).unwrap();
    assert_eq!(parsed.invoice().unwrap().title, "Haircut");
    let invoice_id = MessageId(i32::try_from(message["message_id"].as_i64().unwrap()).unwrap());

    let client = w.client.clone();
    let (token, user) = (w.bot_info.token.clone(), w.user.id);
    let payment = tokio::spawn(async move {
        client
            .pay_invoice(&token, user, invoice_id, Bank::Approves)
            .await
            .unwrap()
    });
    let update = next_update(&w, "pre_checkout_query").await;
    let query = &update["pre_checkout_query"];
    assert_eq!(
        keys(query),
        set(&["id", "from", "currency", "total_amount", "invoice_payload"])
    );
    assert_eq!(query["from"]["id"], w.user.id.0);
    assert_eq!(query["invoice_payload"], "order-1");
    assert_eq!(query["total_amount"], 150000);
    crate::support::parse_updates(std::slice::from_ref(&update));

    let (status, answer) = w
        .call(
            "answerPreCheckoutQuery",
            json!({"pre_checkout_query_id": query["id"], "ok": true}),
        )
        .await;
    assert_eq!((status, answer), (200, json!({"ok": true, "result": true})));
    // A second answer to the same query is refused as Telegram refuses it.
    let (status, answer) = w
        .call(
            "answerPreCheckoutQuery",
            json!({"pre_checkout_query_id": query["id"], "ok": true}),
        )
        .await;
    assert_eq!(assert_tg_error(status, &answer, 400), QUERY_INVALID);

    let outcome = payment.await.unwrap();
    assert!(
        matches!(outcome, PaymentOutcome::Paid { .. }),
        "{outcome:?}"
    );
    let update = next_update(&w, "message").await;
    let paid = &update["message"]["successful_payment"];
    assert_eq!(
        keys(paid),
        set(&[
            "currency",
            "total_amount",
            "invoice_payload",
            "telegram_payment_charge_id",
            "provider_payment_charge_id",
        ])
    );
    assert_eq!(update["message"]["from"]["id"], w.user.id.0);
    assert_eq!(paid["invoice_payload"], "order-1");
    let parsed = crate::support::parse_updates(std::slice::from_ref(&update));
    let teloxide::types::UpdateKind::Message(m) = &parsed[0].kind else {
        panic!("not a message")
    };
    assert_eq!(m.successful_payment().unwrap().total_amount, 150000);
}

#[tokio::test]
async fn pre_checkout_answers_that_are_unknown_incomplete_or_late_are_refused() {
    let w = world(Duration::from_millis(300)).await;
    let (status, answer) = w
        .call(
            "answerPreCheckoutQuery",
            json!({"pre_checkout_query_id": "123456", "ok": true}),
        )
        .await;
    assert_eq!(assert_tg_error(status, &answer, 400), QUERY_INVALID);

    let (_, sent) = w.call("sendInvoice", invoice_body(w.user.id.0)).await;
    let invoice_id =
        MessageId(i32::try_from(sent["result"]["message_id"].as_i64().unwrap()).unwrap());
    let client = w.client.clone();
    let (token, user) = (w.bot_info.token.clone(), w.user.id);
    let payment = tokio::spawn(async move {
        client
            .pay_invoice(&token, user, invoice_id, Bank::Approves)
            .await
            .unwrap()
    });
    let update = next_update(&w, "pre_checkout_query").await;
    let id = update["pre_checkout_query"]["id"].clone();
    // A refusal needs its message for the customer.
    let (status, answer) = w
        .call(
            "answerPreCheckoutQuery",
            json!({"pre_checkout_query_id": id, "ok": false}),
        )
        .await;
    assert_eq!(
        assert_tg_error(status, &answer, 400),
        "Bad Request: parameter \"error_message\" is required"
    );
    // The bot says nothing more: the payment ends unanswered, and a late answer is too old.
    let outcome = payment.await.unwrap();
    assert!(
        matches!(outcome, PaymentOutcome::Unanswered { .. }),
        "{outcome:?}"
    );
    let (status, answer) = w
        .call(
            "answerPreCheckoutQuery",
            json!({"pre_checkout_query_id": id, "ok": true}),
        )
        .await;
    assert_eq!(assert_tg_error(status, &answer, 400), QUERY_INVALID);
    let chat = w.client.chat(&w.bot_info.token, w.user.id).await.unwrap();
    assert!(chat.iter().all(|m| m.successful_payment.is_none()));
}

#[tokio::test]
async fn bad_invoices_get_telegrams_errors() {
    let w = world(Duration::from_secs(10)).await;
    let chat = w.user.id.0;
    let cases: Vec<(Value, &str)> = vec![
        (
            json!({"reply_markup": {"inline_keyboard": [[{"text": "Later", "callback_data": "x"}, {"text": "Pay", "pay": true}]]}}),
            "Bad Request: REPLY_MARKUP_BUY_EMPTY",
        ),
        (
            json!({"prices": []}),
            "Bad Request: there must be at least one price",
        ),
        (
            json!({"prices": "not json"}),
            "Bad Request: can't parse prices JSON object",
        ),
        (
            json!({"prices": [{"label": "", "amount": 1}]}),
            "Bad Request: can't parse labeled price: LabeledPrice label must be non-empty",
        ),
        (
            json!({"prices": [{"label": "Free", "amount": 0}]}),
            "Bad Request: CURRENCY_TOTAL_AMOUNT_INVALID",
        ),
        (json!({"currency": "rub"}), "Bad Request: CURRENCY_INVALID"),
        (
            json!({"provider_token": ""}),
            "Bad Request: PAYMENT_PROVIDER_INVALID",
        ),
        (
            json!({"currency": "XTR"}),
            "Bad Request: PAYMENT_PROVIDER_INVALID",
        ),
        (
            json!({"payload": "x".repeat(129)}),
            "Bad Request: INVOICE_PAYLOAD_INVALID",
        ),
        (
            json!({"title": ""}),
            "Bad Request: parameter \"title\" is required",
        ),
    ];
    for (change, expected) in cases {
        let mut body = invoice_body(chat);
        for (key, value) in change.as_object().unwrap() {
            body[key] = value.clone();
        }
        let (status, answer) = w.call("sendInvoice", body.clone()).await;
        assert_eq!(assert_tg_error(status, &answer, 400), expected, "{body}");
    }
    // Stars need no provider token; the bot's own keyboard comes back with the message.
    let mut stars = invoice_body(chat);
    stars["currency"] = json!("XTR");
    stars["provider_token"] = json!("");
    stars["prices"] = json!([{"label": "Haircut", "amount": 50}]);
    stars["reply_markup"] = json!({"inline_keyboard": [[{"text": "Pay 50 ⭐", "pay": true}]]});
    let (status, answer) = w.call("sendInvoice", stars).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(
        answer["result"]["reply_markup"]["inline_keyboard"][0][0]["pay"],
        true
    );
}
