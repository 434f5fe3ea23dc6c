//! Uploads (multipart), commands per scope and language, getChat and chat actions.

use teloxide::{
    net::Download,
    payloads::{
        DeleteMyCommandsSetters, GetMyCommandsSetters, SendDocumentSetters, SetMyCommandsSetters,
    },
    prelude::Requester,
    types::{BotCommand, BotCommandScope, ChatAction, InputFile, Recipient},
};

use crate::support::World;

/// A PNG header that says 3x2; the sandbox reads only the size.
fn tiny_png() -> Vec<u8> {
    let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    png.extend_from_slice(&3_u32.to_be_bytes());
    png.extend_from_slice(&2_u32.to_be_bytes());
    png.extend_from_slice(&[8, 6, 0, 0, 0, 0, 0, 0, 0]);
    png
}

#[tokio::test]
async fn documents_and_photos_can_be_read_back() {
    let w = World::new().await;
    let bot = w.bot();
    let csv = b"date,client\n2026-01-01,Alice\n".to_vec();
    let sent = bot
        .send_document(
            w.user.chat_id(),
            InputFile::memory(csv.clone()).file_name("bookings.csv"),
        )
        .caption("Your export")
        .await
        .unwrap();
    let document = sent.document().unwrap();
    assert_eq!(document.file_name.as_deref(), Some("bookings.csv"));
    assert_eq!(document.file.size as usize, csv.len());

    let chat = w.client.chat(&w.bot_info.token, w.user.id).await.unwrap();
    let shown = chat.last().unwrap();
    assert_eq!(shown.text(), "Your export");
    let info = shown.document.clone().unwrap();
    assert_eq!(info.file_name.as_deref(), Some("bookings.csv"));
    assert_eq!(info.mime_type.as_deref(), Some("text/csv"));
    assert_eq!(w.client.download(&info).await.unwrap(), csv);

    // teloxide's own getFile + download.
    let file = bot.get_file(document.file.id.clone()).await.unwrap();
    let mut bytes = Vec::new();
    bot.download_file(&file.path, &mut bytes).await.unwrap();
    assert_eq!(bytes, csv);

    // Sending the same file again by its file_id.
    bot.send_document(
        w.user.chat_id(),
        InputFile::file_id(document.file.id.clone()),
    )
    .await
    .unwrap();

    let photo = bot
        .send_photo(
            w.user.chat_id(),
            InputFile::memory(tiny_png()).file_name("chart.png"),
        )
        .await
        .unwrap();
    let size = photo.photo().unwrap().last().unwrap();
    assert_eq!((size.width, size.height), (3, 2));
    let chat = w.client.chat(&w.bot_info.token, w.user.id).await.unwrap();
    let info = chat.last().unwrap().photo.clone().unwrap();
    assert_eq!(info.file_name.as_deref(), Some("chart.png"));
    assert_eq!(w.client.download(&info).await.unwrap(), tiny_png());
}

#[tokio::test]
async fn commands_are_kept_per_scope_and_language() {
    let w = World::new().await;
    let bot = w.bot();
    bot.set_my_commands([
        BotCommand::new("start", "Start"),
        BotCommand::new("book", "Book a visit"),
    ])
    .await
    .unwrap();
    bot.set_my_commands([BotCommand::new("start", "Начать")])
        .language_code("ru")
        .await
        .unwrap();
    let admin_scope = BotCommandScope::Chat {
        chat_id: Recipient::Id(w.user.chat_id()),
    };
    bot.set_my_commands([BotCommand::new("admin", "Admin menu")])
        .scope(admin_scope.clone())
        .await
        .unwrap();

    assert_eq!(bot.get_my_commands().await.unwrap().len(), 2);
    assert_eq!(
        bot.get_my_commands().language_code("ru").await.unwrap()[0].description,
        "Начать"
    );
    assert_eq!(
        bot.get_my_commands()
            .scope(admin_scope.clone())
            .await
            .unwrap()[0]
            .command,
        "admin"
    );
    let sets = w.client.commands(&w.bot_info.token).await.unwrap();
    assert_eq!(sets.len(), 3);
    assert!(sets.iter().any(|s| s.scope == admin_scope));

    assert!(
        bot.set_my_commands([BotCommand::new("Bad Command", "x")])
            .await
            .is_err()
    );
    bot.delete_my_commands().await.unwrap();
    assert!(bot.get_my_commands().await.unwrap().is_empty());
}

