use std::fmt;

use booking_core::tenant::TenantSchema;

use crate::error::StorageError;

/// The login role of one tenant, `<database>_<schema>`, such as `booking_tenant_42`.
///
/// Roles are cluster-wide while schemas are per database, so the database name is part of the
/// role name: two platform databases in one cluster (or two test databases) never share one.
#[derive(Clone, Eq, PartialEq, Hash, Debug)]
pub struct TenantRole(String);

impl TenantRole {
    pub fn new(base: &RoleBase, schema: &TenantSchema) -> Self {
        Self(format!("{}_{}", base.0, schema.as_str()))
    }

    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for TenantRole {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The validated prefix of tenant role names: the database's name.
#[derive(Clone, Eq, PartialEq, Hash, Debug)]
pub struct RoleBase(String);

impl RoleBase {
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Accepts a lowercase identifier short enough to leave room for `_tenant_<id>` within
    /// PostgreSQL's 63-byte limit.
    pub fn parse(s: &str) -> Result<Self, StorageError> {
        let ok = (1..=32).contains(&s.len())
            && s.bytes()
                .next()
                .is_some_and(|b| b.is_ascii_lowercase() || b == b'_')
            && s.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
        if ok {
            Ok(Self(s.to_owned()))
        } else {
            Err(StorageError::BadRoleBase(s.to_owned()))
        }
    }
}

#[cfg(test)]
mod tests {
    use booking_core::ids::TenantId;

    use super::*;

    #[test]
    fn role_names_combine_database_and_schema() {
        let base = RoleBase::parse("booking").unwrap();
        let role = TenantRole::new(&base, &TenantSchema::for_tenant(TenantId(9)));
        assert_eq!(role.as_str(), "booking_tenant_9");
    }

    #[test]
    fn odd_database_names_are_refused() {
        for bad in [
            "",
            "Booking",
            "book-ing",
            "9booking",
            "a\"b",
            &"x".repeat(33),
        ] {
            assert!(RoleBase::parse(bad).is_err(), "{bad:?}");
        }
    }
}
