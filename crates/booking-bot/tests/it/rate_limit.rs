//! Someone pressing buttons too fast is told once, and every press is still answered.

use crate::support::TestBot;

#[tokio::test]
async fn a_flood_of_presses_is_warned_once_and_every_press_is_answered() {
    let bot = TestBot::start().await;
    let alice = bot.user("Alice", "en").await;
    let _menu = bot.menu(&alice).await;
    let noop = bot.forged_buttons(&alice, &["v1:n".to_owned()]).await;

    let mut warnings = 0;
    // Two updates so far (/start and the language), then 25 presses within the window.
    for _ in 0..25 {
        let (answer, _) = bot.press_data(&alice, &noop, "v1:n").await;
        if answer.text.as_deref() == Some("Too many requests. Please wait a few seconds.") {
            warnings += 1;
        }
    }
    assert_eq!(warnings, 1);
}
