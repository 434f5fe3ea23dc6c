/// The platform's job queue.
pub mod jobs;
/// Tenants as the control plane sees them, and the platform audit log.
pub mod tenants;
