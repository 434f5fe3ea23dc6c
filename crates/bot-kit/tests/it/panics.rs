//! A panic in one update's handler is caught: the user hears about it in their language, and
//! the same chat's next update is answered as usual.

use tg_sandbox::{Chat, NewUser};

use crate::support::{Running, bot, sandbox};

#[tokio::test]
async fn a_panicking_handler_is_apologised_for_and_the_chat_goes_on() {
    let sandbox = sandbox().await;
    let client = sandbox.client();
    let info = client.create_bot("panics_bot").await.unwrap();
    let running = Running::start(bot(&client, &info.token));
    let alice = client
        .create_user(NewUser::named("Alice").language("en"))
        .await
        .unwrap();
    let chat = Chat::new(&client, &info.token, &alice);

    let sorry = chat.ask("boom").await;
    assert_eq!(sorry.text(), "Something went wrong; please try again.");
    // The same chat's worker is alive: the next update is handled.
    assert_eq!(chat.ask("ping").await.text(), "echo: ping");

    // A press that panics is still answered, with the apology.
    chat.command("/menu").await;
    let menu = chat.next().await;
    let (answer, after) = chat.press(&menu, "Crash").await;
    assert_eq!(
        answer.text.as_deref(),
        Some("Something went wrong; please try again.")
    );
    assert!(answer.show_alert);
    assert_eq!(after.text(), "Menu", "the screen is left as it was");
    let (answer, _) = chat.press(&menu, "Refresh").await;
    assert_eq!(answer.text.as_deref(), Some("Fresh"));

    // In Russian for a Russian reader.
    let ivan = client
        .create_user(NewUser::named("Ivan").language("ru"))
        .await
        .unwrap();
    let chat = Chat::new(&client, &info.token, &ivan);
    assert_eq!(
        chat.ask("boom").await.text(),
        "Что-то пошло не так; попробуйте ещё раз."
    );
    assert_eq!(chat.ask("ещё").await.text(), "echo: ещё");

    running.stop.trigger();
    assert!(matches!(
        running
            .ended_within(std::time::Duration::from_secs(5))
            .await,
        Some(Ok(()))
    ));
}
