use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate, NaiveTime};
use serde::{Deserialize, Serialize};

use crate::{
    ids::{BlockId, StaffId},
    time::Interval,
};

/// A range of wall-clock time within one local day, `[start, end)`.
///
/// Times are local to the tenant's zone and are turned into instants per date, so "09:00"
/// means nine in the morning on both sides of a DST change.
#[derive(Copy, Clone, Eq, PartialEq, Ord, PartialOrd, Debug, Serialize, Deserialize)]
pub struct LocalRange {
    start: NaiveTime,
    end: NaiveTime,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ScheduleError {
    #[error("a time range must end after it starts ({start} to {end})")]
    EmptyRange { start: NaiveTime, end: NaiveTime },
    #[error("working hours overlap each other on the same day")]
    OverlappingHours,
    #[error("{0:?} is not a time of day (expected HH:MM)")]
    BadTime(String),
    #[error("{0:?} is not a range of times (expected HH:MM-HH:MM)")]
    BadRange(String),
}

impl LocalRange {
    pub fn new(start: NaiveTime, end: NaiveTime) -> Result<Self, ScheduleError> {
        if start < end {
            Ok(Self { start, end })
        } else {
            Err(ScheduleError::EmptyRange { start, end })
        }
    }

    /// Parses `09:00-18:00` (also with an en dash, as people type it).
    pub fn parse(s: &str) -> Result<Self, ScheduleError> {
        let (a, b) = s
            .split_once(['-', '–'])
            .ok_or_else(|| ScheduleError::BadRange(s.to_owned()))?;
        Self::new(parse_time(a)?, parse_time(b)?)
    }

    #[must_use]
    pub const fn start(&self) -> NaiveTime {
        self.start
    }

    #[must_use]
    pub const fn end(&self) -> NaiveTime {
        self.end
    }
}

/// Parses `9:00` or `09:00`.
pub fn parse_time(s: &str) -> Result<NaiveTime, ScheduleError> {
    NaiveTime::parse_from_str(s.trim(), "%H:%M").map_err(|_| ScheduleError::BadTime(s.to_owned()))
}

/// The plan of one day: working ranges (a split shift has two) and the breaks inside them.
#[derive(Clone, Eq, PartialEq, Debug, Default, Serialize, Deserialize)]
pub struct DayPlan {
    hours: Vec<LocalRange>,
    breaks: Vec<LocalRange>,
}

impl DayPlan {
    /// A day with no working time.
    #[must_use]
    pub fn closed() -> Self {
        Self::default()
    }

    pub fn new(
        mut hours: Vec<LocalRange>,
        mut breaks: Vec<LocalRange>,
    ) -> Result<Self, ScheduleError> {
        hours.sort();
        breaks.sort();
        if hours.windows(2).any(|w| w[0].end > w[1].start) {
            return Err(ScheduleError::OverlappingHours);
        }
        Ok(Self { hours, breaks })
    }

    #[must_use]
    pub fn is_closed(&self) -> bool {
        self.windows().is_empty()
    }

    #[must_use]
    pub fn hours(&self) -> &[LocalRange] {
        &self.hours
    }

    #[must_use]
    pub fn breaks(&self) -> &[LocalRange] {
        &self.breaks
    }

