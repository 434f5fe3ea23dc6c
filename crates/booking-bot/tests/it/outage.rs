//! Redis down: the customer is asked to try again in a minute and the bot keeps running.

use crate::support::TestBot;

#[tokio::test]
async fn with_redis_down_the_customer_is_asked_to_retry_and_the_bot_keeps_running() {
    // Nothing listens on port 1.
    let mut bot = TestBot::prepare("redis://127.0.0.1:1").await;
    bot.launch().await;
    let alice = bot.user("Alice", "en").await;

    bot.command(&alice, "/start").await;
    let sorry = bot.next(&alice).await;
    assert_eq!(
        sorry.text(),
        "Sorry, we are temporarily unavailable. Please try again in a minute."
    );
    // Still polling: a second message gets the same polite answer.
    bot.command(&alice, "/book").await;
    let again = bot.next(&alice).await;
    assert!(
        again.text().contains("try again in a minute"),
        "{}",
        again.text()
    );
    bot.stop().await;
}
