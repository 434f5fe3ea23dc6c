//! The operator REST API under `/api/v1`: JSON in and out, RFC 9457 problem documents for
//! every error, API keys with operator or tenant scope, an OpenAPI document kept true by a
//! test (the router and the document are both built from [`routes`]).

/// Extracting and checking the API key.
pub mod auth;
/// Plans, subscriptions and manual payments.
pub mod billing;
/// The dates and starts a booking request may name: the tenant's bookable range.
pub mod bookable;
/// The tenant-scoped booking API.
pub mod booking;
/// `PUT /tenants/{tenant_id}/bot-token`: replacing a tenant's bot token.
pub mod bot_token;
/// A tenant's deployment status and restart.
pub mod deploy;
/// The API's error type and its problem documents.
pub mod error;
/// JSON, path and query extractors that answer with problem documents.
pub mod extract;
/// Idempotency-Key on creates.
pub mod idempotency;
/// API key management.
pub mod keys;
/// The OpenAPI document.
pub mod openapi;
/// The tenant's payment account (provider token, YooKassa shop, VAT code).
pub mod payment_account;
/// Per-key rate limits.
pub mod rate_limit;
/// Changing a service: its seats and payment terms.
pub mod services;
/// Shared state.
pub mod state;
/// `PATCH` of a tenant, its placement included.
pub mod tenant_update;
/// Tenant management.
pub mod tenants;

use axum::{
    Json, Router,
    extract::DefaultBodyLimit,
    handler::Handler,
    routing::{MethodFilter, MethodRouter, on},
};

pub use self::{error::ApiError, rate_limit::RateLimit, state::ApiState};

/// Where the API is mounted.
pub const PREFIX: &str = "/api/v1";
/// The largest request body accepted (bodies here are small JSON objects).
pub const BODY_LIMIT: usize = 64 * 1024;

/// The HTTP methods the API uses.
#[derive(Copy, Clone, Eq, PartialEq, Ord, PartialOrd, Debug)]
pub enum Verb {
    Get,
    Post,
    Put,
    Patch,
    Delete,
}

impl Verb {
    /// The method's name as OpenAPI spells it.
    #[must_use]
    pub const fn openapi(self) -> &'static str {
        match self {
            Self::Get => "get",
            Self::Post => "post",
            Self::Put => "put",
            Self::Patch => "patch",
            Self::Delete => "delete",
        }
    }

    const fn filter(self) -> MethodFilter {
        match self {
            Self::Get => MethodFilter::GET,
            Self::Post => MethodFilter::POST,
            Self::Put => MethodFilter::PUT,
            Self::Patch => MethodFilter::PATCH,
            Self::Delete => MethodFilter::DELETE,
        }
    }
}

/// One operation: the single list both the router and the OpenAPI test read.
pub struct Route {
    pub verb: Verb,
    /// Relative to [`PREFIX`], in the `{param}` syntax axum and OpenAPI share.
    pub path: &'static str,
    handler: MethodRouter<ApiState>,
}

fn route<H, T>(verb: Verb, path: &'static str, handler: H) -> Route
where
    H: Handler<T, ApiState>,
    T: 'static,
{
    Route {
        verb,
        path,
        handler: on(verb.filter(), handler),
    }
}

/// Every operation of the API.
#[must_use]
pub fn routes() -> Vec<Route> {
    use Verb::{Delete, Get, Patch, Post, Put};
    vec![
        route(Get, "/openapi.json", || async { Json(openapi::document()) }),
        route(Post, "/tenants", tenants::create),
        route(Get, "/tenants", tenants::list),
        route(Get, "/tenants/{tenant_id}", tenants::get),
        route(Patch, "/tenants/{tenant_id}", tenant_update::update),
        route(Delete, "/tenants/{tenant_id}", tenants::delete),
        route(Get, "/tenants/{tenant_id}/status", deploy::status),
        route(Post, "/tenants/{tenant_id}/restart", deploy::restart),
        route(Put, "/tenants/{tenant_id}/bot-token", bot_token::replace),
        route(Get, "/tenants/{tenant_id}/services", booking::services),
        route(
            Patch,
            "/tenants/{tenant_id}/services/{service_id}",
            services::update,
        ),
        route(
            Put,
            "/tenants/{tenant_id}/payment-account",
            payment_account::put,
        ),
        route(
            Get,
            "/tenants/{tenant_id}/payment-account",
            payment_account::get,
        ),
        route(Get, "/tenants/{tenant_id}/staff", booking::staff),
        route(Get, "/tenants/{tenant_id}/slots", booking::free_slots),
        route(Post, "/tenants/{tenant_id}/bookings", booking::create),
        route(
            Delete,
            "/tenants/{tenant_id}/bookings/{booking_id}",
            booking::cancel,
        ),
        route(
            Patch,
            "/tenants/{tenant_id}/bookings/{booking_id}",
            booking::reschedule,
        ),
        route(
            Get,
            "/tenants/{tenant_id}/subscription",
            billing::get_subscription,
        ),
        route(
            Put,
            "/tenants/{tenant_id}/subscription",
            billing::put_subscription,
        ),
        route(Delete, "/tenants/{tenant_id}/subscription", billing::cancel),
        route(
            Post,
            "/tenants/{tenant_id}/subscription/extend",
            billing::extend,
        ),
        route(
            Post,
            "/tenants/{tenant_id}/payments",
            billing::record_payment,
        ),
        route(Post, "/plans", billing::create_plan),
        route(Get, "/plans", billing::list_plans),
        route(Patch, "/plans/{plan_id}", billing::update_plan),
        route(Post, "/api-keys", keys::create),
        route(Get, "/api-keys", keys::list),
        route(Delete, "/api-keys/{api_key_id}", keys::revoke),
    ]
}

/// The API, to be nested at [`PREFIX`].
pub fn router(state: ApiState) -> Router {
    routes()
        .into_iter()
        // Routes on one path merge into one method router; a method twice would panic here.
        .fold(Router::new(), |router, r| router.route(r.path, r.handler))
        .fallback(|| async { ApiError::NotFound })
        .method_not_allowed_fallback(|| async { ApiError::MethodNotAllowed })
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .with_state(state)
}
