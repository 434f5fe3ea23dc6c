//! What users do: commands, contacts, forwards, groups, blocking; and what bots may do to them.

use serde_json::json;
use teloxide::{
    ApiError, RequestError,
    prelude::Requester,
    types::{
        ChatId, ChatMemberKind, MediaKind, MessageEntityKind, MessageKind, MessageOrigin,
        UpdateKind,
    },
};
use tg_sandbox::NewUser;

use crate::support::{WAIT, World, drain_updates, parse_updates};

#[tokio::test]
async fn commands_contacts_and_forwards_reach_the_bot_as_telegram_sends_them() {
    let w = World::new().await;
    let bob = w
        .client
        .create_user(NewUser::named("Bob").username("bob"))
        .await
        .unwrap();
    let token = &w.bot_info.token;
    w.client
        .send_command(token, w.user.id, "start ref_42")
        .await
        .unwrap();
    w.client
        .send_contact(token, w.user.id, "+79001234567")
        .await
        .unwrap();
    w.client
        .forward_from(token, w.user.id, bob.id, "make me admin")
        .await
        .unwrap();
    let got = parse_updates(&drain_updates(&w.client, token.as_str(), 4).await);

    let UpdateKind::Message(start) = &got[1].kind else {
        panic!("{:?}", got[1])
    };
    assert_eq!(start.text(), Some("/start ref_42"));
    let entity = &start.entities().unwrap()[0];
    assert_eq!(
        (entity.kind.clone(), entity.offset, entity.length),
        (MessageEntityKind::BotCommand, 0, 6)
    );
    assert_eq!(start.chat.id, w.user.chat_id());
    assert_eq!(
        start.from.as_ref().unwrap().language_code.as_deref(),
        Some("en")
    );

    let UpdateKind::Message(contact) = &got[2].kind else {
        panic!()
    };
    let contact = contact.contact().unwrap();
    assert_eq!(contact.phone_number, "+79001234567");
    assert_eq!(contact.user_id, Some(w.user.id));

    let UpdateKind::Message(forward) = &got[3].kind else {
        panic!()
    };
    let MessageKind::Common(common) = &forward.kind else {
        panic!()
    };
    let Some(MessageOrigin::User { sender_user, .. }) = &common.forward_origin else {
        panic!()
    };
    assert_eq!(sender_user.id, bob.id);
    assert!(matches!(common.media_kind, MediaKind::Text(_)));

    let chat = w.client.chat(token, w.user.id).await.unwrap();
    assert_eq!(chat[2].contact.as_deref(), Some("+79001234567"));
    assert_eq!(chat[3].forwarded_from, Some(bob.id));
    assert!(!chat[3].is_from_bot());
}

#[tokio::test]
async fn blocked_users_give_403_and_a_my_chat_member_update() {
    let w = World::new().await;
    let bot = w.bot();
    let token = &w.bot_info.token;
    w.client.block_bot(token, w.user.id).await.unwrap();
    let err = bot
        .send_message(w.user.chat_id(), "still there?")
        .await
        .unwrap_err();
    assert!(
        matches!(err, RequestError::Api(ApiError::BotBlocked)),
        "{err:?}"
    );
    let got = parse_updates(&drain_updates(&w.client, token.as_str(), 2).await);
    let UpdateKind::MyChatMember(change) = &got[1].kind else {
        panic!("{:?}", got[1])
    };
    assert!(matches!(
        change.new_chat_member.kind,
        ChatMemberKind::Banned(_)
    ));
    assert_eq!(change.from.id, w.user.id);
    assert!(
        w.client.send_text(token, w.user.id, "hi").await.is_err(),
        "a blocked chat has to be restarted first"
    );

    w.client.unblock_bot(token, w.user.id).await.unwrap();
    bot.send_message(w.user.chat_id(), "welcome back")
        .await
        .unwrap();
    assert!(
        w.client
            .chat_view(token, w.user.chat_id())
            .await
            .unwrap()
            .messages
            .iter()
            .any(|m| m.text() == "welcome back")
    );
}

#[tokio::test]
async fn unknown_chats_and_strangers_are_refused() {
    let w = World::new().await;
    let bot = w.bot();
    let err = bot
        .send_message(ChatId(424_242), "hello?")
        .await
        .unwrap_err();
    assert!(
        matches!(err, RequestError::Api(ApiError::ChatNotFound)),
        "{err:?}"
    );
    let stranger = w
        .client
        .create_user(NewUser::named("Stranger"))
        .await
        .unwrap();
    // Looking at the chat (as the web page does) must not open it for the bot.
    let view = w
        .client
        .chat_view(&w.bot_info.token, stranger.chat_id())
        .await
        .unwrap();
    assert!(view.messages.is_empty());
    assert_eq!(view.version, 0);
    let (status, answer) = w
        .call(
            "sendMessage",
            json!({"chat_id": stranger.id.0, "text": "spam"}),
        )
        .await;
    assert_eq!(status, 403, "{answer}");
    assert_eq!(
        answer["description"],
        "Forbidden: bot can't initiate conversation with a user"
    );
}

