//! Buttons of the panel.

use teloxide::types::{InlineKeyboardButton, InlineKeyboardMarkup};

use super::callback::AdminAction;

#[must_use]
pub fn button(label: impl Into<String>, action: AdminAction) -> InlineKeyboardButton {
    InlineKeyboardButton::callback(label.into(), action.to_string())
}

#[must_use]
pub fn rows(rows: Vec<Vec<InlineKeyboardButton>>) -> InlineKeyboardMarkup {
    InlineKeyboardMarkup::new(rows.into_iter().filter(|r| !r.is_empty()))
}

/// One button per row.
#[must_use]
pub fn column(
    buttons: impl IntoIterator<Item = InlineKeyboardButton>,
) -> Vec<Vec<InlineKeyboardButton>> {
    buttons.into_iter().map(|b| vec![b]).collect()
}
