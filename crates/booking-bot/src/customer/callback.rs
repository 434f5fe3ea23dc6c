//! Inline-button data: one typed enum with a compact, versioned text codec.
//!
//! Telegram limits `callback_data` to 64 bytes and anyone can forge it, so buttons carry ids
//! only, never payloads, and every handler re-checks what a button asks for on the server.
//! The leading version (`v1:`) lets a later release tell an old button from garbage.

use std::{fmt, str::FromStr};

use booking_core::{
    ids::{BookingId, ServiceId, StaffId, WaitlistId},
    locale::Locale,
    time::{date_within_reach, within_reach},
};
use bot_kit::callback::{MAX_LEN, positive};
use chrono::{DateTime, NaiveDate, Utc};

/// The codec version written by this build.
const VERSION: &str = "v1";

/// A main-menu entry.
#[derive(Copy, Clone, Eq, PartialEq, Debug)]
pub enum MenuItem {
    /// Back to the main menu.
    Main,
    Book,
    MyBookings,
    About,
    Help,
    /// Past visits.
    Past,
}

impl MenuItem {
    const fn code(self) -> &'static str {
        match self {
            Self::Main => "main",
            Self::Book => "book",
            Self::MyBookings => "my",
            Self::About => "about",
            Self::Help => "help",
            Self::Past => "past",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "main" => Self::Main,
            "book" => Self::Book,
            "my" => Self::MyBookings,
            "about" => Self::About,
            "help" => Self::Help,
            "past" => Self::Past,
            _ => return None,
        })
    }
}

/// What a button asks for.
#[derive(Copy, Clone, Eq, PartialEq, Debug)]
pub enum CallbackData {
    /// A button that does nothing (calendar padding, a day that cannot be booked).
    Noop,
    Language(Locale),
    Menu(MenuItem),
    Service(ServiceId),
    /// A staff member, or `None` for "anyone free".
    Staff(Option<StaffId>),
    /// A calendar month.
    Month {
        year: i32,
        month: u32,
    },
    Day(NaiveDate),
    /// A start time (UTC, whole seconds).
    Time(DateTime<Utc>),
    /// Confirm this held booking.
    Confirm(BookingId),
    /// Ask whether to cancel this booking.
    CancelAsk(BookingId),
    /// Cancel it: the confirmation step was passed.
    CancelYes(BookingId),
    /// Start moving this booking to another time.
    RescheduleAsk(BookingId),
    /// Move the booking being rescheduled (from the dialogue state) to this start.
    RescheduleTo(DateTime<Utc>),
    /// Book the service (and staff member) of this past visit again.
    BookAgain(BookingId),
    /// "I'll be there" on a reminder.
    ConfirmVisit(BookingId),
    /// A 1-5 rating of a past visit, from the follow-up.
    Rate(BookingId, u8),
    /// A full day in the calendar: offers its waitlist.
    WaitDay(NaiveDate),
    /// Join the waitlist of this day (service and staff from the dialogue state).
    WaitJoin(NaiveDate),
    /// Take this freed start, offered to this waitlist entry.
    WaitTake(WaitlistId, DateTime<Utc>),
    /// Stop waiting: leave this waitlist entry (My bookings).
    WaitLeave(WaitlistId),
    /// Send this booking as an "add to calendar" file.
    CalendarFile(BookingId),
    /// A concrete time offered again (the "again" screen, a nudge): hold it and confirm.
    Offer {
        service: ServiceId,
        staff: StaffId,
        start: DateTime<Utc>,
    },
    /// The calendar for the service (and staff member) of this past visit.
    AgainCalendar(BookingId),
    /// "Not now" on a nudge or win-back.
    RepeatNotNow,
    /// "Stop these messages" on a nudge or win-back.
    RepeatStop,
}

