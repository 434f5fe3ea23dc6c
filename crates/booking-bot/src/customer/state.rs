//! Where a customer is in a conversation, kept between updates (and restarts) in Redis.

use booking_core::ids::{BookingId, ServiceId, StaffId};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use storage::tenant::{
    bookings::series::{Every, Times},
    brought_back::BroughtBy,
};
use teloxide::dispatching::dialogue::Dialogue;

use crate::runtime::dialogue_storage::TenantDialogues;

/// A customer's dialogue, stored per tenant.
pub type Dlg = Dialogue<State, TenantDialogues>;

/// The dialogue state. Variants carry what was chosen so far, so a button further on only
/// needs to carry its own choice (and the state says whether that choice still makes sense).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum State {
    /// At the menu, or nowhere in particular.
    #[default]
    Idle,
    /// Booking: the service is chosen, the staff member is next.
    ChoosingStaff { service: ServiceId },
    /// Booking: service and staff member ("any" is `None`) chosen; day and time are next.
    /// `from`: the kind of message the customer came from (a nudge's "other time"), which the
    /// booking is attributed to.
    ChoosingTime {
        service: ServiceId,
        staff: Option<StaffId>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        from: Option<BroughtBy>,
    },
    /// Booking: a slot is held and the confirm screen is shown; `series` once the customer
    /// has been shown the plan of repeating it.
    Confirming {
        service: ServiceId,
        staff: Option<StaffId>,
        hold: BookingId,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        series: Option<SeriesDraft>,
    },
    /// Moving a confirmed booking: same service and staff member, a new day and time.
    Rescheduling {
        booking: BookingId,
        service: ServiceId,
        staff: StaffId,
    },
    /// A first visit arrived through a deep link: it is followed once the language is chosen.
    Welcome {
        service: Option<ServiceId>,
        staff: Option<StaffId>,
    },
    /// A deep link chose the staff member; the service is next.
    ChoosingService { staff: StaffId },
    /// A visit was rated; the customer's next text is its comment.
    Commenting { booking: BookingId },
}

/// The plan of a series the customer was shown, as the confirm of it books it: the dates found
/// free, and the times offered instead of the taken ones.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeriesDraft {
    pub every: Every,
    pub times: Times,
    pub free: Vec<DateTime<Utc>>,
    pub instead: Vec<DateTime<Utc>>,
}

impl State {
    /// The kind of message a booking in progress came from, if any.
    #[must_use]
    pub const fn brought_by(&self) -> Option<BroughtBy> {
        match *self {
            Self::ChoosingTime { from, .. } => from,
            _ => None,
        }
    }

    /// The service and staff choice of a booking in progress, if any.
    #[must_use]
    pub const fn draft(&self) -> Option<(ServiceId, Option<StaffId>)> {
        match *self {
            Self::ChoosingTime { service, staff, .. } | Self::Confirming { service, staff, .. } => {
                Some((service, staff))
            }
            Self::Rescheduling { service, staff, .. } => Some((service, Some(staff))),
            Self::Idle
            | Self::ChoosingStaff { .. }
            | Self::Commenting { .. }
            | Self::Welcome { .. }
            | Self::ChoosingService { .. } => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn states_round_trip_through_json() {
        let states = [
            State::Idle,
            State::ChoosingStaff {
                service: ServiceId(1),
            },
            State::ChoosingTime {
                service: ServiceId(1),
                staff: None,
                from: None,
            },
            State::ChoosingTime {
                service: ServiceId(1),
                staff: Some(StaffId(2)),
                from: Some(BroughtBy::Nudge),
            },
            State::Confirming {
                service: ServiceId(1),
                staff: Some(StaffId(2)),
                hold: BookingId(3),
                series: None,
            },
            State::Confirming {
                service: ServiceId(1),
                staff: None,
                hold: BookingId(3),
                series: Some(SeriesDraft {
                    every: Every::TWO_WEEKS,
                    times: Times::new(3).unwrap(),
                    free: vec![DateTime::from_timestamp(1_800_000_000, 0).unwrap()],
                    instead: vec![],
                }),
            },
            State::Rescheduling {
                booking: BookingId(4),
                service: ServiceId(1),
                staff: StaffId(2),
            },
            State::Commenting {
                booking: BookingId(5),
            },
            State::Welcome {
                service: Some(ServiceId(1)),
                staff: None,
            },
            State::ChoosingService { staff: StaffId(2) },
        ];
        for state in states {
            let json = serde_json::to_string(&state).unwrap();
            assert_eq!(
                serde_json::from_str::<State>(&json).unwrap(),
                state,
                "{json}"
            );
        }
    }
}
