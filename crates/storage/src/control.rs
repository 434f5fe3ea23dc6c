/// Which operator got which alert.
pub mod alert_deliveries;
/// Alerts for the platform's operators, delivered by the operator bot.
pub mod alerts;
/// API keys of the operator REST API: hashed, scoped, revocable.
pub mod api_keys;
/// Shared bot hosts and which tenant is assigned to which.
pub mod bot_hosts;
/// The deploy worker's writes of deployments and their events.
pub mod deployment_log;
/// Deployments of tenants' bots and their events, as operators read them.
pub mod deployments;
/// Idempotency keys of the operator API's creates.
pub mod idempotency;
/// The typed contract of a platform job: its kind, payload and dedupe key (re-exported by
/// `jobs`).
mod job_kind;
/// The platform's job queue.
pub mod jobs;
/// Flagged orders: re-checked a bounded number of times, then left for an operator.
pub mod order_review;
/// Orders of the sales bot, written before their YooKassa payment.
pub mod orders;
/// YooKassa payments, their notifications and refunds; activating a paid order.
pub mod payments;
/// Where a tenant's bot runs: dedicated or shared, per plan and per tenant.
pub mod placement;
/// Subscription plans.
pub mod plans;
/// Platform figures for operators.
pub mod platform_stats;
/// Subscriptions due for an automatic renewal charge.
pub mod renewals;
/// The subscription monitor's steps, and reactivation after a payment.
pub mod subscription_steps;
/// Tenants' subscriptions and manual payments.
pub mod subscriptions;
/// Operator updates of a tenant's control row and its sealed bot token.
pub mod tenant_admin;
/// Finding tenants by id, bot username or name.
pub mod tenant_search;
/// Tenants as the control plane sees them, and the platform audit log.
pub mod tenants;
/// Free trials, one per Telegram user.
pub mod trials;
