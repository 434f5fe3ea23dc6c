//! What runs tenants' bots in this process: one, in a dedicated container, or many, in a
//! shared bot host.

/// One tenant's bot: polling, outbox, broadcasts, stopped together.
pub mod tenant;
