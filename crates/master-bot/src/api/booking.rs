//! The tenant-scoped booking API for websites and integrations: services, staff, free slots,
//! booking, moving and cancelling, under the same rules as the bot (`Rules::Customer`) and
//! through the same booking service, so the customer and the business's admins hear of every
//! change exactly as they do of the same change made in the bot. The database's exclusion
//! constraint decides races: a second booking of a taken slot is a 409.

use axum::{
    Json,
    extract::State,
    http::{HeaderMap, Method, StatusCode, Uri},
    response::Response,
};
use booking_core::{
    booking::Actor,
    catalogue::{Service, Staff},
    ids::{BookingId, ServiceId, StaffId, TelegramUserId, TenantId},
    policy::Rules,
    tenant::{TenantSchema, TenantStatus},
};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Deserialize;
use serde_json::json;
use storage::{
    TenantTx,
    control::tenants,
    tenant::{
        bookings::{
            self,
            model::{Booking, BookingRequest, StaffSlot},
            service::{self, BookingChange, Caller, Cancellation},
        },
        catalogue,
        customers::{self, TelegramProfile},
        settings,
    },
};

use crate::api::{
    auth::ApiKey,
    bookable::Bookable,
    error::{ApiError, FieldError},
    extract::{ApiPath, ApiQuery, JsonBody},
    idempotency,
    state::ApiState,
    tenants::{find, to_json},
};

/// The longest range of dates one free-slots request may ask for.
const MAX_SLOT_DAYS: i64 = 31;

/// Checks the key's scope and that the tenant is served, then opens its transaction.
pub(crate) async fn open(
    state: &ApiState,
    key: &ApiKey,
    tenant: TenantId,
) -> Result<TenantTx, ApiError> {
    key.require_tenant(tenant)?;
    let record = find(state, tenant).await?;
    if record.status != TenantStatus::Active {
        return Err(ApiError::Conflict {
            code: "tenant_not_active",
            detail: format!("tenant {tenant} is {}", record.status),
        });
    }
    Ok(state.db.tenant(&TenantSchema::for_tenant(tenant)).await?)
}

/// `GET /tenants/{tenant_id}/services`: active services in display order.
pub async fn services(
    State(state): State<ApiState>,
    key: ApiKey,
    ApiPath(tenant): ApiPath<TenantId>,
) -> Result<Json<Vec<Service>>, ApiError> {
    let mut tx = open(&state, &key, tenant).await?;
    Ok(Json(catalogue::services(&mut tx, false).await?))
}

/// `GET /tenants/{tenant_id}/staff`: active staff in display order.
pub async fn staff(
    State(state): State<ApiState>,
    key: ApiKey,
    ApiPath(tenant): ApiPath<TenantId>,
) -> Result<Json<Vec<Staff>>, ApiError> {
    let mut tx = open(&state, &key, tenant).await?;
    Ok(Json(catalogue::staff(&mut tx, false).await?))
}

/// Query of `GET /tenants/{tenant_id}/slots`. Dates are local to the tenant's zone.
#[derive(Debug, Deserialize)]
pub struct SlotsQuery {
    pub service_id: Option<ServiceId>,
    pub staff_id: Option<StaffId>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
}

/// `GET /tenants/{tenant_id}/slots?service_id=&from=&to=[&staff_id=]`.
pub async fn free_slots(
    State(state): State<ApiState>,
    key: ApiKey,
    ApiPath(tenant): ApiPath<TenantId>,
    ApiQuery(query): ApiQuery<SlotsQuery>,
) -> Result<Json<Vec<StaffSlot>>, ApiError> {
    let mut errors = Vec::new();
    if query.service_id.is_none() {
        errors.push(FieldError::new("query.service_id", "is required"));
    }
    if query.from.is_none() {
        errors.push(FieldError::new("query.from", "is required (YYYY-MM-DD)"));
    }
    if query.to.is_none() {
        errors.push(FieldError::new("query.to", "is required (YYYY-MM-DD)"));
    }
    let (Some(service), Some(from), Some(to)) = (query.service_id, query.from, query.to) else {
        return Err(ApiError::Validation(errors));
    };
    if to < from || (to - from).num_days() >= MAX_SLOT_DAYS {
        return Err(ApiError::Validation(vec![FieldError::new(
            "query.to",
            format!("must be on or after from, and at most {MAX_SLOT_DAYS} days in all"),
        )]));
    }
    let now = state.clock.now();
    let mut tx = open(&state, &key, tenant).await?;
    let profile = settings::profile(&mut tx).await?;
    Bookable::new(&profile, now).check_dates(&[("query.from", from), ("query.to", to)])?;
    let slots = bookings::slots::free(&mut tx, service, query.staff_id, from, to, now).await?;
    Ok(Json(slots))
}

/// The customer a booking is for: a Telegram user, created or refreshed as the bot would.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CustomerIn {
    pub telegram_user_id: i64,
    pub first_name: String,
    #[serde(default)]
    pub last_name: Option<String>,
}

/// The body of `POST /tenants/{tenant_id}/bookings`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateBooking {
    pub service_id: ServiceId,
    /// Absent: any staff member who gives the service and is free.
    #[serde(default)]
    pub staff_id: Option<StaffId>,
    pub start: DateTime<Utc>,
    pub customer: CustomerIn,
}

