//! What a handler decides to show; the router turns it into Bot API calls.

use teloxide::types::{ChatId, InlineKeyboardMarkup, ReplyMarkup};

/// A message: text and its inline keyboard.
#[derive(Clone, Debug)]
pub struct Screen {
    pub text: String,
    pub keyboard: InlineKeyboardMarkup,
}

impl Screen {
    #[must_use]
    pub fn new(text: impl Into<String>, keyboard: InlineKeyboardMarkup) -> Self {
        Self {
            text: text.into(),
            keyboard,
        }
    }
}

/// A handler's answer: a new screen (edited in place for a button), and/or a short notice on
/// the button press (an alert when it needs reading).
#[derive(Clone, Debug, Default)]
pub struct Reply {
    pub screen: Option<Screen>,
    pub notice: Option<String>,
    pub alert: bool,
    /// Further messages (to the business's admins, or a follow-up to the customer), sent
    /// after the customer is answered.
    pub notify: Vec<Outgoing>,
}

/// A message to send, to anyone.
#[derive(Clone, Debug)]
pub struct Outgoing {
    pub chat: ChatId,
    pub text: String,
    pub markup: Option<ReplyMarkup>,
}

impl Reply {
    #[must_use]
    pub fn screen(screen: Screen) -> Self {
        Self {
            screen: Some(screen),
            ..Self::default()
        }
    }

    /// Nothing changes on screen; the customer is told why.
    #[must_use]
    pub fn alert(text: impl Into<String>) -> Self {
        Self {
            screen: None,
            notice: Some(text.into()),
            alert: true,
            notify: Vec::new(),
        }
    }

    /// Nothing to show or say (a padding button).
    #[must_use]
    pub fn nothing() -> Self {
        Self::default()
    }
}