/// Why button data was refused.
#[derive(Clone, Eq, PartialEq, Debug, thiserror::Error)]
pub enum CallbackError {
    /// Written by another (older or newer) version of the bot.
    #[error("callback data of an unknown codec version")]
    UnknownVersion,
    #[error("malformed callback data")]
    Malformed,
    /// Well formed, but carrying a time outside the years the platform deals in.
    #[error("callback data with a time out of reach")]
    OutOfDate,
}

impl fmt::Display for CallbackData {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{VERSION}:")?;
        match self {
            Self::Noop => f.write_str("n"),
            Self::Language(l) => write!(f, "l:{}", l.code()),
            Self::Menu(m) => write!(f, "m:{}", m.code()),
            Self::Service(id) => write!(f, "s:{id}"),
            Self::Staff(Some(id)) => write!(f, "f:{id}"),
            Self::Staff(None) => f.write_str("f:*"),
            Self::Month { year, month } => write!(f, "M:{year:04}{month:02}"),
            Self::Day(d) => write!(f, "d:{}", d.format("%Y%m%d")),
            Self::Time(t) => write!(f, "t:{}", t.timestamp()),
            Self::Confirm(id) => write!(f, "c:{id}"),
            Self::CancelAsk(id) => write!(f, "x:{id}"),
            Self::CancelYes(id) => write!(f, "X:{id}"),
            Self::RescheduleAsk(id) => write!(f, "r:{id}"),
            Self::RescheduleTo(t) => write!(f, "R:{}", t.timestamp()),
            Self::BookAgain(id) => write!(f, "a:{id}"),
            Self::ConfirmVisit(id) => write!(f, "v:{id}"),
            Self::Rate(id, n) => write!(f, "g:{id}:{n}"),
            Self::WaitDay(d) => write!(f, "w:{}", d.format("%Y%m%d")),
            Self::WaitJoin(d) => write!(f, "j:{}", d.format("%Y%m%d")),
            Self::WaitTake(id, t) => write!(f, "W:{id}:{}", t.timestamp()),
            Self::WaitLeave(id) => write!(f, "L:{id}"),
            Self::CalendarFile(id) => write!(f, "i:{id}"),
            Self::Offer {
                service,
                staff,
                start,
            } => write!(f, "o:{service}:{staff}:{}", start.timestamp()),
            Self::AgainCalendar(id) => write!(f, "A:{id}"),
            Self::RepeatNotNow => f.write_str("q"),
            Self::RepeatStop => f.write_str("Q"),
        }
    }
}

impl FromStr for CallbackData {
    type Err = CallbackError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.len() > MAX_LEN {
            return Err(CallbackError::Malformed);
        }
        let (version, rest) = s.split_once(':').ok_or(CallbackError::Malformed)?;
        if version != VERSION {
            // `v<digits>` is a version we do not speak; anything else is noise.
            let is_version = version
                .strip_prefix('v')
                .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()));
            return Err(if is_version {
                CallbackError::UnknownVersion
            } else {
                CallbackError::Malformed
            });
        }
        let (tag, arg) = rest.split_once(':').unwrap_or((rest, ""));
        let data = parse_v1(tag, arg).ok_or(CallbackError::Malformed)?;
        if data.within_reach() {
            Ok(data)
        } else {
            Err(CallbackError::OutOfDate)
        }
    }
}

