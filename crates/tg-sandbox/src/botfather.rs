//! BotFather's rules for a new bot, so a person trying the bots can make one in the web page and
//! hand its token to the sales bot, as they would in Telegram.

use std::fmt;

/// A bot username that follows Telegram's rules: 5-32 characters, Latin letters, digits and
/// underscores, starting with a letter and ending in "bot" (in any case).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BotUsername(String);

/// Why BotFather refuses a username or a name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NewBotError {
    /// Outside 5-32 characters.
    #[error("a bot's username must be 5 to 32 characters long; {0:?} has {1}")]
    Length(String, usize),
    /// A character other than a Latin letter, a digit or an underscore.
    #[error("a username may only use Latin letters, digits and underscores; {0:?} has {1:?}")]
    Character(String, char),
    /// Starts with a digit or an underscore.
    #[error("a username must start with a letter: {0:?}")]
    Start(String),
    /// Does not end in "bot".
    #[error("a bot's username must end in 'bot', e.g. tetris_bot or TetrisBot: {0:?}")]
    Suffix(String),
    /// The display name is empty or longer than 64 characters.
    #[error("a bot's name must be 1 to 64 characters long")]
    Name,
}

/// The shortest and longest usernames Telegram allows.
const USERNAME_CHARS: std::ops::RangeInclusive<usize> = 5..=32;
/// The longest display name BotFather accepts.
const MAX_NAME_CHARS: usize = 64;

impl BotUsername {
    /// Checks `raw` (a leading `@` is ignored) against Telegram's rules.
    pub fn parse(raw: &str) -> Result<Self, NewBotError> {
        let name = raw.trim().trim_start_matches('@');
        // Bytes and characters agree once every character is ASCII, which is checked first.
        if let Some(bad) = name
            .chars()
            .find(|c| !(c.is_ascii_alphanumeric() || *c == '_'))
        {
            return Err(NewBotError::Character(name.to_owned(), bad));
        }
        if !USERNAME_CHARS.contains(&name.len()) {
            return Err(NewBotError::Length(name.to_owned(), name.len()));
        }
        if !name.starts_with(|c: char| c.is_ascii_alphabetic()) {
            return Err(NewBotError::Start(name.to_owned()));
        }
        if !name.to_ascii_lowercase().ends_with("bot") {
            return Err(NewBotError::Suffix(name.to_owned()));
        }
        Ok(Self(name.to_owned()))
    }

    /// The username, without the `@`.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for BotUsername {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A display name BotFather accepts: 1-64 characters, not only spaces.
pub fn display_name(raw: &str) -> Result<String, NewBotError> {
    let name = raw.trim();
    if name.is_empty() || name.chars().count() > MAX_NAME_CHARS {
        return Err(NewBotError::Name);
    }
    Ok(name.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames_that_telegram_accepts_are_accepted() {
        for ok in [
            "tetris_bot",
            "TetrisBot",
            "@salon_bot",
            "abBOT",
            "a2345678901234567890123456789bot",
        ] {
            let parsed = BotUsername::parse(ok).unwrap();
            assert_eq!(parsed.as_str(), ok.trim_start_matches('@'));
        }
    }

    #[test]
    fn a_username_must_be_5_to_32_characters() {
        assert!(matches!(
            BotUsername::parse("abot"),
            Err(NewBotError::Length(_, 4))
        ));
        let long = format!("{}bot", "a".repeat(30));
        assert!(matches!(
            BotUsername::parse(&long),
            Err(NewBotError::Length(_, 33))
        ));
    }

    #[test]
    fn a_username_uses_latin_letters_digits_and_underscores() {
        assert!(matches!(
            BotUsername::parse("my-shop_bot"),
            Err(NewBotError::Character(_, '-'))
        ));
        assert!(matches!(
            BotUsername::parse("салон_bot"),
            Err(NewBotError::Character(_, 'с'))
        ));
        assert!(matches!(
            BotUsername::parse("my shop bot"),
            Err(NewBotError::Character(_, ' '))
        ));
    }

    #[test]
    fn a_username_starts_with_a_letter_and_ends_in_bot() {
        assert!(matches!(
            BotUsername::parse("1salon_bot"),
            Err(NewBotError::Start(_))
        ));
        assert!(matches!(
            BotUsername::parse("_salon_bot"),
            Err(NewBotError::Start(_))
        ));
        assert!(matches!(
            BotUsername::parse("salon_shop"),
            Err(NewBotError::Suffix(_))
        ));
        assert!(matches!(
            BotUsername::parse("salonbo"),
            Err(NewBotError::Suffix(_))
        ));
    }

    #[test]
    fn a_display_name_is_1_to_64_characters() {
        assert_eq!(display_name("  Салон Анны ").unwrap(), "Салон Анны");
        assert_eq!(display_name("   "), Err(NewBotError::Name));
        assert_eq!(display_name(&"я".repeat(65)), Err(NewBotError::Name));
        assert!(display_name(&"я".repeat(64)).is_ok());
    }
}
