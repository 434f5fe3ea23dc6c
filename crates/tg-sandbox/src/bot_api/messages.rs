//! sendMessage, the edit methods and deleteMessage.

use serde::Deserialize;
use teloxide::types::{InlineKeyboardMarkup, MediaKind, MessageEntity, MessageId, ReplyMarkup};

use super::{Call, Reply, ok_true, reply};
use crate::{
    error::{ApiError, ApiResult},
    markup::{self, Formatted},
    state::{Outgoing, StoredMessage},
    telegram,
};

/// Telegram's limits on text and caption length, in UTF-16 units.
const MAX_TEXT: usize = 4096;
const MAX_CAPTION: usize = 1024;

/// The text of `name` after `parse_mode` (or explicit `entities`) was applied.
pub fn formatted(
    call: &Call,
    name: &str,
    mode_param: &str,
    entities_param: &str,
) -> ApiResult<Option<(Formatted, Option<String>, String)>> {
    let p = &call.params;
    let Some(source) = p.str(name) else {
        return Ok(None);
    };
    let parse_mode = p.str(mode_param).filter(|m| !m.is_empty());
    let mut f = markup::apply(&source, parse_mode.as_deref())
        .map_err(|err| ApiError::bad(format!("can't parse entities: {err}")))?;
    if parse_mode.is_none()
        && let Some(entities) = p.json::<Vec<MessageEntity>>(entities_param, "entities")?
    {
        f.entities = entities;
    }
    Ok(Some((f, parse_mode, source)))
}

#[derive(Deserialize)]
struct ReplyParameters {
    message_id: i32,
    #[serde(default)]
    allow_sending_without_reply: bool,
}

/// The message a send replies to, from `reply_parameters` or the older `reply_to_message_id`.
pub fn reply_target(call: &Call) -> ApiResult<(Option<MessageId>, bool)> {
    let p = &call.params;
    if let Some(params) = p.json::<ReplyParameters>("reply_parameters", "reply parameters")? {
        return Ok((
            Some(MessageId(params.message_id)),
            params.allow_sending_without_reply,
        ));
    }
    let legacy = p
        .i64("reply_to_message_id")?
        .and_then(|id| i32::try_from(id).ok())
        .map(MessageId);
    Ok((legacy, p.bool("allow_sending_without_reply")))
}

/// The `reply_markup` of a send.
pub fn reply_markup(call: &Call) -> ApiResult<Option<ReplyMarkup>> {
    call.params.json("reply_markup", "reply keyboard markup")
}

/// The `reply_markup` of an edit, which may only be an inline keyboard.
fn inline_markup(call: &Call) -> ApiResult<Option<InlineKeyboardMarkup>> {
    match reply_markup(call)? {
        None => Ok(None),
        Some(ReplyMarkup::InlineKeyboard(kb)) => Ok(Some(kb)),
        Some(_) => Err(ApiError::bad("inline keyboard expected")),
    }
}

fn utf16_len(s: &str) -> usize {
    s.encode_utf16().count()
}

/// sendMessage.
pub fn send_message(call: &Call) -> ApiResult<Reply> {
    let chat_id = call.params.chat_id()?;
    let (text, parse_mode, source) = formatted(call, "text", "parse_mode", "entities")?
        .ok_or_else(|| ApiError::bad("message text is empty"))?;
    if text.text.trim().is_empty() {
        return Err(ApiError::bad("message text is empty"));
    }
    if utf16_len(&text.text) > MAX_TEXT {
        return Err(ApiError::bad("message is too long"));
    }
    let (reply_to, allow_missing_reply) = reply_target(call)?;
    let out = Outgoing {
        media: telegram::text_media(text),
        reply_markup: reply_markup(call)?,
        parse_mode,
        source_text: Some(source),
        reply_to,
        allow_missing_reply,
        forward_origin: None,
    };
    let message = call
        .sb
        .with(|w| w.bot_send(&call.token, chat_id, out, &call.sb.config.flood))?;
    reply(&message)
}

fn target(call: &Call) -> ApiResult<(teloxide::types::ChatId, MessageId)> {
    if call.params.has("inline_message_id") && !call.params.has("chat_id") {
        // Inline messages only exist after inline queries, which the sandbox does not make.
        return Err(ApiError::bad("message to edit not found"));
    }
    Ok((call.params.chat_id()?, call.params.message_id()?))
}

