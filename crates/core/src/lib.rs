//! The booking domain shared by every binary of the platform.
//!
//! Everything here is pure: no database, no network, no async runtime. Storage and bots
//! call into these types and functions, so the rules (what a free slot is, what a policy
//! forbids) live in one place and are unit-tested without any infrastructure.

/// Bookings: statuses, who acted, and the typed reasons a booking is refused.
pub mod booking;
/// The services a business sells and the staff who give them.
pub mod catalogue;
/// What a change of a booking is, and who must hear of it.
pub mod change;
/// An injectable source of the current time, so tests move time instead of sleeping.
pub mod clock;
/// The currency a business prices in, with the sign it is shown with.
pub mod currency;
/// Id newtypes for every entity.
pub mod ids;
/// Languages the bots speak.
pub mod locale;
/// Money paid in advance: deposits, prepayment, and what a cancellation gives back.
pub mod payment;
/// Phone numbers in one form, so one number typed two ways is one customer.
pub mod phone;
/// Per-tenant booking rules: notice, horizon, limits, cut-offs, holds, reminders.
pub mod policy;
/// Weekly working hours, breaks, date exceptions and blocked periods.
pub mod schedule;
/// Free-slot generation in the tenant's time zone.
pub mod slots;
/// Tenants: validated schema names, statuses.
pub mod tenant;
/// Half-open UTC time intervals.
pub mod time;

pub use chrono_tz::Tz;
