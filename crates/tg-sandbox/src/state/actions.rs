//! What users do, driven through the control API: write, share a contact, forward, press a
//! button, block the bot.

use teloxide::types::{
    Banned, CallbackQuery, CallbackQueryId, ChatId, ChatMember, ChatMemberKind, ChatMemberUpdated,
    Contact, InlineKeyboardButtonKind, MaybeInaccessibleMessage, MediaContact, MediaKind, Member,
    MessageId, MessageOrigin, UntilDate, UpdateKind, UserId,
};

use super::{ChatLog, PendingCallback, StoredMessage, World};
use crate::{
    api_types::{ChatMessage, ChatView, PressRequest, SendRequest, UserAction},
    control::ControlError,
    ids::BotToken,
    telegram,
};

impl World {
    /// The author of an action: `from`, or the user of a private chat.
    pub(super) fn author(
        &self,
        chat_id: ChatId,
        from: Option<UserId>,
    ) -> Result<UserId, ControlError> {
        let user = match from {
            Some(user) => user,
            None => u64::try_from(chat_id.0)
                .map(UserId)
                .map_err(|_| ControlError::BadRequest("`from` is required in a group".into()))?,
        };
        self.user_ctl(user)?;
        if chat_id.0 > 0 && ChatId(i64::try_from(user.0).unwrap_or(-1)) != chat_id {
            return Err(ControlError::BadRequest(format!(
                "user {user} cannot write in the private chat {chat_id}"
            )));
        }
        if chat_id.0 < 0 {
            let group = self
                .groups
                .get(&chat_id)
                .ok_or_else(|| ControlError::NotFound(format!("no group {chat_id}")))?;
            if !group.members.contains(&user) {
                return Err(ControlError::BadRequest(format!(
                    "user {user} is not in group {chat_id}"
                )));
            }
        }
        Ok(user)
    }

    /// The chat of a bot with a user or group, created when the user first appears.
    fn user_side_log(
        &mut self,
        token: &BotToken,
        chat_id: ChatId,
    ) -> Result<&mut ChatLog, ControlError> {
        let (chat, is_group) = if chat_id.0 < 0 {
            let group = self
                .groups
                .get(&chat_id)
                .ok_or_else(|| ControlError::NotFound(format!("no group {chat_id}")))?;
            (telegram::group_chat(group), true)
        } else {
            let user = u64::try_from(chat_id.0).map(UserId).unwrap_or(UserId(0));
            (telegram::private_chat(self.user_ctl(user)?), false)
        };
        let bot = self.bot_ctl(token)?;
        Ok(bot
            .chats
            .entry(chat_id)
            .or_insert_with(|| ChatLog::new(chat, is_group)))
    }

    /// A user writes in a chat with the bot; the bot gets a `message` update.
    pub fn user_send(
        &mut self,
        token: &BotToken,
        chat_id: ChatId,
        req: SendRequest,
    ) -> Result<MessageId, ControlError> {
        let author = self.author(chat_id, req.from)?;
        let user = self.user_ctl(author)?.clone();
        let sender = telegram::user(&user);
        let (media, forward_origin, typed) = match req.action {
            UserAction::Text { text } => {
                if text.is_empty() {
                    return Err(ControlError::BadRequest("text is empty".into()));
                }
                (
                    telegram::text_media(telegram::user_text(&text)),
                    None,
                    Some(text),
                )
            }
            UserAction::Contact { phone_number } => (
                MediaKind::Contact(MediaContact {
                    contact: Contact {
                        phone_number,
                        first_name: user.first_name.clone(),
                        last_name: user.last_name.clone(),
                        user_id: Some(user.id),
                        vcard: None,
                    },
                }),
                None,
                None,
            ),
            UserAction::Forward { from_user, text } => {
                let original = telegram::user(self.user_ctl(from_user)?);
                (
                    telegram::text_media(crate::markup::Formatted::plain(&text)),
                    Some(MessageOrigin::User {
                        date: telegram::now(),
                        sender_user: original,
                    }),
                    None,
                )
            }
        };
        let log = self.user_side_log(token, chat_id)?;
        if log.blocked {
            return Err(ControlError::Conflict(
                "the user blocked this bot; unblock it first".into(),
            ));
        }
        let id = log.alloc_id();
        let message = telegram::message(
            id,
            sender,
            log.chat.clone(),
            telegram::now(),
            media,
            None,
            forward_origin,
        );
        // Telegram's clients hide a one-time keyboard once one of its buttons is used.
        if let (Some(kb), Some(text)) = (&log.reply_keyboard, &typed)
            && kb.one_time_keyboard
            && kb.keyboard.iter().flatten().any(|b| &b.text == text)
        {
            log.reply_keyboard = None;
        }
        log.messages
            .insert(id.0, StoredMessage::plain(message.clone()));
        log.touch();
        let bot = self.bot_ctl(token)?;
        bot.chats_notify.notify_waiters();
        bot.push_update(UpdateKind::Message(message));
        Ok(id)
    }

