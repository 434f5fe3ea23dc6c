//! getChat, getChatMember, getUserProfilePhotos and sendChatAction.

use serde_json::json;
use teloxide::types::{ChatFullInfo, ChatMember, UserId, UserProfilePhotos};

use super::{Call, Reply, ok_true, reply};
use crate::{
    error::{ApiError, ApiResult},
    telegram,
};

fn user_id_of(chat_id: teloxide::types::ChatId) -> Option<UserId> {
    u64::try_from(chat_id.0).ok().map(UserId)
}

/// The number of accent colours every chat may use without Premium; Telegram's servers give a chat
/// that chose none the colour `id % 7` (TDLib's `AccentColorId` of a user or basic group id).
const DEFAULT_ACCENT_COLORS: u64 = 7;

/// Reactions a message may carry in a chat without Premium, as Telegram reports.
const MAX_REACTION_COUNT: u8 = 11;

/// getChat. Built as JSON and checked against teloxide's `ChatFullInfo`, whose many fields make a
/// literal unwieldy.
///
/// Telegram always sends `id`, `type`, `accent_color_id`, `max_reaction_count` and
/// `accepted_gift_types`, plus `first_name` for a private chat and `title` for a group; teloxide
/// treats several of these as optional, so the sandbox must fill them in itself (a stricter peer
/// rejected answers without `accent_color_id`).
pub fn get_chat(call: &Call) -> ApiResult<Reply> {
    let chat_id = call.params.chat_id()?;
    let value = call.sb.with(|w| {
        w.bot(&call.token)?;
        if let Some(group) = w.groups.get(&chat_id) {
            // A basic group's Bot API id is minus its internal id, which the colour derives from.
            return Ok(json!({
                "id": group.id.0, "type": "group", "title": group.title,
                "accent_color_id": accent_color(group.id.0.unsigned_abs()),
                "accepted_gift_types": gifts(), "max_reaction_count": MAX_REACTION_COUNT,
            }));
        }
        let user_id = user_id_of(chat_id).ok_or_else(ApiError::chat_not_found)?;
        let user = w.users.get(&user_id).ok_or_else(ApiError::chat_not_found)?;
        Ok(json!({
            "id": chat_id.0, "type": "private", "first_name": user.first_name,
            "last_name": user.last_name, "username": user.username,
            "accent_color_id": accent_color(user_id.0),
            "accepted_gift_types": gifts(), "max_reaction_count": MAX_REACTION_COUNT,
        }))
    })?;
    let info: ChatFullInfo =
        serde_json::from_value(value).map_err(|e| ApiError::bad(format!("chat info: {e}")))?;
    reply(&info)
}

fn accent_color(id: u64) -> u64 {
    id % DEFAULT_ACCENT_COLORS
}

fn gifts() -> serde_json::Value {
    json!({"unlimited_gifts": false, "limited_gifts": false, "unique_gifts": false, "premium_subscription": false})
}

/// getUserProfilePhotos: the sandbox's users have no profile photos, so the list is empty (which
/// is also what Telegram answers for a user who hides them).
pub fn get_user_profile_photos(call: &Call) -> ApiResult<Reply> {
    let user_id = call
        .params
        .i64("user_id")?
        .and_then(|id| u64::try_from(id).ok())
        .map(UserId)
        .ok_or_else(|| ApiError::bad("invalid user_id specified"))?;
    call.sb.with(|w| {
        w.bot(&call.token)?;
        let known = w.users.contains_key(&user_id) || w.bots.values().any(|b| b.info.id == user_id);
        if known {
            Ok(())
        } else {
            Err(ApiError::bad("user not found"))
        }
    })?;
    reply(&UserProfilePhotos {
        total_count: 0,
        photos: Vec::new(),
    })
}

/// getChatMember: members of a group and both sides of a private chat are "member", others
/// "left"; a user who blocked the bot is still a member of their own chat.
pub fn get_chat_member(call: &Call) -> ApiResult<Reply> {
    let chat_id = call.params.chat_id()?;
    let user_id = call
        .params
        .i64("user_id")?
        .and_then(|id| u64::try_from(id).ok())
        .map(UserId)
        .ok_or_else(|| ApiError::bad("user_id is empty"))?;
    let value = call.sb.with(|w| {
        let bot = w.bot(&call.token)?;
        let bot_user = telegram::bot_user(&bot.info);
        let member = if user_id == bot_user.id {
            Some(json!(bot_user))
        } else {
            w.users.get(&user_id).map(|u| json!(telegram::user(u)))
        };
        let member = member.ok_or_else(|| ApiError::bad("user not found"))?;
        let in_chat = match w.groups.get(&chat_id) {
            Some(group) => user_id == bot_user.id || group.members.contains(&user_id),
            None => {
                if !user_id_of(chat_id).is_some_and(|id| w.users.contains_key(&id)) {
                    return Err(ApiError::chat_not_found());
                }
                user_id == bot_user.id || user_id_of(chat_id) == Some(user_id)
            }
        };
        let status = if in_chat { "member" } else { "left" };
        Ok(json!({"user": member, "status": status}))
    })?;
    let member: ChatMember =
        serde_json::from_value(value).map_err(|e| ApiError::bad(format!("chat member: {e}")))?;
    reply(&member)
}

/// sendChatAction: remembered as the chat's last action.
pub fn send_chat_action(call: &Call) -> ApiResult<Reply> {
    let chat_id = call.params.chat_id()?;
    let action = call
        .params
        .str("action")
        .filter(|a| !a.is_empty())
        .ok_or_else(|| ApiError::bad("action is empty"))?;
    call.sb.with(|w| {
        let log = w.chat_for_bot(&call.token, chat_id)?;
        log.last_chat_action = Some(action);
        log.touch();
        Ok::<_, ApiError>(())
    })?;
    ok_true()
}
