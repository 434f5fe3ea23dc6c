//! Free-slot generation.
//!
//! Working hours are wall-clock times in the tenant's IANA zone. For every date we walk the
//! day's windows in local time, stepping by the service's interval, and turn each local start
//! into an instant with the zone's rules for that date. Consequences on DST change days:
//!
//! * a local start that does not exist (spring forward, 02:30 in Berlin) is not offered;
//! * a local start that exists twice (fall back) is offered once, at its first occurrence;
//! * a visit's end is its start plus its duration in real time, and must not pass the
//!   window's real end, so a window that contains the change is as long as it really is.

use chrono::{DateTime, Duration, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;
use serde::Serialize;

use crate::{
    booking::BookingRejection,
    catalogue::ServiceTiming,
    policy::Policy,
    schedule::{Calendar, LocalRange},
    time::Interval,
};

/// A bookable start and its end, in UTC.
#[derive(Copy, Clone, Eq, PartialEq, Ord, PartialOrd, Debug, Serialize)]
pub struct Slot {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
}

impl Slot {
    #[must_use]
    pub fn interval(&self) -> Interval {
        Interval {
            start: self.start,
            end: self.end,
        }
    }
}

/// Time in which a staff member cannot take a visit, merged into sorted disjoint intervals so
/// each slot is checked with a binary search.
#[derive(Clone, Debug, Default)]
pub struct BusyTimes(Vec<Interval>);

impl BusyTimes {
    #[must_use]
    pub fn new(mut intervals: Vec<Interval>) -> Self {
        intervals.sort_by_key(|i| i.start);
        let mut merged: Vec<Interval> = Vec::with_capacity(intervals.len());
        for i in intervals {
            match merged.last_mut() {
                Some(last) if i.start <= last.end => last.end = last.end.max(i.end),
                _ => merged.push(i),
            }
        }
        Self(merged)
    }

    #[must_use]
    pub fn overlaps(&self, probe: &Interval) -> bool {
        let first_ending_after = self.0.partition_point(|b| b.end <= probe.start);
        self.0
            .get(first_ending_after)
            .is_some_and(|b| b.start < probe.end)
    }
}

/// Everything needed to list one staff member's free slots for one service.
#[derive(Clone, Debug)]
pub struct SlotQuery<'a> {
    pub zone: Tz,
    pub timing: ServiceTiming,
    pub calendar: &'a Calendar,
    /// Occupied time: live bookings with their buffers, and blocked periods.
    pub busy: &'a BusyTimes,
    pub policy: &'a Policy,
    pub now: DateTime<Utc>,
}

