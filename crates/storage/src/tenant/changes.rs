//! Notifications that a tenant's configuration changed (the tenant migration
//! `0006_change_notify.sql`): what a bot holds in memory about its tenant is dropped when the
//! part it came from changes, whichever process changed it.

use booking_core::{
    ids::{TelegramUserId, TenantId},
    tenant::TenantSchema,
};

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
    /// One customer's row (`customers`, migration `0019_customer_notify.sql`), by Telegram id.
    Customer(TelegramUserId),
}

/// A notification on [`CHANNEL`].
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct Changed {
    pub tenant: TenantId,
    pub part: Part,
}

impl Changed {
    /// Reads `'<schema> <table>'` (`'<schema> customers <telegram id>'` for a customer);
    /// `None` for anything else.
    #[must_use]
    pub fn parse(payload: &str) -> Option<Self> {
        let (schema, table) = payload.split_once(' ')?;
        let tenant = TenantSchema::parse(schema).ok()?.tenant_id();
        if let Some(id) = table.strip_prefix("customers ") {
            let id = TelegramUserId(id.parse().ok()?);
            return Some(Self {
                tenant,
                part: Part::Customer(id),
            });
        }
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
        assert_eq!(
            Changed::parse("tenant_3 customers 42").map(|c| c.part),
            Some(Part::Customer(TelegramUserId(42)))
        );
        for bad in [
            "",
            "tenant_3",
            "tenant_3 bookings",
            "public settings",
            "tenant_3 customers",
            "tenant_3 customers x",
        ] {
            assert_eq!(Changed::parse(bad), None, "{bad:?}");
        }
    }
}
