//! One reply, turned into Bot API calls the one way: presses edit in place and are always
//! answered, typed messages get new messages, files follow.

use tg_sandbox::{Chat, NewUser};

use crate::support::{Running, bot, sandbox};

#[tokio::test]
async fn presses_edit_in_place_and_are_always_answered() {
    let sandbox = sandbox().await;
    let client = sandbox.client();
    let info = client.create_bot("replies_bot").await.unwrap();
    let running = Running::start(bot(&client, &info.token));
    let alice = client
        .create_user(NewUser::named("Alice").language("en"))
        .await
        .unwrap();
    let chat = Chat::new(&client, &info.token, &alice);
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

    running.stop.trigger();
    running
        .ended_within(std::time::Duration::from_secs(5))
        .await
        .unwrap()
        .unwrap();
}

#[tokio::test]
async fn a_typed_message_gets_the_notice_the_screen_then_the_files() {
    let sandbox = sandbox().await;
    let client = sandbox.client();
    let info = client.create_bot("files_bot").await.unwrap();
    let running = Running::start(bot(&client, &info.token));
    let alice = client
        .create_user(NewUser::named("Alice").language("en"))
        .await
        .unwrap();
    let chat = Chat::new(&client, &info.token, &alice);
    chat.command("/files").await;
    assert_eq!(chat.next().await.text(), "Here they come");
    assert_eq!(chat.next().await.text(), "Your files");
    let document = chat.next().await;
    assert_eq!(document.text(), "The report");
    let file = document.document.unwrap();
    assert_eq!(file.file_name.as_deref(), Some("report.csv"));
    assert_eq!(client.download(&file).await.unwrap(), b"a,b\n1,2\n");
    let photo = chat.next().await;
    assert_eq!(photo.text(), "The chart");
    assert!(photo.photo.is_some());

    running.stop.trigger();
    running
        .ended_within(std::time::Duration::from_secs(5))
        .await
        .unwrap()
        .unwrap();
}
