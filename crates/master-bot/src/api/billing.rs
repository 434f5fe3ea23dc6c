//! Plans, a tenant's subscription (start, extend, cancel) and manual payments. Operators only,
//! except that a tenant's own key may read its subscription.

use axum::{
    Json,
    extract::State,
    http::{HeaderMap, Method, StatusCode, Uri},
    response::Response,
};
use booking_core::ids::{PlanId, TenantId};
use chrono::Duration;
use serde::Deserialize;
use serde_json::json;
use storage::control::{
    placement::Placement,
    plans::{self, NewPlan, Plan, PlanChanges},
    subscriptions::{self, Subscription, SubscriptionStatus},
    tenants,
};

use crate::{
    actions,
    api::{
        auth::ApiKey,
        error::{ApiError, FieldError},
        extract::{ApiPath, JsonBody},
        idempotency,
        state::ApiState,
        tenants::{find, to_json},
    },
};

/// The longest period one request may add (ten years), as the plans table allows.
const MAX_DAYS: i32 = actions::MAX_EXTEND_DAYS;

/// Collects field errors and turns a non-empty list into a validation problem.
#[derive(Default)]
struct Errors(Vec<FieldError>);

impl Errors {
    fn check(&mut self, ok: bool, field: &str, message: &str) {
        if !ok {
            self.0.push(FieldError::new(field, message));
        }
    }

    fn done(self) -> Result<(), ApiError> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(ApiError::Validation(self.0))
        }
    }
}

fn is_currency(c: &str) -> bool {
    c.len() == 3 && c.bytes().all(|b| b.is_ascii_uppercase())
}

/// The body of `POST /plans`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreatePlan {
    pub code: String,
    pub name: String,
    pub price_minor: i64,
    #[serde(default)]
    pub currency: Option<String>,
    pub period_days: i32,
    /// Where its tenants' bots run: `dedicated` (the default) or `shared`.
    #[serde(default)]
    pub placement: Option<String>,
}

/// `POST /plans`.
#[tracing::instrument(skip_all, fields(api_key = %key.id))]
pub async fn create_plan(
    State(state): State<ApiState>,
    key: ApiKey,
    uri: Uri,
    headers: HeaderMap,
    body: JsonBody<CreatePlan>,
) -> Result<Response, ApiError> {
    key.require_operator()?;
    let b = &body.value;
    let currency = b.currency.clone().unwrap_or_else(|| "RUB".to_owned());
    let mut errors = Errors::default();
    errors.check(
        (1..=32).contains(&b.code.len())
            && b.code
                .bytes()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'_' || c == b'-'),
        "code",
        "must be 1 to 32 of a-z, 0-9, _ and -",
    );
    errors.check(
        booking_core::catalogue::checked_name(&b.name).is_ok(),
        "name",
        "must be 1 to 100 characters",
    );
    errors.check(b.price_minor >= 0, "price_minor", "must not be negative");
    errors.check(
        is_currency(&currency),
        "currency",
        "must be an ISO 4217 code such as RUB",
    );
    errors.check(
        (1..=MAX_DAYS).contains(&b.period_days),
        "period_days",
        "must be between 1 and 3660",
    );
    let placement = b
        .placement
        .as_deref()
        .map_or(Ok(Placement::Dedicated), str::parse);
    errors.check(
        placement.is_ok(),
        "placement",
        "must be \"dedicated\" or \"shared\"",
    );
    errors.done()?;
    let placement = placement.unwrap_or(Placement::Dedicated);
    let new = NewPlan {
        code: b.code.clone(),
        name: b.name.trim().to_owned(),
        price_minor: b.price_minor,
        currency,
        period_days: b.period_days,
    };
    let path = uri.path().to_owned();
    idempotency::once(
        &state,
        &key,
        &headers,
        (&Method::POST, &path),
        &body.raw,
        || async {
            let plan = plans::insert_placed(state.db.pool(), &new, placement)
                .await?
                .map_err(|taken| ApiError::Conflict {
                    code: "plan_code_taken",
                    detail: taken.to_string(),
                })?;
            tenants::audit(
                state.db.pool(),
                &key.actor(),
                "plan.create",
                None,
                json!({ "plan_id": plan.id, "code": plan.code }),
            )
            .await?;
            Ok((StatusCode::CREATED, to_json(&plan)?))
        },
    )
    .await
}

/// `GET /plans`: every plan, retired ones included.
pub async fn list_plans(
    State(state): State<ApiState>,
    key: ApiKey,
) -> Result<Json<Vec<Plan>>, ApiError> {
    key.require_operator()?;
    Ok(Json(plans::list(state.db.pool(), true).await?))
}

