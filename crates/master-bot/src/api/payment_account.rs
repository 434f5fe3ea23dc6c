//! `PUT` and `GET /tenants/{tenant_id}/payment-account`: the tenant's own payment account,
//! with which its bot asks customers for prepayment (issue 19): the Telegram Payments provider
//! token, YooKassa's shop id and secret key (refunds through YooKassa's API), the VAT code of
//! receipts. Secrets are sealed with the tenant's own key, derived here from the data key as
//! the deploy worker derives the one it gives the bot; no answer ever carries a secret.

use axum::{Json, extract::State};
use booking_core::{
    ids::TenantId,
    payment::{VAT_CODES, looks_like_provider_token, looks_like_shop_id, looks_like_shop_secret},
};
use secrecy::{ExposeSecret as _, SecretString};
use serde::Deserialize;
use serde_json::json;
use storage::{
    control::tenants,
    tenant::payments::settings::{self, AccountSummary, Shop},
};

use crate::api::{
    auth::ApiKey,
    booking::open,
    error::{ApiError, FieldError},
    extract::{ApiPath, JsonBody, present},
    state::ApiState,
};

/// The body: each field left out stays as it is; `null` removes it. The shop's id and secret
/// key come together. `Debug` shows no secret (`SecretString`'s own).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PaymentAccountPut {
    #[serde(default, deserialize_with = "present")]
    pub provider_token: Option<Option<SecretString>>,
    #[serde(default, deserialize_with = "present")]
    pub shop_id: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    pub shop_secret: Option<Option<SecretString>>,
    #[serde(default, deserialize_with = "present")]
    pub vat_code: Option<Option<i16>>,
}

/// What to change, checked.
struct Change {
    provider_token: Option<Option<SecretString>>,
    shop: Option<Option<Shop>>,
    vat_code: Option<Option<i16>>,
}

fn check(body: PaymentAccountPut) -> Result<Change, ApiError> {
    if body.provider_token.is_none()
        && body.shop_id.is_none()
        && body.shop_secret.is_none()
        && body.vat_code.is_none()
    {
        return Err(ApiError::Validation(vec![FieldError::new(
            "provider_token",
            "give at least one of provider_token, shop_id with shop_secret, vat_code",
        )]));
    }
    let mut errors = Vec::new();
    if let Some(Some(token)) = &body.provider_token
        && !looks_like_provider_token(token.expose_secret())
    {
        // The message never repeats the token.
        errors.push(FieldError::new(
            "provider_token",
            "must look like a provider token from @BotFather (<digits>:TEST:<secret> or \
             <digits>:LIVE:<secret>)",
        ));
    }
    let shop = match (body.shop_id, body.shop_secret) {
        (None, None) => None,
        (Some(None), Some(None)) => Some(None),
        (Some(Some(id)), Some(Some(secret))) => {
            if !looks_like_shop_id(&id) {
                errors.push(FieldError::new("shop_id", "must be 1 to 20 digits"));
            }
            if !looks_like_shop_secret(secret.expose_secret()) {
                errors.push(FieldError::new(
                    "shop_secret",
                    "must look like a YooKassa secret key (test_… or live_…)",
                ));
            }
            Some(Some(Shop { id, secret }))
        }
        _ => {
            errors.push(FieldError::new(
                "shop_secret",
                "shop_id and shop_secret are set (or removed with null) together",
            ));
            None
        }
    };
    if let Some(Some(code)) = body.vat_code
        && !VAT_CODES.contains(&code)
    {
        errors.push(FieldError::new(
            "vat_code",
            "must be YooKassa's vat_code, an integer from 1 to 12",
        ));
    }
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    Ok(Change {
        provider_token: body.provider_token,
        shop,
        vat_code: body.vat_code,
    })
}

/// `PUT /tenants/{tenant_id}/payment-account`: seals and stores what is given, audits which
/// parts changed (never a secret), answers the summary.
#[tracing::instrument(skip_all, fields(api_key = %key.id, %tenant))]
pub async fn put(
    State(state): State<ApiState>,
    key: ApiKey,
    ApiPath(tenant): ApiPath<TenantId>,
    body: JsonBody<PaymentAccountPut>,
) -> Result<Json<AccountSummary>, ApiError> {
    let change = check(body.value)?;
    let secrets = state
        .data_key
        .as_ref()
        .ok_or(ApiError::NotConfigured("DATA_KEY"))?
        .tenant_secrets_key(tenant);
    let mut tx = open(&state, &key, tenant).await?;
    if let Some(token) = &change.provider_token {
        settings::set_provider_token(&mut tx, &secrets, token.as_ref()).await?;
    }
    if let Some(shop) = &change.shop {
        settings::set_shop(&mut tx, &secrets, shop.as_ref()).await?;
    }
    if let Some(vat_code) = change.vat_code {
        settings::set_vat_code(&mut tx, vat_code).await?;
    }
    let summary = settings::summary(&mut tx).await?;
    tx.commit().await?;
    tenants::audit(
        state.db.pool(),
        &key.actor(),
        "payment_account.set",
        Some(tenant),
        json!({
            "provider_token": change.provider_token.as_ref().map(|t| if t.is_some() { "set" } else { "removed" }),
            "shop_id": change.shop.as_ref().map(|s| s.as_ref().map(|s| s.id.clone())),
            "vat_code": change.vat_code,
        }),
    )
    .await?;
    Ok(Json(summary))
}

/// `GET /tenants/{tenant_id}/payment-account`: what is set, never a secret.
pub async fn get(
    State(state): State<ApiState>,
    key: ApiKey,
    ApiPath(tenant): ApiPath<TenantId>,
) -> Result<Json<AccountSummary>, ApiError> {
    let mut tx = open(&state, &key, tenant).await?;
    let summary = settings::summary(&mut tx).await?;
    tx.commit().await?;
    Ok(Json(summary))
}
