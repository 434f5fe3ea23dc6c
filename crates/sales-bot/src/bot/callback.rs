//! The sales bot's inline-button data: one typed enum with a compact, versioned codec.
//!
//! Anyone can forge `callback_data`, so buttons carry ids only and every handler checks on the
//! server what a button asks for (a plan must exist and be on sale; an order must be the
//! presser's own).

use std::{fmt, str::FromStr};

use booking_core::ids::PlanId;
use bot_kit::callback::{DataError, Version};
use storage::control::orders::OrderId;

/// The codec version written by this build.
const VERSION: Version = Version::new("v", 1);

/// A main-menu entry.
#[derive(Copy, Clone, Eq, PartialEq, Debug)]
pub enum Menu {
    Main,
    About,
    Plans,
    Demo,
    Trial,
}

impl Menu {
    const fn code(self) -> &'static str {
        match self {
            Self::Main => "main",
            Self::About => "about",
            Self::Plans => "plans",
            Self::Demo => "demo",
            Self::Trial => "trial",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "main" => Self::Main,
            "about" => Self::About,
            "plans" => Self::Plans,
            "demo" => Self::Demo,
            "trial" => Self::Trial,
            _ => return None,
        })
    }
}

/// What a button asks for.
#[derive(Copy, Clone, Eq, PartialEq, Debug)]
pub enum Button {
    Menu(Menu),
    /// Buy this plan.
    Buy(PlanId),
    /// One of the offered time zones, by its index in [`crate::bot::zones::OFFERED`].
    Zone(u8),
    /// Fetch this order's payment again and say where it is.
    Check(OrderId),
    /// Leave the purchase.
    Cancel,
}

#[derive(Clone, Eq, PartialEq, Debug, thiserror::Error)]
pub enum ButtonError {
    #[error("button data of an unknown codec version")]
    UnknownVersion,
    #[error("malformed button data")]
    Malformed,
}

impl fmt::Display for Button {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{VERSION}")?;
        match self {
            Self::Menu(m) => write!(f, "m:{}", m.code()),
            Self::Buy(plan) => write!(f, "b:{plan}"),
            Self::Zone(i) => write!(f, "z:{i}"),
            Self::Check(order) => write!(f, "p:{}", order.0.simple()),
            Self::Cancel => f.write_str("x"),
        }
    }
}

impl FromStr for Button {
    type Err = ButtonError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let rest = VERSION.strip(s).map_err(|e| match e {
            DataError::OtherVersion => ButtonError::UnknownVersion,
            DataError::Malformed => ButtonError::Malformed,
        })?;
        let (tag, arg) = rest.split_once(':').unwrap_or((rest, ""));
        parse_v1(tag, arg).ok_or(ButtonError::Malformed)
    }
}

fn parse_v1(tag: &str, arg: &str) -> Option<Button> {
    Some(match (tag, arg) {
        ("m", item) => Button::Menu(Menu::parse(item)?),
        ("b", id) if !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit()) => {
            Button::Buy(PlanId(id.parse().ok().filter(|n: &i64| *n > 0)?))
        }
        ("z", i) if !i.is_empty() && i.len() <= 2 && i.bytes().all(|b| b.is_ascii_digit()) => {
            Button::Zone(i.parse().ok()?)
        }
        ("p", id) if id.len() == 32 => Button::Check(OrderId(uuid::Uuid::try_parse(id).ok()?)),
        ("x", "") => Button::Cancel,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    bot_kit::round_trip_tests!(
        Button: Button::Menu(Menu::Main),
        Button::Menu(Menu::About),
        Button::Menu(Menu::Plans),
        Button::Menu(Menu::Demo),
        Button::Menu(Menu::Trial),
        Button::Buy(PlanId(i64::MAX)),
        Button::Zone(11),
        Button::Check(OrderId(uuid::Uuid::new_v4())),
        Button::Cancel,
    );

    #[test]
    fn forged_and_foreign_data_is_refused() {
        assert_eq!(
            "v2:m:main".parse::<Button>(),
            Err(ButtonError::UnknownVersion)
        );
        for bad in [
            "",
            "v1",
            "v1:",
            "m:main",
            "v1:m:admin",
            "v1:b:0",
            "v1:b:-1",
            "v1:b:1x",
            "v1:z:",
            "v1:z:123",
            "v1:p:not-a-uuid",
            "v1:x:1",
            "x1:m:main",
        ] {
            assert_eq!(bad.parse::<Button>(), Err(ButtonError::Malformed), "{bad}");
        }
        assert!("v1:m:main".repeat(10).parse::<Button>().is_err());
    }
}
