//! One argument order for bilingual texts, everywhere: `tr(locale, en, ru)`.
//!
//! Each bot keeps its own wording next to where it is used; only the order of the two
//! languages and the few sentences every bot says alike live here.

use booking_core::locale::Locale;
use teloxide::types::User;

/// English or Russian, by the reader's locale. English comes first in every call, so a text
/// in the wrong slot stands out in review.
#[must_use]
pub const fn tr<'a>(locale: Locale, en: &'a str, ru: &'a str) -> &'a str {
    match locale {
        Locale::En => en,
        Locale::Ru => ru,
    }
}

/// The language Telegram says the user reads (Russian when it says nothing).
#[must_use]
pub fn locale_of(user: &User) -> Locale {
    Locale::from_telegram(user.language_code.as_deref())
}

/// What a user is told when their update could not be handled at all (a handler panicked).
#[must_use]
pub const fn something_went_wrong(locale: Locale) -> &'static str {
    tr(
        locale,
        "Something went wrong; please try again.",
        "Что-то пошло не так; попробуйте ещё раз.",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn english_is_always_the_first_argument() {
        assert_eq!(tr(Locale::En, "yes", "да"), "yes");
        assert_eq!(tr(Locale::Ru, "yes", "да"), "да");
        assert!(something_went_wrong(Locale::En).starts_with("Something"));
        assert!(something_went_wrong(Locale::Ru).starts_with("Что-то"));
    }
}
