//! A gate answers a refused update the way a handler would, once for every entry point.

use crate::support::Demo;

#[tokio::test]
async fn a_refused_sender_is_answered_and_goes_no_further() {
    let demo = Demo::start("gate_bot").await;
    let alice = demo.person("Alice", "en").await;
    let intruder = demo.person("Mallory", "en").await;

    // A typed message: the refusal as a message, and the echo never runs.
    assert_eq!(intruder.ask("/menu").await.text(), "Not for you.");
    // A press of the bot's own buttons: answered with the refusal as an alert.
    let menu = alice.ask("/menu").await;
    let data: Vec<String> = menu.buttons().into_iter().map(|(_, d)| d).collect();
    let forged = intruder.forged_buttons(&data).await;
    let (answer, after) = intruder.press_data(&forged, "t:refresh").await;
    assert_eq!(answer.text.as_deref(), Some("Not for you."));
    assert!(answer.show_alert);
    assert_eq!(after.text(), "forged", "the refused press changed nothing");
    // The chat's updates are handled in order, so anything the handlers said is there by now.
    let from_bot: Vec<String> = intruder
        .history()
        .await
        .iter()
        .filter(|m| m.is_from_bot())
        .map(|m| m.text().to_owned())
        .collect();
    assert_eq!(from_bot, ["Not for you.", "forged"]);

    demo.stop().await;
}
