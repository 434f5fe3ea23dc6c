use std::fmt;

use chrono::Duration;
use serde::{Deserialize, Serialize};

use crate::ids::{ServiceId, StaffId};

/// A whole number of minutes: durations, intervals, buffers, notice periods.
#[derive(
    Copy, Clone, Eq, PartialEq, Ord, PartialOrd, Hash, Debug, Default, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Minutes(u32);

impl Minutes {
    /// A week is the longest span any single setting needs (notice, cut-offs, buffers).
    pub const MAX: u32 = 7 * 24 * 60;

    #[must_use]
    pub const fn new(minutes: u32) -> Self {
        Self(minutes)
    }

    /// Parses a setting given in minutes, refusing values beyond a week.
    pub fn checked(minutes: i64) -> Result<Self, CatalogueError> {
        u32::try_from(minutes)
            .ok()
            .filter(|m| *m <= Self::MAX)
            .map(Self)
            .ok_or(CatalogueError::MinutesOutOfRange(minutes))
    }

    #[must_use]
    pub const fn get(self) -> u32 {
        self.0
    }

    #[must_use]
    pub fn duration(self) -> Duration {
        Duration::minutes(i64::from(self.0))
    }
}

impl fmt::Display for Minutes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} min", self.0)
    }
}

/// A price in minor units (kopecks for RUB), so money is never a float.
#[derive(
    Copy, Clone, Eq, PartialEq, Ord, PartialOrd, Hash, Debug, Default, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Price(pub i64);

impl Price {
    /// `1500.00` style, as YooKassa and CSV exports want it.
    #[must_use]
    pub fn decimal(self) -> String {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        format!("{sign}{}.{:02}", abs / 100, abs % 100)
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CatalogueError {
    #[error("{0} minutes is out of range (0 to 10080)")]
    MinutesOutOfRange(i64),
    #[error("a service must last between 5 minutes and 24 hours")]
    BadDuration,
    #[error("the slot interval must be between 5 minutes and 24 hours")]
    BadInterval,
    #[error("a name must have 1 to 100 characters")]
    BadName,
    #[error("a price cannot be negative")]
    NegativePrice,
    #[error("a class has between {min} and {max} seats", min = Seats::MIN, max = Seats::MAX)]
    BadSeats,
}

/// How many customers one session of a group class takes (a yoga class, a group lesson). A
/// service without seats is individual: one customer per visit.
#[derive(Copy, Clone, Eq, PartialEq, Ord, PartialOrd, Hash, Debug, Serialize, Deserialize)]
#[serde(try_from = "u16", into = "u16")]
pub struct Seats(u16);

impl Seats {
    /// A class of one is an individual service.
    pub const MIN: u16 = 2;
    /// Beyond this a chat bot is not the tool.
    pub const MAX: u16 = 500;

    pub fn new(seats: i64) -> Result<Self, CatalogueError> {
        u16::try_from(seats)
            .ok()
            .filter(|n| (Self::MIN..=Self::MAX).contains(n))
            .map(Self)
            .ok_or(CatalogueError::BadSeats)
    }

    #[must_use]
    pub const fn get(self) -> u16 {
        self.0
    }
}

impl TryFrom<u16> for Seats {
    type Error = CatalogueError;

    fn try_from(n: u16) -> Result<Self, Self::Error> {
        Self::new(i64::from(n))
    }
}

impl From<Seats> for u16 {
    fn from(s: Seats) -> Self {
        s.0
    }
}

/// How a service occupies a staff member's time.
#[derive(Copy, Clone, Eq, PartialEq, Debug, Serialize, Deserialize)]
pub struct ServiceTiming {
    pub duration: Minutes,
    /// Distance between offered start times. Often equal to the duration, sometimes finer.
    pub interval: Minutes,
    /// Preparation time before the visit during which no other visit may run.
    pub buffer_before: Minutes,
    /// Clean-up time after the visit during which no other visit may run.
    pub buffer_after: Minutes,
}

impl ServiceTiming {
    pub fn new(
        duration: Minutes,
        interval: Minutes,
        buffer_before: Minutes,
        buffer_after: Minutes,
    ) -> Result<Self, CatalogueError> {
        if !(5..=24 * 60).contains(&duration.get()) {
            return Err(CatalogueError::BadDuration);
        }
        if !(5..=24 * 60).contains(&interval.get()) {
            return Err(CatalogueError::BadInterval);
        }
        Ok(Self {
            duration,
            interval,
            buffer_before,
            buffer_after,
        })
    }

    /// A timing whose interval equals its duration and has no buffers.
    pub fn simple(duration: Minutes) -> Result<Self, CatalogueError> {
        Self::new(duration, duration, Minutes::new(0), Minutes::new(0))
    }
}

/// A service a business sells.
#[derive(Clone, Eq, PartialEq, Debug, Serialize, Deserialize)]
pub struct Service {
    pub id: ServiceId,
    pub name: String,
    pub description: String,
    pub timing: ServiceTiming,
    pub price: Price,
    pub active: bool,
    pub sort_order: i32,
    /// `Some` for a group class: one staff member's time, this many customers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seats: Option<Seats>,
    /// What a booking pays in advance (nothing by default), and what a cancellation gives back.
    #[serde(default)]
    pub payment: crate::payment::PaymentTerms,
}

/// A member of staff and the services they give.
#[derive(Clone, Eq, PartialEq, Debug, Serialize, Deserialize)]
pub struct Staff {
    pub id: StaffId,
    pub name: String,
    pub active: bool,
    pub sort_order: i32,
    pub services: Vec<ServiceId>,
}

impl Staff {
    #[must_use]
    pub fn gives(&self, service: ServiceId) -> bool {
        self.active && self.services.contains(&service)
    }
}

/// Checks a display name: trimmed, 1 to 100 characters.
pub fn checked_name(name: &str) -> Result<String, CatalogueError> {
    let name = name.trim();
    let chars = name.chars().count();
    if (1..=100).contains(&chars) {
        Ok(name.to_owned())
    } else {
        Err(CatalogueError::BadName)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prices_print_as_decimals() {
        assert_eq!(Price(150_000).decimal(), "1500.00");
        assert_eq!(Price(5).decimal(), "0.05");
        assert_eq!(Price(-250).decimal(), "-2.50");
    }

    #[test]
    fn minutes_beyond_a_week_are_refused() {
        assert!(Minutes::checked(10_080).is_ok());
        assert!(Minutes::checked(10_081).is_err());
        assert!(Minutes::checked(-1).is_err());
    }

    #[test]
    fn a_service_cannot_last_zero_minutes() {
        assert_eq!(
            ServiceTiming::simple(Minutes::new(0)),
            Err(CatalogueError::BadDuration)
        );
    }

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(checked_name("  Haircut ").as_deref(), Ok("Haircut"));
        assert!(checked_name("   ").is_err());
        assert!(checked_name(&"x".repeat(101)).is_err());
    }
}
