//! The operator's side of the platform, and its command line.

/// What an operator can do to a tenant, shared by the API and the bot.
pub mod actions;
/// The operator REST API under `/api/v1`.
pub mod api;
/// `getMe` against the configured Bot API server.
pub mod bot_api;
/// Private iCalendar feeds of staff members and businesses, `GET /ical/<token>.ics`.
pub mod calendar_feed;
/// The command line: `serve`, `migrate`, `tenant ...`, `apikey ...`.
pub mod cli;
/// The subscription monitor.
pub mod monitor;
/// The operator Telegram bot.
pub mod operator_bot;
/// The long-running service: REST API, operator bot, subscription monitor.
pub mod serve;
/// Migrations, the binding of sealed values, Redis users: run by `migrate` and at `serve`.
pub mod upkeep;
