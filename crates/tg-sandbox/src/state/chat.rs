//! One chat between a bot and a user (or a group), as it stands now.

use std::collections::BTreeMap;

use teloxide::types::{
    ButtonRequest, Chat, ChatId, InlineKeyboardButtonKind, InlineKeyboardMarkup, KeyboardMarkup,
    MediaKind, Message, MessageId, MessageOrigin,
};

use super::invoices::{InvoiceState, invoice_view};
use crate::{
    api_types::{Button, ChatMessage, ChatView, FileInfo, KeyButton, Sender},
    ids::FileKey,
    telegram,
};

/// A stored message plus what the sandbox knows about how it was made.
#[derive(Debug, Clone)]
pub struct StoredMessage {
    /// The Telegram object as the bot last saw it.
    pub message: Message,
    /// The parse mode the bot used.
    pub parse_mode: Option<String>,
    /// The text before the parse mode was applied.
    pub source_text: Option<String>,
    /// The reply keyboard this message brought up.
    pub reply_keyboard: Option<KeyboardMarkup>,
    /// The message removed the reply keyboard.
    pub remove_keyboard: bool,
    /// Edits so far.
    pub edit_count: u32,
    /// For an invoice, what the sandbox keeps besides the `Invoice` object.
    pub invoice: Option<Box<InvoiceState>>,
}

/// A chat between one bot and a user or a group.
#[derive(Debug, Clone)]
pub struct ChatLog {
    /// The Telegram chat object.
    pub chat: Chat,
    /// A group rather than a private chat.
    pub is_group: bool,
    /// Messages by id; deleted ones are removed.
    pub messages: BTreeMap<i32, StoredMessage>,
    next_message_id: i32,
    /// Increases with every change.
    pub version: u64,
    /// The user blocked the bot.
    pub blocked: bool,
    /// The reply keyboard now shown.
    pub reply_keyboard: Option<KeyboardMarkup>,
    /// The last sendChatAction.
    pub last_chat_action: Option<String>,
}

impl ChatLog {
    /// An empty chat.
    pub fn new(chat: Chat, is_group: bool) -> Self {
        Self {
            chat,
            is_group,
            messages: BTreeMap::new(),
            next_message_id: 1,
            version: 1,
            blocked: false,
            reply_keyboard: None,
            last_chat_action: None,
        }
    }

    /// The next message id in this chat (ids are per chat in Telegram's private chats).
    pub fn alloc_id(&mut self) -> MessageId {
        let id = MessageId(self.next_message_id);
        self.next_message_id += 1;
        id
    }

    /// Records that something changed.
    pub fn touch(&mut self) {
        self.version += 1;
    }

    /// The chat's id.
    pub fn id(&self) -> ChatId {
        self.chat.id
    }

    /// The chat as the control API shows it.
    pub fn view(&self) -> ChatView {
        ChatView {
            chat_id: self.chat.id,
            version: self.version,
            blocked: self.blocked,
            reply_keyboard: self.reply_keyboard.as_ref().map(key_buttons),
            last_chat_action: self.last_chat_action.clone(),
            messages: self.messages.values().map(StoredMessage::view).collect(),
        }
    }
}

fn key_buttons(markup: &KeyboardMarkup) -> Vec<Vec<KeyButton>> {
    markup
        .keyboard
        .iter()
        .map(|row| {
            row.iter()
                .map(|b| KeyButton {
                    text: b.text.clone(),
                    request_contact: matches!(b.request, Some(ButtonRequest::Contact)),
                    request_location: matches!(b.request, Some(ButtonRequest::Location)),
                })
                .collect()
        })
        .collect()
}

fn file_info(key: &FileKey, name: Option<String>, mime: Option<String>, size: u32) -> FileInfo {
    FileInfo {
        file_id: key.clone(),
        file_name: name,
        mime_type: mime,
        size: u64::from(size),
        download_path: format!("/sandbox/files/{key}"),
    }
}

