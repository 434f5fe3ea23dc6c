//! The operator bot's button data: one typed enum with a compact, versioned text codec.
//!
//! Button data comes back from Telegram as the user's input: it is parsed strictly here and
//! every action is checked again server-side (the allowlist, the tenant, the number of days).

use std::{fmt, str::FromStr};

use booking_core::ids::TenantId;
use bot_kit::callback::{Version, positive};
use storage::control::placement::Placement;

/// The codec's version; data of another version, or of no operator version at all, is
/// refused as outdated ("this button is outdated; open the menu again").
const VERSION: Version = Version::new("o", 1);

/// The extensions an operator may choose from buttons, in days.
pub const EXTEND_CHOICES: [i32; 3] = [7, 30, 365];

/// A button press.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Press {
    /// The main menu.
    Menu,
    /// A page of tenants after this id (0: the first page).
    List {
        after: i64,
    },
    Details(TenantId),
    Deploy(TenantId),
    Stop(TenantId),
    Restart(TenantId),
    /// Sets where the bot runs; `None` follows the tenant's plan.
    Place(TenantId, Option<Placement>),
    /// Asks to confirm an extension.
    ExtendAsk(TenantId, i32),
    /// The confirmed extension.
    ExtendDo(TenantId, i32),
    Stats,
    /// The latest alerts.
    Alerts,
}

/// Why button data was refused.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum PressError {
    #[error("button of another version")]
    OtherVersion,
    #[error("malformed button")]
    Malformed,
}

impl fmt::Display for Press {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Menu => write!(f, "{VERSION}m"),
            Self::List { after } => write!(f, "{VERSION}l:{after}"),
            Self::Details(id) => write!(f, "{VERSION}t:{id}"),
            Self::Deploy(id) => write!(f, "{VERSION}d:{id}"),
            Self::Stop(id) => write!(f, "{VERSION}s:{id}"),
            Self::Restart(id) => write!(f, "{VERSION}r:{id}"),
            Self::Place(id, placement) => {
                let p = match placement {
                    Some(Placement::Dedicated) => "d",
                    Some(Placement::Shared) => "s",
                    None => "p",
                };
                write!(f, "{VERSION}p:{id}:{p}")
            }
            Self::ExtendAsk(id, days) => write!(f, "{VERSION}x:{id}:{days}"),
            Self::ExtendDo(id, days) => write!(f, "{VERSION}X:{id}:{days}"),
            Self::Stats => write!(f, "{VERSION}st"),
            Self::Alerts => write!(f, "{VERSION}a"),
        }
    }
}

fn tenant(part: Option<&str>) -> Result<TenantId, PressError> {
    part.and_then(positive)
        .map(TenantId)
        .ok_or(PressError::Malformed)
}

fn placement(part: Option<&str>) -> Result<Option<Placement>, PressError> {
    match part {
        Some("d") => Ok(Some(Placement::Dedicated)),
        Some("s") => Ok(Some(Placement::Shared)),
        Some("p") => Ok(None),
        _ => Err(PressError::Malformed),
    }
}

fn days(part: Option<&str>) -> Result<i32, PressError> {
    part.and_then(|p| p.parse::<i32>().ok())
        .filter(|d| EXTEND_CHOICES.contains(d))
        .ok_or(PressError::Malformed)
}

impl FromStr for Press {
    type Err = PressError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let rest = VERSION.strip(s).map_err(|_| PressError::OtherVersion)?;
        let mut parts = rest.split(':');
        let kind = parts.next().ok_or(PressError::Malformed)?;
        let press = match kind {
            "m" => Self::Menu,
            "st" => Self::Stats,
            "a" => Self::Alerts,
            "l" => Self::List {
                after: parts
                    .next()
                    .and_then(|p| p.parse::<i64>().ok())
                    .filter(|a| *a >= 0)
                    .ok_or(PressError::Malformed)?,
            },
            "t" => Self::Details(tenant(parts.next())?),
            "d" => Self::Deploy(tenant(parts.next())?),
            "s" => Self::Stop(tenant(parts.next())?),
            "r" => Self::Restart(tenant(parts.next())?),
            "p" => Self::Place(tenant(parts.next())?, placement(parts.next())?),
            "x" => Self::ExtendAsk(tenant(parts.next())?, days(parts.next())?),
            "X" => Self::ExtendDo(tenant(parts.next())?, days(parts.next())?),
            _ => return Err(PressError::Malformed),
        };
        if parts.next().is_some() {
            return Err(PressError::Malformed);
        }
        Ok(press)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    bot_kit::round_trip_tests!(
        Press: Press::Menu,
        Press::List { after: 0 },
        Press::List { after: i64::MAX },
        Press::Details(TenantId(i64::MAX)),
        Press::Deploy(TenantId(i64::MAX)),
        Press::Stop(TenantId(i64::MAX)),
        Press::Restart(TenantId(i64::MAX)),
        Press::Place(TenantId(i64::MAX), Some(Placement::Shared)),
        Press::Place(TenantId(1), Some(Placement::Dedicated)),
        Press::Place(TenantId(1), None),
        Press::ExtendAsk(TenantId(i64::MAX), 365),
        Press::ExtendDo(TenantId(i64::MAX), 30),
        Press::Stats,
        Press::Alerts,
    );

    #[test]
    fn forged_and_foreign_data_is_refused() {
        assert_eq!("v1:m".parse::<Press>(), Err(PressError::OtherVersion));
        for bad in [
            "o1",
            "o1:q",
            "o1:t:0",
            "o1:t:-3",
            "o1:t:abc",
            "o1:X:5:1000",
            "o1:X:5",
            "o1:l:-1",
            "o1:t:5:extra",
            "o1:p:5",
            "o1:p:5:x",
            "o1:p:0:s",
            "o1:p:5:s:s",
        ] {
            assert_eq!(bad.parse::<Press>(), Err(PressError::Malformed), "{bad}");
        }
    }
}
