//! A panic in one update's handler is caught: the user hears about it in their language, and
//! the same chat's next update is answered as usual.

use crate::support::Demo;

#[tokio::test]
async fn a_panicking_handler_is_apologised_for_and_the_chat_goes_on() {
    let demo = Demo::start("panics_bot").await;
    let chat = demo.person("Alice", "en").await;

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
    let chat = demo.person("Ivan", "ru").await;
    assert_eq!(
        chat.ask("boom").await.text(),
        "Что-то пошло не так; попробуйте ещё раз."
    );
    assert_eq!(chat.ask("ещё").await.text(), "echo: ещё");

    demo.stop().await;
}
