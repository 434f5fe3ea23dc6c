use std::{fmt, str::FromStr};

use serde::{Deserialize, Serialize};

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
    fn serialised_as_the_code() {
        assert_eq!(serde_json::to_string(&Currency::Gel).unwrap(), "\"GEL\"");
        assert_eq!(
            serde_json::from_str::<Currency>("\"EUR\"").unwrap(),
            Currency::Eur
        );
        assert!(serde_json::from_str::<Currency>("\"ABC\"").is_err());
    }
}
