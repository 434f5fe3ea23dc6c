//! A tenant's configuration read at once, for a bot to hold in memory: the profile and policy,
//! the catalogue, the staff and their calendars. Everything here changes only through the admin
//! panel, the REST API or the master's CLI, each of which announces it (`changes`), so a bot
//! keeps one [`TenantConfig`] until then instead of reading it again for every screen.
//!
//! Only screens are drawn from it. A booking, hold or move still reads every rule afresh in its
//! own transaction (`bookings::service`), and the exclusion constraint decides: a configuration
//! a moment old may show a time the server then refuses, never book one it would refuse.

use std::collections::HashMap;

use booking_core::{
    catalogue::{Service, Staff},
    ids::{ServiceId, StaffId},
    schedule::Calendar,
};
use chrono::{DateTime, Duration, NaiveDate, Utc};

use crate::{
    db::TenantTx,
    error::StorageError,
    tenant::{
        catalogue, schedule,
        settings::{self, TenantProfile},
    },
};

/// The tenant's configuration as of one moment.
#[derive(Clone, Debug)]
pub struct TenantConfig {
    pub profile: TenantProfile,
    /// Every service, inactive ones too, in display order.
    pub services: Vec<Service>,
    /// Every staff member, inactive ones too, in display order.
    pub staff: Vec<Staff>,
    /// The calendars of the active staff, with their exceptions from `calendars_from` on.
    calendars: HashMap<StaffId, Calendar>,
    /// The first date whose exceptions [`Self::calendars`] holds.
    calendars_from: NaiveDate,
    /// The last one.
    calendars_to: NaiveDate,
}

impl TenantConfig {
    /// Reads it all (four statements), with the exceptions from yesterday (in the tenant's
    /// zone) to the end of the booking horizon and a day beyond.
    pub async fn load(tx: &mut TenantTx, now: DateTime<Utc>) -> Result<Self, StorageError> {
        let profile = settings::profile(tx).await?;
        let services = catalogue::services(tx, true).await?;
        let staff = catalogue::staff(tx, true).await?;
        let today = now.with_timezone(&profile.time_zone).date_naive();
        let calendars_from = today - Duration::days(1);
        let calendars_to = today + Duration::days(i64::from(profile.policy.horizon_days) + 1);
        let active: Vec<StaffId> = staff.iter().filter(|s| s.active).map(|s| s.id).collect();
        let calendars = schedule::calendars(tx, &active, calendars_from, calendars_to).await?;
        Ok(Self {
            profile,
            services,
            staff,
            calendars,
            calendars_from,
            calendars_to,
        })
    }

    /// The service, active or not.
    #[must_use]
    pub fn service(&self, id: ServiceId) -> Option<&Service> {
        self.services.iter().find(|s| s.id == id)
    }

    /// The active services in display order.
    pub fn active_services(&self) -> impl Iterator<Item = &Service> {
        self.services.iter().filter(|s| s.active)
    }

    /// The active services some active staff member gives, in display order (as
    /// `catalogue::bookable_services`): one nobody gives could only be refused a step later.
    pub fn bookable_services(&self) -> impl Iterator<Item = &Service> {
        self.active_services().filter(|v| {
            self.staff
                .iter()
                .any(|s| s.active && s.services.contains(&v.id))
        })
    }

    /// Active staff who give `service`, in display order (as `catalogue::staff_for_service`).
    #[must_use]
    pub fn staff_for_service(&self, service: ServiceId) -> Vec<Staff> {
        self.staff
            .iter()
            .filter(|s| s.active && s.services.contains(&service))
            .cloned()
            .collect()
    }

    /// The calendars of `staff` for dates between `from` and `to`, when this configuration
    /// holds every exception of those dates; `None` asks for them to be read.
    #[must_use]
    pub fn calendars(
        &self,
        staff: &[StaffId],
        from: NaiveDate,
        to: NaiveDate,
    ) -> Option<HashMap<StaffId, Calendar>> {
        if from < self.calendars_from || to > self.calendars_to {
            return None;
        }
        staff
            .iter()
            .map(|id| self.calendars.get(id).map(|c| (*id, c.clone())))
            .collect()
    }
}
