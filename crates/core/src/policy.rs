use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::{booking::BookingRejection, catalogue::Minutes};

/// A tenant's booking rules. Enforced on the server for every path (bot, API, admin).
#[derive(Clone, Eq, PartialEq, Debug, Serialize, Deserialize)]
#[serde(default)]
pub struct Policy {
    /// How long before a visit it can still be booked.
    pub min_notice: Minutes,
    /// How many days ahead (counting today as day 0) customers may book.
    pub horizon_days: u16,
    /// Upcoming bookings one customer may hold at once.
    pub max_active_bookings: u16,
    /// A customer may cancel up to this long before the visit.
    pub cancel_cutoff: Minutes,
    /// A customer may reschedule up to this long before the visit.
    pub reschedule_cutoff: Minutes,
    /// How long the confirm screen holds a slot.
    pub hold: Minutes,
    /// When reminders go out, counted back from the start of the visit.
    pub reminder_offsets: Vec<Minutes>,
    /// When set, a booking not confirmed from a reminder is released this long before the visit.
    pub auto_release: Option<Minutes>,
}

impl Default for Policy {
    fn default() -> Self {
        Self {
            min_notice: Minutes::new(60),
            horizon_days: 60,
            max_active_bookings: 3,
            cancel_cutoff: Minutes::new(120),
            reschedule_cutoff: Minutes::new(120),
            hold: Minutes::new(5),
            reminder_offsets: vec![Minutes::new(24 * 60), Minutes::new(120)],
            auto_release: None,
        }
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum PolicyError {
    #[error("the horizon must be between 1 and 365 days")]
    Horizon,
    #[error("the active-booking limit must be between 1 and 50")]
    ActiveLimit,
    #[error("the hold must last between 1 and 60 minutes")]
    Hold,
    #[error("at most 5 reminders, each at most a week before the visit")]
    Reminders,
    #[error("automatic release must be earlier than the last reminder")]
    AutoRelease,
}

impl Policy {
    /// Checks that the rules make sense together.
    pub fn validate(&self) -> Result<(), PolicyError> {
        if !(1..=365).contains(&self.horizon_days) {
            return Err(PolicyError::Horizon);
        }
        if !(1..=50).contains(&self.max_active_bookings) {
            return Err(PolicyError::ActiveLimit);
        }
        if !(1..=60).contains(&self.hold.get()) {
            return Err(PolicyError::Hold);
        }
        if self.reminder_offsets.len() > 5
            || self
                .reminder_offsets
                .iter()
                .any(|m| m.get() == 0 || m.get() > Minutes::MAX)
        {
            return Err(PolicyError::Reminders);
        }
        if let Some(release) = self.auto_release {
            let smallest = self.reminder_offsets.iter().min().copied();
            if smallest.is_none_or(|s| release >= s) {
                return Err(PolicyError::AutoRelease);
            }
        }
        Ok(())
    }

    /// Whether a customer may still cancel a visit starting at `start`.
    pub fn check_cancel(
        &self,
        start: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<(), BookingRejection> {
        if start - now < self.cancel_cutoff.duration() {
            return Err(BookingRejection::CancelCutoffPassed {
                cutoff: self.cancel_cutoff,
            });
        }
        Ok(())
    }

    /// Whether a customer may still move a visit starting at `start`.
    pub fn check_reschedule(
        &self,
        start: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<(), BookingRejection> {
        if start - now < self.reschedule_cutoff.duration() {
            return Err(BookingRejection::RescheduleCutoffPassed {
                cutoff: self.reschedule_cutoff,
            });
        }
        Ok(())
    }

    /// When the hold made at `now` expires.
    #[must_use]
    pub fn hold_until(&self, now: DateTime<Utc>) -> DateTime<Utc> {
        now + self.hold.duration()
    }

    /// The earliest start a customer may book at `now`.
    #[must_use]
    pub fn earliest_start(&self, now: DateTime<Utc>) -> DateTime<Utc> {
        now + self.min_notice.duration()
    }

    /// The reminder times for a visit starting at `start` that are still in the future.
    #[must_use]
    pub fn reminder_times(
        &self,
        start: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Vec<(Minutes, DateTime<Utc>)> {
        let mut out: Vec<_> = self
            .reminder_offsets
            .iter()
            .map(|m| (*m, start - m.duration()))
            .filter(|(_, at)| *at > now)
            .collect();
        out.sort_by_key(|(_, at)| *at);
        out.dedup_by_key(|(_, at)| *at);
        out
    }
}

#[cfg(test)]
mod tests {
    use chrono::{Duration, TimeZone};

    use super::*;

    #[test]
    fn the_defaults_are_valid() {
        assert_eq!(Policy::default().validate(), Ok(()));
    }

    #[test]
    fn cancelling_inside_the_cutoff_is_refused_with_the_cutoff() {
        let policy = Policy::default();
        let start = Utc.with_ymd_and_hms(2026, 5, 5, 12, 0, 0).unwrap();
        assert!(
            policy
                .check_cancel(start, start - Duration::hours(3))
                .is_ok()
        );
        assert_eq!(
            policy.check_cancel(start, start - Duration::minutes(119)),
            Err(BookingRejection::CancelCutoffPassed {
                cutoff: Minutes::new(120)
            })
        );
    }

    #[test]
    fn only_future_reminders_are_planned() {
        let policy = Policy::default();
        let start = Utc.with_ymd_and_hms(2026, 5, 5, 12, 0, 0).unwrap();
        let planned = policy.reminder_times(start, start - Duration::hours(5));
        assert_eq!(
            planned,
            vec![(Minutes::new(120), start - Duration::hours(2))]
        );
    }

    #[test]
    fn auto_release_must_come_before_the_visit_after_the_last_reminder() {
        let mut policy = Policy {
            auto_release: Some(Minutes::new(180)),
            ..Policy::default()
        };
        assert_eq!(policy.validate(), Err(PolicyError::AutoRelease));
        policy.auto_release = Some(Minutes::new(60));
        assert_eq!(policy.validate(), Ok(()));
    }
}
