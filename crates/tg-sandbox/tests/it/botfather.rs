//! Making a bot as @BotFather does: through the control API and through the web page's form.

use teloxide::prelude::Requester;
use tg_sandbox::ClientError;

use crate::{
    support::{start, teloxide_bot},
    web_page::{chromium, run_chromium},
};

/// The shape the sales bot checks before it asks Telegram: `<digits>:<20-100 of [A-Za-z0-9_-]>`.
fn looks_like_a_botfather_token(token: &str) -> bool {
    token.split_once(':').is_some_and(|(id, secret)| {
        !id.is_empty()
            && id.bytes().all(|b| b.is_ascii_digit())
            && (20..=100).contains(&secret.len())
            && secret
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
    })
}

#[track_caller]
fn refused(result: Result<tg_sandbox::BotInfo, ClientError>, status: u16, needle: &str) {
    match result {
        Err(ClientError::Api {
            status: got,
            message,
            ..
        }) => {
            assert_eq!(got, status, "{message}");
            assert!(message.contains(needle), "{message:?} lacks {needle:?}");
        }
        other => panic!("expected a {status} refusal, got {other:?}"),
    }
}

#[tokio::test]
async fn botfather_makes_a_bot_whose_token_works() {
    let (_sandbox, client) = start().await;
    let bot = client
        .botfather_new_bot("Anna's salon", "@Anna_Salon_Bot")
        .await
        .unwrap();
    assert_eq!(bot.username, "Anna_Salon_Bot");
    assert_eq!(bot.first_name, "Anna's salon");
    assert!(
        looks_like_a_botfather_token(bot.token.as_str()),
        "{}",
        bot.token
    );
    // The token works against the Bot API at once, as a real one does.
    let me = teloxide_bot(&client, &bot).get_me().await.unwrap();
    assert_eq!(me.username(), "Anna_Salon_Bot");
    assert_eq!(me.first_name, "Anna's salon");
    assert_eq!(me.id, bot.id);
    assert!(client.bots().await.unwrap().contains(&bot));

    refused(
        client.botfather_new_bot("Copy", "anna_salon_bot").await,
        409,
        "already taken",
    );
    refused(
        client.botfather_new_bot("Shop", "anna_shop").await,
        400,
        "must end in 'bot'",
    );
    refused(
        client.botfather_new_bot("Shop", "abot").await,
        400,
        "5 to 32 characters",
    );
    refused(
        client
            .botfather_new_bot("Shop", &format!("{}bot", "a".repeat(30)))
            .await,
        400,
        "5 to 32 characters",
    );
    refused(
        client.botfather_new_bot("Shop", "anna-shop-bot").await,
        400,
        "Latin letters, digits and underscores",
    );
    refused(
        client.botfather_new_bot("Shop", "2shop_bot").await,
        400,
        "start with a letter",
    );
    refused(
        client.botfather_new_bot("  ", "anna_shop_bot").await,
        400,
        "name must be 1 to 64",
    );
    assert_eq!(client.bots().await.unwrap().len(), 1);
}

#[tokio::test]
async fn the_web_page_makes_a_bot_and_shows_its_token() {
    chromium();
    let (sandbox, client) = start().await;
    let page = |query: &str| {
        sandbox
            .url()
            .join(&format!("/?{query}&live=0"))
            .unwrap()
            .to_string()
    };

    let dom = run_chromium(
        &page("newbot_name=Anna%27s%20salon&newbot_username=anna_salon_bot"),
        &["--dump-dom".to_owned()],
    )
    .await;
    let bots = client.bots().await.unwrap();
    assert_eq!(bots.len(), 1, "the page did not make the bot: {dom}");
    let bot = &bots[0];
    assert_eq!(bot.username, "anna_salon_bot");
    assert_eq!(bot.first_name, "Anna's salon");
    // The token is shown, ready to copy, and the new bot is in the page's list.
    assert!(
        dom.contains(&format!("value=\"{}\"", bot.token)),
        "no token in the page: {dom}"
    );
    assert!(dom.contains("copy-token"));
    assert!(dom.contains("@anna_salon_bot"));

    // Refusals are explained in the form.
    let dom = run_chromium(
        &page("newbot_name=Shop&newbot_username=anna_salon"),
        &["--dump-dom".to_owned()],
    )
    .await;
    assert!(dom.contains("must end in 'bot'"), "{dom}");
    let dom = run_chromium(
        &page("newbot_name=Again&newbot_username=ANNA_SALON_BOT"),
        &["--dump-dom".to_owned()],
    )
    .await;
    assert!(dom.contains("already taken"), "{dom}");
    assert_eq!(client.bots().await.unwrap().len(), 1);
}