#[tokio::test]
async fn get_chat_member_and_chat_action() {
    let w = World::new().await;
    let bot = w.bot();
    let chat = bot.get_chat(w.user.chat_id()).await.unwrap();
    assert_eq!(chat.id, w.user.chat_id());
    assert_eq!(chat.first_name(), Some("Alice"));
    let member = bot
        .get_chat_member(w.user.chat_id(), w.user.id)
        .await
        .unwrap();
    assert_eq!(member.user.id, w.user.id);
    assert!(member.is_present());
    bot.send_chat_action(w.user.chat_id(), ChatAction::UploadDocument)
        .await
        .unwrap();
    let view = w
        .client
        .chat_view(&w.bot_info.token, w.user.chat_id())
        .await
        .unwrap();
    assert_eq!(view.last_chat_action.as_deref(), Some("upload_document"));
}

/// The menu a user sees, resolved as Telegram resolves scopes: their chat's own set first (in
/// their language, then for every language), then all private chats, then the default.
#[tokio::test]
async fn the_menu_of_a_chat_takes_its_own_scope_first_then_the_language_then_the_default() {
    let w = World::new().await;
    let bot = w.bot();
    let other = w
        .client
        .create_user(tg_sandbox::NewUser::named("Bob").language("ru"))
        .await
        .unwrap();
    bot.set_my_commands([BotCommand::new("start", "Start")])
        .await
        .unwrap();
    bot.set_my_commands([BotCommand::new("start", "Начать")])
        .language_code("ru")
        .await
        .unwrap();
    let own = BotCommandScope::Chat {
        chat_id: Recipient::Id(w.user.chat_id()),
    };
    bot.set_my_commands([
        BotCommand::new("start", "Start"),
        BotCommand::new("admin", "Admin panel"),
    ])
    .scope(own.clone())
    .await
    .unwrap();
    bot.set_my_commands([
        BotCommand::new("start", "Начать"),
        BotCommand::new("admin", "Админ-панель"),
    ])
    .scope(own.clone())
    .language_code("ru")
    .await
    .unwrap();
    let menu = |chat: teloxide::types::ChatId, language: Option<&'static str>| {
        let (client, token) = (w.client.clone(), w.bot_info.token.clone());
        async move {
            client
                .menu(&token, chat, language)
                .await
                .unwrap()
                .into_iter()
                .map(|c| format!("/{} {}", c.command, c.description))
                .collect::<Vec<_>>()
        }
    };
    let alice = w.user.chat_id();
    let bob = teloxide::types::ChatId(i64::try_from(other.id.0).unwrap());
    assert_eq!(
        menu(alice, Some("en")).await,
        ["/start Start", "/admin Admin panel"]
    );
    assert_eq!(
        menu(alice, Some("ru-RU")).await,
        ["/start Начать", "/admin Админ-панель"]
    );
    assert_eq!(menu(bob, Some("ru")).await, ["/start Начать"]);
    assert_eq!(menu(bob, Some("de")).await, ["/start Start"]);
    assert_eq!(menu(bob, None).await, ["/start Start"]);

    // Taken back: the chat falls back to the bot-wide menu.
    bot.delete_my_commands().scope(own.clone()).await.unwrap();
    bot.delete_my_commands()
        .scope(own)
        .language_code("ru")
        .await
        .unwrap();
    assert_eq!(menu(alice, Some("en")).await, ["/start Start"]);
}
