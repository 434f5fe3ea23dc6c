//! What the bot reads off Telegram's own types.

use booking_core::{ids::TelegramUserId, locale::Locale};
use teloxide::types::User;

/// The language to use before the person chose one: from Telegram's `language_code`.
#[must_use]
pub fn default_locale(user: &User) -> Locale {
    Locale::from_telegram(user.language_code.as_deref())
}

/// The language Telegram says the person uses, when the bot speaks it: taken as their choice
/// on a first visit instead of asking.
#[must_use]
pub fn spoken_locale(user: &User) -> Option<Locale> {
    Locale::spoken(user.language_code.as_deref())
}

/// Telegram user ids fit in 52 bits; the conversion never saturates in practice.
#[must_use]
pub fn telegram_id(user: &User) -> TelegramUserId {
    TelegramUserId(i64::try_from(user.id.0).unwrap_or(i64::MAX))
}
