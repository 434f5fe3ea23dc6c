//! A tenant's own wording of any text: the placeholder validator the admin panel's "Texts"
//! screen calls before saving, and the set of overrides a [`crate::texts::Texts`] applies.
//!
//! Overrides are read from `text_overrides` with the customer and the profile at the start of
//! every update (one more small query in a transaction that is open anyway), so a change made
//! in the admin chat applies to the very next update without a cache to invalidate.

use std::collections::{BTreeSet, HashMap};

use booking_core::locale::Locale;
use storage::{TenantTx, tenant::texts};

use crate::{error::BotError, texts::Key};

/// Telegram's limit on a message's text; an override may not be longer.
pub const MAX_LEN: usize = 4096;

/// Why an override was refused, in words an admin can act on.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum OverrideError {
    #[error("the text is empty")]
    Empty,
    #[error("the text is longer than {MAX_LEN} characters")]
    TooLong,
    #[error("unknown placeholder {{{0}}}")]
    Unknown(String),
    #[error("the placeholder {{{0}}} is missing")]
    Missing(String),
    #[error("a brace is not part of a {{placeholder}}")]
    StrayBrace,
}

/// The placeholders in `text`: every `{name}` with `name` of ASCII letters, digits and `_`.
///
/// A `{` or `}` that does not form one is an error rather than literal text, so a typo such
/// as `{name` is caught when the admin saves instead of reaching customers.
pub fn placeholders(text: &str) -> Result<BTreeSet<&str>, OverrideError> {
    let mut found = BTreeSet::new();
    let mut rest = text;
    while let Some(open) = rest.find(['{', '}']) {
        if rest[open..].starts_with('}') {
            return Err(OverrideError::StrayBrace);
        }
        let after = &rest[open + 1..];
        let close = after.find('}').ok_or(OverrideError::StrayBrace)?;
        let name = &after[..close];
        let valid =
            !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
        if !valid {
            return Err(OverrideError::StrayBrace);
        }
        found.insert(name);
        rest = &after[close + 1..];
    }
    Ok(found)
}

/// Whether `text` may replace `key`'s text: not empty, within Telegram's length, and with
/// exactly the key's placeholders (an unknown one would reach customers as `{typo}`; a
/// missing one would drop what the message is about, such as the date of a visit).
pub fn validate_override(key: Key, text: &str) -> Result<(), OverrideError> {
    if text.trim().is_empty() {
        return Err(OverrideError::Empty);
    }
    if text.chars().count() > MAX_LEN {
        return Err(OverrideError::TooLong);
    }
    let wanted = key.placeholders();
    let given = placeholders(text)?;
    if let Some(unknown) = given.iter().find(|p| !wanted.contains(*p)) {
        return Err(OverrideError::Unknown((*unknown).to_owned()));
    }
    if let Some(missing) = wanted.iter().find(|p| !given.contains(*p)) {
        return Err(OverrideError::Missing((*missing).to_owned()));
    }
    Ok(())
}

/// The overrides of one tenant, both languages.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Overrides {
    texts: HashMap<(Key, Locale), String>,
}

impl Overrides {
    /// From stored `(code, locale, text)` rows. A row of a key this build does not know, or
    /// one that no longer validates (the default's placeholders changed), is skipped and the
    /// default used: a customer never sees a broken text.
    #[must_use]
    pub fn from_rows(rows: impl IntoIterator<Item = (String, Locale, String)>) -> Self {
        let mut texts = HashMap::new();
        for (code, locale, text) in rows {
            let Some(key) = Key::from_code(&code) else {
                tracing::debug!(%code, "skipping an override of an unknown text");
                continue;
            };
            if let Err(e) = validate_override(key, &text) {
                tracing::warn!(%code, %locale, error = %e, "skipping an invalid text override");
                continue;
            }
            texts.insert((key, locale), text);
        }
        Self { texts }
    }

    #[must_use]
    pub fn get(&self, key: Key, locale: Locale) -> Option<&str> {
        self.texts.get(&(key, locale)).map(String::as_str)
    }

    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.texts.is_empty()
    }
}

/// The tenant's overrides, read with every update so an edit applies at once.
pub async fn load(tx: &mut TenantTx) -> Result<Overrides, BotError> {
    let rows = texts::all(tx).await?;
    Ok(Overrides::from_rows(
        rows.into_iter().map(|o| (o.key, o.locale, o.text)),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_found_and_stray_braces_refused() {
        let found = placeholders("{business}: hi {name}, {name}").unwrap();
        assert_eq!(found.into_iter().collect::<Vec<_>>(), ["business", "name"]);
        for bad in ["{name", "name}", "{}", "{a b}", "{{x}}", "{x}}"] {
            assert_eq!(placeholders(bad), Err(OverrideError::StrayBrace), "{bad}");
        }
        assert!(placeholders("no placeholders").unwrap().is_empty());
    }

    #[test]
    fn an_override_needs_exactly_the_keys_placeholders() {
        assert_eq!(
            validate_override(Key::Menu, "{business} — what now?"),
            Ok(())
        );
        assert_eq!(
            validate_override(Key::Menu, "Welcome!"),
            Err(OverrideError::Missing("business".into()))
        );
        assert_eq!(
            validate_override(Key::Menu, "{business} {bussiness}"),
            Err(OverrideError::Unknown("bussiness".into()))
        );
        assert_eq!(
            validate_override(Key::Help, "  "),
            Err(OverrideError::Empty)
        );
        assert_eq!(
            validate_override(Key::Help, &"x".repeat(MAX_LEN + 1)),
            Err(OverrideError::TooLong)
        );
        assert_eq!(validate_override(Key::Help, "Just ask us."), Ok(()));
    }

    #[test]
    fn stored_rows_of_unknown_keys_or_broken_texts_are_skipped() {
        let o = Overrides::from_rows([
            (
                "menu".to_owned(),
                Locale::En,
                "{business}, hello".to_owned(),
            ),
            ("menu".to_owned(), Locale::Ru, "без плейсхолдера".to_owned()),
            ("no_such_key".to_owned(), Locale::En, "x".to_owned()),
        ]);
        assert_eq!(o.get(Key::Menu, Locale::En), Some("{business}, hello"));
        assert_eq!(o.get(Key::Menu, Locale::Ru), None);
    }
}