fn parse_v1(tag: &str, arg: &str) -> Option<CallbackData> {
    use CallbackData as C;
    Some(match (tag, arg) {
        ("n", "") => C::Noop,
        ("q", "") => C::RepeatNotNow,
        ("Q", "") => C::RepeatStop,
        ("l", code) => C::Language(code.parse().ok()?),
        ("m", item) => C::Menu(MenuItem::parse(item)?),
        ("s", id) => C::Service(ServiceId(positive(id)?)),
        ("f", "*") => C::Staff(None),
        ("f", id) => C::Staff(Some(StaffId(positive(id)?))),
        ("M", ym) if ym.len() == 6 && ym.bytes().all(|b| b.is_ascii_digit()) => {
            let year = ym[..4].parse().ok()?;
            let month = ym[4..].parse().ok()?;
            NaiveDate::from_ymd_opt(year, month, 1)?;
            C::Month { year, month }
        }
        ("d", ymd) if ymd.len() == 8 => C::Day(date(ymd)?),
        ("t", secs) => C::Time(time(secs)?),
        ("c", id) => C::Confirm(BookingId(positive(id)?)),
        ("x", id) => C::CancelAsk(BookingId(positive(id)?)),
        ("X", id) => C::CancelYes(BookingId(positive(id)?)),
        ("r", id) => C::RescheduleAsk(BookingId(positive(id)?)),
        ("a", id) => C::BookAgain(BookingId(positive(id)?)),
        ("v", id) => C::ConfirmVisit(BookingId(positive(id)?)),
        ("i", id) => C::CalendarFile(BookingId(positive(id)?)),
        ("A", id) => C::AgainCalendar(BookingId(positive(id)?)),
        ("L", id) => C::WaitLeave(WaitlistId(positive(id)?)),
        ("o", rest) => {
            let mut parts = rest.splitn(3, ':');
            let service = ServiceId(positive(parts.next()?)?);
            let staff = StaffId(positive(parts.next()?)?);
            C::Offer {
                service,
                staff,
                start: time(parts.next()?)?,
            }
        }
        ("w", ymd) if ymd.len() == 8 => C::WaitDay(date(ymd)?),
        ("j", ymd) if ymd.len() == 8 => C::WaitJoin(date(ymd)?),
        ("W", rest) => {
            let (id, secs) = rest.split_once(':')?;
            C::WaitTake(WaitlistId(positive(id)?), time(secs)?)
        }
        ("g", rest) => {
            let (id, n) = rest.split_once(':')?;
            let n = u8::try_from(positive(n)?)
                .ok()
                .filter(|n| (1..=5).contains(n))?;
            C::Rate(BookingId(positive(id)?), n)
        }
        ("R", secs) => C::RescheduleTo(time(secs)?),
        _ => return None,
    })
}

fn time(secs: &str) -> Option<DateTime<Utc>> {
    DateTime::from_timestamp(positive(secs)?, 0)
}

fn date(ymd: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(ymd, "%Y%m%d").ok()
}

