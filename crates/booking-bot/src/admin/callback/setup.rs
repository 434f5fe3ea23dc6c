//! The choices the setup checklist's and the links screen's buttons carry.

use std::fmt;

use booking_core::ids::{ServiceId, StaffId};
use bot_kit::callback::positive;

/// A line of the About screen the admin writes.
#[derive(Copy, Clone, Eq, PartialEq, Debug, serde::Serialize, serde::Deserialize)]
pub enum ProfileField {
    /// A few words about the business.
    Description,
    Address,
    Contacts,
    /// The currency prices are in (an ISO 4217 code, typed).
    Currency,
}

impl ProfileField {
    pub(super) const fn code(self) -> &'static str {
        match self {
            Self::Description => "d",
            Self::Address => "a",
            Self::Contacts => "c",
            Self::Currency => "m",
        }
    }

    pub(super) fn parse(code: &str) -> Option<Self> {
        match code {
            "d" => Some(Self::Description),
            "a" => Some(Self::Address),
            "c" => Some(Self::Contacts),
            "m" => Some(Self::Currency),
            _ => None,
        }
    }

    /// Its settings key (see `storage::tenant::about` and `settings::set_currency`).
    #[must_use]
    pub const fn setting(self) -> &'static str {
        match self {
            Self::Description => storage::tenant::about::DESCRIPTION,
            Self::Address => storage::tenant::about::ADDRESS,
            Self::Contacts => storage::tenant::about::CONTACTS,
            Self::Currency => "currency",
        }
    }
}

/// Where a link of the bot leads: its menu, a service, a staff member. Written as the deep
/// link's own part (`s3`, `m2`), or `b` for the bot itself.
#[derive(Copy, Clone, Eq, PartialEq, Debug)]
pub enum LinkTarget {
    Bot,
    Service(ServiceId),
    Staff(StaffId),
}

impl LinkTarget {
    pub(super) fn parse(code: &str) -> Option<Self> {
        if code == "b" {
            return Some(Self::Bot);
        }
        let (kind, id) = code.split_at_checked(1)?;
        let id = positive(id)?;
        match kind {
            "s" => Some(Self::Service(ServiceId(id))),
            "m" => Some(Self::Staff(StaffId(id))),
            _ => None,
        }
    }
}

impl fmt::Display for LinkTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Bot => f.write_str("b"),
            Self::Service(id) => write!(f, "s{id}"),
            Self::Staff(id) => write!(f, "m{id}"),
        }
    }
}
