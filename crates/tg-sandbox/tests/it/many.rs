//! Many bots and many users at once: every bot gets its own updates, every chat its own messages.

use futures::future::join_all;
use teloxide::{prelude::Requester, requests::Request};
use tg_sandbox::{BotInfo, NewUser, TestUser};

use crate::support::{drain_updates, parse_updates, start, teloxide_bot};

#[tokio::test]
async fn bots_and_users_do_not_mix() {
    let (_sandbox, client) = start().await;
    let mut bots: Vec<BotInfo> = Vec::new();
    for i in 0..4 {
        bots.push(client.create_bot(&format!("bot{i}_bot")).await.unwrap());
    }
    let mut users: Vec<TestUser> = Vec::new();
    for i in 0..6 {
        users.push(
            client
                .create_user(NewUser::named(format!("User {i}")))
                .await
                .unwrap(),
        );
    }
    let client_ref = &client;
    let users_ref = &users;
    let sends = bots.iter().enumerate().flat_map(|(b, bot)| {
        users_ref.iter().enumerate().map(move |(u, user)| {
            let client = client_ref.clone();
            async move {
                for k in 0..5 {
                    client
                        .send_text(&bot.token, user.id, &format!("u{u}-b{b}-{k}"))
                        .await
                        .unwrap();
                }
            }
        })
    });
    join_all(sends).await;

    for (b, bot) in bots.iter().enumerate() {
        let got = parse_updates(&drain_updates(&client, bot.token.as_str(), users.len() * 5).await);
        assert_eq!(got.len(), 30);
        assert!(got.windows(2).all(|p| p[0].id < p[1].id));
        for update in &got {
            let teloxide::types::UpdateKind::Message(m) = &update.kind else {
                panic!()
            };
            assert!(
                m.text().unwrap().contains(&format!("-b{b}-")),
                "bot {b} got {:?}",
                m.text()
            );
        }
        let tg = teloxide_bot(&client, bot);
        join_all(users.iter().map(|user| {
            tg.send_message(user.chat_id(), format!("reply from {b}"))
                .send()
        }))
        .await;
    }
    for (b, bot) in bots.iter().enumerate() {
        for (u, user) in users.iter().enumerate() {
            let chat = client.chat(&bot.token, user.id).await.unwrap();
            let texts: Vec<&str> = chat.iter().map(|m| m.text()).collect();
            let mut expected: Vec<String> = (0..5).map(|k| format!("u{u}-b{b}-{k}")).collect();
            expected.push(format!("reply from {b}"));
            assert_eq!(texts, expected);
            // Message ids are per chat, as in Telegram's private chats.
            assert_eq!(chat.last().unwrap().message_id.0, 6);
        }
    }
}
