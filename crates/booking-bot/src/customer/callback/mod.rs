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
use storage::tenant::{
    bookings::series::{Every, Times},
    brought_back::BroughtBy,
};

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
    /// Book the service (and staff member) of this past visit again; from the message of
    /// that kind, if any (the booking is attributed to it).
    BookAgain(BookingId, Option<BroughtBy>),
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
        from: Option<BroughtBy>,
    },
    /// The calendar for the service (and staff member) of this past visit.
    AgainCalendar(BookingId, Option<BroughtBy>),
    /// "Not now" on a nudge or win-back.
    RepeatNotNow,
    /// "Stop these messages" on a nudge or win-back.
    RepeatStop,
    /// Repeat this held booking: how often?
    SeriesEvery(BookingId),
    /// Repeat it this often: how many times?
    SeriesTimes(BookingId, Every),
    /// The plan of the series: which dates are free, and what instead of the others.
    SeriesPlan(BookingId, Every, Times),
    /// Book the planned series; `true` takes the times offered instead of the taken ones.
    SeriesBook(BookingId, bool),
    /// Back to the confirm screen of this hold.
    ConfirmAgain(BookingId),
    /// Cancel this booking and the rest of its series.
    CancelRest(BookingId),
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
            Self::BookAgain(id, from) => write!(f, "a:{id}{}", suffix(*from)),
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
                from,
            } => write!(
                f,
                "o:{service}:{staff}:{}{}",
                start.timestamp(),
                suffix(*from)
            ),
            Self::AgainCalendar(id, from) => write!(f, "A:{id}{}", suffix(*from)),
            Self::RepeatNotNow => f.write_str("q"),
            Self::RepeatStop => f.write_str("Q"),
            Self::SeriesEvery(id) => write!(f, "e:{id}"),
            Self::SeriesTimes(id, every) => write!(f, "E:{id}:{}", every.get()),
            Self::SeriesPlan(id, every, times) => {
                write!(f, "p:{id}:{}:{}", every.get(), times.get())
            }
            Self::SeriesBook(id, instead) => write!(f, "b:{id}:{}", u8::from(*instead)),
            Self::ConfirmAgain(id) => write!(f, "C:{id}"),
            Self::CancelRest(id) => write!(f, "Z:{id}"),
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
        ("a", rest) => {
            let (id, from) = with_from(rest)?;
            C::BookAgain(BookingId(positive(id)?), from)
        }
        ("v", id) => C::ConfirmVisit(BookingId(positive(id)?)),
        ("i", id) => C::CalendarFile(BookingId(positive(id)?)),
        ("A", rest) => {
            let (id, from) = with_from(rest)?;
            C::AgainCalendar(BookingId(positive(id)?), from)
        }
        ("L", id) => C::WaitLeave(WaitlistId(positive(id)?)),
        ("o", rest) => {
            let (rest, from) = with_from(rest)?;
            let mut parts = rest.splitn(3, ':');
            let service = ServiceId(positive(parts.next()?)?);
            let staff = StaffId(positive(parts.next()?)?);
            C::Offer {
                service,
                staff,
                start: time(parts.next()?)?,
                from,
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
        ("e", id) => C::SeriesEvery(BookingId(positive(id)?)),
        ("C", id) => C::ConfirmAgain(BookingId(positive(id)?)),
        ("Z", id) => C::CancelRest(BookingId(positive(id)?)),
        ("E", rest) => {
            let (id, every) = rest.split_once(':')?;
            C::SeriesTimes(BookingId(positive(id)?), every_of(every)?)
        }
        ("p", rest) => {
            let mut parts = rest.splitn(3, ':');
            let id = BookingId(positive(parts.next()?)?);
            let every = every_of(parts.next()?)?;
            let times = Times::new(small(parts.next()?)?)?;
            C::SeriesPlan(id, every, times)
        }
        ("b", rest) => {
            let (id, instead) = rest.split_once(':')?;
            let instead = match instead {
                "0" => false,
                "1" => true,
                _ => return None,
            };
            C::SeriesBook(BookingId(positive(id)?), instead)
        }
        _ => return None,
    })
}

/// ":n" after a button's own data: the kind of message it came from.
fn suffix(from: Option<BroughtBy>) -> String {
    from.map(|k| format!(":{}", k.letter())).unwrap_or_default()
}

/// A button's data and the kind of message after its last ':', if that is one; `None` for a
/// trailing part that is neither a kind nor part of the data.
fn with_from(rest: &str) -> Option<(&str, Option<BroughtBy>)> {
    match rest.rsplit_once(':') {
        Some((head, tail)) if tail.bytes().all(|b| b.is_ascii_alphabetic()) => {
            Some((head, Some(BroughtBy::from_letter(tail)?)))
        }
        _ => Some((rest, None)),
    }
}

fn small(n: &str) -> Option<u8> {
    u8::try_from(positive(n)?).ok()
}

fn every_of(weeks: &str) -> Option<Every> {
    Every::weeks(small(weeks)?)
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
mod tests;