fn validate(body: &CreateBooking) -> Result<(), ApiError> {
    let mut errors = Vec::new();
    if body.customer.telegram_user_id <= 0 {
        errors.push(FieldError::new(
            "customer.telegram_user_id",
            "must be a positive Telegram user id",
        ));
    }
    if booking_core::catalogue::checked_name(&body.customer.first_name).is_err() {
        errors.push(FieldError::new(
            "customer.first_name",
            "must be 1 to 100 characters",
        ));
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ApiError::Validation(errors))
    }
}

/// `POST /tenants/{tenant_id}/bookings`: books a slot outright for a customer.
#[tracing::instrument(skip_all, fields(api_key = %key.id, %tenant))]
pub async fn create(
    State(state): State<ApiState>,
    key: ApiKey,
    ApiPath(tenant): ApiPath<TenantId>,
    uri: Uri,
    headers: HeaderMap,
    body: JsonBody<CreateBooking>,
) -> Result<Response, ApiError> {
    key.require_tenant(tenant)?;
    validate(&body.value)?;
    let path = uri.path().to_owned();
    let req = body.value;
    idempotency::once(
        &state,
        &key,
        &headers,
        (&Method::POST, &path),
        &body.raw,
        || async {
            let now = state.clock.now();
            let mut tx = open(&state, &key, tenant).await?;
            let profile = settings::profile(&mut tx).await?;
            Bookable::new(&profile, now).check_start(&profile, req.start, now)?;
            let customer = customers::upsert(
                &mut tx,
                &TelegramProfile {
                    telegram_user_id: TelegramUserId(req.customer.telegram_user_id),
                    first_name: req.customer.first_name.trim().to_owned(),
                    last_name: req.customer.last_name.clone(),
                    username: None,
                },
                Some("api"),
                now,
            )
            .await?;
            let booked = service::book(
                &mut tx,
                &BookingRequest {
                    customer: customer.id,
                    service: req.service_id,
                    staff: req.staff_id,
                    start: req.start,
                    source: Some("api".to_owned()),
                    actor: Actor::Api(key.id.get()),
                    rules: Rules::Customer,
                },
                now,
            )
            .await?;
            tx.commit().await?;
            audit(&state, &key, tenant, "booking.create", &booked).await?;
            Ok((StatusCode::CREATED, to_json(&booked.booking)?))
        },
    )
    .await
}

/// Query of `DELETE /tenants/{tenant_id}/bookings/{booking_id}`.
#[derive(Debug, Deserialize)]
pub struct CancelQuery {
    pub reason: Option<String>,
}

/// `DELETE /tenants/{tenant_id}/bookings/{booking_id}`: cancels, within the cancel cut-off.
#[tracing::instrument(skip_all, fields(api_key = %key.id, %tenant, %booking))]
pub async fn cancel(
    State(state): State<ApiState>,
    key: ApiKey,
    ApiPath((tenant, booking)): ApiPath<(TenantId, BookingId)>,
    ApiQuery(query): ApiQuery<CancelQuery>,
) -> Result<Json<Booking>, ApiError> {
    let reason = match query.reason.map(|r| r.trim().to_owned()) {
        Some(r) if r.chars().count() > MAX_REASON => {
            return Err(ApiError::Validation(vec![FieldError::new(
                "query.reason",
                format!("must be at most {MAX_REASON} characters"),
            )]));
        }
        reason => reason.filter(|r| !r.is_empty()),
    };
    let mut tx = open(&state, &key, tenant).await?;
    let cancelled = service::cancel(
        &mut tx,
        booking,
        &Caller::api(key.id.get()),
        Cancellation {
            reason,
            apology: false,
        },
        state.clock.now(),
    )
    .await?;
    tx.commit().await?;
    audit(&state, &key, tenant, "booking.cancel", &cancelled).await?;
    Ok(Json(cancelled.booking))
}

/// The longest cancellation reason the customer is shown.
const MAX_REASON: usize = 200;

/// The body of `PATCH /tenants/{tenant_id}/bookings/{booking_id}`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MoveBooking {
    /// The new start; same service and staff member.
    pub start: DateTime<Utc>,
}

/// `PATCH /tenants/{tenant_id}/bookings/{booking_id}`: moves a booking, within the reschedule
/// cut-off, to another free start of the same staff member.
#[tracing::instrument(skip_all, fields(api_key = %key.id, %tenant, %booking))]
pub async fn reschedule(
    State(state): State<ApiState>,
    key: ApiKey,
    ApiPath((tenant, booking)): ApiPath<(TenantId, BookingId)>,
    body: JsonBody<MoveBooking>,
) -> Result<Json<Booking>, ApiError> {
    let mut tx = open(&state, &key, tenant).await?;
    let moved = service::reschedule(
        &mut tx,
        booking,
        &Caller::api(key.id.get()),
        body.value.start,
        state.clock.now(),
    )
    .await?;
    tx.commit().await?;
    audit(&state, &key, tenant, "booking.move", &moved).await?;
    Ok(Json(moved.booking))
}

/// The operator's audit line; the tenant's own audit line and the notices are written by the
/// booking service with the change.
async fn audit(
    state: &ApiState,
    key: &ApiKey,
    tenant: TenantId,
    action: &str,
    change: &BookingChange,
) -> Result<(), ApiError> {
    let b = &change.booking;
    tenants::audit(
        state.db.pool(),
        &key.actor(),
        action,
        Some(tenant),
        json!({ "booking_id": b.id, "start": b.start, "staff_id": b.staff_id }),
    )
    .await?;
    Ok(())
}