impl StoredMessage {
    /// A message as sent, with no parse mode, keyboard changes, edits or invoice.
    pub fn plain(message: Message) -> Self {
        Self {
            message,
            parse_mode: None,
            source_text: None,
            reply_keyboard: None,
            remove_keyboard: false,
            edit_count: 0,
            invoice: None,
        }
    }

    /// The inline keyboard under the message: its `reply_markup`, or an invoice's Pay keyboard
    /// (which teloxide's `Message` has no field for).
    pub fn inline_keyboard(&self) -> Option<&InlineKeyboardMarkup> {
        match &self.invoice {
            Some(invoice) => Some(&invoice.shown_markup),
            None => telegram::common(&self.message).and_then(|c| c.reply_markup.as_ref()),
        }
    }

    /// The message as the control API shows it.
    pub fn view(&self) -> ChatMessage {
        let m = &self.message;
        let from = match &m.from {
            Some(u) if u.is_bot => Sender::Bot {
                id: u.id,
                username: u.username.clone().unwrap_or_default(),
            },
            Some(u) => Sender::User {
                id: u.id,
                name: u.full_name(),
            },
            None => Sender::User {
                id: teloxide::types::UserId(0),
                name: String::new(),
            },
        };
        let common = telegram::common(m);
        let inline_keyboard = self
            .inline_keyboard()
            .map(|kb| {
                kb.inline_keyboard
                    .iter()
                    .map(|row| {
                        row.iter()
                            .map(|b| Button {
                                text: b.text.clone(),
                                callback_data: match &b.kind {
                                    InlineKeyboardButtonKind::CallbackData(d) => Some(d.clone()),
                                    _ => None,
                                },
                                url: match &b.kind {
                                    InlineKeyboardButtonKind::Url(u) => Some(u.to_string()),
                                    _ => None,
                                },
                                pay: matches!(b.kind, InlineKeyboardButtonKind::Pay(_)),
                            })
                            .collect()
                    })
                    .collect()
            })
            .unwrap_or_default();
        let mut document = None;
        let mut photo = None;
        let mut contact = None;
        let mut location = None;
        let text = match common.map(|c| &c.media_kind) {
            Some(MediaKind::Text(t)) => Some(t.text.clone()),
            Some(MediaKind::Document(d)) => {
                document = Some(file_info(
                    &FileKey(d.document.file.id.0.clone()),
                    d.document.file_name.clone(),
                    d.document.mime_type.as_ref().map(ToString::to_string),
                    d.document.file.size,
                ));
                d.caption.clone()
            }
            Some(MediaKind::Photo(p)) => {
                photo = p.photo.last().map(|size| {
                    file_info(&FileKey(size.file.id.0.clone()), None, None, size.file.size)
                });
                p.caption.clone()
            }
            Some(MediaKind::Contact(c)) => {
                contact = Some(c.contact.phone_number.clone());
                None
            }
            Some(MediaKind::Location(l)) => {
                location = Some((l.location.latitude, l.location.longitude));
                None
            }
            _ => None,
        };
        let forwarded_from = match common.and_then(|c| c.forward_origin.as_ref()) {
            Some(MessageOrigin::User { sender_user, .. }) => Some(sender_user.id),
            _ => None,
        };
        ChatMessage {
            message_id: m.id,
            from,
            date: m.date.timestamp(),
            text,
            parse_mode: self.parse_mode.clone(),
            source_text: self.source_text.clone(),
            inline_keyboard,
            reply_keyboard: self.reply_keyboard.as_ref().map(key_buttons),
            remove_keyboard: self.remove_keyboard,
            document,
            photo,
            contact,
            location,
            forwarded_from,
            edit_count: self.edit_count,
            invoice: invoice_view(self),
            successful_payment: m.successful_payment().cloned(),
            message: m.clone(),
        }
    }
}
