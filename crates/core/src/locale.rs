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

    /// The locale a Telegram `language_code` names exactly (`ru`, `en`, `en-GB`), or `None` when
    /// it is missing or a language the bots do not speak (`uk`, `de`): only then is a person
    /// asked to choose, since a guess would be wrong for them.
    #[must_use]
    pub fn spoken(code: Option<&str>) -> Option<Self> {
        code.and_then(|c| c.split(['-', '_']).next())
            .and_then(|primary| primary.parse().ok())
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

/// Month names, January first.
const EN_MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
/// Russian month names on their own ("Ноябрь 2026").
const RU_MONTHS: [&str; 12] = [
    "Январь",
    "Февраль",
    "Март",
    "Апрель",
    "Май",
    "Июнь",
    "Июль",
    "Август",
    "Сентябрь",
    "Октябрь",
    "Ноябрь",
    "Декабрь",
];
/// Russian month names after a day, in the genitive ("4 июня").
const RU_MONTHS_OF_DAY: [&str; 12] = [
    "января",
    "февраля",
    "марта",
    "апреля",
    "мая",
    "июня",
    "июля",
    "августа",
    "сентября",
    "октября",
    "ноября",
    "декабря",
];

impl Locale {
    /// The month (`month0` from 0, as chrono's `month0`) on its own: "Ноябрь", "November".
    #[must_use]
    pub fn month(self, month0: u32) -> &'static str {
        let names = match self {
            Self::Ru => RU_MONTHS,
            Self::En => EN_MONTHS,
        };
        names[month_index(month0)]
    }

    /// The month after a day number: "июня" in "4 июня", "June" in "4 June".
    #[must_use]
    pub fn month_of_day(self, month0: u32) -> &'static str {
        let names = match self {
            Self::Ru => RU_MONTHS_OF_DAY,
            Self::En => EN_MONTHS,
        };
        names[month_index(month0)]
    }
}

/// An index into the month tables; out-of-range input reads as December rather than panicking.
fn month_index(month0: u32) -> usize {
    usize::try_from(month0).unwrap_or(11).min(11)
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

impl Locale {
    /// "1 booking", "3 записи", "5 записей": `n` with the word in the form the number asks
    /// for, from its Russian forms (one, few, many) or English ones (one, other).
    #[must_use]
    pub fn count(self, n: u64, ru: [&str; 3], en: [&str; 2]) -> String {
        let word = match self {
            Self::Ru => ru[ru_plural(n)],
            Self::En => en[usize::from(n != 1)],
        };
        format!("{n} {word}")
    }
}

/// The CLDR cardinal rule for Russian, as an index into (one, few, many). Written here: a
/// plural crate (intl_pluralrules) would bring ICU data and a dependency for two languages
/// whose rules fit in a few lines. 1, 21, 101 → one; 2-4, 22-24 → few; 0, 5-20, 25-30 → many.
const fn ru_plural(n: u64) -> usize {
    let (d10, d100) = (n % 10, n % 100);
    if d10 == 1 && d100 != 11 {
        0
    } else if d10 >= 2 && d10 <= 4 && !(d100 >= 12 && d100 <= 14) {
        1
    } else {
        2
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_take_the_form_their_number_asks_for() {
        let days = (["день", "дня", "дней"], ["day", "days"]);
        for (n, ru) in [
            (1, "1 день"),
            (2, "2 дня"),
            (5, "5 дней"),
            (11, "11 дней"),
            (21, "21 день"),
            (30, "30 дней"),
            (112, "112 дней"),
        ] {
            assert_eq!(Locale::Ru.count(n, days.0, days.1), ru);
        }
        assert_eq!(Locale::En.count(1, days.0, days.1), "1 day");
        assert_eq!(Locale::En.count(30, days.0, days.1), "30 days");
    }

    #[test]
    fn telegram_codes_map_to_a_supported_locale() {
        assert_eq!(Locale::from_telegram(Some("ru")), Locale::Ru);
        assert_eq!(Locale::from_telegram(Some("en-GB")), Locale::En);
        assert_eq!(Locale::from_telegram(Some("uk")), Locale::Ru);
        assert_eq!(Locale::from_telegram(Some("de")), Locale::En);
        assert_eq!(Locale::from_telegram(None), Locale::Ru);
    }

    #[test]
    fn only_the_languages_the_bots_speak_are_taken_as_chosen() {
        assert_eq!(Locale::spoken(Some("ru")), Some(Locale::Ru));
        assert_eq!(Locale::spoken(Some("en-GB")), Some(Locale::En));
        assert_eq!(Locale::spoken(Some("RU_ru")), Some(Locale::Ru));
        assert_eq!(Locale::spoken(Some("uk")), None);
        assert_eq!(Locale::spoken(Some("de")), None);
        assert_eq!(Locale::spoken(Some("")), None);
        assert_eq!(Locale::spoken(None), None);
    }

    #[test]
    fn parsing_rejects_unknown_codes() {
        assert_eq!("EN".parse::<Locale>(), Ok(Locale::En));
        assert!("fr".parse::<Locale>().is_err());
    }
}