fn set_markup(stored: &mut StoredMessage, markup: Option<InlineKeyboardMarkup>) -> bool {
    match telegram::common_mut(&mut stored.message) {
        Some(common) if common.reply_markup != markup => {
            common.reply_markup = markup;
            true
        }
        _ => false,
    }
}

/// editMessageText. As in Telegram, leaving `reply_markup` out removes the inline keyboard.
pub fn edit_message_text(call: &Call) -> ApiResult<Reply> {
    let (chat_id, message_id) = target(call)?;
    let (text, parse_mode, source) = formatted(call, "text", "parse_mode", "entities")?
        .ok_or_else(|| ApiError::bad("message text is empty"))?;
    if text.text.trim().is_empty() {
        return Err(ApiError::bad("message text is empty"));
    }
    if utf16_len(&text.text) > MAX_TEXT {
        return Err(ApiError::bad("MESSAGE_TOO_LONG"));
    }
    let markup = inline_markup(call)?;
    let message = call.sb.with(|w| {
        w.bot_edit(&call.token, chat_id, message_id, |stored| {
            let Some(common) = telegram::common_mut(&mut stored.message) else {
                return Err(ApiError::bad("there is no text in the message to edit"));
            };
            let MediaKind::Text(current) = &mut common.media_kind else {
                return Err(ApiError::bad("there is no text in the message to edit"));
            };
            let mut changed = false;
            if current.text != text.text || current.entities != text.entities {
                current.text = text.text;
                current.entities = text.entities;
                changed = true;
            }
            changed |= set_markup(stored, markup);
            stored.parse_mode = parse_mode;
            stored.source_text = Some(source);
            Ok(changed)
        })
    })?;
    reply(&message)
}

/// editMessageCaption, for documents and photos.
pub fn edit_message_caption(call: &Call) -> ApiResult<Reply> {
    let (chat_id, message_id) = target(call)?;
    let caption = formatted(call, "caption", "parse_mode", "caption_entities")?;
    if let Some((f, _, _)) = &caption
        && utf16_len(&f.text) > MAX_CAPTION
    {
        return Err(ApiError::bad("message caption is too long"));
    }
    let markup = inline_markup(call)?;
    let message = call.sb.with(|w| {
        w.bot_edit(&call.token, chat_id, message_id, |stored| {
            let (text, entities) = match caption {
                Some((f, _, _)) => (Some(f.text), f.entities),
                None => (None, Vec::new()),
            };
            let slot = match telegram::common_mut(&mut stored.message).map(|c| &mut c.media_kind) {
                Some(MediaKind::Document(d)) => Some((&mut d.caption, &mut d.caption_entities)),
                Some(MediaKind::Photo(p)) => Some((&mut p.caption, &mut p.caption_entities)),
                _ => None,
            };
            let Some((current, current_entities)) = slot else {
                return Err(ApiError::bad("there is no caption in the message to edit"));
            };
            let mut changed = false;
            if *current != text || *current_entities != entities {
                *current = text;
                *current_entities = entities;
                changed = true;
            }
            changed |= set_markup(stored, markup);
            Ok(changed)
        })
    })?;
    reply(&message)
}

/// editMessageReplyMarkup; no `reply_markup` removes the keyboard.
pub fn edit_message_reply_markup(call: &Call) -> ApiResult<Reply> {
    let (chat_id, message_id) = target(call)?;
    let markup = inline_markup(call)?;
    let message = call.sb.with(|w| {
        w.bot_edit(&call.token, chat_id, message_id, |stored| {
            Ok(set_markup(stored, markup))
        })
    })?;
    reply(&message)
}

/// deleteMessage.
pub fn delete_message(call: &Call) -> ApiResult<Reply> {
    let chat_id = call.params.chat_id()?;
    let message_id = call.params.message_id()?;
    call.sb
        .with(|w| w.bot_delete(&call.token, chat_id, message_id))?;
    ok_true()
}

/// deleteMessages: deletes those that exist; fails only when none does.
pub fn delete_messages(call: &Call) -> ApiResult<Reply> {
    let chat_id = call.params.chat_id()?;
    let ids: Vec<i32> = call
        .params
        .json("message_ids", "message identifiers")?
        .ok_or_else(|| ApiError::bad("message identifiers are not specified"))?;
    let deleted = call.sb.with(|w| {
        ids.iter()
            .filter(|id| w.bot_delete(&call.token, chat_id, MessageId(**id)).is_ok())
            .count()
    });
    if deleted == 0 {
        return Err(ApiError::bad("message to delete not found"));
    }
    ok_true()
}
