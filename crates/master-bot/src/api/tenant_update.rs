//! `PATCH /tenants/{tenant_id}`: the fields an operator may change on a tenant, and where its
//! bot runs (the placement override goes through [`crate::actions`], as the operator bot's
//! button does).

use std::str::FromStr;

use axum::{Json, extract::State};
use booking_core::{
    currency::Currency,
    ids::TenantId,
    tenant::{TenantSchema, TenantStatus},
};
use serde::Deserialize;
use serde_json::json;
use storage::{
    control::{
        placement::Placement,
        tenant_admin::{self, TenantChanges},
        tenants::{self, DesiredState, TenantRecord},
    },
    tenant::settings,
};

use crate::{
    actions,
    api::{
        auth::ApiKey,
        error::{ApiError, FieldError},
        extract::{ApiPath, JsonBody, present},
        state::ApiState,
        tenants::find,
    },
};

/// The body of `PATCH /tenants/{tenant_id}`; absent fields stay as they are.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UpdateTenant {
    #[serde(default)]
    pub name: Option<String>,
    /// `running` or `stopped`; the deploy worker is asked to reconcile.
    #[serde(default)]
    pub desired_state: Option<String>,
    /// A container image tag, or `null` for the default image.
    #[serde(default, deserialize_with = "present")]
    pub image_tag: Option<Option<String>>,
    /// `active` or `suspended` (suspend before deleting).
    #[serde(default)]
    pub status: Option<String>,
    /// `dedicated` or `shared`, or `null` to follow the tenant's plan; the deploy worker moves
    /// the bot.
    #[serde(default, deserialize_with = "present")]
    pub placement: Option<Option<String>>,
    /// The ISO 4217 code prices are shown in; kept in the tenant's own schema.
    #[serde(default)]
    pub currency: Option<String>,
}

/// A checked `PATCH`: the control row's changes, the status, and the placement override
/// (`Some(None)` clears it).
struct ValidUpdate {
    changes: TenantChanges,
    status: Option<TenantStatus>,
    placement: Option<Option<Placement>>,
    currency: Option<Currency>,
}

fn validate_update(body: UpdateTenant) -> Result<ValidUpdate, ApiError> {
    let mut errors = Vec::new();
    let name = body.name.and_then(|n| {
        booking_core::catalogue::checked_name(&n)
            .map_err(|e| errors.push(FieldError::new("name", e.to_string())))
            .ok()
    });
    let desired_state = body.desired_state.and_then(|s| match s.as_str() {
        "running" => Some(DesiredState::Running),
        "stopped" => Some(DesiredState::Stopped),
        _ => {
            errors.push(FieldError::new(
                "desired_state",
                "must be \"running\" or \"stopped\"",
            ));
            None
        }
    });
    if let Some(Some(tag)) = &body.image_tag
        && !is_image_tag(tag)
    {
        errors.push(FieldError::new(
            "image_tag",
            "must be a container image tag ([A-Za-z0-9_][A-Za-z0-9_.-]{0,127})",
        ));
    }
    let status = body.status.and_then(|s| match s.as_str() {
        "active" => Some(TenantStatus::Active),
        "suspended" => Some(TenantStatus::Suspended),
        _ => {
            errors.push(FieldError::new(
                "status",
                "must be \"active\" or \"suspended\"",
            ));
            None
        }
    });
    let placement = body.placement.map(|p| {
        p.and_then(|p| {
            Placement::from_str(&p)
                .map_err(|_| {
                    errors.push(FieldError::new(
                        "placement",
                        "must be \"dedicated\", \"shared\" or null (the plan's)",
                    ));
                })
                .ok()
        })
    });
    let currency = body.currency.and_then(|c| {
        c.parse::<Currency>()
            .map_err(|e| errors.push(FieldError::new("currency", e.to_string())))
            .ok()
    });
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    Ok(ValidUpdate {
        changes: TenantChanges {
            name,
            desired_state,
            image_tag: body.image_tag,
        },
        status,
        placement,
        currency,
    })
}

fn is_image_tag(tag: &str) -> bool {
    let mut bytes = tag.bytes();
    tag.len() <= 128
        && bytes
            .next()
            .is_some_and(|b| b.is_ascii_alphanumeric() || b == b'_')
        && bytes.all(|b| b.is_ascii_alphanumeric() || b"_.-".contains(&b))
}

