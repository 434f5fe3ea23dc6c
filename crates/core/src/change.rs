//! What a change of a booking is, and who must hear of it.
//!
//! Every change, whoever makes it (the customer in the bot, an admin in the panel, the REST
//! API, the waitlist, the automatic release), is one [`ChangeKind`] made by one
//! [`Actor`](crate::booking::Actor). [`ChangeKind::audience`] decides from those two alone who
//! is told, so a new path that changes bookings cannot forget anyone: the storage service
//! writes the notices it names in the change's own transaction.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::booking::Actor;

/// What happened to a booking.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "change", rename_all = "snake_case")]
pub enum ChangeKind {
    /// A customer reached the confirm screen: the slot is held for a few minutes.
    Held,
    /// The hold was given back (the customer left the confirm screen).
    HoldReleased,
    /// A live booking now exists: a hold confirmed, or a booking made outright.
    Booked,
    /// Cancelled; `reason` is the business's own words, if it gave any; `apology` when the
    /// business cancelled because the staff member cannot work that day.
    Cancelled {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        apology: bool,
    },
    /// Moved from `from` to the booking's current start.
    Moved {
        from: DateTime<Utc>,
    },
    /// Cancelled by the platform because the customer did not confirm the visit.
    Released,
    Completed,
    NoShow,
}

/// Who is told of a change.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Default)]
pub struct Audience {
    /// The booking's customer (when they can be written to at all).
    pub customer: bool,
    /// The business's admins who follow the booking's staff member, except the one who made
    /// the change.
    pub admins: bool,
}

impl ChangeKind {
    /// Who hears of this change made by `actor`. Nobody is told what they did themselves: a
    /// customer sees their own booking on screen, so only the business hears of it; the
    /// business's changes (an admin, the API on its behalf, the platform) reach the customer
    /// and the other admins.
    #[must_use]
    pub const fn audience(&self, actor: Actor) -> Audience {
        match self {
            Self::Held | Self::HoldReleased | Self::Completed | Self::NoShow => Audience {
                customer: false,
                admins: false,
            },
            Self::Booked | Self::Cancelled { .. } | Self::Moved { .. } | Self::Released => {
                match actor {
                    Actor::Customer(_) => Audience {
                        customer: false,
                        admins: true,
                    },
                    Actor::Admin(_) | Actor::Api(_) | Actor::System => Audience {
                        customer: true,
                        admins: true,
                    },
                }
            }
        }
    }

    /// The name of the change in history and in the audit log.
    #[must_use]
    pub const fn action(&self) -> &'static str {
        match self {
            Self::Held => "hold",
            Self::HoldReleased => "release_hold",
            Self::Booked => "book",
            Self::Cancelled { .. } => "cancel",
            Self::Moved { .. } => "reschedule",
            Self::Released => "auto_release",
            Self::Completed => "completed",
            Self::NoShow => "no_show",
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::ids::TelegramUserId;

    use super::*;

    const CUSTOMER: Actor = Actor::Customer(TelegramUserId(7));

    #[test]
    fn a_customers_own_change_is_told_to_the_business_only() {
        for change in [
            ChangeKind::Booked,
            ChangeKind::Cancelled {
                reason: None,
                apology: false,
            },
            ChangeKind::Moved {
                from: DateTime::<Utc>::UNIX_EPOCH,
            },
        ] {
            assert_eq!(
                change.audience(CUSTOMER),
                Audience {
                    customer: false,
                    admins: true
                },
                "{change:?}"
            );
        }
    }

    #[test]
    fn the_business_changes_reach_the_customer_and_the_admins() {
        for actor in [
            Actor::Admin(TelegramUserId(1)),
            Actor::Api(3),
            Actor::System,
        ] {
            let told = ChangeKind::Booked.audience(actor);
            assert!(told.customer && told.admins, "{actor:?}");
        }
        let released = ChangeKind::Released.audience(Actor::System);
        assert!(released.customer && released.admins);
    }

    #[test]
    fn holds_and_outcomes_tell_nobody() {
        for change in [
            ChangeKind::Held,
            ChangeKind::HoldReleased,
            ChangeKind::Completed,
            ChangeKind::NoShow,
        ] {
            assert_eq!(change.audience(Actor::Api(1)), Audience::default());
            assert_eq!(change.audience(CUSTOMER), Audience::default());
        }
    }

    #[test]
    fn a_change_round_trips_through_json() {
        let change = ChangeKind::Cancelled {
            reason: Some("sick".into()),
            apology: true,
        };
        let json = serde_json::to_value(&change).unwrap();
        assert_eq!(json["change"], "cancelled");
        assert_eq!(serde_json::from_value::<ChangeKind>(json).unwrap(), change);
        let plain = serde_json::to_value(ChangeKind::Cancelled {
            reason: None,
            apology: false,
        })
        .unwrap();
        assert_eq!(plain, serde_json::json!({ "change": "cancelled" }));
    }
}
