//! Money as YooKassa writes it (`{"value": "1990.00", "currency": "RUB"}`) and as we store it
//! (minor units). Amounts are compared as exact integers, never as floats.

use std::fmt;

use booking_core::{currency::Currency, locale::Locale};

use serde::{Deserialize, Serialize};

/// An amount in minor units (kopecks) of a currency.
#[derive(Clone, Eq, PartialEq, Debug)]
pub struct Money {
    pub minor: i64,
    pub currency: String,
}

/// YooKassa's wire form of an amount.
#[derive(Clone, Eq, PartialEq, Debug, Serialize, Deserialize)]
pub struct Amount {
    pub value: String,
    pub currency: String,
}

/// An amount that is not a non-negative decimal with at most two places.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("not an amount with at most two decimals: {0:?}")]
pub struct BadAmount(pub String);

impl Money {
    #[must_use]
    pub fn new(minor: i64, currency: &str) -> Self {
        Self {
            minor,
            currency: currency.to_owned(),
        }
    }

    /// Parses `"1990.00"`, `"1990.5"` or `"1990"` exactly.
    pub fn parse(amount: &Amount) -> Result<Self, BadAmount> {
        let bad = || BadAmount(amount.value.clone());
        let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        let (units, cents) = match amount.value.split_once('.') {
            // A dot must be followed by one or two digits.
            Some((u, c)) if digits(c) && c.len() <= 2 => (u, c),
            Some(_) => return Err(bad()),
            None => (amount.value.as_str(), ""),
        };
        if !digits(units) {
            return Err(bad());
        }
        let units: i64 = units.parse().map_err(|_| bad())?;
        let cents: i64 = match cents.len() {
            0 => 0,
            1 => cents.parse::<i64>().map_err(|_| bad())? * 10,
            _ => cents.parse().map_err(|_| bad())?,
        };
        let minor = units
            .checked_mul(100)
            .and_then(|m| m.checked_add(cents))
            .ok_or_else(bad)?;
        Ok(Self::new(minor, &amount.currency))
    }

    /// The wire form, always with two decimals.
    #[must_use]
    pub fn to_amount(&self) -> Amount {
        Amount {
            value: decimal(self.minor),
            currency: self.currency.clone(),
        }
    }
}

impl Money {
    /// As a buyer of `locale` reads it ("1 990 ₽", "1,990 ₽"), for a currency the bots know;
    /// any other is shown as YooKassa writes it ("19.90 XYZ").
    #[must_use]
    pub fn shown(&self, locale: Locale) -> String {
        match self.currency.parse::<Currency>() {
            Ok(c) => c.format(self.minor, locale),
            Err(_) => self.to_string(),
        }
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let value = decimal(self.minor);
        let value = value.strip_suffix(".00").unwrap_or(&value);
        if self.currency == "RUB" {
            write!(f, "{value} ₽")
        } else {
            write!(f, "{value} {}", self.currency)
        }
    }
}

/// `12345` minor units as `"123.45"` (amounts here are never negative).
fn decimal(minor: i64) -> String {
    let abs = minor.unsigned_abs();
    let sign = if minor < 0 { "-" } else { "" };
    format!("{sign}{}.{:02}", abs / 100, abs % 100)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shown_as_the_buyer_reads_prices() {
        let month = Money::new(199_000, "RUB");
        assert_eq!(month.shown(Locale::Ru), "1\u{a0}990\u{a0}₽");
        assert_eq!(month.shown(Locale::En), "1,990\u{a0}₽");
        assert_eq!(Money::new(1_990, "XYZ").shown(Locale::Ru), "19.90 XYZ");
    }

    fn amount(value: &str) -> Amount {
        Amount {
            value: value.to_owned(),
            currency: "RUB".to_owned(),
        }
    }

    #[test]
    fn parses_exact_decimals() {
        assert_eq!(Money::parse(&amount("1990.00")).unwrap().minor, 199_000);
        assert_eq!(Money::parse(&amount("0.5")).unwrap().minor, 50);
        assert_eq!(Money::parse(&amount("12")).unwrap().minor, 1200);
        for bad in [
            "",
            "1.234",
            "-1.00",
            "1e3",
            "1.",
            ".5",
            "1,00",
            "99999999999999999999",
        ] {
            assert!(Money::parse(&amount(bad)).is_err(), "{bad}");
        }
    }

    #[test]
    fn round_trips_through_the_wire_form() {
        let money = Money::new(29_900, "RUB");
        assert_eq!(money.to_amount().value, "299.00");
        assert_eq!(Money::parse(&money.to_amount()).unwrap(), money);
        assert_eq!(money.to_string(), "299 ₽");
    }
}
