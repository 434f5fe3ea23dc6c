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

#[tokio::test]
async fn with_postgres_down_the_customer_is_asked_to_retry_and_the_bot_keeps_running() {
    let mut bot = TestBot::prepare(crate::support::REDIS).await;
    // The tenant's own URL, but on a port where no PostgreSQL listens.
    let url = secrecy::ExposeSecret::expose_secret(&bot.config.database_url).to_owned();
    let (before, after) = url.rsplit_once('@').unwrap();
    let (_, database) = after.split_once('/').unwrap();
    bot.config.database_url =
        secrecy::SecretString::from(format!("{before}@127.0.0.1:1/{database}"));
    bot.launch().await;
    let alice = bot.user("Alice", "ru").await;

    bot.command(&alice, "/start").await;
    let sorry = bot.next(&alice).await;
    assert_eq!(
        sorry.text(),
        "Извините, сервис временно недоступен. Попробуйте через минуту."
    );
    bot.command(&alice, "/my").await;
    let again = bot.next(&alice).await;
    assert!(
        again.text().contains("Попробуйте через минуту"),
        "{}",
        again.text()
    );
    bot.stop().await;
}
