//! What an admin step shows: a screen (edited in place for a button, sent for a typed step),
//! an alert on the button, and files (CSV documents, PNG charts).

use teloxide::types::InlineKeyboardMarkup;

/// A file to send after the screen.
#[derive(Clone, Debug)]
pub enum Attachment {
    Document {
        name: String,
        bytes: Vec<u8>,
        caption: String,
    },
    Photo {
        bytes: Vec<u8>,
        caption: String,
    },
}

/// An admin step's answer.
#[derive(Clone, Debug, Default)]
pub struct Reply {
    pub text: Option<String>,
    pub keyboard: Option<InlineKeyboardMarkup>,
    pub alert: Option<String>,
    pub files: Vec<Attachment>,
}

impl Reply {
    #[must_use]
    pub fn screen(text: impl Into<String>, keyboard: InlineKeyboardMarkup) -> Self {
        Self {
            text: Some(text.into()),
            keyboard: Some(keyboard),
            ..Self::default()
        }
    }

    /// Nothing changes on screen; the admin is told why.
    #[must_use]
    pub fn alert(text: impl Into<String>) -> Self {
        Self {
            alert: Some(text.into()),
            ..Self::default()
        }
    }

    #[must_use]
    pub fn with_alert(mut self, text: impl Into<String>) -> Self {
        self.alert = Some(text.into());
        self
    }
}
