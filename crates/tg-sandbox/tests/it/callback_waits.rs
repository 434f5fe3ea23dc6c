//! Many presses waited for at once: each waiter gets the answer to its own query, whatever order
//! the bot answers in.

use futures::future::join_all;
use serde_json::json;
use teloxide::types::MessageId;

use crate::support::{WAIT, World, raw_call, updates};

const PRESSES: usize = 48;

#[tokio::test]
async fn concurrent_presses_each_get_their_own_answer() {
    let w = World::new().await;
    let token = w.bot_info.token.clone();
    // One keyboard of 48 buttons, 8 to a row.
    let rows: Vec<Vec<_>> = (0..PRESSES)
        .collect::<Vec<_>>()
        .chunks(8)
        .map(|row| {
            row.iter()
                .map(|i| json!({"text": format!("#{i}"), "callback_data": format!("b{i}")}))
                .collect()
        })
        .collect();
    let (status, sent) = w
        .call(
            "sendMessage",
            json!({"chat_id": w.user.id.0, "text": "Many buttons",
                   "reply_markup": {"inline_keyboard": rows}}),
        )
        .await;
    assert_eq!(status, 200, "{sent}");
    let message_id =
        MessageId(i32::try_from(sent["result"]["message_id"].as_i64().unwrap()).unwrap());
    // Acknowledge the /start the World sent, so the bot below sees only callback queries.
    let (_, first) = w.call("getUpdates", json!({})).await;
    let mut offset = updates(&first)[0]["update_id"].as_i64().unwrap() + 1;

    // The bot: answers every query with its button's data, each batch in reverse order, so
    // answers arrive in a different order from the presses.
    let bot_client = w.client.clone();
    let bot_token = token.as_str().to_owned();
    let bot = tokio::spawn(async move {
        let mut answered = 0;
        while answered < PRESSES {
            let (_, batch) = raw_call(
                &bot_client,
                &bot_token,
                "getUpdates",
                json!({"offset": offset, "timeout": 5}),
            )
            .await;
            let batch = updates(&batch);
            for update in batch.iter().rev() {
                offset = offset.max(update["update_id"].as_i64().unwrap() + 1);
                let query = &update["callback_query"];
                let (status, answer) = raw_call(
                    &bot_client,
                    &bot_token,
                    "answerCallbackQuery",
                    json!({"callback_query_id": query["id"], "text": query["data"]}),
                )
                .await;
                assert_eq!(status, 200, "{answer}");
                answered += 1;
            }
        }
    });

    let presses = (0..PRESSES).map(|i| {
        let client = w.client.clone();
        let token = token.clone();
        let user = w.user.id;
        async move {
            let data = format!("b{i}");
            let query = client
                .press_button(&token, user, message_id, &data)
                .await
                .unwrap();
            let answer = client
                .wait_callback_answer(&token, &query, WAIT)
                .await
                .unwrap();
            assert_eq!(answer.callback_query_id, query);
            assert_eq!(answer.data, data);
            assert_eq!(answer.text.as_deref(), Some(data.as_str()));
        }
    });
    join_all(presses).await;
    bot.await.unwrap();

    // Waiting again for an answered query returns it at once; an unknown query is a 404.
    let all = w.client.callback_answers(&token, w.user.id).await.unwrap();
    assert_eq!(all.len(), PRESSES);
    let again = w
        .client
        .wait_callback_answer(&token, &all[0].callback_query_id, WAIT)
        .await
        .unwrap();
    assert_eq!(again, all[0]);
    let unknown = w
        .client
        .wait_callback_answer(&token, "no-such-query", WAIT)
        .await
        .unwrap_err();
    assert!(
        matches!(unknown, tg_sandbox::ClientError::Api { status: 404, .. }),
        "{unknown}"
    );
}

#[tokio::test]
async fn an_unanswered_press_times_out() {
    let w = World::new().await;
    let (_, sent) = w
        .call(
            "sendMessage",
            json!({"chat_id": w.user.id.0, "text": "One",
                   "reply_markup": {"inline_keyboard": [[{"text": "A", "callback_data": "a"}]]}}),
        )
        .await;
    let message_id =
        MessageId(i32::try_from(sent["result"]["message_id"].as_i64().unwrap()).unwrap());
    let token = &w.bot_info.token;
    let query = w
        .client
        .press_button(token, w.user.id, message_id, "a")
        .await
        .unwrap();
    // Other chat changes while it waits do not end the wait early.
    let client = w.client.clone();
    let (token2, user) = (token.clone(), w.user.id);
    let noise = tokio::spawn(async move {
        for n in 0..5 {
            client
                .send_text(&token2, user, &format!("noise {n}"))
                .await
                .unwrap();
        }
    });
    let err = w
        .client
        .wait_callback_answer(token, &query, std::time::Duration::from_millis(300))
        .await
        .unwrap_err();
    assert!(matches!(err, tg_sandbox::ClientError::Timeout(_)), "{err}");
    noise.await.unwrap();
}
