//! What every message about a booking is rendered from: the recipient's texts and the
//! tenant's profile, the booking as it is now, and the usual placeholders.

use booking_core::booking::BookingStatus;
use chrono::{DateTime, Utc};
use storage::{
    TenantTx,
    tenant::{
        bookings::{self, model::Booking},
        catalogue,
        outbox::Claimed,
        settings::TenantProfile,
    },
};

use crate::{
    error::BotError,
    texts::{Key, Texts},
};

/// The recipient's texts and the tenant's profile.
pub struct Recipient {
    pub texts: Texts,
    pub profile: TenantProfile,
}

/// The booking a message is about, whatever its state now.
pub async fn booking_of(tx: &mut TenantTx, m: &Claimed) -> Result<Option<Booking>, BotError> {
    let Some(id) = m.booking else {
        return Ok(None);
    };
    Ok(bookings::views::get(tx, id).await?)
}

/// Whether the visit took place and is over by `now`: what a rating request or a next-visit
/// offer follows.
pub fn visit_over(b: &Booking, now: DateTime<Utc>) -> bool {
    matches!(
        b.status,
        BookingStatus::Confirmed | BookingStatus::Completed
    ) && b.end <= now
}

/// The usual placeholders of a message about a booking.
pub async fn fields(
    tx: &mut TenantTx,
    to: &Recipient,
    b: &Booking,
) -> Result<Vec<(&'static str, String)>, BotError> {
    let service = catalogue::service(tx, b.service_id)
        .await?
        .map(|s| s.name)
        .unwrap_or_default();
    let staff = catalogue::staff(tx, true)
        .await?
        .into_iter()
        .find(|s| s.id == b.staff_id)
        .map(|s| s.name)
        .unwrap_or_default();
    let zone = to.profile.time_zone;
    let local = b.start.with_timezone(&zone);
    Ok(vec![
        ("service", service),
        ("staff", staff),
        ("date", to.texts.date(local.date_naive())),
        ("time", local.format("%H:%M").to_string()),
        ("zone", to.texts.zone(zone)),
    ])
}

pub fn fill(t: &Texts, key: Key, fields: &[(&'static str, String)]) -> String {
    let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    t.fill(key, &pairs)
}
