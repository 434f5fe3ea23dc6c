//! Small helpers every flow uses: names, local times, the "expired" and "refused" answers.

use crate::runtime::context::Cx;
use booking_core::{
    booking::BookingRejection,
    catalogue::Service,
    ids::{ServiceId, StaffId},
};
use chrono::{DateTime, Utc};
use storage::tenant::bookings::model::Booking;

use super::{context::Visit, keyboards};
use crate::texts::Key;
use bot_kit::Reply;

/// The names of a service and a staff member, from the configuration held (either may be
/// inactive by now).
pub(super) fn names(cx: &Cx<'_, Visit>, service: ServiceId, staff: StaffId) -> (String, String) {
    let config = cx.who.session.config();
    let service = config
        .service(service)
        .map(|s| s.name.clone())
        .unwrap_or_default();
    let staff = config
        .staff
        .iter()
        .find(|s| s.id == staff)
        .map(|s| s.name.clone())
        .unwrap_or_default();
    (service, staff)
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
pub(super) fn local(cx: &Cx<'_, Visit>, at: DateTime<Utc>) -> (String, String) {
    let local = at.with_timezone(&cx.who.session.profile.time_zone);
    (
        cx.texts().date(local.date_naive()),
        local.format("%H:%M").to_string(),
    )
}

/// The screen that says what became of a booking (booked, moved, confirmed): `key`'s text with
/// the booking's service, staff member, date, time and zone, and the way back to the menu.
pub(super) fn booking_screen(cx: &Cx<'_, Visit>, key: Key, booking: &Booking) -> Reply {
    let t = cx.texts();
    let (service, staff) = names(cx, booking.service_id, booking.staff_id);
    let (date, time) = local(cx, booking.start);
    let text = t.fill(
        key,
        &[
            ("service", &service),
            ("staff", &staff),
            ("date", &date),
            ("time", &time),
            ("zone", &t.zone(cx.who.session.profile.time_zone)),
        ],
    );
    Reply::screen(text, keyboards::to_menu(t))
}

pub(super) fn expired(cx: &Cx<'_, Visit>) -> Reply {
    Reply::alert(cx.texts().get(Key::ButtonExpired))
}

pub(super) fn rejected(cx: &Cx<'_, Visit>, r: &BookingRejection) -> Reply {
    Reply::alert(cx.texts().rejection(r))
}
