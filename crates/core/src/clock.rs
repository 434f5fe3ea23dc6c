use std::{
    fmt,
    sync::{Arc, Mutex, PoisonError},
};

use chrono::{DateTime, Duration, Utc};

/// The source of "now" for every rule that depends on time.
///
/// Production uses [`SystemClock`]; tests use [`ManualClock`] and move time explicitly, so a
/// reminder due in 24 hours is tested without waiting 24 hours.
pub trait Clock: Send + Sync + fmt::Debug {
    fn now(&self) -> DateTime<Utc>;

    /// Whether time passes by itself (as it does for [`SystemClock`] and [`ShiftedClock`]), so
    /// a timer set for a moment of this clock can sleep until it. A [`ManualClock`] jumps when
    /// told, so timers on it look again often.
    fn follows_real_time(&self) -> bool {
        true
    }
}

/// The machine's clock.
#[derive(Copy, Clone, Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// The machine's clock moved by a fixed amount: a whole process runs "as if" at another time.
///
/// For staging and whole-platform tests only, where the process cannot be handed a
/// [`ManualClock`] (a bot in its container): restarting it with a larger shift moves its time
/// forward, so a reminder due tomorrow can be seen today.
#[derive(Copy, Clone, Debug)]
pub struct ShiftedClock(pub Duration);

impl Clock for ShiftedClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now() + self.0
    }
}

/// A clock that only moves when told to. Cheap to clone; clones share the same time.
#[derive(Clone, Debug)]
pub struct ManualClock(Arc<Mutex<DateTime<Utc>>>);

impl ManualClock {
    #[must_use]
    pub fn new(start: DateTime<Utc>) -> Self {
        Self(Arc::new(Mutex::new(start)))
    }

    pub fn set(&self, to: DateTime<Utc>) {
        *self.0.lock().unwrap_or_else(PoisonError::into_inner) = to;
    }

    pub fn advance(&self, by: Duration) {
        let mut now = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        *now += by;
    }
}

impl Clock for ManualClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn follows_real_time(&self) -> bool {
        false
    }
}

/// A shared, type-erased clock as handed to services.
pub type SharedClock = Arc<dyn Clock>;

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    #[test]
    fn a_shifted_clock_runs_ahead_of_the_machine_by_its_shift() {
        let before = Utc::now();
        let ahead = ShiftedClock(Duration::days(3)).now();
        let after = Utc::now();
        assert!(ahead >= before + Duration::days(3) && ahead <= after + Duration::days(3));
    }

    #[test]
    fn a_manual_clock_moves_only_when_told_and_clones_share_time() {
        let start = Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, 0).unwrap();
        let clock = ManualClock::new(start);
        let other = clock.clone();
        assert_eq!(clock.now(), start);
        other.advance(Duration::hours(24));
        assert_eq!(clock.now(), start + Duration::hours(24));
    }
}