/// The body of `PATCH /plans/{plan_id}`; absent fields stay as they are. Price, currency and
/// period never change (see [`PlanChanges`]): they are named only to be refused with the way
/// to do it instead; other unknown fields are refused as such.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UpdatePlan {
    #[serde(default)]
    pub name: Option<String>,
    /// `false` takes the plan off sale (the sales bot stops offering it, and a buyer midway
    /// is told it is gone); its subscribers keep it and renew at its price.
    #[serde(default)]
    pub active: Option<bool>,
    #[serde(default)]
    pub price_minor: Option<serde_json::Value>,
    #[serde(default)]
    pub currency: Option<serde_json::Value>,
    #[serde(default)]
    pub period_days: Option<serde_json::Value>,
}

/// What a plan's subscribers bought does not change in place.
const FIXED_TERM: &str = "cannot change: subscribers keep what they bought; put a new plan on \
                          sale (POST /plans) and take this one off sale (\"active\": false)";

/// `PATCH /plans/{plan_id}`: rename a plan, or take it off sale and back (operators).
#[tracing::instrument(skip_all, fields(api_key = %key.id, plan = %id))]
pub async fn update_plan(
    State(state): State<ApiState>,
    key: ApiKey,
    ApiPath(id): ApiPath<PlanId>,
    body: JsonBody<UpdatePlan>,
) -> Result<Json<Plan>, ApiError> {
    key.require_operator()?;
    let UpdatePlan {
        name,
        active,
        price_minor,
        currency,
        period_days,
    } = body.value;
    let mut errors = Errors::default();
    for (field, value) in [
        ("price_minor", &price_minor),
        ("currency", &currency),
        ("period_days", &period_days),
    ] {
        errors.check(value.is_none(), field, FIXED_TERM);
    }
    let name = name.and_then(|n| {
        booking_core::catalogue::checked_name(&n)
            .map_err(|e| errors.0.push(FieldError::new("name", e.to_string())))
            .ok()
    });
    errors.done()?;
    let changes = PlanChanges { name, active };
    let plan = plans::update(state.db.pool(), id, &changes)
        .await?
        .ok_or(ApiError::NotFound)?;
    tenants::audit(
        state.db.pool(),
        &key.actor(),
        "plan.update",
        None,
        json!({ "plan_id": plan.id, "name": changes.name, "active": changes.active }),
    )
    .await?;
    Ok(Json(plan))
}

/// `GET /tenants/{tenant_id}/subscription`: operators, or the tenant's own key.
pub async fn get_subscription(
    State(state): State<ApiState>,
    key: ApiKey,
    ApiPath(tenant): ApiPath<TenantId>,
) -> Result<Json<Subscription>, ApiError> {
    key.require_tenant(tenant)?;
    let mut conn = state
        .db
        .pool()
        .acquire()
        .await
        .map_err(storage::StorageError::from)?;
    subscriptions::get(&mut conn, tenant)
        .await?
        .map(Json)
        .ok_or(ApiError::NotFound)
}

/// The body of `PUT /tenants/{tenant_id}/subscription`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StartSubscription {
    #[serde(default)]
    pub plan_id: Option<PlanId>,
    /// `trial` or `active`.
    pub status: String,
    /// Length of the first period; the plan's period when absent.
    #[serde(default)]
    pub days: Option<i32>,
}

/// `PUT /tenants/{tenant_id}/subscription`: starts or replaces the subscription.
#[tracing::instrument(skip_all, fields(api_key = %key.id, %tenant))]
pub async fn put_subscription(
    State(state): State<ApiState>,
    key: ApiKey,
    ApiPath(tenant): ApiPath<TenantId>,
    body: JsonBody<StartSubscription>,
) -> Result<Json<Subscription>, ApiError> {
    key.require_operator()?;
    let b = body.value;
    let mut errors = Errors::default();
    let status = match b.status.as_str() {
        "trial" => Some(SubscriptionStatus::Trial),
        "active" => Some(SubscriptionStatus::Active),
        _ => None,
    };
    errors.check(
        status.is_some(),
        "status",
        "must be \"trial\" or \"active\"",
    );
    errors.check(
        b.days.is_none_or(|d| (1..=MAX_DAYS).contains(&d)),
        "days",
        "must be between 1 and 3660",
    );
    let plan = match b.plan_id {
        Some(id) => {
            let plan = plans::get(state.db.pool(), id).await?;
            errors.check(plan.is_some(), "plan_id", "no such plan");
            plan
        }
        None => None,
    };
    let days = b.days.or(plan.as_ref().map(|p| p.period_days));
    errors.check(days.is_some(), "days", "is required without a plan");
    errors.done()?;
    let (Some(status), Some(days)) = (status, days) else {
        return Err(ApiError::Validation(vec![]));
    };
    find(&state, tenant).await?;
    // Checked, though `days` is bounded above: nothing reachable from a request may panic.
    let end = state
        .clock
        .now()
        .checked_add_signed(Duration::days(i64::from(days)))
        .ok_or_else(|| ApiError::Validation(vec![FieldError::new("days", "is too far ahead")]))?;
    let sub = subscriptions::start(state.db.pool(), tenant, b.plan_id, status, end).await?;
    tenants::audit(
        state.db.pool(),
        &key.actor(),
        "subscription.start",
        Some(tenant),
        json!({ "plan_id": b.plan_id, "status": status, "days": days }),
    )
    .await?;
    Ok(Json(sub))
}

