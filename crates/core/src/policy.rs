use chrono::{DateTime, Days, NaiveDate, Utc};
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
    /// How fast one person may send messages and press buttons before the bot slows them down.
    pub update_limit: UpdateLimit,
}

/// At most `events` updates (messages and button presses together) from one person in any
/// window of `window_secs` seconds.
#[derive(Copy, Clone, Eq, PartialEq, Debug, Serialize, Deserialize)]
pub struct UpdateLimit {
    pub events: u32,
    pub window_secs: u32,
}

impl UpdateLimit {
    /// The bounds an admin may choose within: below 5 updates a window a person tapping through
    /// a booking would be stopped; above an hour's window one burst locks someone out too long.
    pub const EVENTS: std::ops::RangeInclusive<u32> = 5..=1000;
    pub const WINDOW_SECS: std::ops::RangeInclusive<u32> = 1..=3600;
}

impl Default for UpdateLimit {
    /// Far above what a person tapping through the menus does.
    fn default() -> Self {
        Self {
            events: 20,
            window_secs: 10,
        }
    }
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
            update_limit: UpdateLimit::default(),
        }
    }
}

/// Which rules apply to a request.
#[derive(Copy, Clone, Eq, PartialEq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Rules {
    /// A customer (bot or API): every policy rule.
    Customer,
    /// The business's own staff: working hours and blocks still hold, but minimum notice,
    /// the horizon, the active-booking limit and the cut-offs do not.
    Staff,
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
    #[error("the rate limit must allow 5 to 1000 updates in a window of 1 to 3600 seconds")]
    UpdateLimit,
}

impl Policy {
    /// The horizon staff book within: ten years, as far as any calendar needs.
    pub const STAFF_HORIZON_DAYS: u16 = 3650;

    /// The policy as it applies under `rules`: staff are not held to minimum notice or the
    /// horizon (the limit and the cut-offs are checked only for [`Rules::Customer`] by the
    /// callers that enforce them).
    #[must_use]
    pub fn under(&self, rules: Rules) -> Self {
        match rules {
            Rules::Customer => self.clone(),
            Rules::Staff => Self {
                min_notice: Minutes::new(0),
                horizon_days: Self::STAFF_HORIZON_DAYS,
                ..self.clone()
            },
        }
    }

    /// Whether a customer under `rules` may hold one more upcoming booking besides `active`.
    pub fn check_active_limit(&self, rules: Rules, active: i64) -> Result<(), BookingRejection> {
        if rules == Rules::Customer && active >= i64::from(self.max_active_bookings) {
            return Err(BookingRejection::LimitReached {
                limit: self.max_active_bookings,
            });
        }
        Ok(())
    }

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
        if !UpdateLimit::EVENTS.contains(&self.update_limit.events)
            || !UpdateLimit::WINDOW_SECS.contains(&self.update_limit.window_secs)
        {
            return Err(PolicyError::UpdateLimit);
        }
        if let Some(release) = self.auto_release {
            let smallest = self.reminder_offsets.iter().min().copied();
            if smallest.is_none_or(|s| release >= s) {
                return Err(PolicyError::AutoRelease);
            }
        }
        Ok(())
    }

    /// The last local date customers may book on, `today` being the tenant's local date.
    #[must_use]
    pub fn last_bookable_date(&self, today: NaiveDate) -> NaiveDate {
        // Saturates instead of panicking; no real clock is a year from the end of the calendar.
        today
            .checked_add_days(Days::new(u64::from(self.horizon_days)))
            .unwrap_or(NaiveDate::MAX)
    }

    /// Whether a customer may still cancel a visit starting at `start`.
    pub fn check_cancel(
        &self,
        start: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<(), BookingRejection> {
        if start.signed_duration_since(now) < self.cancel_cutoff.duration() {
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
        if start.signed_duration_since(now) < self.reschedule_cutoff.duration() {
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
    fn staff_are_not_held_to_notice_horizon_or_limit() {
        let policy = Policy::default();
        let staff = policy.under(Rules::Staff);
        assert_eq!(staff.min_notice, Minutes::new(0));
        assert_eq!(staff.horizon_days, Policy::STAFF_HORIZON_DAYS);
        assert_eq!(staff.hold, policy.hold);
        assert_eq!(policy.under(Rules::Customer), policy);
        assert!(policy.check_active_limit(Rules::Staff, 99).is_ok());
        assert_eq!(
            policy.check_active_limit(Rules::Customer, 3),
            Err(BookingRejection::LimitReached { limit: 3 })
        );
        assert!(policy.check_active_limit(Rules::Customer, 2).is_ok());
    }

    #[test]
    fn the_horizon_counts_today_as_day_zero_and_saturates_at_the_end_of_the_calendar() {
        let policy = Policy {
            horizon_days: 60,
            ..Policy::default()
        };
        let today = NaiveDate::from_ymd_opt(2026, 6, 1).unwrap();
        assert_eq!(
            policy.last_bookable_date(today),
            NaiveDate::from_ymd_opt(2026, 7, 31).unwrap()
        );
        assert_eq!(policy.last_bookable_date(NaiveDate::MAX), NaiveDate::MAX);
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
    fn a_policy_saved_before_the_rate_limit_existed_reads_with_the_default_limit() {
        let saved = serde_json::json!({ "min_notice": 30, "horizon_days": 14 });
        let policy: Policy = serde_json::from_value(saved).unwrap();
        assert_eq!(policy.update_limit, UpdateLimit::default());
        assert_eq!(policy.horizon_days, 14);
    }

    #[test]
    fn the_rate_limit_must_stay_within_its_bounds() {
        for (events, window_secs, ok) in [
            (5, 1, true),
            (1000, 3600, true),
            (4, 10, false),
            (20, 0, false),
            (20, 3601, false),
        ] {
            let policy = Policy {
                update_limit: UpdateLimit {
                    events,
                    window_secs,
                },
                ..Policy::default()
            };
            assert_eq!(policy.validate().is_ok(), ok, "{events}/{window_secs}");
        }
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
