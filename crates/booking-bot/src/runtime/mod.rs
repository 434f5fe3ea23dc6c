//! What runs the flows, the same for customers and admins: the tenant context every handler
//! receives, long polling kept alive through Bot API outages, dialogue states in Redis under
//! tenant-prefixed keys, and per-user rate limits.

/// The tenant context handlers receive.
pub mod app;
/// The one context type of a step, for customers and admins alike.
pub mod context;
/// Dialogue states in Redis under tenant-prefixed keys.
pub mod dialogue_storage;
/// The customers served recently, held between their presses.
pub mod held_customers;
/// One connection per process listening for what the database announces.
pub mod listen;
/// The clock and readiness every booking-bot process sets up alike.
pub mod process;
/// Per-user rate limits.
pub mod rate_limit;
/// What the bot reads off Telegram's own types.
pub mod telegram;
/// The tenant's configuration and texts held between updates.
pub mod tenant_config;
/// What wakes a tenant's outbox dispatcher.
pub mod wake;
