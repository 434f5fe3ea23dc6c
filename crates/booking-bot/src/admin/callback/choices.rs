//! The choices some admin buttons carry, each with its one- or two-letter code.

use std::fmt;

use booking_core::ids::StaffId;

use bot_kit::callback::positive;

/// What an admin chose on a preview of a change that touches bookings.
#[derive(Copy, Clone, Eq, PartialEq, Debug)]
pub enum PreviewChoice {
    /// Make the change and cancel the bookings it touches.
    Cancel,
    /// Make the change and keep the bookings.
    Keep,
    /// Drop the change.
    Discard,
}

impl PreviewChoice {
    pub const ALL: [Self; 3] = [Self::Cancel, Self::Keep, Self::Discard];

    pub(super) const fn code(self) -> &'static str {
        match self {
            Self::Cancel => "c",
            Self::Keep => "k",
            Self::Discard => "d",
        }
    }

    pub(super) fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.code() == s)
    }
}

/// An analytics report.
#[derive(Copy, Clone, Eq, PartialEq, Debug)]
pub enum Report {
    Days,
    Weeks,
    Months,
    Services,
    Staff,
    Customers,
    Hours,
    Sources,
    Ratings,
    /// Bookings brought back by each kind of message, per month.
    BroughtBack,
}

impl Report {
    pub const ALL: [Self; 10] = [
        Self::Days,
        Self::Weeks,
        Self::Months,
        Self::Services,
        Self::Staff,
        Self::Customers,
        Self::Hours,
        Self::Sources,
        Self::Ratings,
        Self::BroughtBack,
    ];

    pub(super) const fn code(self) -> &'static str {
        match self {
            Self::Days => "d",
            Self::Weeks => "w",
            Self::Months => "m",
            Self::Services => "s",
            Self::Staff => "f",
            Self::Customers => "c",
            Self::Hours => "h",
            Self::Sources => "o",
            Self::Ratings => "r",
            Self::BroughtBack => "b",
        }
    }

    pub(super) fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.code() == s)
    }
}

/// Who a broadcast goes to.
#[derive(Copy, Clone, Eq, PartialEq, Debug, serde::Serialize, serde::Deserialize)]
pub enum Audience {
    All,
    Visited30,
    Visited90,
    NeverBooked,
}

impl Audience {
    pub const ALL: [Self; 4] = [
        Self::All,
        Self::Visited30,
        Self::Visited90,
        Self::NeverBooked,
    ];

    pub(super) const fn code(self) -> &'static str {
        match self {
            Self::All => "all",
            Self::Visited30 => "v30",
            Self::Visited90 => "v90",
            Self::NeverBooked => "nb",
        }
    }

    pub(super) fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.code() == s)
    }
}

/// A role a button gives.
#[derive(Copy, Clone, Eq, PartialEq, Debug)]
pub enum RoleCode {
    Owner,
    Admin,
    Staff(StaffId),
}

impl fmt::Display for RoleCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Owner => f.write_str("o"),
            Self::Admin => f.write_str("a"),
            Self::Staff(id) => write!(f, "s{id}"),
        }
    }
}

impl RoleCode {
    pub(super) fn parse(s: &str) -> Option<Self> {
        match s {
            "o" => Some(Self::Owner),
            "a" => Some(Self::Admin),
            _ => s
                .strip_prefix('s')
                .and_then(positive)
                .map(|n| Self::Staff(StaffId(n))),
        }
    }
}

/// A service field an admin edits.
#[derive(Copy, Clone, Eq, PartialEq, Debug, serde::Serialize, serde::Deserialize)]
pub enum Field {
    Name,
    Description,
    Duration,
    Interval,
    BufferBefore,
    BufferAfter,
    Price,
    /// A group class's seats (or none: an individual service).
    Seats,
}

impl Field {
    pub const ALL: [Self; 8] = [
        Self::Name,
        Self::Description,
        Self::Duration,
        Self::Interval,
        Self::BufferBefore,
        Self::BufferAfter,
        Self::Price,
        Self::Seats,
    ];

    pub(super) const fn code(self) -> &'static str {
        match self {
            Self::Name => "n",
            Self::Description => "d",
            Self::Duration => "D",
            Self::Interval => "i",
            Self::BufferBefore => "b",
            Self::BufferAfter => "a",
            Self::Price => "p",
            Self::Seats => "s",
        }
    }

    pub(super) fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.code() == s)
    }
}
