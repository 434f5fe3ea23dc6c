//! Conventions for inline-button data, shared by every bot's typed codec.
//!
//! Button data comes back from Telegram as the user's input: anyone can forge it, an old
//! message keeps buttons drawn by an older build, and Telegram refuses data over 64 bytes. So:
//!
//! - every codec writes a version prefix `<family><number>:` (`v1:`, `a1:`, `o1:`) and tells a
//!   button of another number of its family (an older or newer build: "this button is out of
//!   date") from anything else (malformed);
//! - data is checked against the 64-byte limit when it is encoded, and refused above it when
//!   parsed;
//! - numbers and times in data are parsed strictly and within bounds: a forged press carrying
//!   a time in the year 262142 is out of date, never an overflow later on;
//! - [`round_trip_tests!`](crate::round_trip_tests) checks every kind of a codec's data once.

use std::{fmt, str::FromStr};

use chrono::{DateTime, NaiveDate, Utc};
use teloxide::types::InlineKeyboardButton;

/// Telegram's limit on `callback_data`, in bytes.
pub const MAX_LEN: usize = 64;

/// The years a time in button data may fall in; outside them it is refused. The same window
/// as the domain's (`booking_core::time::YEARS` once the booking service lands).
const YEARS: std::ops::RangeInclusive<i32> = 2000..=2200;

/// Why a codec refused button data.
#[derive(Copy, Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DataError {
    /// Written by another build's codec of the same family.
    #[error("button data of another codec version")]
    OtherVersion,
    #[error("malformed button data")]
    Malformed,
}

/// A codec's version prefix: a family (`v`, `a`, `o`) and a number bumped on every
/// incompatible change.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct Version {
    family: &'static str,
    number: u8,
}

impl Version {
    #[must_use]
    pub const fn new(family: &'static str, number: u8) -> Self {
        Self { family, number }
    }

    /// The data after this version's `<family><number>:` (empty for the bare prefix).
    pub fn strip(self, data: &str) -> Result<&str, DataError> {
        if data.len() > MAX_LEN {
            return Err(DataError::Malformed);
        }
        let (head, rest) = data.split_once(':').unwrap_or((data, ""));
        let Some(number) = head.strip_prefix(self.family) else {
            return Err(DataError::Malformed);
        };
        if number.is_empty() || !number.bytes().all(|b| b.is_ascii_digit()) {
            Err(DataError::Malformed)
        } else if number.parse() == Ok(self.number) && !number.starts_with('0') {
            Ok(rest)
        } else {
            Err(DataError::OtherVersion)
        }
    }
}

impl fmt::Display for Version {
    /// The prefix as written: `v1:`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}:", self.family, self.number)
    }
}

/// Encoded data over Telegram's limit.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
#[error("button data {0:?} is over Telegram's {MAX_LEN} bytes")]
pub struct TooLong(pub String);

/// `data` as button data, if it fits.
pub fn encode(data: &impl fmt::Display) -> Result<String, TooLong> {
    let text = data.to_string();
    if text.len() > MAX_LEN {
        Err(TooLong(text))
    } else {
        Ok(text)
    }
}

/// A button that sends `data` back when pressed.
///
/// Data over the limit is a bug in the codec (its round-trip tests check the longest of each
/// kind): it is logged at error level and the button is sent anyway, so Telegram's refusal of
/// the message shows in the logs as well.
#[must_use]
pub fn button(label: impl Into<String>, data: &impl fmt::Display) -> InlineKeyboardButton {
    let data = encode(data).unwrap_or_else(|TooLong(text)| {
        tracing::error!(data = %text, "button data over Telegram's 64 bytes");
        text
    });
    InlineKeyboardButton::callback(label, data)
}

/// A positive decimal integer: digits only (no sign, no spaces), above zero.
#[must_use]
pub fn positive(s: &str) -> Option<i64> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok().filter(|n| *n > 0)
}

/// A moment written as Unix seconds, within the years the platform can mean (2000 to 2200).
#[must_use]
pub fn timestamp(s: &str) -> Option<DateTime<Utc>> {
    DateTime::from_timestamp(positive(s)?, 0).filter(|t| within_bounds(t.date_naive()))
}

/// A day written `YYYYMMDD`, within the years the platform can mean (2000 to 2200).
#[must_use]
pub fn day(s: &str) -> Option<NaiveDate> {
    if s.len() != 8 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    NaiveDate::parse_from_str(s, "%Y%m%d")
        .ok()
        .filter(|d| within_bounds(*d))
}

fn within_bounds(day: NaiveDate) -> bool {
    use chrono::Datelike as _;
    YEARS.contains(&day.year())
}

