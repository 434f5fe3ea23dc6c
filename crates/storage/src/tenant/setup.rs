//! How far a new business is in setting its bot up: what the admin panel's checklist shows
//! until the bot can take bookings.

use crate::{db::TenantTx, error::StorageError, tenant::about};

/// Each step of the setup, done or not.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Readiness {
    /// At least one active service.
    pub service: bool,
    /// At least one active staff member.
    pub staff: bool,
    /// An active service that an active staff member gives: something a customer can book.
    pub bookable_service: bool,
    /// Weekly working hours, the business's or a staff member's.
    pub hours: bool,
    /// A few words for the About screen.
    pub description: bool,
    pub address: bool,
    pub contacts: bool,
}

impl Readiness {
    /// Whether a customer can book anything: a service someone gives, and hours to give it in.
    #[must_use]
    pub const fn takes_bookings(&self) -> bool {
        self.bookable_service && self.hours
    }

    /// Whether every step, the optional ones too, is done.
    #[must_use]
    pub const fn complete(&self) -> bool {
        self.takes_bookings() && self.description && self.address && self.contacts
    }
}

/// Reads every step in one go.
pub async fn readiness(tx: &mut TenantTx) -> Result<Readiness, StorageError> {
    let (service, staff, bookable_service, hours): (bool, bool, bool, bool) = sqlx::query_as(
        "select exists (select 1 from services where active), \
                exists (select 1 from staff where active), \
                exists (select 1 from services v join staff_services x on x.service_id = v.service_id \
                        join staff s on s.staff_id = x.staff_id where v.active and s.active), \
                exists (select 1 from working_hours where kind = 'hours')",
    )
    .fetch_one(tx.conn())
    .await?;
    let facts = about::load(tx).await?;
    Ok(Readiness {
        service,
        staff,
        bookable_service,
        hours,
        description: facts.description.is_some(),
        address: facts.address.is_some(),
        contacts: facts.contacts.is_some(),
    })
}
