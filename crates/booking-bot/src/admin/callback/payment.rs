//! What the prepayment buttons carry: a choice of a service's payment terms, and a part of
//! the tenant's payment account. Each is parsed back within its bounds: forged data that is
//! out of range is refused here, and the terms are validated again when they are stored.

use std::fmt;

use booking_core::payment::{PAYMENT_TIMEOUT_MIN, VAT_CODES};

/// One choice on a service's prepayment screen.
#[derive(Copy, Clone, Eq, PartialEq, Debug)]
pub enum PayChoice {
    /// Nothing is paid at booking.
    None,
    /// The whole price.
    Full,
    /// A deposit of this percentage of the price (1 to 100).
    Percent(u8),
    /// A deposit of a fixed sum: the sum is typed next.
    AskFixed,
    /// Minutes the held time waits for the payment.
    Timeout(u16),
    /// Everything back until the cancel cut-off, then this percentage kept (0 to 100).
    Keep(u8),
    /// The owner decides each time.
    Owner,
}

impl fmt::Display for PayChoice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::None => f.write_str("n"),
            Self::Full => f.write_str("f"),
            Self::AskFixed => f.write_str("d"),
            Self::Owner => f.write_str("o"),
            Self::Percent(p) => write!(f, "p{p}"),
            Self::Timeout(m) => write!(f, "t{m}"),
            Self::Keep(k) => write!(f, "k{k}"),
        }
    }
}

impl PayChoice {
    pub(super) fn parse(s: &str) -> Option<Self> {
        let number = |rest: &str| -> Option<u16> {
            (!rest.is_empty() && rest.len() <= 4 && rest.bytes().all(|b| b.is_ascii_digit()))
                .then(|| rest.parse().ok())
                .flatten()
        };
        let (tag, rest) = s.split_at_checked(1)?;
        Some(match (tag, rest) {
            ("n", "") => Self::None,
            ("f", "") => Self::Full,
            ("d", "") => Self::AskFixed,
            ("o", "") => Self::Owner,
            ("p", n) => Self::Percent(
                u8::try_from(number(n)?)
                    .ok()
                    .filter(|p| (1..=100).contains(p))?,
            ),
            ("t", n) => {
                let m = number(n)?;
                PAYMENT_TIMEOUT_MIN
                    .contains(&u32::from(m))
                    .then_some(Self::Timeout(m))?
            }
            ("k", n) => Self::Keep(u8::try_from(number(n)?).ok().filter(|k| *k <= 100)?),
            _ => return None,
        })
    }
}

/// A part of the payment account that is typed (and whose message is deleted once read).
#[derive(Copy, Clone, Eq, PartialEq, Debug, serde::Serialize, serde::Deserialize)]
pub enum AccountPart {
    /// The provider token from @BotFather.
    Token,
    /// YooKassa's shop id and secret key.
    Shop,
}

impl AccountPart {
    pub(super) const fn code(self) -> &'static str {
        match self {
            Self::Token => "t",
            Self::Shop => "s",
        }
    }

    pub(super) fn parse(s: &str) -> Option<Self> {
        match s {
            "t" => Some(Self::Token),
            "s" => Some(Self::Shop),
            _ => None,
        }
    }
}

/// The VAT code of receipts: `None` for none, or YooKassa's 1 to 12.
pub(super) fn parse_vat(s: &str) -> Option<Option<i16>> {
    let n: i16 = (s.len() <= 2 && s.bytes().all(|b| b.is_ascii_digit()))
        .then(|| s.parse().ok())
        .flatten()?;
    match n {
        0 => Some(None),
        n if VAT_CODES.contains(&n) => Some(Some(n)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn choices_round_trip_and_out_of_range_is_refused() {
        for c in [
            PayChoice::None,
            PayChoice::Full,
            PayChoice::AskFixed,
            PayChoice::Owner,
            PayChoice::Percent(1),
            PayChoice::Percent(100),
            PayChoice::Timeout(5),
            PayChoice::Timeout(1440),
            PayChoice::Keep(0),
            PayChoice::Keep(100),
        ] {
            assert_eq!(PayChoice::parse(&c.to_string()), Some(c), "{c}");
        }
        for bad in [
            "p0", "p101", "p", "t4", "t1441", "t99999", "k101", "k-1", "x", "n1", "p+5", "",
        ] {
            assert_eq!(PayChoice::parse(bad), None, "{bad}");
        }
        assert_eq!(parse_vat("0"), Some(None));
        assert_eq!(parse_vat("11"), Some(Some(11)));
        assert_eq!(parse_vat("13"), None);
        assert_eq!(parse_vat("-1"), None);
    }
}
