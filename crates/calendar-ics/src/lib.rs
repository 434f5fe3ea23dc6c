//! Bookings as RFC 5545 iCalendar documents, built with the `icalendar` crate: a staff
//! member's (or the business's) subscribed feed, and the one-visit file a customer adds to
//! their calendar.
//!
//! A visit keeps one `UID` for its whole life and a `SEQUENCE` that grows with every change,
//! so a calendar that already holds it replaces its copy when the visit moves, and shows it as
//! cancelled (`STATUS:CANCELLED`) when it is.

use booking_core::ids::{BookingId, TenantId};
use chrono::{DateTime, Duration, Utc};
use icalendar::{Calendar, Component as _, EventLike as _, EventStatus};

/// The product named in every document.
const PRODID: &str = "-//booking-platform//bookings//EN";
/// How often a subscribed calendar should fetch the feed again (Apple and Outlook read
/// `REFRESH-INTERVAL`/`X-PUBLISHED-TTL`; Google refreshes on its own schedule).
const REFRESH: Duration = Duration::minutes(30);

/// A visit's identity across every document it appears in: the same in the staff feed and in
/// the customer's file, never reused (booking ids are not).
#[must_use]
pub fn uid(tenant: TenantId, booking: BookingId) -> String {
    format!("booking-{tenant}-{booking}@booking-platform")
}

/// One visit, in the words of whoever reads the document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Visit {
    pub uid: String,
    /// How many times the visit changed: the `SEQUENCE`.
    pub revision: u32,
    /// When it last changed: the `DTSTAMP` and `LAST-MODIFIED`.
    pub changed_at: DateTime<Utc>,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub summary: String,
    pub description: String,
    pub cancelled: bool,
}

/// Whether the document is a subscribed feed or a one-off file.
#[derive(Copy, Clone, Eq, PartialEq, Debug)]
pub enum Kind {
    /// A feed calendars poll: named, with a refresh interval.
    Feed,
    /// A file the customer opens once: `METHOD:PUBLISH`, as calendar apps import it; or
    /// `METHOD:CANCEL` when it withdraws its visits (every one is cancelled), so a calendar
    /// that imported the visit removes it.
    File,
}

/// The visits as one `VCALENDAR` document named `name`, lines ending in CRLF and folded at 75
/// octets as RFC 5545 requires.
#[must_use]
pub fn document(kind: Kind, name: &str, visits: &[Visit]) -> String {
    let mut calendar = Calendar::empty();
    calendar
        .append_property(("VERSION", "2.0"))
        .append_property(("PRODID", PRODID))
        .append_property(("CALSCALE", "GREGORIAN"));
    match kind {
        Kind::Feed => {
            calendar.name(name).ttl(&REFRESH);
        }
        Kind::File => {
            let withdrawn = !visits.is_empty() && visits.iter().all(|v| v.cancelled);
            let method = if withdrawn { "CANCEL" } else { "PUBLISH" };
            calendar.append_property(("METHOD", method));
        }
    }
    for visit in visits {
        let mut event = icalendar::Event::new();
        event
            .uid(&visit.uid)
            .sequence(visit.revision)
            .timestamp(visit.changed_at)
            .last_modified(visit.changed_at)
            .starts(visit.start)
            .ends(visit.end)
            .summary(&visit.summary)
            .description(&visit.description)
            .status(if visit.cancelled {
                EventStatus::Cancelled
            } else {
                EventStatus::Confirmed
            });
        calendar.push(event.done());
    }
    calendar.done().to_string()
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone as _;
    use icalendar::{Calendar, CalendarComponent, Component as _};

    use super::*;

    fn visit(cancelled: bool) -> Visit {
        let start = Utc.with_ymd_and_hms(2026, 3, 29, 7, 30, 0).unwrap();
        Visit {
            uid: uid(TenantId(7), BookingId(12)),
            revision: 2,
            changed_at: start - Duration::days(1),
            start,
            end: start + Duration::minutes(45),
            summary: "Стрижка, укладка; мастер — Анна".to_owned(),
            description: format!("line one\nline two {}", "x".repeat(120)),
            cancelled,
        }
    }

    #[test]
    fn a_feed_reads_back_with_every_field() {
        let text = document(Kind::Feed, "Salon: Anna", &[visit(false), visit(true)]);
        assert!(text.lines().count() > 10);
        for line in text.split("\r\n") {
            assert!(line.len() <= 75, "unfolded line: {line:?}");
        }
        let parsed: Calendar = text.parse().unwrap();
        assert_eq!(parsed.get_name(), Some("Salon: Anna"));
        let events: Vec<_> = parsed
            .components
            .iter()
            .filter_map(|c| match c {
                CalendarComponent::Event(e) => Some(e),
                _ => None,
            })
            .collect();
        assert_eq!(events.len(), 2);
        let e = events[0];
        assert_eq!(e.get_uid(), Some("booking-7-12@booking-platform"));
        assert_eq!(e.get_summary(), Some(visit(false).summary.as_str()));
        assert_eq!(e.get_description(), Some(visit(false).description.as_str()));
        assert_eq!(e.get_sequence(), Some(2));
        assert_eq!(e.get_status(), Some(EventStatus::Confirmed));
        assert_eq!(events[1].get_status(), Some(EventStatus::Cancelled));
        assert!(text.contains("DTSTART:20260329T073000Z\r\n"), "{text}");
        assert!(text.contains("DTEND:20260329T081500Z\r\n"), "{text}");
    }

    #[test]
    fn a_file_is_published_not_named() {
        let text = document(Kind::File, "Salon", &[visit(false)]);
        assert!(text.contains("METHOD:PUBLISH\r\n"), "{text}");
        assert!(!text.contains("X-WR-CALNAME"), "{text}");
    }

    /// A moved visit's new file replaces the old copy (same UID, higher SEQUENCE); a cancelled
    /// one's withdraws it.
    #[test]
    fn a_changed_visit_keeps_its_uid_and_a_cancelled_one_is_withdrawn() {
        let mut moved = visit(false);
        moved.revision = 3;
        moved.start += Duration::hours(2);
        let text = document(Kind::File, "Salon", &[moved]);
        assert!(text.contains("METHOD:PUBLISH\r\n"), "{text}");
        assert!(
            text.contains("UID:booking-7-12@booking-platform\r\n"),
            "{text}"
        );
        assert!(text.contains("SEQUENCE:3\r\n"), "{text}");
        let text = document(Kind::File, "Salon", &[visit(true)]);
        assert!(text.contains("METHOD:CANCEL\r\n"), "{text}");
        assert!(text.contains("STATUS:CANCELLED\r\n"), "{text}");
        assert!(
            text.contains("UID:booking-7-12@booking-platform\r\n"),
            "{text}"
        );
    }
}
