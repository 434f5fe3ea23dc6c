//! forwardMessage, copyMessage and sendLocation.

use teloxide::types::{
    ChatId, Location, MediaKind, MediaLocation, Message, MessageId, MessageOrigin,
};

use super::{
    Call, Reply,
    messages::{reply_markup, reply_target},
    reply,
};
use crate::{
    error::{ApiError, ApiResult},
    state::Outgoing,
    telegram,
};

/// The message `message_id` of chat `from_chat_id`, as this bot sees it.
fn source(call: &Call) -> ApiResult<Message> {
    let from_chat = ChatId(
        call.params
            .i64("from_chat_id")?
            .ok_or_else(|| ApiError::bad("from_chat_id is empty"))?,
    );
    let message_id = call.params.message_id()?;
    call.sb.with(|w| {
        let bot = w.bot(&call.token)?;
        let log = bot
            .chats
            .get(&from_chat)
            .ok_or_else(ApiError::chat_not_found)?;
        log.messages
            .get(&message_id.0)
            .map(|m| m.message.clone())
            .ok_or_else(|| ApiError::bad("message to forward not found"))
    })
}

fn send(
    call: &Call,
    media: MediaKind,
    forward_origin: Option<MessageOrigin>,
) -> ApiResult<Message> {
    let chat_id = call.params.chat_id()?;
    let (reply_to, allow_missing_reply) = reply_target(call)?;
    let out = Outgoing {
        media,
        reply_markup: reply_markup(call)?,
        parse_mode: None,
        source_text: None,
        reply_to,
        allow_missing_reply,
        forward_origin,
    };
    call.sb
        .with(|w| w.bot_send(&call.token, chat_id, out, &call.sb.config.flood))
}

/// forwardMessage: the copy names the original author.
pub fn forward_message(call: &Call) -> ApiResult<Reply> {
    let original = source(call)?;
    let common =
        telegram::common(&original).ok_or_else(|| ApiError::bad("message can't be forwarded"))?;
    let origin = common.forward_origin.clone().or_else(|| {
        original
            .from
            .clone()
            .map(|sender_user| MessageOrigin::User {
                date: original.date,
                sender_user,
            })
    });
    let message = send(call, common.media_kind.clone(), origin)?;
    reply(&message)
}

/// copyMessage: the same content with no link to the original; answers the new id only.
pub fn copy_message(call: &Call) -> ApiResult<Reply> {
    let original = source(call)?;
    let common =
        telegram::common(&original).ok_or_else(|| ApiError::bad("message can't be copied"))?;
    let message = send(call, common.media_kind.clone(), None)?;
    reply(&MessageId(message.id.0))
}

/// sendLocation.
pub fn send_location(call: &Call) -> ApiResult<Reply> {
    let latitude = call
        .params
        .f64("latitude")?
        .ok_or_else(|| ApiError::bad("latitude is empty"))?;
    let longitude = call
        .params
        .f64("longitude")?
        .ok_or_else(|| ApiError::bad("longitude is empty"))?;
    if !(-90.0..=90.0).contains(&latitude) || !(-180.0..=180.0).contains(&longitude) {
        return Err(ApiError::bad("wrong coordinates"));
    }
    let location = Location {
        longitude,
        latitude,
        horizontal_accuracy: call.params.f64("horizontal_accuracy")?,
        live_period: None,
        heading: None,
        proximity_alert_radius: None,
    };
    let message = send(call, MediaKind::Location(MediaLocation { location }), None)?;
    reply(&message)
}
