//! The dates and times the booking API takes from a request: only what the tenant could book.
//!
//! Beyond the booking horizon there is nothing to offer, and a date near the end of chrono's
//! calendar (`+262142-01-01` is a valid query date) once reached date arithmetic that panics.
//! So every date and start from a request is bounded here, against the tenant's own policy,
//! before anything computes with it.

use booking_core::booking::BookingRejection;
use chrono::{DateTime, NaiveDate, Utc};
use storage::tenant::settings::TenantProfile;

use crate::api::error::{ApiError, FieldError};

/// The local dates a customer of this tenant could book on, as of now.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Bookable {
    /// Yesterday: a client a time zone behind the tenant may still ask for its own "today".
    pub first: NaiveDate,
    /// The end of the booking horizon.
    pub last: NaiveDate,
    horizon_days: u16,
}

impl Bookable {
    #[must_use]
    pub fn new(profile: &TenantProfile, now: DateTime<Utc>) -> Self {
        let today = now.with_timezone(&profile.time_zone).date_naive();
        Self {
            first: today.pred_opt().unwrap_or(today),
            last: profile.policy.last_bookable_date(today),
            horizon_days: profile.policy.horizon_days,
        }
    }

    /// Each named date must lie between [`Self::first`] and [`Self::last`]; every one that
    /// does not is listed.
    pub fn check_dates(&self, dates: &[(&str, NaiveDate)]) -> Result<(), ApiError> {
        let errors: Vec<FieldError> = dates
            .iter()
            .filter_map(|&(field, date)| {
                if date < self.first {
                    Some(FieldError::new(
                        field,
                        format!("must be {} or later", self.first),
                    ))
                } else if date > self.last {
                    Some(FieldError::new(
                        field,
                        format!(
                            "must be {} or earlier: bookings open {} days ahead",
                            self.last, self.horizon_days
                        ),
                    ))
                } else {
                    None
                }
            })
            .collect();
        if errors.is_empty() {
            Ok(())
        } else {
            Err(ApiError::Validation(errors))
        }
    }

    /// A booking's start: refused as the booking service would refuse it (in the past, beyond
    /// the horizon), before the service computes anything around it.
    pub fn check_start(
        &self,
        profile: &TenantProfile,
        start: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<(), ApiError> {
        if start < now {
            return Err(ApiError::Rejected(BookingRejection::InThePast));
        }
        let beyond = Err(ApiError::Rejected(BookingRejection::BeyondHorizon {
            days: self.horizon_days,
        }));
        // No zone is a day from UTC, so a start two UTC days past the horizon is beyond it in
        // every zone; judged so first, because `with_timezone` panics at the calendar's end.
        let past_any_zone = self.last.succ_opt().and_then(|d| d.succ_opt());
        if past_any_zone.is_none_or(|d| start.date_naive() >= d) {
            return beyond;
        }
        if start.with_timezone(&profile.time_zone).date_naive() > self.last {
            return beyond;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use booking_core::{Tz, locale::Locale, policy::Policy};
    use chrono::TimeZone as _;

    use super::*;

    fn profile() -> TenantProfile {
        TenantProfile {
            name: "Salon".to_owned(),
            time_zone: Tz::Europe__Moscow,
            locale: Locale::En,
            policy: Policy {
                horizon_days: 60,
                ..Policy::default()
            },
            currency: booking_core::currency::Currency::Rub,
        }
    }

    fn date(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    /// 2026-06-01 23:30 UTC is already 2 June in Moscow.
    fn late_evening() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 6, 1, 23, 30, 0).unwrap()
    }

    #[test]
    fn the_bookable_dates_run_from_yesterday_to_the_horizon_in_the_tenants_zone() {
        let b = Bookable::new(&profile(), late_evening());
        assert_eq!((b.first, b.last), (date("2026-06-01"), date("2026-08-01")));
        assert!(b.check_dates(&[("from", b.first), ("to", b.last)]).is_ok());
    }

    #[test]
    fn dates_outside_are_field_errors_even_at_the_ends_of_the_calendar() {
        let b = Bookable::new(&profile(), late_evening());
        let far = date("+262142-01-01");
        let Err(ApiError::Validation(errors)) = b.check_dates(&[
            ("query.from", date("2026-05-31")),
            ("query.to", far),
            ("x", NaiveDate::MIN),
            ("y", NaiveDate::MAX),
            ("z", date("9999-12-31")),
        ]) else {
            panic!("expected field errors");
        };
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["query.from", "query.to", "x", "y", "z"]);
        assert!(errors[1].message.contains("60 days"), "{:?}", errors[1]);
    }

    #[test]
    fn a_start_is_refused_as_the_booking_service_would() {
        let p = profile();
        let now = late_evening();
        let b = Bookable::new(&p, now);
        let refused = |start| match b.check_start(&p, start, now) {
            Err(ApiError::Rejected(r)) => Some(r.code()),
            Ok(()) => None,
            Err(e) => panic!("{e:?}"),
        };
        assert_eq!(refused(DateTime::<Utc>::MIN_UTC), Some("in_the_past"));
        assert_eq!(refused(DateTime::<Utc>::MAX_UTC), Some("beyond_horizon"));
        assert_eq!(
            refused(Utc.with_ymd_and_hms(2026, 8, 1, 20, 59, 0).unwrap()),
            None,
            "23:59 on the last day, Moscow time"
        );
        assert_eq!(
            refused(Utc.with_ymd_and_hms(2026, 8, 1, 21, 0, 0).unwrap()),
            Some("beyond_horizon")
        );
    }
}
