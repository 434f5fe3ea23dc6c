//! Group classes in the admin's day view: the seats of one session (same start, staff member
//! and class service) are shown as one class with its attendees, not as separate visits.

use crate::admin::roles::Acting;
use crate::runtime::context::Cx;
use std::collections::HashMap;

use booking_core::{Tz, catalogue::Seats, ids::ServiceId, locale::Locale, time::Interval};
use storage::{
    TenantTx,
    tenant::{
        bookings::{
            self,
            model::{Booking, BookingView},
        },
        catalogue,
    },
};

use super::texts::{clock, status};
use crate::error::BotError;

/// The seat count of every class service (inactive ones too: their sessions still show).
pub async fn seats(cx: &Cx<'_, Acting>) -> Result<HashMap<ServiceId, Seats>, BotError> {
    let mut tx = cx.tx().await?;
    let services = catalogue::services(&mut tx, true).await?;
    tx.commit().await?;
    Ok(services
        .into_iter()
        .filter_map(|s| s.seats.map(|n| (s.id, n)))
        .collect())
}

/// For a seat's card: "👥 Group: 2/10 — Alice, Boris", everyone with a seat in its session.
pub async fn attendees(
    locale: Locale,
    tx: &mut TenantTx,
    seat: &Booking,
    seats: Seats,
) -> Result<String, BotError> {
    let at = Interval {
        start: seat.start,
        end: seat.start + chrono::Duration::minutes(1),
    };
    let names: Vec<String> = bookings::views::in_range(tx, at, Some(seat.staff_id))
        .await?
        .into_iter()
        .filter(|v| {
            v.booking.service_id == seat.service_id
                && v.booking.start == seat.start
                && v.booking.status == booking_core::booking::BookingStatus::Confirmed
        })
        .map(|v| v.customer_name)
        .collect();
    let label = match locale {
        Locale::Ru => "Группа",
        Locale::En => "Class",
    };
    Ok(format!(
        "👥 {label}: {}/{} — {}",
        names.len(),
        seats.get(),
        names.join(", ")
    ))
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

#[cfg(test)]
mod tests {
    use booking_core::{
        booking::BookingStatus,
        catalogue::Price,
        ids::{BookingId, CustomerId, StaffId, TelegramUserId},
    };
    use chrono::{DateTime, TimeZone as _, Utc};
    use storage::tenant::bookings::model::Booking;

    use super::*;

    fn view(id: i64, service: i64, start: DateTime<Utc>, customer: &str) -> BookingView {
        BookingView {
            booking: Booking {
                id: BookingId(id),
                customer_id: CustomerId(id),
                service_id: ServiceId(service),
                staff_id: StaffId(1),
                start,
                end: start + chrono::Duration::hours(1),
                status: BookingStatus::Confirmed,
                hold_expires_at: None,
                price: Price(0),
                source: None,
                series_id: None,
            },
            service_name: if service == 1 { "Yoga" } else { "Massage" }.to_owned(),
            staff_name: "Anna".to_owned(),
            customer_name: customer.to_owned(),
            customer_phone: None,
            telegram_user_id: TelegramUserId(id),
        }
    }

    /// A class's seats make one heading with its attendees; an individual visit stays a line.
    #[test]
    fn a_class_is_one_heading_with_its_attendees() {
        let ten = Utc.with_ymd_and_hms(2026, 6, 2, 7, 0, 0).unwrap();
        let list = [
            view(1, 1, ten, "Alice"),
            view(2, 1, ten, "Boris"),
            view(3, 2, ten + chrono::Duration::hours(2), "Vera"),
        ];
        let classes = HashMap::from([(ServiceId(1), Seats::new(10).unwrap())]);
        let text = day_lines(Locale::Ru, chrono_tz::Europe::Moscow, &list, &classes);
        let lines: Vec<&str> = text.lines().filter(|l| !l.is_empty()).collect();
        assert_eq!(lines.len(), 4, "{text}");
        assert!(
            lines[0].contains("10:00–11:00 👥 Yoga · Anna · мест 2/10"),
            "{text}"
        );
        assert!(lines[1].contains("• Alice"), "{text}");
        assert!(lines[2].contains("• Boris"), "{text}");
        assert!(
            lines[3].contains("12:00–13:00 Massage · Anna · Vera"),
            "{text}"
        );
    }
}
