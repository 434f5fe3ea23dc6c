/// API keys of the operator REST API: hashed, scoped, revocable.
pub mod api_keys;
/// The deploy worker's writes of deployments and their events.
pub mod deployment_log;
/// Deployments of tenants' bots and their events, as operators read them.
pub mod deployments;
/// Idempotency keys of the operator API's creates.
pub mod idempotency;
/// The platform's job queue.
pub mod jobs;
/// Subscription plans.
pub mod plans;
/// Tenants' subscriptions and manual payments.
pub mod subscriptions;
/// Operator updates of a tenant's control row and its sealed bot token.
pub mod tenant_admin;
/// Tenants as the control plane sees them, and the platform audit log.
pub mod tenants;
