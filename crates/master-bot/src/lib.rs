//! The operator's side of the platform, and its command line.

/// The operator REST API under `/api/v1`.
pub mod api;
/// `getMe` against the configured Bot API server.
pub mod bot_api;
/// The command line: `serve`, `migrate`, `tenant ...`, `apikey ...`.
pub mod cli;
/// The long-running service: REST API, operator bot, subscription monitor.
pub mod serve;
