//! Parsing what admins type: dates, times, periods, phone numbers. Each error names what was
//! wrong, and a bad text changes nothing (the step waits for a corrected one).

use booking_core::{
    Tz,
    catalogue::{CatalogueError, Minutes},
    phone::Phone,
    policy::PolicyError,
    schedule::{LocalRange, ScheduleError},
    time::Interval,
};
use chrono::{DateTime, Datelike as _, Duration, NaiveDate, NaiveDateTime, NaiveTime, Utc};

/// Why a typed value was refused. What the admin reads is [`InputError::say`], in their
/// language; `Display` is for logs.
#[derive(Debug, Eq, PartialEq, thiserror::Error)]
pub enum InputError {
    #[error("not a date: {0:?}")]
    Date(String),
    #[error("not a time: {0:?}")]
    Time(String),
    #[error("not a time range: {0:?}")]
    Range(String),
    #[error("{0} does not exist in the business's time zone")]
    NoSuchLocalTime(String),
    #[error("the end must be after the start")]
    Order,
    #[error("not a phone number: {0:?}")]
    Phone(String),
    #[error("bad name")]
    Name,
    #[error("expected {0:?}")]
    Shape(Shape),
    #[error("not a duration: {0:?}")]
    Minutes(String),
    #[error("not a number: {0:?}")]
    Number(String),
    #[error("not a price: {0:?}")]
    Price(String),
    #[error("unknown weekday {0:?}")]
    Weekday(String),
    #[error("unknown setting {0:?}")]
    Setting(String),
    #[error("longer than {0} characters")]
    TooLong(usize),
    #[error(transparent)]
    Catalogue(#[from] CatalogueError),
    #[error(transparent)]
    Schedule(#[from] ScheduleError),
    #[error(transparent)]
    Policy(#[from] PolicyError),
}

/// The form a typed step expects, named when the text does not have it.
#[derive(Copy, Clone, Debug, Eq, PartialEq)]
pub enum Shape {
    /// "DD.MM.YYYY HH:MM".
    Start,
    /// "name; duration; price".
    Service,
    /// "weekday hours".
    WeekLine,
    /// "date off|normal|hours".
    Exception,
    /// "name value".
    Setting,
    /// "updates/seconds".
    RateLimit,
    /// "date and time; name; phone".
    PhoneIn,
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
    let (d, t) = s.split_once(' ').ok_or(InputError::Shape(Shape::Start))?;
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

/// A span of time as people type it, in Russian or English: "90", "90 мин", "1 час",
/// "1 ч 30 мин", "1,5 часа", "2h", "1 hour 15 min". A bare number is minutes.
pub fn duration(s: &str) -> Result<Minutes, InputError> {
    let s = s.trim();
    let bad = || InputError::Minutes(s.to_owned());
    let lower = s.to_lowercase();
    // Numbers and words, split where one kind of character gives way to the other.
    let mut tokens: Vec<(bool, String)> = Vec::new();
    for c in lower.chars() {
        if c.is_whitespace() {
            tokens.push((false, String::new()));
            continue;
        }
        let numeric = c.is_ascii_digit() || c == '.' || c == ',';
        match tokens.last_mut() {
            Some((kind, t)) if !t.is_empty() && *kind == numeric => t.push(c),
            _ => tokens.push((numeric, c.to_string())),
        }
    }
    let mut tokens = tokens
        .into_iter()
        .filter(|(_, t)| !t.is_empty() && !matches!(t.as_str(), "и" | "and"));
    let mut total: i64 = 0;
    let mut seen = false;
    while let Some((numeric, number)) = tokens.next() {
        if !numeric {
            return Err(bad());
        }
        let unit = match tokens.next() {
            None => Unit::Minutes,
            Some((false, word)) => Unit::of(&word).ok_or_else(bad)?,
            Some((true, _)) => return Err(bad()),
        };
        let (whole, frac) = number.split_once(['.', ',']).unwrap_or((&number, ""));
        let whole: i64 = whole.parse().map_err(|_| bad())?;
        let minutes = match unit {
            Unit::Minutes if frac.is_empty() => whole,
            Unit::Minutes => return Err(bad()),
            Unit::Hours => {
                let frac_minutes = if frac.is_empty() {
                    0
                } else {
                    let digits = u32::try_from(frac.len()).map_err(|_| bad())?;
                    let scale = 10_i64.checked_pow(digits).ok_or_else(bad)?;
                    let f: i64 = frac.parse().map_err(|_| bad())?;
                    if (f * 60) % scale != 0 {
                        return Err(bad());
                    }
                    f * 60 / scale
                };
                whole.checked_mul(60).ok_or_else(bad)? + frac_minutes
            }
        };
        total = total.checked_add(minutes).ok_or_else(bad)?;
        seen = true;
    }
    if !seen {
        return Err(bad());
    }
    Ok(Minutes::checked(total)?)
}

enum Unit {
    Hours,
    Minutes,
}

impl Unit {
    fn of(word: &str) -> Option<Self> {
        match word {
            "ч" | "час" | "часа" | "часов" | "h" | "hr" | "hrs" | "hour" | "hours" => {
                Some(Self::Hours)
            }
            "м" | "мин" | "минута" | "минуты" | "минут" | "минуту" | "m" | "min" | "mins"
            | "minute" | "minutes" => Some(Self::Minutes),
            _ => None,
        }
    }
}

/// A whole number, such as a count of days.
pub fn number<T: std::str::FromStr>(s: &str) -> Result<T, InputError> {
    s.trim()
        .parse()
        .map_err(|_| InputError::Number(s.trim().to_owned()))
}

/// A phone number as typed, in its one stored form ("8 900 123-45-67" → "+79001234567"), so
/// a customer who shared the number in Telegram is found by it.
pub fn phone(s: &str) -> Result<String, InputError> {
    Phone::parse(s)
        .map(String::from)
        .map_err(|_| InputError::Phone(s.trim().to_owned()))
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
    fn durations_in_both_languages() {
        let m = |s: &str| duration(s).map(Minutes::get);
        assert_eq!(m("90"), Ok(90));
        assert_eq!(m("90 мин"), Ok(90));
        assert_eq!(m("90мин"), Ok(90));
        assert_eq!(m("1 час"), Ok(60));
        assert_eq!(m("1 ч 30 мин"), Ok(90));
        assert_eq!(m("1 час и 30 минут"), Ok(90));
        assert_eq!(m("1,5 часа"), Ok(90));
        assert_eq!(m("2h"), Ok(120));
        assert_eq!(m("1 hour 15 min"), Ok(75));
        assert_eq!(m("1.3 ч"), Ok(78));
        assert!(matches!(duration("час"), Err(InputError::Minutes(_))));
        assert!(matches!(duration("1 2"), Err(InputError::Minutes(_))));
        assert!(matches!(duration("1 день"), Err(InputError::Minutes(_))));
        assert!(matches!(duration("1.5 мин"), Err(InputError::Minutes(_))));
        assert!(matches!(duration(""), Err(InputError::Minutes(_))));
        assert!(matches!(duration("200 ч"), Err(InputError::Catalogue(_))));
    }

    #[test]
    fn phones_and_names() {
        assert_eq!(phone(" 8 (900) 123-45-67 "), Ok("+79001234567".to_owned()));
        assert!(phone("call me").is_err());
        assert!(phone("123").is_err());
        assert!(name("").is_err());
        assert_eq!(name(" Bob "), Ok("Bob".to_owned()));
    }
}
