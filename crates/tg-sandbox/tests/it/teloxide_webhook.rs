//! The same flow with teloxide's axum webhook and a secret token.

use teloxide::{
    dispatching::Dispatcher, error_handlers::LoggingErrorHandler, update_listeners::webhooks,
};
use tg_sandbox::NewUser;

use crate::{
    demo_bot,
    support::{WAIT, start, teloxide_bot},
};

#[tokio::test]
async fn dispatcher_over_a_webhook_with_a_secret_token() {
    let (_sandbox, client) = start().await;
    let info = client.create_bot("hook_bot").await.unwrap();
    let bot = teloxide_bot(&client, &info);

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let url = format!("http://{addr}/webhook").parse().unwrap();
    let options = webhooks::Options::new(addr, url).secret_token("sandbox_secret-42".to_owned());
    // setWebhook goes out as multipart/form-data with the secret; the sandbox must accept it.
    let (update_listener, stop_flag, router) = webhooks::axum_to_router(bot.clone(), options)
        .await
        .unwrap();
    tokio::spawn(async move {
        axum::serve(listener, router)
            .with_graceful_shutdown(stop_flag)
            .await
    });
    let mut dispatcher = Dispatcher::builder(bot, demo_bot::schema()).build();
    tokio::spawn(async move {
        dispatcher
            .dispatch_with_listener(update_listener, LoggingErrorHandler::new())
            .await;
    });

    let alice = client.create_user(NewUser::named("Alice")).await.unwrap();
    client
        .send_command(&info.token, alice.id, "/start")
        .await
        .unwrap();
    let prompt = client
        .next_bot_message(&info.token, alice.id, WAIT)
        .await
        .unwrap();
    assert_eq!(prompt.text(), demo_bot::PROMPT);

    let query = client
        .press_button(&info.token, alice.id, prompt.message_id, "slot:11")
        .await
        .unwrap();
    let answer = client
        .wait_callback_answer(&info.token, &query, WAIT)
        .await
        .unwrap();
    assert_eq!(answer.text.as_deref(), Some("Booked slot:11"));
    client
        .wait_until(&info.token, alice.chat_id(), WAIT, |v| {
            v.messages.iter().any(|m| m.text() == "Booked slot:11")
        })
        .await
        .unwrap();

    // teloxide answers 401 to a wrong or missing secret, so no failure means the header matched.
    let stats = client.stats().await.unwrap();
    let bot_stats = stats.bots.iter().find(|b| b.token == info.token).unwrap();
    assert_eq!(
        bot_stats.webhook_url.as_deref(),
        Some(format!("http://{addr}/webhook").as_str())
    );
    assert_eq!(bot_stats.webhook_failures, 0);
    assert_eq!(bot_stats.pending_updates, 0);
}
