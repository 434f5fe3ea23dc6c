use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// The years the platform deals in. A time outside them (a forged button, an API call asking
/// for the year 262142) is refused where it enters, so that date arithmetic on accepted times
/// can never overflow.
pub const YEARS: std::ops::RangeInclusive<i32> = 2000..=2200;

/// Whether `t` falls in [`YEARS`].
#[must_use]
pub fn within_reach(t: DateTime<Utc>) -> bool {
    use chrono::Datelike as _;
    YEARS.contains(&t.year())
}

/// Whether `d` falls in [`YEARS`].
#[must_use]
pub fn date_within_reach(d: NaiveDate) -> bool {
    use chrono::Datelike as _;
    YEARS.contains(&d.year())
}

/// A half-open interval of absolute time, `[start, end)`, as PostgreSQL's `tstzrange(.., '[)')`.
#[derive(Copy, Clone, Eq, PartialEq, Debug, Serialize, Deserialize)]
pub struct Interval {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
}

impl Interval {
    /// An interval, or `None` when `end` is not after `start`.
    #[must_use]
    pub fn new(start: DateTime<Utc>, end: DateTime<Utc>) -> Option<Self> {
        (start < end).then_some(Self { start, end })
    }

    #[must_use]
    pub fn overlaps(&self, other: &Self) -> bool {
        self.start < other.end && other.start < self.end
    }

    #[must_use]
    pub fn contains(&self, other: &Self) -> bool {
        self.start <= other.start && other.end <= self.end
    }

    /// The interval widened by `before` and `after`, as buffers occupy a staff member.
    #[must_use]
    pub fn widened(&self, before: Duration, after: Duration) -> Self {
        Self {
            start: self.start - before,
            end: self.end + after,
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn at(h: u32, m: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 1, 1, h, m, 0).unwrap()
    }

    #[test]
    fn touching_intervals_do_not_overlap() {
        let a = Interval::new(at(9, 0), at(10, 0)).unwrap();
        let b = Interval::new(at(10, 0), at(11, 0)).unwrap();
        assert!(!a.overlaps(&b));
        assert!(
            a.widened(Duration::zero(), Duration::minutes(1))
                .overlaps(&b)
        );
    }

    #[test]
    fn times_far_from_now_are_out_of_reach() {
        assert!(within_reach(at(9, 0)));
        assert!(!within_reach(DateTime::<Utc>::MAX_UTC));
        assert!(!within_reach(DateTime::<Utc>::MIN_UTC));
        assert!(!date_within_reach(NaiveDate::MAX));
        assert!(date_within_reach(at(9, 0).date_naive()));
    }

    #[test]
    fn an_empty_interval_is_refused() {
        assert!(Interval::new(at(9, 0), at(9, 0)).is_none());
    }
}
