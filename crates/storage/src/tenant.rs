/// The business's admins in its bot.
pub mod admins;
/// Bookings: free slots, holds, confirmation, cancellation, rescheduling, lists, history.
pub mod bookings;
/// Services and staff.
pub mod catalogue;
/// Customers of one business.
pub mod customers;
/// Messages to send at a given time (reminders, follow-ups), sent once.
pub mod outbox;
/// Working hours, exceptions and blocked periods.
pub mod schedule;
/// The tenant's profile (name, zone, locale) and policy.
pub mod settings;
