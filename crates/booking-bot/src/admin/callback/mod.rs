//! Admin-panel button data: its own versioned codec (`a1:`), apart from the customer one, so
//! the two evolve separately and the router tells them apart by the prefix alone.
//!
//! Buttons carry ids only. Anyone can forge them, and an admin demoted since the button was
//! drawn still holds it, so every action re-reads the presser's role from the database.

use std::{fmt, str::FromStr};

use booking_core::ids::{BlockId, BookingId, ServiceId, StaffId, TelegramUserId};
use booking_core::locale::Locale;
use bot_kit::callback::{MAX_LEN, positive};
use chrono::NaiveDate;

use crate::texts::Key;
use choices::{Audience, Field, PreviewChoice, Report, RoleCode};
use payment::{AccountPart, PayChoice};
use setup::{LinkTarget, ProfileField};
use storage::tenant::repeat_visits::WinBackKind;

/// The choices some buttons carry: a report, an audience, a role, a catalogue field.
pub mod choices;
/// What the prepayment buttons carry: a choice of terms, a part of the payment account.
pub mod payment;
/// What the setup and links buttons carry: a profile field, a link's target.
pub mod setup;

/// The prefix of every admin button; the version after `a` is bumped on incompatible change.
pub const PREFIX: &str = "a1:";

