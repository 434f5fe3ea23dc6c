//! `OPERATOR_IDS`: the Telegram users the operator bot serves. Everyone else is refused.

use std::{fmt, str::FromStr};

/// A Telegram user id on the allowlist.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct OperatorId(pub i64);

/// The allowlist, parsed from a comma-separated list such as `123456, 7890`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OperatorIds(Vec<OperatorId>);

impl OperatorIds {
    #[must_use]
    pub fn new(ids: impl IntoIterator<Item = i64>) -> Self {
        let mut ids: Vec<OperatorId> = ids.into_iter().map(OperatorId).collect();
        ids.sort_unstable();
        ids.dedup();
        Self(ids)
    }

    /// Whether the Telegram user `user` is an operator.
    #[must_use]
    pub fn allows(&self, user: u64) -> bool {
        i64::try_from(user).is_ok_and(|id| self.0.binary_search(&OperatorId(id)).is_ok())
    }

    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = OperatorId> + '_ {
        self.0.iter().copied()
    }
}

/// Why `OPERATOR_IDS` was refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum AllowlistError {
    #[error("OPERATOR_IDS holds {0:?}, which is not a positive Telegram user id")]
    NotAnId(String),
    #[error("OPERATOR_IDS is empty: the operator bot would refuse everyone")]
    Empty,
}

impl FromStr for OperatorIds {
    type Err = AllowlistError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let ids = s
            .split(',')
            .map(str::trim)
            .filter(|part| !part.is_empty())
            .map(|part| match part.parse::<i64>() {
                Ok(id) if id > 0 => Ok(id),
                _ => Err(AllowlistError::NotAnId(part.to_owned())),
            })
            .collect::<Result<Vec<_>, _>>()?;
        if ids.is_empty() {
            return Err(AllowlistError::Empty);
        }
        Ok(Self::new(ids))
    }
}

impl fmt::Display for OperatorIds {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ids: Vec<String> = self.0.iter().map(|id| id.0.to_string()).collect();
        f.write_str(&ids.join(","))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_list_of_ids_parses_and_only_those_are_allowed() {
        let ids: OperatorIds = " 42, 7,42 ".parse().unwrap();
        assert!(ids.allows(7) && ids.allows(42));
        assert!(!ids.allows(8));
        assert!(!ids.allows(u64::MAX));
        assert_eq!(ids.to_string(), "7,42");
    }

    #[test]
    fn garbage_and_empty_lists_are_refused() {
        assert_eq!(
            "1,x".parse::<OperatorIds>(),
            Err(AllowlistError::NotAnId("x".into()))
        );
        assert_eq!(
            "-5".parse::<OperatorIds>(),
            Err(AllowlistError::NotAnId("-5".into()))
        );
        assert_eq!(" , ".parse::<OperatorIds>(), Err(AllowlistError::Empty));
    }
}
