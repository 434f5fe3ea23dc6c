use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

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
    fn an_empty_interval_is_refused() {
        assert!(Interval::new(at(9, 0), at(9, 0)).is_none());
    }
}
