//! The real teloxide Dispatcher over long polling: /start, inline keyboard, press, answer, edit.

use tg_sandbox::NewUser;

use crate::{
    demo_bot,
    support::{WAIT, start, teloxide_bot},
};

#[tokio::test]
async fn dispatcher_over_long_polling_runs_the_whole_flow() {
    let (_sandbox, client) = start().await;
    let info = client.create_bot("slots_bot").await.unwrap();
    let stop = demo_bot::spawn_polling(teloxide_bot(&client, &info));
    let alice = client.create_user(NewUser::named("Alice")).await.unwrap();

    client
        .send_command(&info.token, alice.id, "/start")
        .await
        .unwrap();
    let prompt = client
        .next_bot_message(&info.token, alice.id, WAIT)
        .await
        .unwrap();
    assert_eq!(prompt.text(), demo_bot::PROMPT);
    assert_eq!(
        prompt.buttons(),
        vec![
            ("Slot 10:00".to_owned(), "slot:10".to_owned()),
            ("Slot 11:00".to_owned(), "slot:11".to_owned())
        ]
    );

    let data = prompt.button_data("10:00").unwrap();
    let query = client
        .press_button(&info.token, alice.id, prompt.message_id, &data)
        .await
        .unwrap();
    let answer = client
        .wait_callback_answer(&info.token, &query, WAIT)
        .await
        .unwrap();
    assert_eq!(answer.text.as_deref(), Some("Booked slot:10"));
    assert_eq!(answer.message_id, prompt.message_id);

    let edited = client
        .wait_for_message(&info.token, alice.id, prompt.message_id, WAIT, |m| {
            m.edit_count > 0
        })
        .await
        .unwrap();
    assert_eq!(edited.text(), "Booked slot:10");
    assert_eq!(edited.edit_count, 1);
    // editMessageText without reply_markup drops the keyboard, as in Telegram.
    assert!(edited.inline_keyboard.is_empty());
    assert_eq!(
        client
            .callback_answers(&info.token, alice.id)
            .await
            .unwrap()
            .len(),
        1
    );

    let _ = stop.shutdown();
}
