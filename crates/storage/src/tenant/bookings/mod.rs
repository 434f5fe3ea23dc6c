//! Bookings in a tenant's schema, and the one service that changes them.
//!
//! Every change of a booking, whoever makes it (the customer in the bot, an admin in the
//! panel, the REST API, the waitlist, the automatic release), goes through [`service`], which
//! returns a [`service::BookingChange`] and writes the change's consequences in the same
//! transaction (see [`consequences`]): the history line, reminders scheduled or cancelled,
//! freed time offered to the waitlist, the tenant's audit line, and the notices to the
//! customer and the business's admins as outbox rows. Callers render their own reply and
//! nothing else.
//!
//! The database guarantees that two live bookings of one staff member never overlap (the
//! `bookings_no_overlap` exclusion constraint); the checks here exist to give a precise reason
//! ("too soon", "outside working hours") before the insert, and the constraint decides races.
//! A group class is the one exception it allows: seats of one class session share the staff
//! member's time, and the session's seat counter (a checked column kept by a trigger) decides
//! who gets the last seat (see [`seats`]).

/// Changes of state: confirm, cancel, move, mark the outcome.
mod change;
/// What a change causes, written in its transaction.
mod consequences;
/// Holding and booking a time.
mod create;
/// Booking rows and the shapes callers read.
pub mod model;
/// The messages a confirmed booking schedules for itself.
pub mod scheduled;
/// Seats in group classes: the session a seat belongs to, and the seats left.
pub mod seats;
/// Recurring visits, planned and booked in one go through the service.
pub mod series;
/// The booking service: every change of a booking goes through it.
pub mod service;
/// What becomes of the money paid for a booking that ends without the visit.
mod settlement;
/// Free times.
pub mod slots;
/// Upcoming bookings a change of working hours would leave outside them.
pub mod unfit;
/// Reading bookings: one, a customer's, a day's, a booking's history.
pub mod views;
/// Freed time offered to the waitlist.
pub mod waitlist_offers;