    /// The ranges in which visits may take place: the hours with the breaks cut out.
    #[must_use]
    pub fn windows(&self) -> Vec<LocalRange> {
        let mut out = Vec::new();
        for hours in &self.hours {
            let mut pieces = vec![*hours];
            for brk in &self.breaks {
                pieces = pieces.into_iter().flat_map(|p| subtract(p, *brk)).collect();
            }
            out.extend(pieces);
        }
        out
    }
}

fn subtract(range: LocalRange, cut: LocalRange) -> Vec<LocalRange> {
    if cut.end <= range.start || cut.start >= range.end {
        return vec![range];
    }
    [
        LocalRange::new(range.start, cut.start).ok(),
        LocalRange::new(cut.end, range.end).ok(),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// Working hours for each weekday, Monday first.
#[derive(Clone, Eq, PartialEq, Debug, Default, Serialize, Deserialize)]
pub struct WeeklyHours([DayPlan; 7]);

impl WeeklyHours {
    /// The same plan on the given weekdays (0 = Monday), closed on the others.
    #[must_use]
    pub fn uniform(plan: &DayPlan, weekdays: &[u32]) -> Self {
        let mut week = Self::default();
        for &d in weekdays {
            week.set(d, plan.clone());
        }
        week
    }

    /// Replaces one weekday's plan; `weekday` counts from Monday = 0 and wraps at 7.
    pub fn set(&mut self, weekday: u32, plan: DayPlan) {
        self.0[(weekday % 7) as usize] = plan;
    }

    #[must_use]
    pub fn day(&self, weekday: u32) -> &DayPlan {
        &self.0[(weekday % 7) as usize]
    }
}

/// A date that does not follow the weekly plan.
#[derive(Clone, Eq, PartialEq, Debug, Serialize, Deserialize)]
pub enum DayException {
    DayOff,
    SpecialHours(DayPlan),
}

/// One staff member's working calendar: the weekly plan and its exceptions.
#[derive(Clone, Eq, PartialEq, Debug, Default, Serialize, Deserialize)]
pub struct Calendar {
    pub weekly: WeeklyHours,
    pub exceptions: BTreeMap<NaiveDate, DayException>,
}

impl Calendar {
    #[must_use]
    pub fn new(weekly: WeeklyHours) -> Self {
        Self {
            weekly,
            exceptions: BTreeMap::new(),
        }
    }

    #[must_use]
    pub fn with_exception(mut self, date: NaiveDate, exception: DayException) -> Self {
        self.exceptions.insert(date, exception);
        self
    }

    /// The plan that applies on `date`.
    #[must_use]
    pub fn plan_on(&self, date: NaiveDate) -> DayPlan {
        match self.exceptions.get(&date) {
            Some(DayException::DayOff) => DayPlan::closed(),
            Some(DayException::SpecialHours(plan)) => plan.clone(),
            None => self
                .weekly
                .day(date.weekday().num_days_from_monday())
                .clone(),
        }
    }
}

/// Time taken out of the calendar by an admin: a holiday, a training, a broken chair.
#[derive(Clone, Eq, PartialEq, Debug, Serialize, Deserialize)]
pub struct BlockedPeriod {
    pub id: BlockId,
    /// `None` blocks every staff member.
    pub staff: Option<StaffId>,
    pub period: Interval,
    pub reason: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> NaiveTime {
        parse_time(s).unwrap()
    }

    #[test]
    fn breaks_are_cut_out_of_working_hours() {
        let plan = DayPlan::new(
            vec![LocalRange::parse("09:00-18:00").unwrap()],
            vec![LocalRange::parse("13:00-14:00").unwrap()],
        )
        .unwrap();
        assert_eq!(
            plan.windows(),
            vec![
                LocalRange::new(t("09:00"), t("13:00")).unwrap(),
                LocalRange::new(t("14:00"), t("18:00")).unwrap(),
            ]
        );
    }

    #[test]
    fn a_break_covering_the_day_leaves_it_closed() {
        let plan = DayPlan::new(
            vec![LocalRange::parse("10:00-12:00").unwrap()],
            vec![LocalRange::parse("09:00-13:00").unwrap()],
        )
        .unwrap();
        assert!(plan.is_closed());
    }

    #[test]
    fn overlapping_shifts_are_refused() {
        let err = DayPlan::new(
            vec![
                LocalRange::parse("09:00-13:00").unwrap(),
                LocalRange::parse("12:00-18:00").unwrap(),
            ],
            vec![],
        );
        assert_eq!(err, Err(ScheduleError::OverlappingHours));
    }

    #[test]
    fn ranges_parse_from_what_people_type() {
        assert!(LocalRange::parse("9:00 – 18:30").is_ok());
        assert!(LocalRange::parse("18:00-09:00").is_err());
        assert!(LocalRange::parse("nine to five").is_err());
    }

    #[test]
    fn exceptions_override_the_weekly_plan() {
        let day = DayPlan::new(vec![LocalRange::parse("09:00-18:00").unwrap()], vec![]).unwrap();
        let monday = NaiveDate::from_ymd_opt(2026, 6, 1).unwrap();
        let tuesday = NaiveDate::from_ymd_opt(2026, 6, 2).unwrap();
        let short = DayPlan::new(vec![LocalRange::parse("10:00-12:00").unwrap()], vec![]).unwrap();
        let calendar = Calendar::new(WeeklyHours::uniform(&day, &[0, 1, 2, 3, 4]))
            .with_exception(monday, DayException::DayOff)
            .with_exception(tuesday, DayException::SpecialHours(short.clone()));
        assert!(calendar.plan_on(monday).is_closed());
        assert_eq!(calendar.plan_on(tuesday), short);
        let sunday = NaiveDate::from_ymd_opt(2026, 6, 7).unwrap();
        assert!(calendar.plan_on(sunday).is_closed());
    }
}
