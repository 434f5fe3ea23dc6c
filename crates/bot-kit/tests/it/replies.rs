//! One reply, turned into Bot API calls the one way: presses edit in place and are always
//! answered, typed messages get new messages, files follow.

use crate::support::Demo;

#[tokio::test]
async fn presses_edit_in_place_and_are_always_answered() {
    let demo = Demo::start("replies_bot").await;
    let chat = demo.person("Alice", "en").await;
    chat.command("/menu").await;
    let menu = chat.next().await;
    assert_eq!(menu.text(), "Menu");
    assert_eq!(menu.buttons().len(), 4);

    // An unchanged screen: Telegram says "message is not modified", and the press is still
    // answered, with its toast.
    let (answer, after) = chat.press(&menu, "Refresh").await;
    assert_eq!(answer.text.as_deref(), Some("Fresh"));
    assert!(!answer.show_alert);
    assert_eq!(after.edit_count, 0, "nothing to change");
    let (again, _) = chat.press(&menu, "Refresh").await;
    assert_eq!(again.text.as_deref(), Some("Fresh"));

    // An alert leaves the screen alone.
    let (answer, after) = chat.press(&menu, "Careful").await;
    assert_eq!(answer.text.as_deref(), Some("Careful!"));
    assert!(answer.show_alert);
    assert_eq!(after.text(), "Menu");

    // A reply placed below is a new message, after the press is answered.
    let (answer, after) = chat.press(&menu, "Below").await;
    assert_eq!(answer.text, None);
    assert_eq!(after.text(), "Menu");
    let below = chat.next().await;
    assert_eq!(below.text(), "Below the menu");
    // ...whose own button edits it in place.
    let (_, edited) = chat.press(&below, "Back").await;
    assert_eq!(edited.message_id, below.message_id);
    assert_eq!(edited.text(), "Menu");
    assert_eq!(edited.edit_count, 1);

    demo.stop().await;
}

#[tokio::test]
async fn a_typed_message_gets_the_notice_the_screen_then_the_files() {
    let demo = Demo::start("files_bot").await;
    let chat = demo.person("Alice", "en").await;
    chat.command("/files").await;
    assert_eq!(chat.next().await.text(), "Here they come");
    assert_eq!(chat.next().await.text(), "Your files");
    let document = chat.next().await;
    assert_eq!(document.text(), "The report");
    let file = document.document.unwrap();
    assert_eq!(file.file_name.as_deref(), Some("report.csv"));
    assert_eq!(demo.client.download(&file).await.unwrap(), b"a,b\n1,2\n");
    let photo = chat.next().await;
    assert_eq!(photo.text(), "The chart");
    assert!(photo.photo.is_some());

    demo.stop().await;
}
