use std::{fmt, str::FromStr};

use serde::{Deserialize, Serialize};

/// A language the bots speak. Russian is the platform's home market; English is always there.
#[derive(Copy, Clone, Eq, PartialEq, Hash, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Locale {
    #[default]
    Ru,
    En,
}

impl Locale {
    pub const ALL: [Self; 2] = [Self::Ru, Self::En];

    #[must_use]
    pub const fn code(self) -> &'static str {
        match self {
            Self::Ru => "ru",
            Self::En => "en",
        }
    }

    /// The locale for a Telegram `language_code` such as `ru`, `en-GB` or `uk`.
    ///
    /// Russian speakers of neighbouring countries usually read Russian better than English,
    /// so `uk`, `be` and `kk` map to Russian; anything else unknown maps to English.
    #[must_use]
    pub fn from_telegram(code: Option<&str>) -> Self {
        let primary = code
            .and_then(|c| c.split(['-', '_']).next())
            .unwrap_or("")
            .to_ascii_lowercase();
        match primary.as_str() {
            "ru" | "uk" | "be" | "kk" => Self::Ru,
            "" => Self::default(),
            _ => Self::En,
        }
    }
}

impl fmt::Display for Locale {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.code())
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("unknown locale {0:?}: expected one of ru, en")]
pub struct UnknownLocale(pub String);

impl FromStr for Locale {
    type Err = UnknownLocale;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "ru" => Ok(Self::Ru),
            "en" => Ok(Self::En),
            _ => Err(UnknownLocale(s.to_owned())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn telegram_codes_map_to_a_supported_locale() {
        assert_eq!(Locale::from_telegram(Some("ru")), Locale::Ru);
        assert_eq!(Locale::from_telegram(Some("en-GB")), Locale::En);
        assert_eq!(Locale::from_telegram(Some("uk")), Locale::Ru);
        assert_eq!(Locale::from_telegram(Some("de")), Locale::En);
        assert_eq!(Locale::from_telegram(None), Locale::Ru);
    }

    #[test]
    fn parsing_rejects_unknown_codes() {
        assert_eq!("EN".parse::<Locale>(), Ok(Locale::En));
        assert!("fr".parse::<Locale>().is_err());
    }
}