/// What an admin button asks for.
#[derive(Copy, Clone, Eq, PartialEq, Debug)]
pub enum AdminAction {
    /// The panel's main menu.
    Menu,
    /// One day's bookings, for a staff member or everyone.
    Day {
        staff: Option<StaffId>,
        date: NaiveDate,
    },
    /// Seven days from `date`.
    Week {
        staff: Option<StaffId>,
        date: NaiveDate,
    },
    /// A booking's details.
    Booking(BookingId),
    Done(BookingId),
    NoShow(BookingId),
    CancelAsk(BookingId),
    CancelYes(BookingId),
    /// Asks for the new time of a booking (typed).
    Move(BookingId),
    /// Asks for the note on a booking (typed).
    NoteBooking(BookingId),
    /// Asks for the note on a booking's customer (typed).
    NoteCustomer(BookingId),
    /// A booking for a customer who phoned in: pick the service.
    PhoneIn,
    /// ...then the staff member.
    PhoneInService(ServiceId),
    /// ...then the time, name and phone are typed.
    PhoneInStaff(ServiceId, StaffId),
    /// Book the phoned-in series planned (waiting in Redis); `true` with the times instead.
    PhoneInSeries(bool),
    /// Availability: blocks, hours, exceptions, policy.
    Availability,
    /// Blocks from today on.
    Blocks,
    /// Who waits for which day, one page (a staff member sees what they could give).
    Waitlist(u32),
    /// Asks for the period to block, for one staff member or everyone.
    BlockNew(Option<StaffId>),
    Unblock(BlockId),
    /// Shows and asks for the weekly hours of a staff member or the business.
    Hours(Option<StaffId>),
    /// Asks for an exception (day off, special hours).
    Exception(Option<StaffId>),
    /// Shows and asks for the booking policy.
    Policy,
    /// "Can't work today": asks to confirm.
    CantWorkAsk(StaffId),
    CantWorkYes(StaffId),
    /// The services, including switched-off ones.
    Services,
    Service(ServiceId),
    ServiceToggle(ServiceId),
    ServiceUp(ServiceId),
    /// Asks for a new value of one field.
    ServiceEdit(ServiceId, Field),
    ServiceNew,
    /// The staff, including switched-off members.
    StaffList,
    StaffItem(StaffId),
    StaffToggle(StaffId),
    StaffUp(StaffId),
    StaffRename(StaffId),
    /// Whether the staff member gives the service (toggled).
    StaffGives(StaffId, ServiceId),
    StaffNew,
    /// The admins (owners only).
    Admins,
    AdminItem(TelegramUserId),
    AdminSetRole(TelegramUserId, RoleCode),
    AdminRemoveAsk(TelegramUserId),
    AdminRemove(TelegramUserId),
    /// Asks for a Telegram id or a forwarded message.
    AdminAdd,
    /// The audit log, newest first, one page.
    Audit(u32),
    AuditCsv,
    /// The exports menu.
    Exports,
    ExportBookings,
    ExportCustomers,
    /// Broadcast: choose the segment.
    Broadcast,
    /// ...then the text is typed.
    BroadcastSegment(Audience),
    /// Send the previewed draft.
    BroadcastSend(u64),
    /// Drop the draft.
    BroadcastDrop(u64),
    /// Stop a broadcast being sent.
    BroadcastStop(u64),
    /// The analytics menu.
    AnalyticsMenu,
    /// One report, with its chart.
    Analytics(Report),
    /// The text keys, a page of them.
    TextsPage(u32),
    /// One key: its defaults and overrides.
    TextKey(Key),
    /// Asks for a new text of the key in a language.
    TextSet(Key, Locale),
    /// Back to the default in a language.
    TextReset(Key, Locale),
    /// The choice on a preview of a change that touches bookings (the change itself waits in
    /// Redis for this chat).
    Preview(PreviewChoice),
    /// The setup checklist: what the bot still needs before it can take bookings.
    Setup,
    /// Asks for the About text, the address or the contacts (typed).
    ProfileEdit(ProfileField),
    /// The bot's links (the bot, each service, each staff member) with a source tag.
    Links,
    /// One link's QR code, as a picture.
    LinkQr(LinkTarget),
    /// The calendar feed of a staff member or the business: whether it is live.
    Feed(Option<StaffId>),
    /// A new feed link (the old one stops working).
    FeedNew(Option<StaffId>),
    /// The feed link revoked.
    FeedRevoke(Option<StaffId>),
    /// Repeat visits: each service's interval and the win-backs.
    Repeat,
    /// One service's repeat interval, to choose.
    RepeatService(ServiceId),
    /// A service's repeat interval in days (0: off).
    RepeatSet(ServiceId, u16),
    /// A win-back's delay in days (0: off).
    WinBackSet(WinBackKind, u16),
    /// Refunds to give back by hand, and those to decide.
    Refunds,
    /// A refund (its row id) given back by hand.
    RefundDone(i64),
    /// A payment left to the owner: give it back...
    RefundGive(i64),
    /// ...or keep it.
    RefundKeep(i64),
    /// A service's payment terms: what is paid at booking, the timeout, the refund policy.
    ServicePay(ServiceId),
    /// One choice of them.
    ServicePaySet(ServiceId, PayChoice),
    /// The payment account (owners only): provider token, YooKassa shop, VAT code.
    PayAccount,
    /// Asks for a part of the account (typed; the message is deleted once read).
    PayAccountAsk(AccountPart),
    /// Removes a part of the account.
    PayAccountClear(AccountPart),
    /// The VAT codes to choose from.
    PayVatMenu,
    /// The VAT code of receipts (`None`: no receipt data).
    PayVat(Option<i16>),
}

/// Why admin button data was refused.
#[derive(Clone, Eq, PartialEq, Debug, thiserror::Error)]
#[error("malformed admin button data")]
pub struct Malformed;

