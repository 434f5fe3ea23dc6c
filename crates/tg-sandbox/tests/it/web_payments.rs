//! Paying in the web chat page (headless Chromium) against a real teloxide shop: a refusal shows
//! the bot's message in the chat; a payment shows the receipt and the bot's thanks.

use std::path::PathBuf;

use tg_sandbox::NewUser;

use crate::{
    shop_bot,
    support::{WAIT, start, teloxide_bot},
    web_page::{chromium, run_chromium},
};

#[tokio::test]
async fn the_web_page_pays_invoices_and_shows_refusals() {
    chromium();
    let (sandbox, client) = start().await;
    let info = client.create_bot("web_shop_bot").await.unwrap();
    let _stop = shop_bot::spawn_polling(teloxide_bot(&client, &info));
    let alice = client.create_user(NewUser::named("Alice")).await.unwrap();
    let page = |query: &str| {
        sandbox
            .url()
            .join(&format!(
                "/?bot={}&user={}&{query}",
                info.username, alice.id
            ))
            .unwrap()
            .to_string()
    };

    // The bot refuses at pre-checkout: the page shows why, and no payment happens.
    client
        .send_command(&info.token, alice.id, "/buy sold-out-1")
        .await
        .unwrap();
    client
        .next_bot_message(&info.token, alice.id, WAIT)
        .await
        .unwrap();
    let dom = run_chromium(
        &page("pay=approves&until=Payment%20failed&live=0"),
        &["--dump-dom".to_owned()],
    )
    .await;
    assert!(
        dom.contains(&format!("Payment failed: {}", shop_bot::SOLD_OUT)),
        "the refusal is not shown: {dom}"
    );
    let chat = client.chat(&info.token, alice.id).await.unwrap();
    assert!(chat.iter().all(|m| m.successful_payment.is_none()));

    // A confirmed payment: the receipt and the bot's thanks appear.
    client
        .send_command(&info.token, alice.id, "/buy order-5")
        .await
        .unwrap();
    let invoice = client
        .next_bot_message(&info.token, alice.id, WAIT)
        .await
        .unwrap();
    assert!(invoice.invoice.is_some());
    let artifacts = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../artifacts");
    std::fs::create_dir_all(&artifacts).unwrap();
    let screenshot = artifacts.join("tg-sandbox-web-payment.png");
    let _ = std::fs::remove_file(&screenshot);
    run_chromium(
        &page("pay=approves&until=for%20order-5&live=0"),
        &[format!("--screenshot={}", screenshot.display())],
    )
    .await;
    let thanks = client
        .wait_until(&info.token, alice.chat_id(), WAIT, |v| {
            v.messages.iter().any(|m| m.text().contains("for order-5"))
        })
        .await
        .unwrap();
    let paid = thanks
        .messages
        .iter()
        .find(|m| m.successful_payment.is_some())
        .expect("no payment message");
    assert!(!paid.is_from_bot());
    assert!(std::fs::read(&screenshot).unwrap().starts_with(b"\x89PNG"));
}
