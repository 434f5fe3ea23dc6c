//! Phone numbers in one form (E.164, "+79001234567"), whichever way they were typed or
//! shared, so a customer who phoned in and the same customer in Telegram are one record.

use std::fmt;

use phonenumber::{Mode, country};
use serde::{Deserialize, Serialize};

/// A valid phone number in E.164 form.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Phone(String);

/// The text is not a phone number any country uses.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("not a phone number")]
pub struct NotAPhone;

impl Phone {
    /// Parses a number as people write it. One without a country code is read as Russian,
    /// national prefix included: "8 (900) 123-45-67", "900 123 45 67" and "+7 900 1234567"
    /// are the same number.
    pub fn parse(s: &str) -> Result<Self, NotAPhone> {
        let number = phonenumber::parse(Some(country::Id::RU), s.trim()).map_err(|_| NotAPhone)?;
        if !phonenumber::is_valid(&number) {
            return Err(NotAPhone);
        }
        Ok(Self(number.format().mode(Mode::E164).to_string()))
    }

    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// A stored number the way people read it ("+7 900 123-45-67"); one stored before
    /// numbers were normalised, or not a number at all, is shown as it was written.
    #[must_use]
    pub fn readable(stored: &str) -> String {
        phonenumber::parse(Some(country::Id::RU), stored)
            .ok()
            .filter(phonenumber::is_valid)
            .map_or_else(
                || stored.to_owned(),
                |n| n.format().mode(Mode::International).to_string(),
            )
    }
}

impl fmt::Display for Phone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for Phone {
    type Error = NotAPhone;

    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<Phone> for String {
    fn from(p: Phone) -> Self {
        p.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_number_typed_many_ways_is_one_phone() {
        let want = Ok(Phone("+79001234567".to_owned()));
        for typed in [
            "+7 900 123-45-67",
            "8 (900) 123-45-67",
            "89001234567",
            "79001234567",
            "900 123 45 67",
            " +7(900)1234567 ",
        ] {
            assert_eq!(Phone::parse(typed), want, "{typed}");
        }
        assert_eq!(
            Phone::parse("+44 20 7946 0958").map(|p| p.to_string()),
            Ok("+442079460958".to_owned())
        );
        assert_eq!(Phone::readable("+79001234567"), "+7 900 123-45-67");
        assert_eq!(Phone::readable("ask at the desk"), "ask at the desk");
        for bad in ["call me", "123", "", "+7 000 000-00-00"] {
            assert_eq!(Phone::parse(bad), Err(NotAPhone), "{bad}");
        }
    }
}