impl AdminAction {
    /// Every tag the codec writes, so tests can prove they cover each kind of button.
    pub const TAGS: &'static [&'static str] = &[
        "m", "d", "w", "b", "o", "O", "x", "X", "v", "Nb", "Nc", "p", "ps", "pf", "av", "bl", "bn",
        "u", "h", "e", "P", "c", "C", "sv", "s", "st", "su", "se", "sn", "fl", "f", "ft", "fu",
        "fr", "fs", "fn", "ad", "ai", "ar", "aR", "aX", "aa", "al", "ax", "ex", "eb", "ec", "bc",
        "bg", "bS", "bD", "bX", "an", "ar1", "tp", "tk", "ts", "tx", "pv", "go", "pr", "lk", "lq",
        "ic", "iN", "iX", "rp", "rv", "rS", "wb", "pz", "wl", "rf", "rd", "rg", "rk", "sp", "sP",
        "pa", "pA", "pX", "pW", "pV",
    ];

    /// The tag this action is written under.
    #[must_use]
    pub const fn tag(self) -> &'static str {
        match self {
            Self::Menu => "m",
            Self::Day { .. } => "d",
            Self::Week { .. } => "w",
            Self::Booking(_) => "b",
            Self::Done(_) => "o",
            Self::NoShow(_) => "O",
            Self::CancelAsk(_) => "x",
            Self::CancelYes(_) => "X",
            Self::Move(_) => "v",
            Self::NoteBooking(_) => "Nb",
            Self::NoteCustomer(_) => "Nc",
            Self::PhoneIn => "p",
            Self::PhoneInService(_) => "ps",
            Self::PhoneInStaff(..) => "pf",
            Self::Availability => "av",
            Self::Blocks => "bl",
            Self::Waitlist(_) => "wl",
            Self::BlockNew(_) => "bn",
            Self::Unblock(_) => "u",
            Self::Hours(_) => "h",
            Self::Exception(_) => "e",
            Self::Policy => "P",
            Self::CantWorkAsk(_) => "c",
            Self::CantWorkYes(_) => "C",
            Self::Services => "sv",
            Self::Service(_) => "s",
            Self::ServiceToggle(_) => "st",
            Self::ServiceUp(_) => "su",
            Self::ServiceEdit(..) => "se",
            Self::ServiceNew => "sn",
            Self::StaffList => "fl",
            Self::StaffItem(_) => "f",
            Self::StaffToggle(_) => "ft",
            Self::StaffUp(_) => "fu",
            Self::StaffRename(_) => "fr",
            Self::StaffGives(..) => "fs",
            Self::StaffNew => "fn",
            Self::Admins => "ad",
            Self::AdminItem(_) => "ai",
            Self::AdminSetRole(..) => "ar",
            Self::AdminRemoveAsk(_) => "aR",
            Self::AdminRemove(_) => "aX",
            Self::AdminAdd => "aa",
            Self::Audit(_) => "al",
            Self::AuditCsv => "ax",
            Self::Exports => "ex",
            Self::ExportBookings => "eb",
            Self::ExportCustomers => "ec",
            Self::Broadcast => "bc",
            Self::BroadcastSegment(_) => "bg",
            Self::BroadcastSend(_) => "bS",
            Self::BroadcastDrop(_) => "bD",
            Self::BroadcastStop(_) => "bX",
            Self::AnalyticsMenu => "an",
            Self::Analytics(_) => "ar1",
            Self::TextsPage(_) => "tp",
            Self::TextKey(_) => "tk",
            Self::TextSet(..) => "ts",
            Self::TextReset(..) => "tx",
            Self::Preview(_) => "pv",
            Self::Setup => "go",
            Self::ProfileEdit(_) => "pr",
            Self::Links => "lk",
            Self::LinkQr(_) => "lq",
            Self::Feed(_) => "ic",
            Self::FeedNew(_) => "iN",
            Self::FeedRevoke(_) => "iX",
            Self::Repeat => "rp",
            Self::RepeatService(_) => "rv",
            Self::RepeatSet(..) => "rS",
            Self::WinBackSet(..) => "wb",
            Self::PhoneInSeries(_) => "pz",
            Self::Refunds => "rf",
            Self::RefundDone(_) => "rd",
            Self::RefundGive(_) => "rg",
            Self::RefundKeep(_) => "rk",
            Self::ServicePay(_) => "sp",
            Self::ServicePaySet(..) => "sP",
            Self::PayAccount => "pa",
            Self::PayAccountAsk(_) => "pA",
            Self::PayAccountClear(_) => "pX",
            Self::PayVatMenu => "pW",
            Self::PayVat(_) => "pV",
        }
    }

    /// Whether `data` is admin button data (well-formed or not).
    #[must_use]
    pub fn is_admin_data(data: &str) -> bool {
        data.starts_with("a1:")
            || data.strip_prefix('a').is_some_and(|r| {
                r.split_once(':')
                    .is_some_and(|(v, _)| !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()))
            })
    }
}