/// `PATCH /tenants/{tenant_id}`: operators only.
#[tracing::instrument(skip_all, fields(api_key = %key.id, tenant = %id))]
pub async fn update(
    State(state): State<ApiState>,
    key: ApiKey,
    ApiPath(id): ApiPath<TenantId>,
    body: JsonBody<UpdateTenant>,
) -> Result<Json<TenantRecord>, ApiError> {
    key.require_operator()?;
    let ValidUpdate {
        changes,
        status,
        placement,
        currency,
    } = validate_update(body.value)?;
    let before = find(&state, id).await?;
    let pool = state.db.pool();
    if status == Some(TenantStatus::Active) && before.schema_version.is_none() {
        return Err(ApiError::Conflict {
            code: "not_provisioned",
            detail: format!("tenant {id} has no schema yet and cannot be active"),
        });
    }
    if currency.is_some() && before.schema_version.is_none() {
        return Err(ApiError::Conflict {
            code: "not_provisioned",
            detail: format!("tenant {id} has no schema yet to keep its currency in"),
        });
    }
    tenant_admin::update(pool, id, &changes).await?;
    if let Some(status) = status {
        tenants::set_status(pool, id, status).await?;
    }
    // The tenant's own schema keeps its name for the bot, which cannot read `control`.
    if let (Some(name), Some(_)) = (&changes.name, before.schema_version) {
        let mut tx = state.db.tenant(&TenantSchema::for_tenant(id)).await?;
        settings::seed(&mut tx, name, before.time_zone, before.locale).await?;
        tx.commit().await?;
    }
    // The bot drops its held profile on the schema's `tenant_changed` notification.
    if let Some(currency) = currency {
        let mut tx = state.db.tenant(&TenantSchema::for_tenant(id)).await?;
        settings::set_currency(&mut tx, currency).await?;
        tx.commit().await?;
    }
    if changes.desired_state.is_some() || changes.image_tag.is_some() {
        crate::actions::queue_reconcile(&state.db, id, state.clock.now()).await?;
    }
    tenants::audit(
        pool,
        &key.actor(),
        "tenant.update",
        Some(id),
        json!({
            "name": changes.name,
            "desired_state": changes.desired_state,
            "image_tag": changes.image_tag,
            "status": status.map(TenantStatus::as_str),
            "currency": currency.map(Currency::code),
        }),
    )
    .await?;
    // Through the action the operator bot's button takes too: one job, one audit line.
    if let Some(placement) = placement {
        actions::set_placement(&state.db, &key.actor(), id, placement, state.clock.now()).await?;
    }
    Ok(Json(find(&state, id).await?))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(json: serde_json::Value) -> UpdateTenant {
        serde_json::from_value(json).unwrap()
    }

    #[test]
    fn image_tags_are_recognised() {
        assert!(is_image_tag("v1.2.3"));
        assert!(!is_image_tag("-bad"));
        assert!(!is_image_tag("a/b"));
    }

    #[test]
    fn a_placement_is_dedicated_shared_or_null_and_absent_leaves_it() {
        let valid = |v| validate_update(body(v)).ok().map(|u| u.placement);
        assert_eq!(valid(json!({})), Some(None));
        assert_eq!(valid(json!({ "placement": null })), Some(Some(None)));
        assert_eq!(
            valid(json!({ "placement": "shared" })),
            Some(Some(Some(Placement::Shared)))
        );
        assert_eq!(
            valid(json!({ "placement": "dedicated" })),
            Some(Some(Some(Placement::Dedicated)))
        );
        for bad in ["", "Shared", "host", "dedicated "] {
            let Err(ApiError::Validation(errors)) =
                validate_update(body(json!({ "placement": bad })))
            else {
                panic!("{bad:?} accepted");
            };
            assert_eq!(errors[0].field, "placement");
        }
    }

    #[test]
    fn a_currency_is_a_supported_iso_code() {
        let valid = |v| validate_update(body(v)).ok().map(|u| u.currency);
        assert_eq!(valid(json!({})), Some(None));
        assert_eq!(
            valid(json!({ "currency": "usd" })),
            Some(Some(Currency::Usd))
        );
        for bad in ["", "US", "XYZ", "₽"] {
            let Err(ApiError::Validation(errors)) =
                validate_update(body(json!({ "currency": bad })))
            else {
                panic!("{bad:?} accepted");
            };
            assert_eq!(errors[0].field, "currency");
        }
    }
}
