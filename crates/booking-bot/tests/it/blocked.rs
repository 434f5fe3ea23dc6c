//! A customer who blocks the bot is marked; writing again clears the mark.

use std::time::{Duration, Instant};

use booking_core::ids::TelegramUserId;
use storage::tenant::customers::{self, Customer};

use crate::support::{TestBot, WAIT};

async fn customer(bot: &TestBot, id: TelegramUserId) -> Customer {
    let mut tx = bot.db.tx(bot.tenant_id()).await;
    customers::by_telegram(&mut tx, id).await.unwrap().unwrap()
}

#[tokio::test]
async fn blocking_the_bot_marks_the_customer_until_they_write_again() {
    let bot = TestBot::start().await;
    let alice = bot.user("Alice", "en").await;
    let id = TelegramUserId(i64::try_from(alice.id.0).unwrap());
    let _menu = bot.menu(&alice).await;
    assert!(customer(&bot, id).await.blocked_bot_at.is_none());

    bot.client
        .block_bot(&bot.info.token, alice.id)
        .await
        .unwrap();
    let deadline = Instant::now() + WAIT;
    while customer(&bot, id).await.blocked_bot_at.is_none() {
        assert!(Instant::now() < deadline, "the customer was never marked");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    bot.client
        .unblock_bot(&bot.info.token, alice.id)
        .await
        .unwrap();
    bot.command(&alice, "/start").await;
    let menu = bot.next(&alice).await;
    assert!(menu.text().contains("how can we help"), "{}", menu.text());
    assert!(customer(&bot, id).await.blocked_bot_at.is_none());
}