impl SlotQuery<'_> {
    /// The tenant's local date at `now`.
    #[must_use]
    pub fn today(&self) -> NaiveDate {
        self.now.with_timezone(&self.zone).date_naive()
    }

    /// The last local date a customer may book.
    #[must_use]
    pub fn last_bookable_date(&self) -> NaiveDate {
        self.policy.last_bookable_date(self.today())
    }

    /// Free slots on every date from `from` to `to`, both included, clipped to today and the
    /// horizon.
    #[must_use]
    pub fn free_slots(&self, from: NaiveDate, to: NaiveDate) -> Vec<Slot> {
        let first = from.max(self.today());
        let last = to.min(self.last_bookable_date());
        first
            .iter_days()
            .take_while(|d| *d <= last)
            .flat_map(|d| self.free_on(d))
            .collect()
    }

    /// The dates from `from` to `to` with at least one free slot: what a calendar makes pressable.
    #[must_use]
    pub fn bookable_dates(&self, from: NaiveDate, to: NaiveDate) -> Vec<NaiveDate> {
        let first = from.max(self.today());
        let last = to.min(self.last_bookable_date());
        first
            .iter_days()
            .take_while(|d| *d <= last)
            .filter(|d| !self.free_on(*d).is_empty())
            .collect()
    }

    /// Free slots on one local date (ignoring the horizon, which callers clip to).
    #[must_use]
    pub fn free_on(&self, date: NaiveDate) -> Vec<Slot> {
        let earliest = self.policy.earliest_start(self.now);
        self.grid_on(date)
            .into_iter()
            .filter(|s| s.start >= earliest && !self.busy.overlaps(&self.occupied(s)))
            .collect()
    }

    /// Checks a requested start against every rule but other bookings (which the database
    /// decides), and returns the slot it would occupy.
    pub fn check_start(&self, start: DateTime<Utc>) -> Result<Slot, BookingRejection> {
        if start < self.now {
            return Err(BookingRejection::InThePast);
        }
        if start < self.policy.earliest_start(self.now) {
            return Err(BookingRejection::TooSoon {
                min_notice: self.policy.min_notice,
            });
        }
        let date = start.with_timezone(&self.zone).date_naive();
        if date > self.last_bookable_date() {
            return Err(BookingRejection::BeyondHorizon {
                days: self.policy.horizon_days,
            });
        }
        let slot = self
            .grid_on(date)
            .into_iter()
            .find(|s| s.start == start)
            .ok_or(BookingRejection::OutsideWorkingHours)?;
        if self.busy.overlaps(&self.occupied(&slot)) {
            return Err(BookingRejection::Blocked);
        }
        Ok(slot)
    }

    /// The time a visit in `slot` keeps the staff member busy, buffers included.
    #[must_use]
    pub fn occupied(&self, slot: &Slot) -> Interval {
        slot.interval().widened(
            self.timing.buffer_before.duration(),
            self.timing.buffer_after.duration(),
        )
    }

    /// Every start the working hours allow on `date`, before notice and busy time.
    fn grid_on(&self, date: NaiveDate) -> Vec<Slot> {
        let duration = self.timing.duration.duration();
        let step = self.timing.interval.duration();
        let mut out = Vec::new();
        for window in self.calendar.plan_on(date).windows() {
            let Some(window_end) = self.window_end(date, window) else {
                continue;
            };
            let mut local = window.start();
            while local < window.end() {
                if let Some(start) = earliest_instant(self.zone, date.and_time(local)) {
                    let end = start + duration;
                    if end > window_end {
                        break;
                    }
                    out.push(Slot { start, end });
                }
                let (next, wrapped) = local.overflowing_add_signed(step);
                if wrapped != 0 {
                    break;
                }
                local = next;
            }
        }
        out
    }

    fn window_end(&self, date: NaiveDate, window: LocalRange) -> Option<DateTime<Utc>> {
        instant_at_or_after(self.zone, date.and_time(window.end()))
    }
}

/// The first instant showing `local` on the zone's clocks, or `None` inside a DST gap.
fn earliest_instant(zone: Tz, local: NaiveDateTime) -> Option<DateTime<Utc>> {
    match zone.from_local_datetime(&local) {
        LocalResult::Single(t) => Some(t.with_timezone(&Utc)),
        LocalResult::Ambiguous(first, _) => Some(first.with_timezone(&Utc)),
        LocalResult::None => None,
    }
}

/// `local` as an instant; inside a DST gap, the instant the gap ends (clocks never show a
/// time in the gap, so the first valid minute after it is when "that time" arrives).
fn instant_at_or_after(zone: Tz, local: NaiveDateTime) -> Option<DateTime<Utc>> {
    // Gaps are at most a couple of hours; walking minutes is simpler than asking for offsets.
    (0..=180).find_map(|m| earliest_instant(zone, local + Duration::minutes(m)))
}

/// The local wall-clock time of an instant in `zone`.
#[must_use]
pub fn local_time(zone: Tz, at: DateTime<Utc>) -> NaiveTime {
    at.with_timezone(&zone).time()
}

#[cfg(test)]
mod tests {
    use chrono::{NaiveDate, TimeZone};

    use super::*;
    use crate::{
        catalogue::Minutes,
        schedule::{DayException, DayPlan, WeeklyHours},
    };

    fn range(s: &str) -> LocalRange {
        LocalRange::parse(s).unwrap()
    }

