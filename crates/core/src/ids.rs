use std::fmt;

use serde::{Deserialize, Serialize};

/// Declares a transparent id newtype over `i64` (PostgreSQL `bigint`), so that a
/// `ServiceId` can never be passed where a `StaffId` is expected.
macro_rules! id_newtype {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Copy, Clone, Eq, PartialEq, Ord, PartialOrd, Hash, Debug, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl $name {
            #[must_use]
            pub const fn get(self) -> i64 {
                self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl std::str::FromStr for $name {
            type Err = std::num::ParseIntError;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                s.parse().map(Self)
            }
        }
    };
}

id_newtype!(
    /// A tenant (one business) of the platform.
    TenantId
);
id_newtype!(
    /// A service a business sells.
    ServiceId
);
id_newtype!(
    /// A member of a business's staff.
    StaffId
);
id_newtype!(
    /// A booking (or a hold) in a tenant's schema.
    BookingId
);
id_newtype!(
    /// A customer of one tenant (the tenant's own row, not the Telegram id).
    CustomerId
);
id_newtype!(
    /// A shared bot host (`control.bot_hosts`): one booking-bot process serving many tenants.
    BotHostId
);
id_newtype!(
    /// A Telegram user id. The same person has the same id with every bot.
    TelegramUserId
);
id_newtype!(
    /// A blocked period in a tenant's calendar.
    BlockId
);
id_newtype!(
    /// A platform job in the control schema's queue.
    JobId
);
id_newtype!(
    /// A subscription plan.
    PlanId
);
id_newtype!(
    /// A row of a tenant's outbox (a message to send at a given time).
    OutboxId
);
id_newtype!(
    /// A customer's place on the waitlist of a full day.
    WaitlistId
);
