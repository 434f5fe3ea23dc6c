//! Parsing what admins type: dates, times, periods, phone numbers. Each error names what was
//! wrong, and a bad text changes nothing (the step waits for a corrected one).

use booking_core::{Tz, schedule::LocalRange, time::Interval};
use chrono::{DateTime, Datelike as _, Duration, NaiveDate, NaiveDateTime, NaiveTime, Utc};

/// Why a typed value was refused, in words an admin can act on.
#[derive(Clone, Debug, Eq, PartialEq, thiserror::Error)]
pub enum InputError {
    #[error("not a date: {0:?} (use DD.MM.YYYY)")]
    Date(String),
    #[error("not a time: {0:?} (use HH:MM)")]
    Time(String),
    #[error("not a time range: {0:?} (use HH:MM-HH:MM)")]
    Range(String),
    #[error("{0} does not exist in the business's time zone (clock change)")]
    NoSuchLocalTime(String),
    #[error("the end must be after the start")]
    Order,
    #[error("not a phone number: {0:?}")]
    Phone(String),
    #[error("the name must be 1 to 100 characters")]
    Name,
    #[error("expected {0}")]
    Shape(&'static str),
    #[error("{0}")]
    Other(String),
}

/// "DD.MM.YYYY", or "DD.MM" meaning the next such date from `today`.
pub fn date(s: &str, today: NaiveDate) -> Result<NaiveDate, InputError> {
    let s = s.trim();
    if let Ok(d) = NaiveDate::parse_from_str(s, "%d.%m.%Y") {
        return Ok(d);
    }
    let bad = || InputError::Date(s.to_owned());
    let (d, m) = s.split_once('.').ok_or_else(bad)?;
    let (d, m): (u32, u32) = (d.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?);
    let this_year = NaiveDate::from_ymd_opt(today.year(), m, d).ok_or_else(bad)?;
    if this_year >= today {
        Ok(this_year)
    } else {
        NaiveDate::from_ymd_opt(today.year() + 1, m, d).ok_or_else(bad)
    }
}

pub fn time(s: &str) -> Result<NaiveTime, InputError> {
    NaiveTime::parse_from_str(s.trim(), "%H:%M").map_err(|_| InputError::Time(s.trim().to_owned()))
}

pub fn range(s: &str) -> Result<LocalRange, InputError> {
    LocalRange::parse(s.trim()).map_err(|_| InputError::Range(s.trim().to_owned()))
}

/// A local wall-clock time as an instant; a time skipped by a clock change is refused, a
/// repeated one means its first occurrence.
pub fn instant(zone: Tz, at: NaiveDateTime) -> Result<DateTime<Utc>, InputError> {
    at.and_local_timezone(zone)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
        .ok_or_else(|| InputError::NoSuchLocalTime(at.format("%d.%m.%Y %H:%M").to_string()))
}

/// "DD.MM.YYYY HH:MM" (or "DD.MM HH:MM") in the business's zone.
pub fn start(s: &str, zone: Tz, today: NaiveDate) -> Result<DateTime<Utc>, InputError> {
    let s = s.trim();
    let (d, t) = s
        .split_once(' ')
        .ok_or(InputError::Shape("DD.MM.YYYY HH:MM"))?;
    instant(zone, date(d, today)?.and_time(time(t)?))
}

/// Local midnight at the start of `day`.
pub fn midnight(zone: Tz, day: NaiveDate) -> Result<DateTime<Utc>, InputError> {
    instant(zone, day.and_time(NaiveTime::MIN))
}

/// What an admin blocks: "DD.MM.YYYY" (the whole day), "DD.MM.YYYY HH:MM-HH:MM", or
/// "DD.MM.YYYY-DD.MM.YYYY" (whole days, both included).
pub fn period(s: &str, zone: Tz, today: NaiveDate) -> Result<Interval, InputError> {
    let s = s.trim();
    let (start, end) = if let Some((d, r)) = s.split_once(' ') {
        let day = date(d, today)?;
        let r = range(r)?;
        (
            instant(zone, day.and_time(r.start()))?,
            instant(zone, day.and_time(r.end()))?,
        )
    } else if let Some((a, b)) = s.split_once('-') {
        let (a, b) = (date(a, today)?, date(b, today)?);
        if b < a {
            return Err(InputError::Order);
        }
        (midnight(zone, a)?, midnight(zone, b + Duration::days(1))?)
    } else {
        let day = date(s, today)?;
        (
            midnight(zone, day)?,
            midnight(zone, day + Duration::days(1))?,
        )
    };
    Interval::new(start, end).ok_or(InputError::Order)
}

/// A phone number as typed: digits with `+`, spaces, dashes and brackets; 5 to 15 digits.
pub fn phone(s: &str) -> Result<String, InputError> {
    let s = s.trim();
    let allowed = s
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, '+' | ' ' | '-' | '(' | ')'));
    let digits = s.chars().filter(char::is_ascii_digit).count();
    if !allowed || !(5..=15).contains(&digits) {
        return Err(InputError::Phone(s.to_owned()));
    }
    Ok(s.to_owned())
}

