//! PostgreSQL storage for the platform.
//!
//! Two kinds of data live in one database:
//!
//! * the **control plane** in schema `control` (tenants, plans, subscriptions, payments, API
//!   keys, jobs, deployments, audit), reached through [`Db::pool`] with schema-qualified SQL;
//! * one **tenant schema** per business (`tenant_<id>`), reached only through
//!   [`Db::tenant`], which hands out a [`TenantTx`]: a transaction whose `search_path` is set
//!   locally to that schema and checked. Tenant repositories take `&mut TenantTx`, so tenant
//!   SQL cannot run outside a scoped transaction; the few that only read take a [`Scoped`]
//!   connection, which may also be [`TenantReads`] (no transaction, where the connection
//!   itself was born in the schema).
//!
//! Each tenant schema also has its own login role with rights on that schema alone; a tenant's
//! bot connects as that role ([`Db::connect_as_tenant`]), so even a bug in it cannot read
//! another tenant's rows.

/// Control-plane repositories: tenants and the job queue.
pub mod control;
/// Sealing secrets (bot tokens, database and Redis passwords) at rest, bound to their place;
/// role passwords as SCRAM verifiers.
pub mod crypto;
/// Connections, pools and the tenant-scoped transaction.
pub mod db;
/// Error types of this crate's boundary.
pub mod error;
/// Bot hosts: one process, many tenants, each transaction under the tenant's own role.
pub mod host;
/// Redis connection and tenant-prefixed keys.
pub mod kv;

/// Connections a bot's pool lends again without sqlx's round trip in between.
mod lease;
/// Applying the control and tenant migrations.
pub mod migrate;
/// Creating and removing a tenant's schema and role.
pub mod provision;
/// Reads in a tenant's schema without a transaction of their own, where none is needed.
pub mod reads;
/// Redis users of the tenants and the sales bot, each limited to its own keys.
pub mod redis_acl;
/// Database role names for tenants.
pub mod role;
/// Tenant repositories: settings, catalogue, schedule, customers, bookings, outbox.
pub mod tenant;

pub use db::{Db, TenantTx};
pub use error::{BookingError, StorageError};
pub use reads::{Scoped, TenantReads};
pub use role::TenantRole;
