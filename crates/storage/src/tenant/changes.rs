//! Notifications that a tenant's configuration changed (the tenant migration
//! `0006_change_notify.sql`): what a bot holds in memory about its tenant is dropped when the
//! part it came from changes, whichever process changed it.

use booking_core::{ids::TenantId, tenant::TenantSchema};

/// The channel every tenant's configuration tables notify on.
pub const CHANNEL: &str = "tenant_changed";

/// Which part of a tenant's configuration changed.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum Part {
    /// `settings`: the profile (name, zone, language) and the booking policy.
    Settings,
    /// `services`, `staff`, `staff_services`.
    Catalogue,
    /// `working_hours`, `date_exceptions`.
    Hours,
    /// `text_overrides`.
    Texts,
}

/// A notification on [`CHANNEL`].
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct Changed {
    pub tenant: TenantId,
    pub part: Part,
}

impl Changed {
    /// Reads `'<schema> <table>'`; `None` for anything else.
    #[must_use]
    pub fn parse(payload: &str) -> Option<Self> {
        let (schema, table) = payload.split_once(' ')?;
        let tenant = TenantSchema::parse(schema).ok()?.tenant_id();
        let part = match table {
            "settings" => Part::Settings,
            "services" | "staff" | "staff_services" => Part::Catalogue,
            "working_hours" | "date_exceptions" => Part::Hours,
            "text_overrides" => Part::Texts,
            _ => return None,
        };
        Some(Self { tenant, part })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_change_names_the_tenant_and_the_part() {
        assert_eq!(
            Changed::parse("tenant_3 staff_services"),
            Some(Changed {
                tenant: TenantId(3),
                part: Part::Catalogue
            })
        );
        assert_eq!(
            Changed::parse("tenant_3 settings").map(|c| c.part),
            Some(Part::Settings)
        );
        for bad in ["", "tenant_3", "tenant_3 bookings", "public settings"] {
            assert_eq!(Changed::parse(bad), None, "{bad:?}");
        }
    }
}
