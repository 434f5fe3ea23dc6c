//! The customer's flows: small named steps, each taking a [`context::Visit`] and returning a
//! [`screen::Reply`]. Only the entry points ([`entry`], [`buttons`] and the contact handler)
//! talk to the Bot API, so every button press is answered (answerCallbackQuery) whatever the
//! step did, and a database or Redis outage becomes a polite "try again in a minute" in one
//! place.

/// One-tap "again": concrete times like a past visit.
pub mod again;
/// Book: service, staff, calendar, times, hold, confirm.
pub mod booking;
/// Button presses: parsed, routed, always answered.
pub mod buttons;
/// The calendar and time screens.
pub mod calendar;
/// The "add to calendar" file of a booking.
pub mod calendar_file;
/// Inline-button data and its versioned codec.
pub mod callback;
/// Paying inside Telegram: the pre-checkout answer and the successful payment.
pub mod checkout;
/// Helpers every flow uses.
pub mod common;
/// Everything a step needs about the update.
pub mod context;
/// /start with a deep link: preselection and source tags.
pub mod deep_link;
/// Commands and typed messages: the entry points of the customer's flows.
pub mod entry;
/// Paying at booking: the hold kept and an invoice sent instead of booking.
pub mod invoice;
/// Inline keyboards.
pub mod keyboards;
/// What the customer is told of the money paid for a visit that will not happen.
pub mod money;
/// My bookings: list and cancel.
pub mod my_bookings;
/// Moving a booking through the same calendar.
pub mod reschedule;
/// Recurring visits: repeat a held booking weekly or every two weeks.
pub mod series;
/// The customer behind an update.
pub mod session;
/// /start, language, menu, help, about.
pub mod start;
/// The dialogue state.
pub mod state;
/// Confirming a visit from its reminder, rating it afterwards.
pub mod visit;
/// Joining the waitlist of a full day and taking an offered time.
pub mod waitlist;
