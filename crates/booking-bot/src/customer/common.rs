//! Small helpers every flow uses: names, local times, the "expired" and "refused" answers.

use booking_core::{
    booking::BookingRejection,
    catalogue::Service,
    ids::{ServiceId, StaffId},
};
use chrono::{DateTime, Utc};
use storage::{
    TenantTx,
    tenant::{bookings::model::Booking, catalogue},
};

use super::{context::Ctx, keyboards};
use crate::{error::BotError, texts::Key};
use bot_kit::Reply;

pub(super) async fn names(
    tx: &mut TenantTx,
    service: ServiceId,
    staff: StaffId,
) -> Result<(String, String), BotError> {
    let service = catalogue::service(tx, service)
        .await?
        .map(|s| s.name)
        .unwrap_or_default();
    let staff = catalogue::staff(tx, true)
        .await?
        .into_iter()
        .find(|s| s.id == staff)
        .map(|s| s.name)
        .unwrap_or_default();
    Ok((service, staff))
}

/// A service as the screens after choosing it head it: its name, and under it the business's
/// description, when it wrote one.
pub(super) fn titled(s: &Service) -> String {
    let description = s.description.trim();
    if description.is_empty() {
        s.name.clone()
    } else {
        format!("{}\n{description}", s.name)
    }
}

/// Date and time in the tenant's zone.
pub(super) fn local(cx: &Ctx<'_>, at: DateTime<Utc>) -> (String, String) {
    let local = at.with_timezone(&cx.session.profile.time_zone);
    (
        cx.texts().date(local.date_naive()),
        local.format("%H:%M").to_string(),
    )
}

/// The screen that says what became of a booking (booked, moved, confirmed): `key`'s text with
/// the booking's service, staff member, date, time and zone, and the way back to the menu.
pub(super) async fn booking_screen(
    cx: &Ctx<'_>,
    tx: &mut TenantTx,
    key: Key,
    booking: &Booking,
) -> Result<Reply, BotError> {
    let t = cx.texts();
    let (service, staff) = names(tx, booking.service_id, booking.staff_id).await?;
    let (date, time) = local(cx, booking.start);
    let text = t.fill(
        key,
        &[
            ("service", &service),
            ("staff", &staff),
            ("date", &date),
            ("time", &time),
            ("zone", &t.zone(cx.session.profile.time_zone)),
        ],
    );
    Ok(Reply::screen(text, keyboards::to_menu(t)))
}

pub(super) fn expired(cx: &Ctx<'_>) -> Reply {
    Reply::alert(cx.texts().get(Key::ButtonExpired))
}

pub(super) fn rejected(cx: &Ctx<'_>, r: &BookingRejection) -> Reply {
    Reply::alert(cx.texts().rejection(r))
}