/// A person's name: 1 to 100 characters, no control characters.
pub fn name(s: &str) -> Result<String, InputError> {
    let s = s.trim();
    if s.is_empty() || s.chars().count() > 100 || s.chars().any(char::is_control) {
        return Err(InputError::Name);
    }
    Ok(s.to_owned())
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone as _;

    use super::*;

    const MOSCOW: Tz = chrono_tz::Europe::Moscow;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 24).unwrap()
    }

    #[test]
    fn dates_without_a_year_are_the_next_one() {
        assert_eq!(
            date("01.12", today()),
            Ok(NaiveDate::from_ymd_opt(2026, 12, 1).unwrap())
        );
        assert_eq!(
            date("01.01", today()),
            Ok(NaiveDate::from_ymd_opt(2027, 1, 1).unwrap())
        );
        assert!(matches!(
            date("31.02.2027", today()),
            Err(InputError::Date(_))
        ));
    }

    #[test]
    fn periods_in_each_form() {
        let day = period("25.11.2026", MOSCOW, today()).unwrap();
        assert_eq!(
            day.start,
            Utc.with_ymd_and_hms(2026, 11, 24, 21, 0, 0).unwrap()
        );
        assert_eq!(day.end - day.start, Duration::days(1));
        let part = period("25.11.2026 10:00-12:30", MOSCOW, today()).unwrap();
        assert_eq!(
            part.start,
            Utc.with_ymd_and_hms(2026, 11, 25, 7, 0, 0).unwrap()
        );
        assert_eq!(part.end - part.start, Duration::minutes(150));
        let days = period("25.11.2026-27.11.2026", MOSCOW, today()).unwrap();
        assert_eq!(days.end - days.start, Duration::days(3));
        assert_eq!(
            period("27.11.2026-25.11.2026", MOSCOW, today()),
            Err(InputError::Order)
        );
        assert!(matches!(
            period("25.11.2026 12:00-10:00", MOSCOW, today()),
            Err(InputError::Range(_))
        ));
    }

    #[test]
    fn a_time_skipped_by_a_clock_change_is_refused() {
        let berlin: Tz = chrono_tz::Europe::Berlin;
        assert!(matches!(
            start("29.03.2026 02:30", berlin, today()),
            Err(InputError::NoSuchLocalTime(_))
        ));
    }

    #[test]
    fn phones_and_names() {
        assert_eq!(
            phone(" +7 (900) 123-45-67 "),
            Ok("+7 (900) 123-45-67".to_owned())
        );
        assert!(phone("call me").is_err());
        assert!(phone("123").is_err());
        assert!(name("").is_err());
        assert_eq!(name(" Bob "), Ok("Bob".to_owned()));
    }
}