/// Checks that every sample encodes within [`MAX_LEN`] and parses back to itself. Called by
/// [`round_trip_tests!`](crate::round_trip_tests); panics (fails the test) naming the sample.
pub fn assert_round_trips<T>(samples: &[T])
where
    T: fmt::Display + FromStr + PartialEq + fmt::Debug,
    T::Err: fmt::Debug,
{
    assert!(!samples.is_empty(), "no samples to round-trip");
    for sample in samples {
        let data = sample.to_string();
        assert!(
            data.len() <= MAX_LEN,
            "{sample:?} encodes as {data:?}, {} bytes: over Telegram's {MAX_LEN}",
            data.len()
        );
        let back = data.parse::<T>();
        assert!(
            matches!(&back, Ok(parsed) if parsed == sample),
            "{sample:?} encodes as {data:?}, which parses as {back:?}"
        );
    }
}

/// A unit test that every sample of a codec's data type encodes within Telegram's 64 bytes and
/// parses back to itself. List one sample of every kind, with the largest ids and longest
/// values the type allows.
///
/// ```ignore
/// #[cfg(test)]
/// mod tests {
///     bot_kit::round_trip_tests!(Press: Press::Menu, Press::Details(TenantId(i64::MAX)));
/// }
/// ```
#[macro_export]
macro_rules! round_trip_tests {
    ($data:ty: $($sample:expr),+ $(,)?) => {
        #[test]
        fn every_kind_of_data_round_trips_within_telegrams_64_bytes() {
            $crate::callback::assert_round_trips::<$data>(&[$($sample),+]);
        }
    };
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone as _;

    use super::*;

    const V1: Version = Version::new("v", 1);

    #[test]
    fn the_prefix_tells_another_version_from_garbage() {
        assert_eq!(V1.to_string(), "v1:");
        assert_eq!(V1.strip("v1:m:main"), Ok("m:main"));
        assert_eq!(V1.strip("v1"), Ok(""));
        for other in ["v2:m", "v0:n", "v12:x", "v01:m"] {
            assert_eq!(V1.strip(other), Err(DataError::OtherVersion), "{other}");
        }
        for garbage in [
            "",
            "v:m",
            "m:main",
            "a1:m",
            "x1:m",
            "v1x:m",
            "select_service:1",
        ] {
            assert_eq!(V1.strip(garbage), Err(DataError::Malformed), "{garbage}");
        }
        assert_eq!(V1.strip(&"v1:n".repeat(20)), Err(DataError::Malformed));
    }

    #[test]
    fn encoding_refuses_data_over_64_bytes() {
        assert_eq!(encode(&"v1:n"), Ok("v1:n".to_owned()));
        let long = "x".repeat(MAX_LEN + 1);
        assert_eq!(encode(&long), Err(TooLong(long.clone())));
        assert!(encode(&"x".repeat(MAX_LEN)).is_ok());
    }

    #[test]
    fn numbers_are_digits_only_and_positive() {
        assert_eq!(positive("42"), Some(42));
        for bad in ["", "0", "-1", "+1", " 1", "1x", "99999999999999999999"] {
            assert_eq!(positive(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn times_and_days_outside_the_platforms_years_are_refused() {
        for t in [
            Utc.with_ymd_and_hms(2000, 1, 1, 0, 0, 0).unwrap(),
            Utc.with_ymd_and_hms(2200, 12, 31, 23, 59, 0).unwrap(),
        ] {
            assert_eq!(timestamp(&t.timestamp().to_string()), Some(t));
        }
        // 8_210_298_326_400 s is in the year 262142: chrono can hold it, nothing else should.
        // 7_289_654_400 s is 2201-01-01; 946_684_799 s is the last second of 1999.
        for bad in ["8210298326400", "7289654400", "946684799", "abc", "-5"] {
            assert_eq!(timestamp(bad), None, "{bad}");
        }
        assert_eq!(day("20270131"), NaiveDate::from_ymd_opt(2027, 1, 31));
        assert_eq!(day("22001231"), NaiveDate::from_ymd_opt(2200, 12, 31));
        for bad in ["20270230", "22010101", "19991231", "2027013", "2027-1-31"] {
            assert_eq!(day(bad), None, "{bad}");
        }
    }

    #[derive(Debug, PartialEq)]
    struct Id(i64);

    impl fmt::Display for Id {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            write!(f, "{V1}i:{}", self.0)
        }
    }

    impl FromStr for Id {
        type Err = DataError;

        fn from_str(s: &str) -> Result<Self, Self::Err> {
            let rest = V1.strip(s)?;
            let id = rest.strip_prefix("i:").and_then(positive);
            id.map(Self).ok_or(DataError::Malformed)
        }
    }

    crate::round_trip_tests!(Id: Id(1), Id(i64::MAX));

    #[test]
    #[should_panic(expected = "parses as Err(Malformed)")]
    fn the_round_trip_check_fails_on_data_that_does_not_parse_back() {
        assert_round_trips(&[Id(0)]);
    }
}