fn staff_code(staff: Option<StaffId>) -> String {
    staff.map_or_else(|| "*".to_owned(), |s| s.to_string())
}

impl fmt::Display for AdminAction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{PREFIX}{}", self.tag())?;
        match *self {
            Self::Menu
            | Self::PhoneIn
            | Self::Availability
            | Self::Blocks
            | Self::Policy
            | Self::Services
            | Self::ServiceNew
            | Self::StaffList
            | Self::StaffNew
            | Self::Admins
            | Self::AdminAdd
            | Self::AuditCsv
            | Self::Exports
            | Self::ExportBookings
            | Self::ExportCustomers
            | Self::Broadcast
            | Self::AnalyticsMenu
            | Self::Setup
            | Self::Links
            | Self::Repeat
            | Self::Refunds
            | Self::PayAccount
            | Self::PayVatMenu => Ok(()),
            Self::ServicePay(s) => write!(f, ":{s}"),
            Self::ServicePaySet(s, choice) => write!(f, ":{s}:{choice}"),
            Self::PayAccountAsk(part) | Self::PayAccountClear(part) => {
                write!(f, ":{}", part.code())
            }
            Self::PayVat(code) => write!(f, ":{}", code.unwrap_or(0)),
            Self::RefundDone(id) | Self::RefundGive(id) | Self::RefundKeep(id) => {
                write!(f, ":{id}")
            }
            Self::ProfileEdit(field) => write!(f, ":{}", field.code()),
            Self::LinkQr(target) => write!(f, ":{target}"),
            Self::RepeatService(s) => write!(f, ":{s}"),
            Self::RepeatSet(s, days) => write!(f, ":{s}:{days}"),
            Self::WinBackSet(kind, days) => write!(f, ":{}:{days}", kind.code()),
            Self::Analytics(r) => write!(f, ":{}", r.code()),
            Self::Preview(c) => write!(f, ":{}", c.code()),
            Self::TextsPage(page) => write!(f, ":{page}"),
            Self::TextKey(key) => write!(f, ":{}", key.code()),
            Self::TextSet(key, l) | Self::TextReset(key, l) => {
                write!(f, ":{}:{}", key.code(), l.code())
            }
            Self::BroadcastSegment(a) => write!(f, ":{}", a.code()),
            Self::BroadcastSend(id) | Self::BroadcastDrop(id) | Self::BroadcastStop(id) => {
                write!(f, ":{id}")
            }
            Self::AdminItem(id) | Self::AdminRemoveAsk(id) | Self::AdminRemove(id) => {
                write!(f, ":{id}")
            }
            Self::AdminSetRole(id, role) => write!(f, ":{id}:{role}"),
            Self::Audit(page) | Self::Waitlist(page) => write!(f, ":{page}"),
            Self::Day { staff, date } | Self::Week { staff, date } => {
                write!(f, ":{}:{}", staff_code(staff), date.format("%Y%m%d"))
            }
            Self::Booking(id)
            | Self::Done(id)
            | Self::NoShow(id)
            | Self::CancelAsk(id)
            | Self::CancelYes(id)
            | Self::Move(id)
            | Self::NoteBooking(id)
            | Self::NoteCustomer(id) => write!(f, ":{id}"),
            Self::PhoneInService(s) => write!(f, ":{s}"),
            Self::PhoneInStaff(s, st) => write!(f, ":{s}:{st}"),
            Self::BlockNew(staff)
            | Self::Hours(staff)
            | Self::Exception(staff)
            | Self::Feed(staff)
            | Self::FeedNew(staff)
            | Self::FeedRevoke(staff) => {
                write!(f, ":{}", staff_code(staff))
            }
            Self::Unblock(id) => write!(f, ":{id}"),
            Self::CantWorkAsk(s)
            | Self::CantWorkYes(s)
            | Self::StaffItem(s)
            | Self::StaffToggle(s)
            | Self::StaffUp(s)
            | Self::StaffRename(s) => write!(f, ":{s}"),
            Self::Service(s) | Self::ServiceToggle(s) | Self::ServiceUp(s) => write!(f, ":{s}"),
            Self::ServiceEdit(s, field) => write!(f, ":{s}:{}", field.code()),
            Self::StaffGives(st, s) => write!(f, ":{st}:{s}"),
            Self::PhoneInSeries(instead) => write!(f, ":{}", u8::from(instead)),
        }
    }
}

