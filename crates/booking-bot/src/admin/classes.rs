//! Group classes in the admin's day view: the seats of one session (same start, staff member
//! and class service) are shown as one class with its attendees, not as separate visits.

use std::collections::HashMap;

use booking_core::{Tz, catalogue::Seats, ids::ServiceId, locale::Locale};
use storage::tenant::{bookings::model::BookingView, catalogue};

use super::{
    Cx,
    texts::{clock, status},
};
use crate::error::BotError;

/// The seat count of every class service (inactive ones too: their sessions still show).
pub async fn seats(cx: &Cx<'_>) -> Result<HashMap<ServiceId, Seats>, BotError> {
    let mut tx = cx.tx().await?;
    let services = catalogue::services(&mut tx, true).await?;
    tx.commit().await?;
    Ok(services
        .into_iter()
        .filter_map(|s| s.seats.map(|n| (s.id, n)))
        .collect())
}

/// The day's lines: a visit per line, and a class as a heading ("Yoga · Anna · 3/10 seats")
/// with one indented line per attendee. `list` is in start order, so a session's seats are
/// next to each other (they share start and staff member).
#[must_use]
pub fn day_lines(
    locale: Locale,
    zone: Tz,
    list: &[BookingView],
    classes: &HashMap<ServiceId, Seats>,
) -> String {
    let tr = |en: &'static str, ru: &'static str| match locale {
        Locale::Ru => ru,
        Locale::En => en,
    };
    let mut text = String::new();
    let mut i = 0;
    while i < list.len() {
        let v = &list[i];
        let range = format!(
            "{}–{}",
            clock(zone, v.booking.start),
            clock(zone, v.booking.end)
        );
        let Some(seats) = classes.get(&v.booking.service_id) else {
            text.push_str(&format!(
                "\n{range} {} · {} · {} ({})",
                v.service_name,
                v.staff_name,
                v.customer_name,
                status(locale, v.booking.status),
            ));
            i += 1;
            continue;
        };
        let same = |w: &BookingView| {
            w.booking.start == v.booking.start
                && w.booking.staff_id == v.booking.staff_id
                && w.booking.service_id == v.booking.service_id
        };
        let session: Vec<&BookingView> = list[i..].iter().take_while(|w| same(w)).collect();
        text.push_str(&format!(
            "\n{range} 👥 {} · {} · {} {}/{}",
            v.service_name,
            v.staff_name,
            tr("seats", "мест"),
            session.len(),
            seats.get(),
        ));
        for w in &session {
            text.push_str(&format!(
                "\n    • {} ({})",
                w.customer_name,
                status(locale, w.booking.status)
            ));
        }
        i += session.len();
    }
    text
}