    /// A user presses an inline button; the bot gets a `callback_query` update.
    pub fn press(
        &mut self,
        token: &BotToken,
        chat_id: ChatId,
        req: PressRequest,
    ) -> Result<String, ControlError> {
        let author = self.author(chat_id, req.from)?;
        let user = telegram::user(self.user_ctl(author)?);
        let callback_id = self.next_callback_id();
        let bot = self.bot_ctl(token)?;
        let chat_instance = telegram::chat_instance(&bot.info, chat_id);
        let log = bot
            .chats
            .get(&chat_id)
            .ok_or_else(|| ControlError::NotFound(format!("no chat {chat_id} with this bot")))?;
        if log.blocked {
            return Err(ControlError::Conflict(
                "the user blocked this bot; unblock it first".into(),
            ));
        }
        let stored = log.messages.get(&req.message_id.0).ok_or_else(|| {
            ControlError::NotFound(format!("no message {} in chat", req.message_id))
        })?;
        let has_button = stored.inline_keyboard().is_some_and(|kb| {
            kb.inline_keyboard.iter().flatten().any(
                |b| matches!(&b.kind, InlineKeyboardButtonKind::CallbackData(d) if *d == req.data),
            )
        });
        if !has_button {
            return Err(ControlError::BadRequest(format!(
                "message {} has no button with callback data {:?}",
                req.message_id, req.data
            )));
        }
        let query = CallbackQuery {
            id: CallbackQueryId(callback_id.clone()),
            from: user,
            message: Some(MaybeInaccessibleMessage::Regular(Box::new(
                stored.message.clone(),
            ))),
            inline_message_id: None,
            chat_instance,
            data: Some(req.data.clone()),
            game_short_name: None,
        };
        bot.callbacks.insert(
            callback_id.clone(),
            PendingCallback::new(author, chat_id, req.message_id, req.data),
        );
        bot.push_update(UpdateKind::CallbackQuery(query));
        Ok(callback_id)
    }

    /// A user blocks (or unblocks) the bot; the bot gets a `my_chat_member` update.
    pub fn set_blocked(
        &mut self,
        token: &BotToken,
        user_id: UserId,
        blocked: bool,
    ) -> Result<(), ControlError> {
        let user = telegram::user(self.user_ctl(user_id)?);
        let chat_id = ChatId(i64::try_from(user_id.0).unwrap_or(0));
        let log = self.user_side_log(token, chat_id)?;
        if log.blocked == blocked {
            return Ok(());
        }
        log.blocked = blocked;
        log.touch();
        let chat = log.chat.clone();
        let bot = self.bot_ctl(token)?;
        let bot_user = telegram::bot_user(&bot.info);
        let member = ChatMember {
            user: bot_user.clone(),
            kind: ChatMemberKind::Member(Member { until_date: None }),
        };
        let banned = ChatMember {
            user: bot_user,
            kind: ChatMemberKind::Banned(Banned {
                until_date: UntilDate::Forever,
            }),
        };
        let (old_chat_member, new_chat_member) = if blocked {
            (member, banned)
        } else {
            (banned, member)
        };
        bot.chats_notify.notify_waiters();
        bot.push_update(UpdateKind::MyChatMember(ChatMemberUpdated {
            chat,
            from: user,
            date: telegram::now(),
            old_chat_member,
            new_chat_member,
            invite_link: None,
            via_join_request: false,
            via_chat_folder_invite_link: false,
        }));
        Ok(())
    }

    /// The chat if it exists, without creating it (reading a chat must not open it: a bot may
    /// only write to users who wrote first).
    fn existing_log(
        &mut self,
        token: &BotToken,
        chat_id: ChatId,
    ) -> Result<Option<&ChatLog>, ControlError> {
        Ok(self.bot_ctl(token)?.chats.get(&chat_id))
    }

    /// A chat as it stands; an empty one (version 0) when nobody wrote in it yet.
    pub fn chat_view(
        &mut self,
        token: &BotToken,
        chat_id: ChatId,
    ) -> Result<ChatView, ControlError> {
        let mut view = match self.existing_log(token, chat_id)? {
            Some(log) => log.view(),
            None => ChatView {
                chat_id,
                version: 0,
                blocked: false,
                reply_keyboard: None,
                last_chat_action: None,
                messages: Vec::new(),
            },
        };
        // Photos carry no file name in Telegram's objects; the upload's name is still known here.
        for message in &mut view.messages {
            if let Some(photo) = message.photo.as_mut()
                && photo.file_name.is_none()
            {
                photo.file_name = self
                    .files
                    .get(&photo.file_id)
                    .and_then(|f| f.file_name.clone());
            }
        }
        Ok(view)
    }

    /// The chat's version, for long polls.
    pub fn chat_version(&mut self, token: &BotToken, chat_id: ChatId) -> Result<u64, ControlError> {
        Ok(self
            .existing_log(token, chat_id)?
            .map_or(0, |log| log.version))
    }

    /// The bot's first message in the chat with an id above `after`.
    pub fn next_bot_message(
        &mut self,
        token: &BotToken,
        chat_id: ChatId,
        after: i32,
    ) -> Result<Option<ChatMessage>, ControlError> {
        let Some(log) = self.existing_log(token, chat_id)? else {
            return Ok(None);
        };
        Ok(log
            .messages
            .range(after.saturating_add(1)..)
            .map(|(_, m)| m)
            .find(|m| m.message.from.as_ref().is_some_and(|u| u.is_bot))
            .map(StoredMessage::view))
    }
}
