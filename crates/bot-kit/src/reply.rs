//! What a step decides to show, apart from how it is sent ([`crate::send`]): steps return a
//! [`Reply`], so they are plain functions that tests can call, and every rule about answering
//! (a press is always answered, an unchanged screen is not an error) lives in one place.

use teloxide::types::{ChatId, InlineKeyboardMarkup, ReplyMarkup};

/// A message's text and its inline keyboard.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Screen {
    pub text: String,
    pub keyboard: Option<InlineKeyboardMarkup>,
}

impl Screen {
    #[must_use]
    pub fn new(text: impl Into<String>, keyboard: InlineKeyboardMarkup) -> Self {
        Self {
            text: text.into(),
            keyboard: Some(keyboard),
        }
    }

    /// Text alone, no buttons.
    #[must_use]
    pub fn text(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            keyboard: None,
        }
    }
}

/// A short word for the user. On a button press it is the press's answer: a toast that fades,
/// or an alert they dismiss. On a typed message it is a message of its own, sent before the
/// screen.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Notice {
    Toast(String),
    Alert(String),
}

impl Notice {
    #[must_use]
    pub fn text(&self) -> &str {
        match self {
            Self::Toast(text) | Self::Alert(text) => text,
        }
    }
}

/// Where the screen goes when the reply answers a button press. A typed message always gets a
/// new message.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
pub enum Placement {
    /// The pressed message is edited: menus that change in place.
    #[default]
    InPlace,
    /// A new message below: a conversation that moves on (the sales bot's questions).
    NewMessage,
}

/// A file sent after the screen.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Attachment {
    Document {
        name: String,
        bytes: Vec<u8>,
        caption: String,
    },
    Photo {
        name: String,
        bytes: Vec<u8>,
        caption: String,
    },
}

/// A message to another chat (the business's admins, a follow-up), sent after the user is
/// answered and on a best-effort basis: someone who cannot be reached does not fail the update.
#[derive(Clone, Debug)]
pub struct Outgoing {
    pub chat: ChatId,
    pub text: String,
    pub markup: Option<ReplyMarkup>,
}

/// A step's answer: any of a screen, a notice, files and messages to others. The default is
/// nothing at all (a press is still answered, silently).
#[derive(Clone, Debug, Default)]
pub struct Reply {
    pub screen: Option<Screen>,
    pub placement: Placement,
    pub notice: Option<Notice>,
    pub files: Vec<Attachment>,
    pub others: Vec<Outgoing>,
}

impl Reply {
    /// Nothing to show or say (a padding button, an ignored flood).
    #[must_use]
    pub fn nothing() -> Self {
        Self::default()
    }

    /// A screen with buttons, edited in place on a press.
    #[must_use]
    pub fn screen(text: impl Into<String>, keyboard: InlineKeyboardMarkup) -> Self {
        Screen::new(text, keyboard).into()
    }

    /// A screen of text alone, edited in place on a press.
    #[must_use]
    pub fn text(text: impl Into<String>) -> Self {
        Screen::text(text).into()
    }

    /// A new message, also when answering a press.
    #[must_use]
    pub fn message(text: impl Into<String>) -> Self {
        Self::text(text).as_new_message()
    }

    /// Nothing changes on screen; the user is told why in a toast.
    #[must_use]
    pub fn toast(text: impl Into<String>) -> Self {
        Self::nothing().with_toast(text)
    }

    /// Nothing changes on screen; the user is told why in an alert.
    #[must_use]
    pub fn alert(text: impl Into<String>) -> Self {
        Self::nothing().with_alert(text)
    }

    /// The screen's buttons. Buttons need a screen's text: on a reply without one they make a
    /// screen of no text, which Telegram refuses (and the refusal is logged).
    #[must_use]
    pub fn keyboard(mut self, keyboard: InlineKeyboardMarkup) -> Self {
        self.screen.get_or_insert_with(Screen::default).keyboard = Some(keyboard);
        self
    }

    /// The screen goes below as a new message, even on a press.
    #[must_use]
    pub fn as_new_message(mut self) -> Self {
        self.placement = Placement::NewMessage;
        self
    }

    #[must_use]
    pub fn with_toast(mut self, text: impl Into<String>) -> Self {
        self.notice = Some(Notice::Toast(text.into()));
        self
    }

    #[must_use]
    pub fn with_alert(mut self, text: impl Into<String>) -> Self {
        self.notice = Some(Notice::Alert(text.into()));
        self
    }

    #[must_use]
    pub fn file(mut self, file: Attachment) -> Self {
        self.files.push(file);
        self
    }

    #[must_use]
    pub fn notify(mut self, message: Outgoing) -> Self {
        self.others.push(message);
        self
    }
}

impl From<Screen> for Reply {
    fn from(screen: Screen) -> Self {
        Self {
            screen: Some(screen),
            ..Self::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use teloxide::types::InlineKeyboardButton;

    use super::*;

    #[test]
    fn builders_say_what_goes_where() {
        let keyboard = InlineKeyboardMarkup::new([[InlineKeyboardButton::callback("a", "b")]]);
        let reply = Reply::message("Name?").keyboard(keyboard.clone());
        assert_eq!(reply.placement, Placement::NewMessage);
        assert_eq!(reply.screen, Some(Screen::new("Name?", keyboard)));
        let refused = Reply::alert("No");
        assert!(refused.screen.is_none());
        assert_eq!(refused.notice, Some(Notice::Alert("No".into())));
        let done = Reply::text("Done").with_toast("Saved");
        assert_eq!(done.placement, Placement::InPlace);
        assert_eq!(done.notice.as_ref().map(Notice::text), Some("Saved"));
    }
}
