//! What bots do to chats: send, edit and delete messages.

use teloxide::types::{ChatId, MediaKind, Message, MessageId, MessageOrigin, ReplyMarkup};
use tokio::time::Instant;

use super::{ChatLog, StoredMessage, World};
use crate::{config::FloodLimits, error::ApiError, ids::BotToken, telegram};

/// A message a bot sends.
#[derive(Debug, Clone)]
pub struct Outgoing {
    /// Its content.
    pub media: MediaKind,
    /// Any keyboard.
    pub reply_markup: Option<ReplyMarkup>,
    /// The parse mode used.
    pub parse_mode: Option<String>,
    /// The text before the parse mode.
    pub source_text: Option<String>,
    /// The message replied to.
    pub reply_to: Option<MessageId>,
    /// Send anyway when the replied-to message is gone.
    pub allow_missing_reply: bool,
    /// For forwarded messages, the original author.
    pub forward_origin: Option<MessageOrigin>,
}

impl World {
    /// The chat `chat_id` of this bot, checked the way Telegram checks a send target.
    pub fn chat_for_bot(
        &mut self,
        token: &BotToken,
        chat_id: ChatId,
    ) -> Result<&mut ChatLog, ApiError> {
        let group = if chat_id.0 < 0 {
            Some(
                self.groups
                    .get(&chat_id)
                    .cloned()
                    .ok_or_else(ApiError::chat_not_found)?,
            )
        } else {
            let known = u64::try_from(chat_id.0)
                .ok()
                .is_some_and(|id| self.users.contains_key(&teloxide::types::UserId(id)));
            if !known {
                return Err(ApiError::chat_not_found());
            }
            None
        };
        let bot = self.bot(token)?;
        let log = match group {
            Some(group) => bot
                .chats
                .entry(chat_id)
                .or_insert_with(|| ChatLog::new(telegram::group_chat(&group), true)),
            None => bot.chats.get_mut(&chat_id).ok_or_else(|| {
                ApiError::Forbidden("bot can't initiate conversation with a user".into())
            })?,
        };
        if log.blocked {
            return Err(ApiError::Forbidden("bot was blocked by the user".into()));
        }
        Ok(log)
    }

    /// Takes one send from the flood limits, counting a refusal.
    pub fn flood_check(
        &mut self,
        token: &BotToken,
        chat_id: ChatId,
        limits: &FloodLimits,
    ) -> Result<(), ApiError> {
        if !limits.is_on() {
            return Ok(());
        }
        let is_group = chat_id.0 < 0;
        let bot = self.bot(token)?;
        match bot
            .flood
            .try_send(limits, chat_id, is_group, Instant::now())
        {
            Ok(()) => Ok(()),
            Err(retry_after) => {
                bot.counters.flood_hits += 1;
                self.flood_hits += 1;
                Err(ApiError::TooManyRequests { retry_after })
            }
        }
    }

    /// Stores a message the bot sends and returns it as Telegram would.
    pub fn bot_send(
        &mut self,
        token: &BotToken,
        chat_id: ChatId,
        out: Outgoing,
        limits: &FloodLimits,
    ) -> Result<Message, ApiError> {
        self.chat_for_bot(token, chat_id)?;
        self.flood_check(token, chat_id, limits)?;
        let bot = self.bot(token)?;
        let from = telegram::bot_user(&bot.info);
        let notify = bot.chats_notify.clone();
        let log = bot
            .chats
            .get_mut(&chat_id)
            .ok_or_else(ApiError::chat_not_found)?;
        let reply_to = match out.reply_to {
            Some(id) => match log.messages.get(&id.0) {
                Some(m) => Some(Box::new(m.message.clone())),
                None if out.allow_missing_reply => None,
                None => return Err(ApiError::bad("message to be replied not found")),
            },
            None => None,
        };
        let (inline, reply_keyboard, remove_keyboard) = match out.reply_markup {
            Some(ReplyMarkup::InlineKeyboard(kb)) => (Some(kb), None, false),
            Some(ReplyMarkup::Keyboard(kb)) => (None, Some(kb), false),
            Some(ReplyMarkup::KeyboardRemove(_)) => (None, None, true),
            Some(ReplyMarkup::ForceReply(_)) | None => (None, None, false),
        };
        let id = log.alloc_id();
        let mut message = telegram::message(
            id,
            from,
            log.chat.clone(),
            telegram::now(),
            out.media,
            inline,
            out.forward_origin,
        );
        if let Some(common) = telegram::common_mut(&mut message) {
            // Telegram does not nest replies: the replied-to message carries no reply of its own.
            common.reply_to_message = reply_to.map(|mut m| {
                if let Some(c) = telegram::common_mut(&mut m) {
                    c.reply_to_message = None;
                }
                m
            });
        }
        if reply_keyboard.is_some() {
            log.reply_keyboard = reply_keyboard.clone();
        } else if remove_keyboard {
            log.reply_keyboard = None;
        }
        log.messages.insert(
            id.0,
            StoredMessage {
                parse_mode: out.parse_mode,
                source_text: out.source_text,
                reply_keyboard,
                remove_keyboard,
                ..StoredMessage::plain(message.clone())
            },
        );
        log.last_chat_action = None;
        log.touch();
        notify.notify_waiters();
        Ok(message)
    }

    /// Edits a message the bot sent; `edit` says whether anything changed.
    pub fn bot_edit(
        &mut self,
        token: &BotToken,
        chat_id: ChatId,
        message_id: MessageId,
        edit: impl FnOnce(&mut StoredMessage) -> Result<bool, ApiError>,
    ) -> Result<Message, ApiError> {
        let log = self.chat_for_bot(token, chat_id)?;
        let stored = log
            .messages
            .get_mut(&message_id.0)
            .ok_or_else(|| ApiError::bad("message to edit not found"))?;
        if !stored.message.from.as_ref().is_some_and(|u| u.is_bot) {
            return Err(ApiError::bad("message can't be edited"));
        }
        if !edit(stored)? {
            return Err(ApiError::bad(
                "message is not modified: specified new message content and reply markup are \
                 exactly the same as a current content and reply markup of the message",
            ));
        }
        stored.edit_count += 1;
        if let Some(common) = telegram::common_mut(&mut stored.message) {
            common.edit_date = Some(telegram::now());
        }
        let message = stored.message.clone();
        log.touch();
        let notify = self.bot(token)?.chats_notify.clone();
        notify.notify_waiters();
        Ok(message)
    }

    /// Deletes a message in a bot's chat.
    pub fn bot_delete(
        &mut self,
        token: &BotToken,
        chat_id: ChatId,
        message_id: MessageId,
    ) -> Result<(), ApiError> {
        let log = self.chat_for_bot(token, chat_id)?;
        log.messages
            .remove(&message_id.0)
            .ok_or_else(|| ApiError::bad("message to delete not found"))?;
        log.touch();
        let notify = self.bot(token)?.chats_notify.clone();
        notify.notify_waiters();
        Ok(())
    }
}
