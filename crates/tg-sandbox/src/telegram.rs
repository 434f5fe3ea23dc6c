//! Builders of teloxide's own Bot API objects, so every answer is one teloxide can parse.

use chrono::{DateTime, TimeZone, Utc};
use teloxide::types::{
    Chat, ChatId, ChatKind, ChatPrivate, ChatPublic, InlineKeyboardMarkup, Me, MediaKind,
    MediaText, Message, MessageCommon, MessageEntity, MessageEntityKind, MessageId, MessageKind,
    MessageOrigin, PublicChatKind, Update, UpdateKind, User,
};

use crate::{
    api_types::{BotInfo, GroupInfo, TestUser},
    markup::Formatted,
};

/// Now, truncated to whole seconds as Telegram's dates are.
pub fn now() -> DateTime<Utc> {
    Utc.timestamp_opt(Utc::now().timestamp(), 0)
        .single()
        .unwrap_or_else(Utc::now)
}

/// The `User` object of a simulated user.
pub fn user(u: &TestUser) -> User {
    User {
        id: u.id,
        is_bot: false,
        first_name: u.first_name.clone(),
        last_name: u.last_name.clone(),
        username: u.username.clone(),
        language_code: u.language_code.clone(),
        is_premium: false,
        added_to_attachment_menu: false,
    }
}

/// The `User` object of a bot.
pub fn bot_user(b: &BotInfo) -> User {
    User {
        id: b.id,
        is_bot: true,
        first_name: b.first_name.clone(),
        last_name: None,
        username: Some(b.username.clone()),
        language_code: None,
        is_premium: false,
        added_to_attachment_menu: false,
    }
}

/// getMe's answer, with every field teloxide requires.
pub fn me(b: &BotInfo) -> Me {
    Me {
        user: bot_user(b),
        can_join_groups: true,
        can_read_all_group_messages: false,
        supports_inline_queries: false,
        can_connect_to_business: false,
        has_main_web_app: false,
    }
}

/// The private chat of a user (its id is the user's id, as in Telegram).
pub fn private_chat(u: &TestUser) -> Chat {
    Chat {
        id: u.chat_id(),
        kind: ChatKind::Private(ChatPrivate {
            username: u.username.clone(),
            first_name: Some(u.first_name.clone()),
            last_name: u.last_name.clone(),
        }),
    }
}

/// A basic group chat.
pub fn group_chat(g: &GroupInfo) -> Chat {
    Chat {
        id: g.id,
        kind: ChatKind::Public(ChatPublic {
            title: Some(g.title.clone()),
            kind: PublicChatKind::Group,
        }),
    }
}

/// A text message's content.
pub fn text_media(f: Formatted) -> MediaKind {
    MediaKind::Text(MediaText {
        text: f.text,
        entities: f.entities,
        link_preview_options: None,
    })
}

/// A message of any kind sent now, e.g. an invoice or a payment's service message.
pub fn service_message(id: MessageId, from: User, chat: Chat, kind: MessageKind) -> Message {
    Message {
        id,
        thread_id: None,
        from: Some(from),
        sender_chat: None,
        date: now(),
        chat,
        is_topic_message: false,
        via_bot: None,
        sender_business_bot: None,
        kind,
    }
}

/// An ordinary message.
pub fn message(
    id: MessageId,
    from: User,
    chat: Chat,
    date: DateTime<Utc>,
    media_kind: MediaKind,
    reply_markup: Option<InlineKeyboardMarkup>,
    forward_origin: Option<MessageOrigin>,
) -> Message {
    Message {
        date,
        ..service_message(
            id,
            from,
            chat,
            MessageKind::Common(MessageCommon {
                author_signature: None,
                paid_star_count: None,
                effect_id: None,
                forward_origin,
                reply_to_message: None,
                external_reply: None,
                quote: None,
                reply_to_story: None,
                sender_boost_count: None,
                edit_date: None,
                media_kind,
                reply_markup,
                is_automatic_forward: false,
                has_protected_content: false,
                is_from_offline: false,
                business_connection_id: None,
            }),
        )
    }
}

/// The entities Telegram's clients add to a text a user types: a leading `/command`.
pub fn user_text(text: &str) -> Formatted {
    let mut entities = Vec::new();
    if text.starts_with('/') {
        let command = text.split(char::is_whitespace).next().unwrap_or_default();
        if command.len() > 1 {
            entities.push(MessageEntity::new(
                MessageEntityKind::BotCommand,
                0,
                command.encode_utf16().count(),
            ));
        }
    }
    Formatted {
        text: text.to_owned(),
        entities,
    }
}

/// The common part of a message, when it has one.
pub fn common(m: &Message) -> Option<&MessageCommon> {
    match &m.kind {
        MessageKind::Common(c) => Some(c),
        _ => None,
    }
}

/// The common part of a message, mutably.
pub fn common_mut(m: &mut Message) -> Option<&mut MessageCommon> {
    match &mut m.kind {
        MessageKind::Common(c) => Some(c),
        _ => None,
    }
}

/// A stable `chat_instance` for a bot and a chat, as Telegram gives one per pair.
pub fn chat_instance(bot: &BotInfo, chat: ChatId) -> String {
    let mixed = bot.id.0.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ (chat.0 as u64).rotate_left(17);
    // Telegram's chat_instance is a signed 64-bit number in decimal.
    format!("{}", mixed as i64)
}

/// An update as Telegram sends it.
///
/// teloxide writes an empty `order_info: {}` into pre-checkout queries and successful payments,
/// where Telegram leaves the field out unless the invoice asked for the customer's details; the
/// sandbox never asks, so it drops the field.
pub fn update_json(update: &Update) -> serde_json::Result<String> {
    let has_order_info = match &update.kind {
        UpdateKind::PreCheckoutQuery(_) => true,
        UpdateKind::Message(m) => m.successful_payment().is_some(),
        _ => false,
    };
    if !has_order_info {
        return serde_json::to_string(update);
    }
    let mut value = serde_json::to_value(update)?;
    let payment = if value.get("pre_checkout_query").is_some() {
        value.get_mut("pre_checkout_query")
    } else {
        value
            .get_mut("message")
            .and_then(|m| m.get_mut("successful_payment"))
    };
    if let Some(object) = payment.and_then(serde_json::Value::as_object_mut)
        && object
            .get("order_info")
            .and_then(serde_json::Value::as_object)
            .is_some_and(serde_json::Map::is_empty)
    {
        object.remove("order_info");
    }
    serde_json::to_string(&value)
}