/// The body of `POST /tenants/{tenant_id}/subscription/extend`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Extend {
    pub days: i32,
}

/// `POST /tenants/{tenant_id}/subscription/extend`: adds days and makes it active.
#[tracing::instrument(skip_all, fields(api_key = %key.id, %tenant))]
pub async fn extend(
    State(state): State<ApiState>,
    key: ApiKey,
    ApiPath(tenant): ApiPath<TenantId>,
    body: JsonBody<Extend>,
) -> Result<Json<Subscription>, ApiError> {
    key.require_operator()?;
    let days = body.value.days;
    let mut errors = Errors::default();
    errors.check(
        (1..=MAX_DAYS).contains(&days),
        "days",
        "must be between 1 and 3660",
    );
    errors.done()?;
    let sub = actions::extend(&state.db, &key.actor(), tenant, days, state.clock.now()).await?;
    Ok(Json(sub))
}

/// `DELETE /tenants/{tenant_id}/subscription`: cancels (the row stays).
#[tracing::instrument(skip_all, fields(api_key = %key.id, %tenant))]
pub async fn cancel(
    State(state): State<ApiState>,
    key: ApiKey,
    ApiPath(tenant): ApiPath<TenantId>,
) -> Result<Json<Subscription>, ApiError> {
    key.require_operator()?;
    let sub = subscriptions::cancel(state.db.pool(), tenant)
        .await?
        .ok_or(ApiError::NotFound)?;
    tenants::audit(
        state.db.pool(),
        &key.actor(),
        "subscription.cancel",
        Some(tenant),
        json!({}),
    )
    .await?;
    Ok(Json(sub))
}

/// The body of `POST /tenants/{tenant_id}/payments`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecordPayment {
    pub amount_minor: i64,
    #[serde(default)]
    pub currency: Option<String>,
    #[serde(default)]
    pub note: Option<String>,
    /// Days to add to the subscription; the plan's period when absent; 0 adds none.
    #[serde(default)]
    pub extend_days: Option<i32>,
}

/// `POST /tenants/{tenant_id}/payments`: records a manual payment and, in the same
/// transaction, extends the subscription.
#[tracing::instrument(skip_all, fields(api_key = %key.id, %tenant))]
pub async fn record_payment(
    State(state): State<ApiState>,
    key: ApiKey,
    ApiPath(tenant): ApiPath<TenantId>,
    uri: Uri,
    headers: HeaderMap,
    body: JsonBody<RecordPayment>,
) -> Result<Response, ApiError> {
    key.require_operator()?;
    let b = &body.value;
    let currency = b.currency.clone().unwrap_or_else(|| "RUB".to_owned());
    let mut errors = Errors::default();
    errors.check(b.amount_minor > 0, "amount_minor", "must be positive");
    errors.check(
        is_currency(&currency),
        "currency",
        "must be an ISO 4217 code such as RUB",
    );
    errors.check(
        b.note.as_ref().is_none_or(|n| n.chars().count() <= 500),
        "note",
        "must be at most 500 characters",
    );
    errors.check(
        b.extend_days.is_none_or(|d| (0..=MAX_DAYS).contains(&d)),
        "extend_days",
        "must be between 0 and 3660",
    );
    errors.done()?;
    find(&state, tenant).await?;
    let path = uri.path().to_owned();
    idempotency::once(
        &state,
        &key,
        &headers,
        (&Method::POST, &path),
        &body.raw,
        || async {
            let pool = state.db.pool();
            let mut tx = pool.begin().await.map_err(storage::StorageError::from)?;
            let current = subscriptions::get(&mut tx, tenant).await?;
            let plan_days = match current.as_ref().and_then(|s| s.plan_id) {
                Some(plan) => plans::get(pool, plan).await?.map(|p| p.period_days),
                None => None,
            };
            let days = b.extend_days.or(plan_days).unwrap_or(0);
            let payment = subscriptions::record_manual_payment(
                &mut tx,
                tenant,
                b.amount_minor,
                &currency,
                b.note.as_deref(),
            )
            .await?;
            let subscription = if days > 0 && current.is_some() {
                subscriptions::extend(&mut tx, tenant, days, state.clock.now()).await?
            } else {
                current
            };
            tenants::audit(
                &mut *tx,
                &key.actor(),
                "payment.record",
                Some(tenant),
                json!({ "payment_id": payment.payment_id, "amount_minor": payment.amount_minor,
                    "currency": payment.currency, "extended_days": days }),
            )
            .await?;
            tx.commit().await.map_err(storage::StorageError::from)?;
            Ok((
                StatusCode::CREATED,
                json!({ "payment": to_json(&payment)?, "subscription": to_json(&subscription)? }),
            ))
        },
    )
    .await
}