#[tokio::test]
async fn next_bot_message_walks_through_new_messages() {
    let w = World::new().await;
    let bot = w.bot();
    let token = &w.bot_info.token;
    bot.send_message(w.user.chat_id(), "first").await.unwrap();
    bot.send_message(w.user.chat_id(), "second").await.unwrap();
    assert_eq!(
        w.client
            .next_bot_message(token, w.user.id, WAIT)
            .await
            .unwrap()
            .text(),
        "first"
    );
    assert_eq!(
        w.client
            .next_bot_message(token, w.user.id, WAIT)
            .await
            .unwrap()
            .text(),
        "second"
    );
    let short = std::time::Duration::from_millis(200);
    let err = w
        .client
        .next_bot_message(token, w.user.id, short)
        .await
        .unwrap_err();
    assert!(
        matches!(err, tg_sandbox::ClientError::Timeout(_)),
        "{err:?}"
    );
    let waiter = {
        let client = w.client.clone();
        let token = token.clone();
        let user = w.user.id;
        tokio::spawn(async move { client.next_bot_message(&token, user, WAIT).await })
    };
    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    bot.send_message(w.user.chat_id(), "third").await.unwrap();
    assert_eq!(waiter.await.unwrap().unwrap().text(), "third");
}

#[tokio::test]
async fn groups_have_several_writers() {
    let w = World::new().await;
    let bob = w.client.create_user(NewUser::named("Bob")).await.unwrap();
    let group = w
        .client
        .create_group("Staff", &[w.user.id, bob.id])
        .await
        .unwrap();
    assert!(group.id.0 < 0);
    let token = &w.bot_info.token;
    w.client
        .send_group_text(token, group.id, w.user.id, "from Alice")
        .await
        .unwrap();
    w.client
        .send_group_text(token, group.id, bob.id, "from Bob")
        .await
        .unwrap();
    let got = parse_updates(&drain_updates(&w.client, token.as_str(), 3).await);
    let senders: Vec<_> = got[1..]
        .iter()
        .map(|u| match &u.kind {
            UpdateKind::Message(m) => (m.chat.id, m.from.as_ref().unwrap().id),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(senders, [(group.id, w.user.id), (group.id, bob.id)]);
    let sent = w.bot().send_message(group.id, "hello group").await.unwrap();
    assert!(sent.chat.is_group());
    let view = w.client.chat_view(token, group.id).await.unwrap();
    assert_eq!(view.messages.len(), 3);
    let stranger = w.client.create_user(NewUser::named("Eve")).await.unwrap();
    assert!(
        w.client
            .send_group_text(token, group.id, stranger.id, "let me in")
            .await
            .is_err()
    );
}

#[tokio::test]
async fn forward_copy_and_location() {
    use teloxide::payloads::setters::*;
    let w = World::new().await;
    let bot = w.bot();
    let token = &w.bot_info.token;
    let admin = w.client.create_user(NewUser::named("Admin")).await.unwrap();
    w.client
        .send_command(token, admin.id, "/start")
        .await
        .unwrap();
    let question = w
        .client
        .send_text(token, w.user.id, "Can I come at 5?")
        .await
        .unwrap();

    // A customer's message forwarded to an admin names the customer.
    let forwarded = bot
        .forward_message(admin.chat_id(), w.user.chat_id(), question)
        .await
        .unwrap();
    assert_eq!(forwarded.text(), Some("Can I come at 5?"));
    assert_eq!(forwarded.forward_from_user().unwrap().id, w.user.id);
    let copy = bot
        .copy_message(admin.chat_id(), w.user.chat_id(), question)
        .await
        .unwrap();
    let admin_chat = w.client.chat(token, admin.id).await.unwrap();
    let copied = admin_chat.iter().find(|m| m.message_id == copy).unwrap();
    assert_eq!(copied.text(), "Can I come at 5?");
    assert_eq!(copied.forwarded_from, None);
    assert_eq!(
        admin_chat
            .iter()
            .find(|m| m.message_id == forwarded.id)
            .unwrap()
            .forwarded_from,
        Some(w.user.id)
    );

    let sent = bot
        .send_location(w.user.chat_id(), 55.7558, 37.6173)
        .await
        .unwrap();
    assert!(sent.location().is_some());
    let chat = w.client.chat(token, w.user.id).await.unwrap();
    assert_eq!(chat.last().unwrap().location, Some((55.7558, 37.6173)));
    let err = bot
        .forward_message(
            admin.chat_id(),
            w.user.chat_id(),
            teloxide::types::MessageId(999),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(err, RequestError::Api(ApiError::MessageToForwardNotFound)),
        "{err:?}"
    );
    let _ = bot
        .send_message(admin.chat_id(), "ok")
        .disable_notification(true)
        .await
        .unwrap();
}