impl FromStr for AdminAction {
    type Err = Malformed;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.len() > MAX_LEN {
            return Err(Malformed);
        }
        let rest = s.strip_prefix(PREFIX).ok_or(Malformed)?;
        let mut parts = rest.split(':');
        let tag = parts.next().ok_or(Malformed)?;
        let args: Vec<&str> = parts.collect();
        parse(tag, &args).ok_or(Malformed)
    }
}

fn parse(tag: &str, args: &[&str]) -> Option<AdminAction> {
    use AdminAction as A;
    let id = |i: usize| args.get(i).copied().and_then(positive);
    let staff = |i: usize| match args.get(i).copied() {
        Some("*") => Some(None),
        Some(s) => positive(s).map(|n| Some(StaffId(n))),
        None => None,
    };
    // 0 (off) up to the longest interval a tenant may set, digits only.
    let days = |i: usize| {
        args.get(i)
            .filter(|d| !d.is_empty() && d.len() <= 3 && d.bytes().all(|b| b.is_ascii_digit()))
            .and_then(|d| d.parse::<u16>().ok())
            .filter(|d| *d <= storage::tenant::repeat_visits::MAX_DAYS)
    };
    let page = || {
        args.first()
            .filter(|p| p.bytes().all(|b| b.is_ascii_digit()))?
            .parse::<u32>()
            .ok()
    };
    let date = |i: usize| {
        args.get(i)
            .filter(|d| d.len() == 8)
            .and_then(|d| NaiveDate::parse_from_str(d, "%Y%m%d").ok())
            // Only the years the platform deals in: a forged date never reaches arithmetic.
            .filter(|d| booking_core::time::date_within_reach(*d))
    };
    let arity = match tag {
        "m" | "p" | "av" | "bl" | "P" | "sv" | "sn" | "fl" | "fn" | "ad" | "aa" | "ax" | "ex"
        | "eb" | "ec" | "bc" | "an" | "go" | "lk" | "rp" | "rf" | "pa" | "pW" => 0,
        "d" | "w" | "pf" | "se" | "fs" | "ar" | "ts" | "tx" | "rS" | "wb" | "sP" => 2,
        _ => 1,
    };
    if args.len() != arity {
        return None;
    }
    Some(match tag {
        "m" => A::Menu,
        "d" => A::Day {
            staff: staff(0)?,
            date: date(1)?,
        },
        "w" => A::Week {
            staff: staff(0)?,
            date: date(1)?,
        },
        "b" => A::Booking(BookingId(id(0)?)),
        "o" => A::Done(BookingId(id(0)?)),
        "O" => A::NoShow(BookingId(id(0)?)),
        "x" => A::CancelAsk(BookingId(id(0)?)),
        "X" => A::CancelYes(BookingId(id(0)?)),
        "v" => A::Move(BookingId(id(0)?)),
        "Nb" => A::NoteBooking(BookingId(id(0)?)),
        "Nc" => A::NoteCustomer(BookingId(id(0)?)),
        "p" => A::PhoneIn,
        "ps" => A::PhoneInService(ServiceId(id(0)?)),
        "pf" => A::PhoneInStaff(ServiceId(id(0)?), StaffId(id(1)?)),
        "av" => A::Availability,
        "bl" => A::Blocks,
        "bn" => A::BlockNew(staff(0)?),
        "u" => A::Unblock(BlockId(id(0)?)),
        "h" => A::Hours(staff(0)?),
        "e" => A::Exception(staff(0)?),
        "P" => A::Policy,
        "c" => A::CantWorkAsk(StaffId(id(0)?)),
        "C" => A::CantWorkYes(StaffId(id(0)?)),
        "sv" => A::Services,
        "s" => A::Service(ServiceId(id(0)?)),
        "st" => A::ServiceToggle(ServiceId(id(0)?)),
        "su" => A::ServiceUp(ServiceId(id(0)?)),
        "se" => A::ServiceEdit(ServiceId(id(0)?), Field::parse(args.get(1)?)?),
        "sn" => A::ServiceNew,
        "fl" => A::StaffList,
        "f" => A::StaffItem(StaffId(id(0)?)),
        "ft" => A::StaffToggle(StaffId(id(0)?)),
        "fu" => A::StaffUp(StaffId(id(0)?)),
        "fr" => A::StaffRename(StaffId(id(0)?)),
        "fs" => A::StaffGives(StaffId(id(0)?), ServiceId(id(1)?)),
        "fn" => A::StaffNew,
        "ad" => A::Admins,
        "ai" => A::AdminItem(TelegramUserId(id(0)?)),
        "ar" => A::AdminSetRole(TelegramUserId(id(0)?), RoleCode::parse(args.get(1)?)?),
        "aR" => A::AdminRemoveAsk(TelegramUserId(id(0)?)),
        "aX" => A::AdminRemove(TelegramUserId(id(0)?)),
        "aa" => A::AdminAdd,
        "al" => A::Audit(page()?),
        "wl" => A::Waitlist(page()?),
        "ax" => A::AuditCsv,
        "ex" => A::Exports,
        "eb" => A::ExportBookings,
        "ec" => A::ExportCustomers,
        "bc" => A::Broadcast,
        "bg" => A::BroadcastSegment(Audience::parse(args.first()?)?),
        "bS" => A::BroadcastSend(u64::try_from(id(0)?).ok()?),
        "bD" => A::BroadcastDrop(u64::try_from(id(0)?).ok()?),
        "bX" => A::BroadcastStop(u64::try_from(id(0)?).ok()?),
        "an" => A::AnalyticsMenu,
        "ar1" => A::Analytics(Report::parse(args.first()?)?),
        "pv" => A::Preview(PreviewChoice::parse(args.first()?)?),
        "tp" => A::TextsPage(
            args.first()
                .filter(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))?
                .parse()
                .ok()?,
        ),
        "tk" => A::TextKey(Key::from_code(args.first()?)?),
        "ts" => A::TextSet(Key::from_code(args.first()?)?, args.get(1)?.parse().ok()?),
        "tx" => A::TextReset(Key::from_code(args.first()?)?, args.get(1)?.parse().ok()?),
        "go" => A::Setup,
        "pr" => A::ProfileEdit(ProfileField::parse(args.first()?)?),
        "lk" => A::Links,
        "lq" => A::LinkQr(LinkTarget::parse(args.first()?)?),
        "ic" => A::Feed(staff(0)?),
        "iN" => A::FeedNew(staff(0)?),
        "iX" => A::FeedRevoke(staff(0)?),
        "rp" => A::Repeat,
        "rv" => A::RepeatService(ServiceId(id(0)?)),
        "rS" => A::RepeatSet(ServiceId(id(0)?), days(1)?),
        "wb" => A::WinBackSet(WinBackKind::from_code(args.first()?)?, days(1)?),
        "rf" => A::Refunds,
        "rd" => A::RefundDone(id(0)?),
        "rg" => A::RefundGive(id(0)?),
        "rk" => A::RefundKeep(id(0)?),
        "sp" => A::ServicePay(ServiceId(id(0)?)),
        "sP" => A::ServicePaySet(ServiceId(id(0)?), PayChoice::parse(args.get(1)?)?),
        "pa" => A::PayAccount,
        "pA" => A::PayAccountAsk(AccountPart::parse(args.first()?)?),
        "pX" => A::PayAccountClear(AccountPart::parse(args.first()?)?),
        "pW" => A::PayVatMenu,
        "pV" => A::PayVat(payment::parse_vat(args.first()?)?),
        "pz" => A::PhoneInSeries(match *args.first()? {
            "0" => false,
            "1" => true,
            _ => return None,
        }),
        _ => return None,
    })
}

#[cfg(test)]
mod tests;
