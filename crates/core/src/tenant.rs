use std::{fmt, str::FromStr};

use serde::{Deserialize, Serialize};

use crate::ids::TenantId;

/// The name of a tenant's PostgreSQL schema, such as `tenant_42`.
///
/// It is the only way a schema name reaches SQL, and it can only be made from a [`TenantId`]
/// or by parsing a string that looks exactly like one, so no user text is ever spliced into a
/// statement. PostgreSQL identifiers are at most 63 bytes; ours are far shorter.
#[derive(Clone, Eq, PartialEq, Hash, Debug, Serialize)]
#[serde(transparent)]
pub struct TenantSchema(String);

const SCHEMA_PREFIX: &str = "tenant_";

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("{0:?} is not a tenant schema name (expected tenant_<positive number>)")]
pub struct InvalidTenantSchema(pub String);

impl TenantSchema {
    #[must_use]
    pub fn for_tenant(id: TenantId) -> Self {
        Self(format!("{SCHEMA_PREFIX}{}", id.get()))
    }

    /// Parses `tenant_<digits>` where the number is a positive `i64` without leading zeros.
    pub fn parse(s: &str) -> Result<Self, InvalidTenantSchema> {
        Self::tenant_id_of(s)
            .map(Self::for_tenant)
            .ok_or_else(|| InvalidTenantSchema(s.to_owned()))
    }

    fn tenant_id_of(s: &str) -> Option<TenantId> {
        let digits = s.strip_prefix(SCHEMA_PREFIX)?;
        let well_formed = !digits.is_empty()
            && digits.bytes().all(|b| b.is_ascii_digit())
            && !digits.starts_with('0');
        if !well_formed {
            return None;
        }
        digits.parse::<i64>().ok().map(TenantId)
    }

    #[must_use]
    pub fn tenant_id(&self) -> TenantId {
        // Constructors guarantee the shape, so this always parses.
        Self::tenant_id_of(&self.0).unwrap_or(TenantId(0))
    }

    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for TenantSchema {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for TenantSchema {
    type Err = InvalidTenantSchema;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl<'de> Deserialize<'de> for TenantSchema {
    fn deserialize<D>(deserializer: D) -> Result<Self, D::Error>
    where
        D: serde::Deserializer<'de>,
    {
        let s = String::deserialize(deserializer)?;
        Self::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// Where a tenant is in its life on the platform.
#[derive(Copy, Clone, Eq, PartialEq, Hash, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TenantStatus {
    /// Created; its schema is being made.
    Provisioning,
    /// Schema ready and migrated: its bot may run.
    Active,
    /// Stopped for non-payment or by an operator; data kept.
    Suspended,
    /// Its last migration failed; not served until fixed.
    MigrationFailed,
}

impl TenantStatus {
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Provisioning => "provisioning",
            Self::Active => "active",
            Self::Suspended => "suspended",
            Self::MigrationFailed => "migration_failed",
        }
    }
}

impl FromStr for TenantStatus {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s {
            "provisioning" => Self::Provisioning,
            "active" => Self::Active,
            "suspended" => Self::Suspended,
            "migration_failed" => Self::MigrationFailed,
            other => return Err(format!("unknown tenant status {other:?}")),
        })
    }
}

impl fmt::Display for TenantStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_schema_is_derived_from_a_tenant_id() {
        let schema = TenantSchema::for_tenant(TenantId(42));
        assert_eq!(schema.as_str(), "tenant_42");
        assert_eq!(schema.tenant_id(), TenantId(42));
    }

    #[test]
    fn only_exact_tenant_schema_names_parse() {
        assert!(TenantSchema::parse("tenant_7").is_ok());
        for bad in [
            "",
            "tenant_",
            "tenant_07",
            "tenant_-1",
            "public",
            "control",
            "tenant_1; drop table x",
            "tenant_1 ",
            "TENANT_1",
            "tenant_99999999999999999999",
            "tenant_1\0",
        ] {
            assert!(
                TenantSchema::parse(bad).is_err(),
                "{bad:?} must be rejected"
            );
        }
    }

    #[test]
    fn deserialising_validates_too() {
        assert!(serde_json::from_str::<TenantSchema>("\"tenant_3\"").is_ok());
        assert!(serde_json::from_str::<TenantSchema>("\"pg_catalog\"").is_err());
    }
}
