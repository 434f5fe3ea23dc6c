/// The About screen's description, address, contacts and opening hours.
pub mod about;
/// Figures for the admin panel's analytics.
pub mod admin_analytics;
/// Rows for the admin panel's CSV exports.
pub mod admin_exports;
/// What the admin panel reads about admins, bookings and customers.
pub mod admin_views;
/// The business's admins in its bot.
pub mod admins;
/// The admin audit log.
pub mod audit;
/// Bookings: free slots, holds, confirmation, cancellation, rescheduling, lists, history.
pub mod bookings;
/// Who a broadcast from the admin panel reaches.
pub mod broadcasts;
/// Which message brought a booking back, and the monthly figures.
pub mod brought_back;
/// Private iCalendar feeds of staff members and the business.
pub mod calendar_feeds;
/// Services and staff.
pub mod catalogue;
/// Editing the catalogue from the admin panel.
pub mod catalogue_admin;
/// Setting a service's payment terms (prepayment, timeout, refund policy).
pub mod catalogue_payment;
/// Notifications that a tenant's configuration changed.
pub mod changes;
/// A tenant's configuration read at once, for a bot to hold in memory.
pub mod config;
/// Customers of one business.
pub mod customers;
/// Customers' confirmations, ratings and comments, read back for the business.
pub mod feedback;
/// Customers who phoned in, without Telegram.
pub mod offline_customers;
/// Messages to send at a given time (reminders, follow-ups), sent once.
pub mod outbox;
/// Money paid in advance: the payment account, invoices, payments received, refunds.
pub mod payments;
/// Reminders, release and follow-up a confirmed booking schedules; confirming and rating.
pub mod reminders;
/// Next-visit nudges and win-backs: settings, scheduling, opting out.
pub mod repeat_visits;
/// Working hours, exceptions and blocked periods.
pub mod schedule;
/// The tenant's profile (name, zone, locale) and policy.
pub mod settings;
/// How far a new business is in setting its bot up.
pub mod setup;
/// Deep-link source tags of customers, for analytics.
pub mod sources;
/// The tenant's own wording of the bot's texts.
pub mod texts;
/// Customers waiting for time on full days, offered it when it frees up.
pub mod waitlist;
/// The waitlist as the customer and the admin panel read it.
pub mod waitlist_views;
