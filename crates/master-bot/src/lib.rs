//! The operator's side of the platform, and its command line.

/// The command line: `serve`, `migrate`, `tenant ...`.
pub mod cli;
/// The long-running service: REST API, operator bot, subscription monitor.
pub mod serve;
