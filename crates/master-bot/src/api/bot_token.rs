//! `PUT /tenants/{tenant_id}/bot-token`: a tenant's new bot token (the old one leaked and was
//! revoked at BotFather, or the business moves to another bot). Operators only.

use axum::{Json, extract::State};
use booking_core::ids::TenantId;
use secrecy::{ExposeSecret as _, SecretString};
use serde::Deserialize;
use storage::control::tenants::TenantRecord;

use crate::{
    actions,
    api::{
        auth::ApiKey,
        error::{ApiError, FieldError},
        extract::{ApiPath, JsonBody},
        state::ApiState,
        tenants::looks_like_bot_token,
    },
};

/// The body: the new token. Never returned, logged or shown in `Debug`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewBotToken {
    pub bot_token: SecretString,
}

/// Checks the token with getMe, stores it sealed, audits and has the deploy worker restart
/// the bot on it (when it is meant to run); answers the tenant.
#[tracing::instrument(skip_all, fields(api_key = %key.id, tenant = %id))]
pub async fn replace(
    State(state): State<ApiState>,
    key: ApiKey,
    ApiPath(id): ApiPath<TenantId>,
    body: JsonBody<NewBotToken>,
) -> Result<Json<TenantRecord>, ApiError> {
    key.require_operator()?;
    let token = &body.value.bot_token;
    if !looks_like_bot_token(token.expose_secret()) {
        // The message never repeats the token.
        return Err(ApiError::Validation(vec![FieldError::new(
            "bot_token",
            "must look like a Bot API token (<bot id>:<secret>)",
        )]));
    }
    let record = actions::replace_bot_token(
        &state.db,
        state.data_key.as_ref(),
        &state.bot_api,
        &key.actor(),
        id,
        token,
        state.clock.now(),
    )
    .await?;
    Ok(Json(record))
}