impl CallbackData {
    /// Whether every time and date the button carries falls in the years the platform deals
    /// in: a forged press carrying the year 262142 is "out of date", and never reaches date
    /// arithmetic that could overflow.
    fn within_reach(&self) -> bool {
        match self {
            Self::Month { year, .. } => booking_core::time::YEARS.contains(year),
            Self::Day(d) | Self::WaitDay(d) | Self::WaitJoin(d) => date_within_reach(*d),
            Self::Time(t)
            | Self::RescheduleTo(t)
            | Self::WaitTake(_, t)
            | Self::Offer { start: t, .. } => within_reach(*t),
            _ => true,
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn all_kinds() -> Vec<CallbackData> {
        use CallbackData as C;
        vec![
            C::Noop,
            C::Language(Locale::Ru),
            C::Language(Locale::En),
            C::Menu(MenuItem::Main),
            C::Menu(MenuItem::Book),
            C::Menu(MenuItem::MyBookings),
            C::Menu(MenuItem::About),
            C::Menu(MenuItem::Help),
            C::Menu(MenuItem::Past),
            C::Service(ServiceId(i64::MAX)),
            C::Staff(Some(StaffId(7))),
            C::Staff(None),
            C::Month {
                year: 2026,
                month: 12,
            },
            C::Day(NaiveDate::from_ymd_opt(2027, 1, 31).unwrap()),
            C::Time(Utc.with_ymd_and_hms(2099, 12, 31, 23, 59, 0).unwrap()),
            C::Confirm(BookingId(i64::MAX)),
            C::CancelAsk(BookingId(1)),
            C::CancelYes(BookingId(i64::MAX)),
            C::RescheduleAsk(BookingId(42)),
            C::BookAgain(BookingId(43)),
            C::ConfirmVisit(BookingId(i64::MAX)),
            C::Rate(BookingId(i64::MAX), 5),
            C::Rate(BookingId(1), 1),
            C::WaitDay(NaiveDate::from_ymd_opt(2026, 12, 9).unwrap()),
            C::WaitJoin(NaiveDate::from_ymd_opt(2026, 12, 9).unwrap()),
            C::WaitTake(
                WaitlistId(i64::MAX),
                Utc.with_ymd_and_hms(2099, 12, 31, 23, 59, 0).unwrap(),
            ),
            C::WaitLeave(WaitlistId(i64::MAX)),
            C::RescheduleTo(Utc.with_ymd_and_hms(2030, 1, 1, 6, 0, 0).unwrap()),
            C::CalendarFile(BookingId(i64::MAX)),
            C::Offer {
                service: ServiceId(i64::MAX),
                staff: StaffId(i64::MAX),
                start: Utc.with_ymd_and_hms(2099, 12, 31, 23, 59, 0).unwrap(),
            },
            C::AgainCalendar(BookingId(i64::MAX)),
            C::RepeatNotNow,
            C::RepeatStop,
        ]
    }

    #[test]
    fn every_kind_round_trips_within_telegrams_limit() {
        for data in all_kinds() {
            let text = data.to_string();
            assert!(text.len() <= MAX_LEN, "{text} is too long");
            assert!(text.starts_with("v1:"), "{text}");
            assert_eq!(text.parse::<CallbackData>(), Ok(data), "{text}");
        }
    }

    #[test]
    fn times_and_dates_out_of_reach_are_out_of_date_not_a_panic() {
        // 8_210_235_340_800 s is 262142-01-01.
        for data in [
            "v1:t:8210235340800",
            "v1:R:8210235340800",
            "v1:W:1:8210235340800",
            "v1:d:99991231",
            "v1:w:18000101",
            "v1:M:999912",
        ] {
            assert_eq!(
                data.parse::<CallbackData>(),
                Err(CallbackError::OutOfDate),
                "{data}"
            );
        }
        // Beyond what a timestamp can be at all: garbage.
        assert_eq!(
            format!("v1:t:{}", i64::MAX).parse::<CallbackData>(),
            Err(CallbackError::Malformed)
        );
    }

    #[test]
    fn another_version_is_told_apart_from_garbage() {
        assert_eq!(
            "v2:s:1".parse::<CallbackData>(),
            Err(CallbackError::UnknownVersion)
        );
        assert_eq!(
            "v0:n".parse::<CallbackData>(),
            Err(CallbackError::UnknownVersion)
        );
        for garbage in [
            "",
            "v1",
            "v1:",
            "v1:zz:1",
            "v:s:1",
            "select_service:1",
            "v1:s:-1",
            "v1:s:0",
            "v1:s:+1",
            "v1:s:1x",
            "v1:s:99999999999999999999",
            "v1:d:20270230",
            "v1:M:202613",
            "v1:t:abc",
            "v1:l:fr",
            "v1:m:admin",
            "v1:n:extra",
            "v1:g:1:0",
            "v1:g:1:6",
            "v1:g:1",
            "v1:v:x",
            "v1:w:2026139",
            "v1:W:1",
            "v1:W:0:1",
            "v1:L:0",
            "v1:L:",
            "v1:o:1:2",
            "v1:o:1:0:1700000000",
            "v1:o:1:2:1700000000:9",
        ] {
            assert_eq!(
                garbage.parse::<CallbackData>(),
                Err(CallbackError::Malformed),
                "{garbage:?}"
            );
        }
        assert_eq!(
            "v1:n".repeat(20).parse::<CallbackData>(),
            Err(CallbackError::Malformed)
        );
    }
}
