use std::{fmt, str::FromStr};

use serde::{Deserialize, Serialize};

use crate::{catalogue::Minutes, ids::TelegramUserId};

/// The life of a booking. `Held` and `Confirmed` are "live": they occupy the staff member's
/// time, and the database's exclusion constraint forbids two live bookings that overlap.
#[derive(Copy, Clone, Eq, PartialEq, Hash, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BookingStatus {
    /// On the confirm screen; expires on its own.
    Held,
    Confirmed,
    Cancelled,
    Completed,
    NoShow,
    /// A hold that ran out before it was confirmed.
    Expired,
}

impl BookingStatus {
    #[must_use]
    pub const fn is_live(self) -> bool {
        matches!(self, Self::Held | Self::Confirmed)
    }

    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Held => "held",
            Self::Confirmed => "confirmed",
            Self::Cancelled => "cancelled",
            Self::Completed => "completed",
            Self::NoShow => "no_show",
            Self::Expired => "expired",
        }
    }
}

impl fmt::Display for BookingStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

impl FromStr for BookingStatus {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s {
            "held" => Self::Held,
            "confirmed" => Self::Confirmed,
            "cancelled" => Self::Cancelled,
            "completed" => Self::Completed,
            "no_show" => Self::NoShow,
            "expired" => Self::Expired,
            other => return Err(format!("unknown booking status {other:?}")),
        })
    }
}

/// Who changed a booking, for its history.
#[derive(Copy, Clone, Eq, PartialEq, Debug, Serialize, Deserialize)]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum Actor {
    Customer(TelegramUserId),
    Admin(TelegramUserId),
    /// A platform API key, by its id.
    Api(i64),
    /// The platform itself: expiry of holds, automatic release.
    System,
}

impl Actor {
    #[must_use]
    pub const fn kind(self) -> &'static str {
        match self {
            Self::Customer(_) => "customer",
            Self::Admin(_) => "admin",
            Self::Api(_) => "api",
            Self::System => "system",
        }
    }

    #[must_use]
    pub const fn id(self) -> Option<i64> {
        match self {
            Self::Customer(id) | Self::Admin(id) => Some(id.0),
            Self::Api(id) => Some(id),
            Self::System => None,
        }
    }
}

/// Why a booking request was refused. Every path (bot, API, admin) gets one of these for a
/// rule it broke, never an internal error; bots turn each into a localised sentence.
#[derive(Clone, Eq, PartialEq, Debug, thiserror::Error, Serialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum BookingRejection {
    #[error("this time has just been taken")]
    SlotTaken,
    #[error("this time is in the past")]
    InThePast,
    #[error("bookings need at least {min_notice} notice")]
    TooSoon { min_notice: Minutes },
    #[error("bookings can be made at most {days} days ahead")]
    BeyondHorizon { days: u16 },
    #[error("this time is outside working hours")]
    OutsideWorkingHours,
    #[error("this time is blocked in the calendar")]
    Blocked,
    #[error("you already have {limit} upcoming bookings, the most allowed")]
    LimitReached { limit: u16 },
    #[error("cancelling is possible up to {cutoff} before the visit")]
    CancelCutoffPassed { cutoff: Minutes },
    #[error("rescheduling is possible up to {cutoff} before the visit")]
    RescheduleCutoffPassed { cutoff: Minutes },
    #[error("no such booking")]
    NotFound,
    #[error("this booking is {status} and cannot be changed")]
    NotChangeable { status: BookingStatus },
    #[error("this service is not available")]
    ServiceUnavailable,
    #[error("this staff member does not give this service")]
    StaffUnavailable,
    #[error("this class is full: every seat is taken")]
    ClassFull,
    #[error("you already have a seat in this class")]
    AlreadyInClass,
    #[error("a seat in a class cannot be moved: cancel it and book another class")]
    SeatNotMovable,
}

impl BookingRejection {
    /// A stable machine-readable code for APIs and text keys.
    #[must_use]
    pub const fn code(&self) -> &'static str {
        match self {
            Self::SlotTaken => "slot_taken",
            Self::InThePast => "in_the_past",
            Self::TooSoon { .. } => "too_soon",
            Self::BeyondHorizon { .. } => "beyond_horizon",
            Self::OutsideWorkingHours => "outside_working_hours",
            Self::Blocked => "blocked",
            Self::LimitReached { .. } => "limit_reached",
            Self::CancelCutoffPassed { .. } => "cancel_cutoff_passed",
            Self::RescheduleCutoffPassed { .. } => "reschedule_cutoff_passed",
            Self::NotFound => "not_found",
            Self::NotChangeable { .. } => "not_changeable",
            Self::ServiceUnavailable => "service_unavailable",
            Self::StaffUnavailable => "staff_unavailable",
            Self::ClassFull => "class_full",
            Self::AlreadyInClass => "already_in_class",
            Self::SeatNotMovable => "seat_not_movable",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_round_trip_through_their_names() {
        for s in [
            BookingStatus::Held,
            BookingStatus::Confirmed,
            BookingStatus::Cancelled,
            BookingStatus::Completed,
            BookingStatus::NoShow,
            BookingStatus::Expired,
        ] {
            assert_eq!(s.as_str().parse::<BookingStatus>(), Ok(s));
        }
        assert!(BookingStatus::Held.is_live());
        assert!(!BookingStatus::Cancelled.is_live());
    }

    #[test]
    fn rejections_serialise_with_a_reason_code() {
        let json = serde_json::to_value(BookingRejection::LimitReached { limit: 3 }).unwrap();
        assert_eq!(json["reason"], "limit_reached");
        assert_eq!(json["limit"], 3);
    }
}
