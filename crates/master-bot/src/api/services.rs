//! `PATCH /tenants/{tenant_id}/services/{service_id}`: what an integration may change on a
//! service. Today that is its seats: a number makes it a group class (one staff member's time,
//! that many customers), `null` makes it individual again. Seats already booked stay booked;
//! a session keeps the seat count it was opened with.

use axum::{Json, extract::State};
use booking_core::{
    catalogue::{Seats, Service},
    ids::{ServiceId, TenantId},
};
use serde::Deserialize;
use serde_json::json;
use storage::{
    control::tenants,
    tenant::{
        catalogue,
        catalogue_admin::{self, ServiceField},
    },
};

use crate::api::{
    auth::ApiKey,
    booking::open,
    error::{ApiError, FieldError},
    extract::{ApiPath, JsonBody},
    state::ApiState,
};

/// The body: `seats` must be present (a number, or `null` for an individual service), so an
/// empty body cannot turn a class back into an individual service by accident.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UpdateService {
    pub seats: serde_json::Value,
}

fn seats_of(value: &serde_json::Value) -> Result<Option<Seats>, ApiError> {
    let invalid = || {
        ApiError::Validation(vec![FieldError::new(
            "seats",
            format!(
                "must be an integer from {} to {}, or null for an individual service",
                Seats::MIN,
                Seats::MAX
            ),
        )])
    };
    match value {
        serde_json::Value::Null => Ok(None),
        serde_json::Value::Number(n) => n
            .as_i64()
            .and_then(|n| Seats::new(n).ok())
            .map(Some)
            .ok_or_else(invalid),
        _ => Err(invalid()),
    }
}

/// `PATCH /tenants/{tenant_id}/services/{service_id}`.
#[tracing::instrument(skip_all, fields(api_key = %key.id, %tenant, %service))]
pub async fn update(
    State(state): State<ApiState>,
    key: ApiKey,
    ApiPath((tenant, service)): ApiPath<(TenantId, ServiceId)>,
    body: JsonBody<UpdateService>,
) -> Result<Json<Service>, ApiError> {
    let seats = seats_of(&body.value.seats)?;
    let mut tx = open(&state, &key, tenant).await?;
    if !catalogue_admin::update_service(&mut tx, service, &ServiceField::Seats(seats)).await? {
        return Err(ApiError::NotFound);
    }
    let updated = catalogue::service(&mut tx, service)
        .await?
        .ok_or(ApiError::NotFound)?;
    tx.commit().await?;
    tenants::audit(
        state.db.pool(),
        &key.actor(),
        "service.seats",
        Some(tenant),
        json!({ "service_id": service, "seats": seats.map(Seats::get) }),
    )
    .await?;
    Ok(Json(updated))
}
