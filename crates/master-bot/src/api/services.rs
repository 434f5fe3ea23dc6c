//! `PATCH /tenants/{tenant_id}/services/{service_id}`: what an integration may change on a
//! service: its seats (a number makes it a group class, one staff member's time for that many
//! customers; `null` makes it individual again; seats already booked stay booked) and its
//! payment terms (what a booking asks to be paid, how long the hold waits for the payment,
//! what a cancellation gives back).

use axum::{Json, extract::State};
use booking_core::{
    catalogue::{Seats, Service},
    ids::{ServiceId, TenantId},
    payment::{PaymentTerms, PaymentTermsError, Prepayment, PrepaymentError, RefundPolicy},
};
use serde::Deserialize;
use serde_json::json;
use storage::{
    control::tenants,
    tenant::{
        catalogue,
        catalogue_admin::{self, ServiceField},
        catalogue_payment::{self, SetTerms},
    },
};

use crate::api::{
    auth::ApiKey,
    booking::open,
    error::{ApiError, FieldError},
    extract::{ApiPath, JsonBody, present},
    state::ApiState,
};

/// The body: at least one of `seats` and `payment`. `seats` present as `null` makes the
/// service individual, so it is told apart from `seats` absent (left as it is).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UpdateService {
    #[serde(default, deserialize_with = "present")]
    pub seats: Option<serde_json::Value>,
    pub payment: Option<PaymentPatch>,
}

/// The payment terms to change; a field left out stays as it is.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PaymentPatch {
    pub prepayment: Option<Prepayment>,
    pub timeout_min: Option<u32>,
    pub refund: Option<RefundPolicy>,
}

impl PaymentPatch {
    fn over(&self, current: PaymentTerms) -> PaymentTerms {
        PaymentTerms {
            prepayment: self.prepayment.unwrap_or(current.prepayment),
            timeout_min: self.timeout_min.unwrap_or(current.timeout_min),
            refund: self.refund.unwrap_or(current.refund),
        }
    }
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

/// The API's words for terms out of range, on the field that is wrong.
fn terms_error(e: PaymentTermsError) -> ApiError {
    let (field, message) = match e {
        PaymentTermsError::Prepayment(PrepaymentError::Percent) => (
            "payment.prepayment.percent",
            "must be an integer from 1 to 100",
        ),
        PaymentTermsError::Prepayment(PrepaymentError::Sum) => (
            "payment.prepayment.fixed",
            "must be more than zero (minor units)",
        ),
        PaymentTermsError::Timeout => (
            "payment.timeout_min",
            "must be an integer from 5 to 1440 (minutes)",
        ),
        PaymentTermsError::KeepPercent => (
            "payment.refund.keep_percent",
            "must be an integer from 0 to 100",
        ),
    };
    ApiError::Validation(vec![FieldError::new(field, message)])
}

/// `PATCH /tenants/{tenant_id}/services/{service_id}`.
#[tracing::instrument(skip_all, fields(api_key = %key.id, %tenant, %service))]
pub async fn update(
    State(state): State<ApiState>,
    key: ApiKey,
    ApiPath((tenant, service)): ApiPath<(TenantId, ServiceId)>,
    body: JsonBody<UpdateService>,
) -> Result<Json<Service>, ApiError> {
    let body = body.value;
    if body.seats.is_none() && body.payment.is_none() {
        return Err(ApiError::Validation(vec![FieldError::new(
            "seats",
            "give seats, payment, or both",
        )]));
    }
    let seats = body.seats.as_ref().map(seats_of).transpose()?;
    let mut tx = open(&state, &key, tenant).await?;
    let current = catalogue::service(&mut tx, service)
        .await?
        .ok_or(ApiError::NotFound)?;
    if let Some(seats) = seats
        && !catalogue_admin::update_service(&mut tx, service, &ServiceField::Seats(seats)).await?
    {
        return Err(ApiError::NotFound);
    }
    let terms = body.payment.as_ref().map(|p| p.over(current.payment));
    if let Some(terms) = &terms {
        match catalogue_payment::set_payment_terms(&mut tx, service, terms).await? {
            SetTerms::Done => {}
            SetTerms::NoService => return Err(ApiError::NotFound),
            SetTerms::Invalid(e) => return Err(terms_error(e)),
            SetTerms::NoProviderToken => {
                return Err(ApiError::Conflict {
                    code: "no_provider_token",
                    detail: "the tenant has no payment provider token: set it with \
                             PUT /tenants/{tenant_id}/payment-account before asking for \
                             prepayment"
                        .to_owned(),
                });
            }
        }
    }
    let updated = catalogue::service(&mut tx, service)
        .await?
        .ok_or(ApiError::NotFound)?;
    tx.commit().await?;
    if let Some(seats) = seats {
        tenants::audit(
            state.db.pool(),
            &key.actor(),
            "service.seats",
            Some(tenant),
            json!({ "service_id": service, "seats": seats.map(Seats::get) }),
        )
        .await?;
    }
    if terms.is_some() {
        tenants::audit(
            state.db.pool(),
            &key.actor(),
            "service.payment",
            Some(tenant),
            json!({ "service_id": service, "payment": updated.payment }),
        )
        .await?;
    }
    Ok(Json(updated))
}
