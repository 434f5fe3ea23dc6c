use std::{fmt, str::FromStr};

use serde::{Deserialize, Serialize};

use crate::locale::Locale;

/// The currency a business prices its services in, by its ISO 4217 code.
///
/// A small fixed table rather than the whole ISO list: a price is shown with the sign people
/// of the platform's markets read ("1 500 ₽", "20 ₾"), and only a table we wrote knows those
/// signs; a currency nobody here sells in would be shown with a sign nobody checked. Every one
/// of these has two minor digits in ISO 4217, as prices are stored. Adding one is one line.
#[derive(Copy, Clone, Eq, PartialEq, Hash, Debug, Default, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum Currency {
    #[default]
    Rub,
    Usd,
    Eur,
    Kzt,
    Byn,
    Uzs,
    Gel,
    Amd,
    Try,
}

/// (currency, ISO code, sign shown after the amount).
const TABLE: [(Currency, &str, &str); 9] = [
    (Currency::Rub, "RUB", "₽"),
    (Currency::Usd, "USD", "$"),
    (Currency::Eur, "EUR", "€"),
    (Currency::Kzt, "KZT", "₸"),
    (Currency::Byn, "BYN", "Br"),
    (Currency::Uzs, "UZS", "сўм"),
    (Currency::Gel, "GEL", "₾"),
    (Currency::Amd, "AMD", "֏"),
    (Currency::Try, "TRY", "₺"),
];

impl Currency {
    /// Every supported currency, in the order they are offered.
    pub const ALL: [Self; 9] = [
        Self::Rub,
        Self::Usd,
        Self::Eur,
        Self::Kzt,
        Self::Byn,
        Self::Uzs,
        Self::Gel,
        Self::Amd,
        Self::Try,
    ];

    const fn row(self) -> (Self, &'static str, &'static str) {
        TABLE[self as usize]
    }

    /// "RUB".
    #[must_use]
    pub const fn code(self) -> &'static str {
        self.row().1
    }

    /// "₽".
    #[must_use]
    pub const fn symbol(self) -> &'static str {
        self.row().2
    }

    /// `minor` units as people of `locale` read a price: "4 500 ₽", "1 500,50 ₽" (English
    /// "4,500 ₽", "1,500.50 ₽"): digits grouped, kopecks (cents, tetri...) only when there are
    /// any, the sign after the amount in both languages. The one price formatter of the
    /// platform: every bot's screen shows prices so.
    #[must_use]
    pub fn format(self, minor: i64, locale: Locale) -> String {
        let (group, point) = match locale {
            Locale::Ru => ('\u{a0}', ','),
            Locale::En => (',', '.'),
        };
        let sign = if minor < 0 { "-" } else { "" };
        let abs = minor.unsigned_abs();
        let (whole, kopecks) = (abs / 100, abs % 100);
        let digits = whole.to_string();
        let mut grouped = String::with_capacity(digits.len() + digits.len() / 3);
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i) % 3 == 0 {
                grouped.push(group);
            }
            grouped.push(c);
        }
        let symbol = self.symbol();
        if kopecks == 0 {
            format!("{sign}{grouped}\u{a0}{symbol}")
        } else {
            format!("{sign}{grouped}{point}{kopecks:02}\u{a0}{symbol}")
        }
    }

    /// "RUB, USD, EUR, …": what a person may type.
    #[must_use]
    pub fn codes() -> String {
        Self::ALL
            .iter()
            .map(|c| c.code())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.code())
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("unknown currency {0:?}: expected an ISO 4217 code of one of {codes}", codes = Currency::codes())]
pub struct UnknownCurrency(pub String);

impl FromStr for Currency {
    type Err = UnknownCurrency;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let code = s.trim().to_ascii_uppercase();
        TABLE
            .iter()
            .find(|(_, c, _)| *c == code)
            .map(|(currency, _, _)| *currency)
            .ok_or_else(|| UnknownCurrency(s.to_owned()))
    }
}

impl TryFrom<String> for Currency {
    type Error = UnknownCurrency;

    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl From<Currency> for String {
    fn from(c: Currency) -> Self {
        c.code().to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_is_in_the_order_of_the_enum() {
        for (i, c) in Currency::ALL.iter().enumerate() {
            assert_eq!(TABLE[i].0, *c);
            assert_eq!(c.code().parse::<Currency>(), Ok(*c));
        }
    }

    #[test]
    fn codes_are_read_in_any_case_and_unknown_ones_refused() {
        assert_eq!(" usd ".parse::<Currency>(), Ok(Currency::Usd));
        assert_eq!("rub".parse::<Currency>(), Ok(Currency::Rub));
        assert!("XYZ".parse::<Currency>().is_err());
        assert!("₽".parse::<Currency>().is_err());
        assert!("".parse::<Currency>().is_err());
        assert_eq!(Currency::default().symbol(), "₽");
    }

    #[test]
    fn prices_read_naturally_in_each_language() {
        let rub = Currency::Rub;
        assert_eq!(rub.format(450_000, Locale::Ru), "4\u{a0}500\u{a0}₽");
        assert_eq!(rub.format(150_050, Locale::Ru), "1\u{a0}500,50\u{a0}₽");
        assert_eq!(rub.format(123_456_700, Locale::En), "1,234,567\u{a0}₽");
        assert_eq!(rub.format(80_000, Locale::Ru), "800\u{a0}₽");
        assert_eq!(Currency::Gel.format(2_000, Locale::En), "20\u{a0}₾");
        assert_eq!(rub.format(-5_000, Locale::Ru), "-50\u{a0}₽");
    }

    #[test]
    fn serialised_as_the_code() {
        assert_eq!(serde_json::to_string(&Currency::Gel).unwrap(), "\"GEL\"");
        assert_eq!(
            serde_json::from_str::<Currency>("\"EUR\"").unwrap(),
            Currency::Eur
        );
        assert!(serde_json::from_str::<Currency>("\"ABC\"").is_err());
    }
}
