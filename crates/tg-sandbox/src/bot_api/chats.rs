//! getChat, getChatMember and sendChatAction.

use serde_json::json;
use teloxide::types::{ChatFullInfo, ChatMember, UserId};

use super::{Call, Reply, ok_true, reply};
use crate::{
    error::{ApiError, ApiResult},
    telegram,
};

fn user_id_of(chat_id: teloxide::types::ChatId) -> Option<UserId> {
    u64::try_from(chat_id.0).ok().map(UserId)
}

/// getChat. Built as JSON and checked against teloxide's `ChatFullInfo`, whose many fields make a
/// literal unwieldy.
pub fn get_chat(call: &Call) -> ApiResult<Reply> {
    let chat_id = call.params.chat_id()?;
    let value = call.sb.with(|w| {
        w.bot(&call.token)?;
        if let Some(group) = w.groups.get(&chat_id) {
            return Ok(json!({
                "id": group.id.0, "type": "group", "title": group.title,
                "accepted_gift_types": gifts(), "max_reaction_count": 11,
            }));
        }
        let user = user_id_of(chat_id)
            .and_then(|id| w.users.get(&id))
            .ok_or_else(ApiError::chat_not_found)?;
        Ok(json!({
            "id": chat_id.0, "type": "private", "first_name": user.first_name,
            "last_name": user.last_name, "username": user.username,
            "accepted_gift_types": gifts(), "max_reaction_count": 11,
        }))
    })?;
    let info: ChatFullInfo =
        serde_json::from_value(value).map_err(|e| ApiError::bad(format!("chat info: {e}")))?;
    reply(&info)
}

fn gifts() -> serde_json::Value {
    json!({"unlimited_gifts": false, "limited_gifts": false, "unique_gifts": false, "premium_subscription": false})
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