    fn every_day(hours: &str, breaks: &[&str]) -> Calendar {
        let plan = DayPlan::new(
            vec![range(hours)],
            breaks.iter().map(|b| range(b)).collect(),
        )
        .unwrap();
        Calendar::new(WeeklyHours::uniform(&plan, &[0, 1, 2, 3, 4, 5, 6]))
    }

    fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, mo, d, h, mi, 0).unwrap()
    }

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn hourly() -> ServiceTiming {
        ServiceTiming::simple(Minutes::new(60)).unwrap()
    }

    fn no_notice() -> Policy {
        Policy {
            min_notice: Minutes::new(0),
            horizon_days: 365,
            ..Policy::default()
        }
    }

    struct Fixture {
        zone: Tz,
        timing: ServiceTiming,
        calendar: Calendar,
        busy: BusyTimes,
        policy: Policy,
        now: DateTime<Utc>,
    }

    impl Fixture {
        fn new(zone: Tz, calendar: Calendar, now: DateTime<Utc>) -> Self {
            Self {
                zone,
                timing: hourly(),
                calendar,
                busy: BusyTimes::default(),
                policy: no_notice(),
                now,
            }
        }

        fn query(&self) -> SlotQuery<'_> {
            SlotQuery {
                zone: self.zone,
                timing: self.timing,
                calendar: &self.calendar,
                busy: &self.busy,
                policy: &self.policy,
                now: self.now,
            }
        }

        fn starts_on(&self, d: NaiveDate) -> Vec<DateTime<Utc>> {
            self.query()
                .free_on(d)
                .into_iter()
                .map(|s| s.start)
                .collect()
        }
    }

    #[test]
    fn nine_oclock_in_berlin_is_a_different_utc_hour_either_side_of_spring_forward() {
        let f = Fixture::new(
            chrono_tz::Europe::Berlin,
            every_day("09:00-11:00", &[]),
            utc(2026, 3, 1, 0, 0),
        );
        // Clocks go forward at 02:00 on Sunday 2026-03-29.
        assert_eq!(
            f.starts_on(date(2026, 3, 28)),
            vec![utc(2026, 3, 28, 8, 0), utc(2026, 3, 28, 9, 0)]
        );
        assert_eq!(
            f.starts_on(date(2026, 3, 29)),
            vec![utc(2026, 3, 29, 7, 0), utc(2026, 3, 29, 8, 0)]
        );
    }

    #[test]
    fn a_local_time_skipped_by_spring_forward_is_not_offered() {
        let f = Fixture::new(
            chrono_tz::Europe::Berlin,
            every_day("01:00-05:00", &[]),
            utc(2026, 3, 1, 0, 0),
        );
        // 01:00 CET, (02:00 does not exist), 03:00 CEST, 04:00 CEST.
        assert_eq!(
            f.starts_on(date(2026, 3, 29)),
            vec![
                utc(2026, 3, 29, 0, 0),
                utc(2026, 3, 29, 1, 0),
                utc(2026, 3, 29, 2, 0)
            ]
        );
    }

    #[test]
    fn a_local_time_repeated_by_fall_back_is_offered_once_and_visits_last_their_real_length() {
        let mut f = Fixture::new(
            chrono_tz::Europe::Berlin,
            every_day("01:00-04:00", &[]),
            utc(2026, 10, 1, 0, 0),
        );
        f.timing = ServiceTiming::new(
            Minutes::new(90),
            Minutes::new(60),
            Minutes::new(0),
            Minutes::new(0),
        )
        .unwrap();
        // Clocks go back at 03:00 CEST to 02:00 CET on 2026-10-25: the window lasts four real hours,
        // 23:00Z to 03:00Z.
        let slots = f.query().free_on(date(2026, 10, 25));
        let starts: Vec<_> = slots.iter().map(|s| s.start).collect();
        // 01:00 CET, 02:00 CEST (first of the two), then 03:00 CET would end at 04:30 local,
        // past the close: not offered.
        assert_eq!(
            starts,
            vec![utc(2026, 10, 24, 23, 0), utc(2026, 10, 25, 0, 0)]
        );
        assert!(
            slots
                .iter()
                .all(|s| s.end - s.start == Duration::minutes(90))
        );
        assert!(slots.iter().all(|s| s.end <= utc(2026, 10, 25, 3, 0)));
    }

    #[test]
    fn moscow_has_no_dst_so_nine_is_always_six_utc() {
        let f = Fixture::new(
            chrono_tz::Europe::Moscow,
            every_day("09:00-10:00", &[]),
            utc(2026, 1, 1, 0, 0),
        );
        for d in [
            date(2026, 1, 15),
            date(2026, 3, 29),
            date(2026, 7, 1),
            date(2026, 10, 25),
        ] {
            assert_eq!(
                f.starts_on(d),
                vec![d.and_hms_opt(6, 0, 0).unwrap().and_utc()]
            );
        }
    }

    #[test]
    fn breaks_are_never_offered_and_a_visit_must_end_before_one() {
        let mut f = Fixture::new(
            chrono_tz::Europe::Moscow,
            every_day("09:00-14:00", &["12:00-13:00"]),
            utc(2026, 6, 1, 0, 0),
        );
        f.timing = ServiceTiming::new(
            Minutes::new(90),
            Minutes::new(30),
            Minutes::new(0),
            Minutes::new(0),
        )
        .unwrap();
        let local: Vec<_> = f
            .query()
            .free_on(date(2026, 6, 2))
            .into_iter()
            .map(|s| local_time(f.zone, s.start).format("%H:%M").to_string())
            .collect();
        // 09:00-12:00 fits 90-minute visits starting 09:00..10:30; 13:00-14:00 fits none.
        assert_eq!(local, ["09:00", "09:30", "10:00", "10:30"]);
    }

    #[test]
    fn buffers_keep_a_gap_around_existing_visits() {
        let mut f = Fixture::new(
            chrono_tz::Europe::Moscow,
            every_day("09:00-13:00", &[]),
            utc(2026, 6, 1, 0, 0),
        );
        f.timing = ServiceTiming::new(
            Minutes::new(60),
            Minutes::new(30),
            Minutes::new(15),
            Minutes::new(15),
        )
        .unwrap();
        // An existing visit 10:30-11:30 MSK occupying 10:15-11:45 with its own buffers.
        f.busy = BusyTimes::new(vec![
            Interval::new(utc(2026, 6, 2, 7, 15), utc(2026, 6, 2, 8, 45)).unwrap(),
        ]);
        let local: Vec<_> = f
            .query()
            .free_on(date(2026, 6, 2))
            .into_iter()
            .map(|s| local_time(f.zone, s.start).format("%H:%M").to_string())
            .collect();
        // 09:00 occupies 08:45-10:15 (touches, fine); 09:30 would occupy until 10:45 (clash).
        // After: 12:00 occupies from 11:45 (touches, fine); 12:00 ends 13:00.
        assert_eq!(local, ["09:00", "12:00"]);
    }

    #[test]
    fn exceptions_close_a_day_or_change_its_hours() {
        let special = DayPlan::new(vec![range("15:00-16:00")], vec![]).unwrap();
        let calendar = every_day("09:00-10:00", &[])
            .with_exception(date(2026, 6, 2), DayException::DayOff)
            .with_exception(date(2026, 6, 3), DayException::SpecialHours(special));
        let f = Fixture::new(chrono_tz::Europe::Moscow, calendar, utc(2026, 6, 1, 0, 0));
        assert!(f.starts_on(date(2026, 6, 2)).is_empty());
        assert_eq!(f.starts_on(date(2026, 6, 3)), vec![utc(2026, 6, 3, 12, 0)]);
        let dates = f.query().bookable_dates(date(2026, 6, 1), date(2026, 6, 4));
        assert_eq!(
            dates,
            vec![date(2026, 6, 1), date(2026, 6, 3), date(2026, 6, 4)]
        );
    }

    #[test]
    fn minimum_notice_hides_slots_that_start_too_soon() {
        let mut f = Fixture::new(
            chrono_tz::Europe::Moscow,
            every_day("09:00-18:00", &[]),
            utc(2026, 6, 2, 7, 10),
        );
        f.policy.min_notice = Minutes::new(120);
        // 10:10 MSK now, two hours' notice: the first slot is 13:00 MSK (12:10 is off the grid).
        assert_eq!(
            f.starts_on(date(2026, 6, 2)).first(),
            Some(&utc(2026, 6, 2, 10, 0))
        );
        assert_eq!(
            f.query().check_start(utc(2026, 6, 2, 8, 0)),
            Err(BookingRejection::TooSoon {
                min_notice: Minutes::new(120)
            })
        );
        assert_eq!(
            f.query().check_start(utc(2026, 6, 2, 6, 0)),
            Err(BookingRejection::InThePast)
        );
    }

    #[test]
    fn a_ninety_day_horizon_offers_exactly_ninety_one_days_and_refuses_beyond() {
        let mut f = Fixture::new(
            chrono_tz::Europe::Moscow,
            every_day("09:00-10:00", &[]),
            utc(2026, 1, 1, 5, 0),
        );
        f.policy.horizon_days = 90;
        let slots = f.query().free_slots(date(2025, 12, 1), date(2026, 12, 31));
        // Today (2026-01-01, 08:00 MSK, the 09:00 slot still ahead) through 2026-04-01.
        assert_eq!(slots.len(), 91);
        assert_eq!(f.query().last_bookable_date(), date(2026, 4, 1));
        assert!(f.query().check_start(utc(2026, 4, 1, 6, 0)).is_ok());
        assert_eq!(
            f.query().check_start(utc(2026, 4, 2, 6, 0)),
            Err(BookingRejection::BeyondHorizon { days: 90 })
        );
    }

    #[test]
    fn forged_starts_off_the_grid_or_outside_hours_are_refused() {
        let f = Fixture::new(
            chrono_tz::Europe::Moscow,
            every_day("09:00-12:00", &[]),
            utc(2026, 6, 1, 0, 0),
        );
        let q = f.query();
        assert!(q.check_start(utc(2026, 6, 2, 6, 0)).is_ok());
        assert_eq!(
            q.check_start(utc(2026, 6, 2, 6, 17)),
            Err(BookingRejection::OutsideWorkingHours)
        );
        assert_eq!(
            q.check_start(utc(2026, 6, 2, 20, 0)),
            Err(BookingRejection::OutsideWorkingHours)
        );
    }

    #[test]
    fn blocked_time_is_refused_and_hidden() {
        let mut f = Fixture::new(
            chrono_tz::Europe::Moscow,
            every_day("09:00-12:00", &[]),
            utc(2026, 6, 1, 0, 0),
        );
        f.busy = BusyTimes::new(vec![
            Interval::new(utc(2026, 6, 2, 6, 30), utc(2026, 6, 2, 7, 30)).unwrap(),
        ]);
        assert_eq!(f.starts_on(date(2026, 6, 2)), vec![utc(2026, 6, 2, 8, 0)]);
        assert_eq!(
            f.query().check_start(utc(2026, 6, 2, 7, 0)),
            Err(BookingRejection::Blocked)
        );
    }

    #[test]
    fn busy_times_merge_overlapping_intervals() {
        let busy = BusyTimes::new(vec![
            Interval::new(utc(2026, 1, 1, 10, 0), utc(2026, 1, 1, 11, 0)).unwrap(),
            Interval::new(utc(2026, 1, 1, 9, 0), utc(2026, 1, 1, 10, 30)).unwrap(),
            Interval::new(utc(2026, 1, 1, 13, 0), utc(2026, 1, 1, 14, 0)).unwrap(),
        ]);
        let probe = |h, m| {
            Interval::new(
                utc(2026, 1, 1, h, m),
                utc(2026, 1, 1, h, m) + Duration::minutes(30),
            )
            .unwrap()
        };
        assert!(busy.overlaps(&probe(10, 45)));
        assert!(!busy.overlaps(&probe(11, 0)));
        assert!(!busy.overlaps(&probe(12, 30)));
        assert!(busy.overlaps(&probe(13, 45)));
    }
}
