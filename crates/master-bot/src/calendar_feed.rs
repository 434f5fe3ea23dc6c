//! `GET /ical/<token>.ics`: a staff member's (or the business's) bookings as an iCalendar feed
//! that Google, Apple and Outlook calendars subscribe to.
//!
//! The token is the only credential: anything wrong with it (malformed, unknown tenant,
//! revoked, never issued) is the same bare 404, so the endpoint tells a prober nothing. The
//! tenant's schema is read as the tenant's own role ([`Db::tenant_as_its_role`]): a token can
//! only ever open its own tenant's rows, whatever the code around it does.
//!
//! Having no key, the feed is limited per client address (as the API limits requests without
//! a valid key, with the same reading of trusted proxies): past the limit a fetch gets 429
//! with `Retry-After` before the database is asked, so guessing tokens costs nothing.

use axum::{
    Router,
    extract::{Path, State},
    http::{StatusCode, header, request::Parts},
    response::{IntoResponse, Response},
    routing::get,
};
use booking_core::{booking::BookingStatus, locale::Locale, tenant::TenantSchema};
use calendar_ics::{Kind, Visit};
use storage::{
    StorageError,
    control::tenants,
    tenant::calendar_feeds::{self, FeedEntry, FeedOwner, FeedToken},
};

/// Where feeds are served; the booking bot builds its links on the same path.
pub const PATH: &str = "/ical/{file}";

use crate::api::{auth::client_addr, state::ApiState};

/// The feed route, with the API's state: its database, clock, trusted proxies and the feeds'
/// own per-address limit.
pub fn router(state: ApiState) -> Router {
    Router::new().route(PATH, get(feed)).with_state(state)
}

async fn feed(State(state): State<ApiState>, Path(file): Path<String>, parts: Parts) -> Response {
    let client = client_addr(&parts, &state);
    if let Err(wait) = state.feed_limiter.check(client) {
        tracing::info!(?client, "calendar feed fetches limited");
        return (
            StatusCode::TOO_MANY_REQUESTS,
            [(header::RETRY_AFTER, wait.as_secs().max(1).to_string())],
        )
            .into_response();
    }
    let Some(token) = file
        .strip_suffix(".ics")
        .and_then(|t| t.parse::<FeedToken>().ok())
    else {
        return StatusCode::NOT_FOUND.into_response();
    };
    match render(&state, &token).await {
        Ok(Some(body)) => (
            [
                (header::CONTENT_TYPE, "text/calendar; charset=utf-8"),
                // A private feed: no shared cache may keep it.
                (header::CACHE_CONTROL, "private, max-age=300"),
            ],
            body,
        )
            .into_response(),
        Ok(None) => StatusCode::NOT_FOUND.into_response(),
        Err(e) => {
            tracing::error!(tenant = %token.tenant(), error.cause_chain = ?e, "calendar feed failed");
            StatusCode::SERVICE_UNAVAILABLE.into_response()
        }
    }
}

/// The feed's document, or `None` when the token opens nothing.
async fn render(state: &ApiState, token: &FeedToken) -> Result<Option<String>, StorageError> {
    let tenant = token.tenant();
    // Only a provisioned tenant has a schema and a role to open.
    let Some(record) = tenants::get(state.db.pool(), tenant)
        .await?
        .filter(|t| t.schema_version.is_some())
    else {
        return Ok(None);
    };
    let mut tx = state
        .db
        .tenant_as_its_role(&TenantSchema::for_tenant(tenant))
        .await?;
    let Some(owner) = calendar_feeds::owner_of(&mut tx, token).await? else {
        return Ok(None);
    };
    let entries = calendar_feeds::entries(&mut tx, owner, state.clock.now()).await?;
    let staff_name = match owner {
        FeedOwner::Business => None,
        FeedOwner::Staff(id) => storage::tenant::catalogue::staff(&mut tx, true)
            .await?
            .into_iter()
            .find(|s| s.id == id)
            .map(|s| s.name),
    };
    tx.commit().await?;
    let name = match staff_name {
        Some(staff) => format!("{}: {staff}", record.name),
        None => record.name.clone(),
    };
    let visits: Vec<Visit> = entries
        .iter()
        .map(|e| visit(tenant, record.locale, e))
        .collect();
    Ok(Some(calendar_ics::document(Kind::Feed, &name, &visits)))
}

/// A booking as the business's calendar shows it: the service and the customer, in the
/// business's language.
fn visit(tenant: booking_core::ids::TenantId, locale: Locale, e: &FeedEntry) -> Visit {
    let (staff, customer, outcome) = match locale {
        Locale::Ru => ("Мастер", "Клиент", status_ru(e.status)),
        Locale::En => ("Staff", "Customer", status_en(e.status)),
    };
    let mut description = format!("{staff}: {}\n{customer}: {}", e.staff_name, e.customer_name);
    if let Some(outcome) = outcome {
        description.push('\n');
        description.push_str(outcome);
    }
    Visit {
        uid: calendar_ics::uid(tenant, e.booking),
        revision: e.revision,
        changed_at: e.changed_at,
        start: e.start,
        end: e.end,
        summary: format!("{} · {}", e.service_name, e.customer_name),
        description,
        cancelled: e.status == BookingStatus::Cancelled,
    }
}

const fn status_ru(status: BookingStatus) -> Option<&'static str> {
    match status {
        BookingStatus::Completed => Some("Визит состоялся"),
        BookingStatus::NoShow => Some("Клиент не пришёл"),
        BookingStatus::Cancelled => Some("Запись отменена"),
        _ => None,
    }
}

const fn status_en(status: BookingStatus) -> Option<&'static str> {
    match status {
        BookingStatus::Completed => Some("Visit completed"),
        BookingStatus::NoShow => Some("The customer did not come"),
        BookingStatus::Cancelled => Some("Booking cancelled"),
        _ => None,
    }
}
