//! A gate answers a refused update the way a handler would, once for every entry point.

use tg_sandbox::{Chat, NewUser};

use crate::support::{Running, bot, sandbox};

#[tokio::test]
async fn a_refused_sender_is_answered_and_goes_no_further() {
    let sandbox = sandbox().await;
    let client = sandbox.client();
    let info = client.create_bot("gate_bot").await.unwrap();
    let running = Running::start(bot(&client, &info.token));
    let alice = client.create_user(NewUser::named("Alice")).await.unwrap();
    let mallory = client.create_user(NewUser::named("Mallory")).await.unwrap();
    let intruder = Chat::new(&client, &info.token, &mallory);

    // A typed message: the refusal as a message, and the echo never runs.
    assert_eq!(intruder.ask("/menu").await.text(), "Not for you.");
    // A press of the bot's own buttons: answered with the refusal as an alert.
    let menu = Chat::new(&client, &info.token, &alice).ask("/menu").await;
    let data: Vec<String> = menu.buttons().into_iter().map(|(_, d)| d).collect();
    let forged = intruder.forged_buttons(&data).await;
    let (answer, after) = intruder.press_data(&forged, "t:refresh").await;
    assert_eq!(answer.text.as_deref(), Some("Not for you."));
    assert!(answer.show_alert);
    assert_eq!(after.text(), "forged", "the refused press changed nothing");

    running.stop.trigger();
    running
        .ended_within(std::time::Duration::from_secs(5))
        .await
        .unwrap()
        .unwrap();
}
