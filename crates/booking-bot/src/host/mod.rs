//! What runs tenants' bots in this process: one, in a dedicated container (`booking-bot`), or
//! many, in a shared bot host (`booking-bot host`) that the deploy worker assigns tenants to
//! while it runs.

/// The host's configuration.
pub mod config;
/// The control API the deploy worker assigns tenants through.
pub mod control;
/// The tenants a host serves, taken on and off while it runs.
pub mod registry;
/// Running a host.
pub mod run;
/// One tenant's bot: polling, outbox, broadcasts, stopped together.
pub mod tenant;
/// Updates by webhook: one listener, one path per tenant.
pub mod webhook;
