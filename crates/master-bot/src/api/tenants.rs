//! `/tenants`: create (with provisioning), read, list, guarded delete (update: `tenant_update`).

use std::str::FromStr;

use axum::{
    Json,
    extract::State,
    http::{HeaderMap, Method, StatusCode, Uri},
    response::Response,
};
use booking_core::{
    Tz,
    ids::{TelegramUserId, TenantId},
    locale::Locale,
    tenant::TenantSchema,
};
use secrecy::{ExposeSecret as _, SecretString};
use serde::{Deserialize, Serialize};
use serde_json::json;
use storage::{
    StorageError,
    control::{
        tenant_admin,
        tenants::{self, TenantRecord},
    },
    provision::{self, CreateTenantError, TenantBot},
};

use crate::{
    api::{
        auth::ApiKey,
        error::{ApiError, FieldError},
        extract::{ApiPath, ApiQuery, JsonBody},
        idempotency,
        state::ApiState,
    },
    bot_api::{BotIdentity, GetMeError},
};

/// The body of `POST /tenants`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateTenant {
    pub name: String,
    pub time_zone: String,
    #[serde(default)]
    pub locale: Option<String>,
    #[serde(default)]
    pub owner_telegram_id: Option<i64>,
    /// Checked with getMe, then stored sealed; never returned or logged (nor in `Debug`).
    #[serde(default)]
    pub bot_token: Option<SecretString>,
}

struct ValidTenant {
    name: String,
    time_zone: Tz,
    locale: Locale,
    owner: Option<TelegramUserId>,
    bot_token: Option<SecretString>,
}

fn validate_create(body: CreateTenant) -> Result<ValidTenant, ApiError> {
    let mut errors = Vec::new();
    let name = booking_core::catalogue::checked_name(&body.name)
        .map_err(|e| errors.push(FieldError::new("name", e.to_string())))
        .ok();
    let zone = Tz::from_str(&body.time_zone)
        .map_err(|_| {
            errors.push(FieldError::new(
                "time_zone",
                "not an IANA time zone (for example Europe/Moscow)",
            ));
        })
        .ok();
    let locale = match body.locale.as_deref() {
        None => Some(Locale::Ru),
        Some(code) => Locale::from_str(code)
            .map_err(|_| errors.push(FieldError::new("locale", "must be \"ru\" or \"en\"")))
            .ok(),
    };
    if body.owner_telegram_id.is_some_and(|id| id <= 0) {
        errors.push(FieldError::new(
            "owner_telegram_id",
            "must be a positive Telegram user id",
        ));
    }
    if let Some(token) = &body.bot_token
        && !looks_like_bot_token(token.expose_secret())
    {
        // The message never repeats the token.
        errors.push(FieldError::new(
            "bot_token",
            "must look like a Bot API token (<bot id>:<secret>)",
        ));
    }
    match (name, zone, locale) {
        (Some(name), Some(time_zone), Some(locale)) if errors.is_empty() => Ok(ValidTenant {
            name,
            time_zone,
            locale,
            owner: body.owner_telegram_id.map(TelegramUserId),
            bot_token: body.bot_token,
        }),
        _ => Err(ApiError::Validation(errors)),
    }
}

pub(crate) fn looks_like_bot_token(token: &str) -> bool {
    token.split_once(':').is_some_and(|(id, secret)| {
        !id.is_empty()
            && id.bytes().all(|b| b.is_ascii_digit())
            && (30..=100).contains(&secret.len())
            && secret
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
    })
}

/// `POST /tenants`: creates and provisions a tenant (schema, role, settings).
#[tracing::instrument(skip_all, fields(api_key = %key.id))]
pub async fn create(
    State(state): State<ApiState>,
    key: ApiKey,
    uri: Uri,
    headers: HeaderMap,
    body: JsonBody<CreateTenant>,
) -> Result<Response, ApiError> {
    key.require_operator()?;
    let valid = validate_create(body.value)?;
    let data_key = state
        .data_key
        .clone()
        .ok_or(ApiError::NotConfigured("DATA_KEY"))?;
    let path = uri.path().to_owned();
    idempotency::once(
        &state,
        &key,
        &headers,
        (&Method::POST, &path),
        &body.raw,
        || async {
            // Inside: a replay must get the first answer, not "this bot is in use" (by the
            // tenant the first request made).
            let bot = match &valid.bot_token {
                Some(token) => Some(TenantBot {
                    username: check_bot(&state, token).await?.username,
                    token: token.clone(),
                }),
                None => None,
            };
            let created = provision::create_tenant(
                &state.db,
                &data_key,
                state.redis_acl.as_ref(),
                &provision::CreateTenant {
                    name: valid.name.clone(),
                    time_zone: valid.time_zone,
                    locale: valid.locale,
                    owner: valid.owner,
                    bot,
                    actor: key.actor(),
                },
            )
            .await;
            let record = match created {
                Ok(record) => record,
                // Lost a race for this bot to another create (nothing was created).
                Err(CreateTenantError::BotTaken(taken)) => {
                    return Err(ApiError::Conflict {
                        code: "bot_in_use",
                        detail: taken.to_string(),
                    });
                }
                Err(CreateTenantError::Storage(e)) => return Err(e.into()),
            };
            Ok((StatusCode::CREATED, to_json(&record)?))
        },
    )
    .await
}

/// Asks the Bot API whose token this is; refuses a token Telegram rejects or whose bot
/// already serves another tenant.
async fn check_bot(state: &ApiState, token: &SecretString) -> Result<BotIdentity, ApiError> {
    let bot = state.bot_api.get_me(token).await.map_err(|e| match e {
        GetMeError::Refused => ApiError::Validation(vec![FieldError::new(
            "bot_token",
            "the Bot API does not accept this token",
        )]),
        GetMeError::Unreachable(why) => ApiError::BotApiUnavailable(why),
    })?;
    if let Some(other) = tenant_admin::tenant_with_bot(state.db.pool(), &bot.username).await? {
        return Err(ApiError::Conflict {
            code: "bot_in_use",
            detail: format!("@{} already serves tenant {other}", bot.username),
        });
    }
    Ok(bot)
}

/// `GET /tenants/{tenant_id}`: an operator key, or the tenant's own key.
pub async fn get(
    State(state): State<ApiState>,
    key: ApiKey,
    ApiPath(id): ApiPath<TenantId>,
) -> Result<Json<TenantRecord>, ApiError> {
    key.require_tenant(id)?;
    Ok(Json(find(&state, id).await?))
}

/// Query of `GET /tenants`.
#[derive(Debug, Deserialize)]
pub struct ListQuery {
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

/// A page of a list, and where the next one starts (`null` on the last page).
#[derive(Debug, Serialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
}

/// `GET /tenants?limit=&cursor=`: operators only, in id order.
pub async fn list(
    State(state): State<ApiState>,
    key: ApiKey,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> Result<Json<Page<TenantRecord>>, ApiError> {
    key.require_operator()?;
    let mut errors = Vec::new();
    let limit = query.limit.unwrap_or(20);
    if !(1..=100).contains(&limit) {
        errors.push(FieldError::new("query.limit", "must be between 1 and 100"));
    }
    // The cursor is the last id of the previous page; clients treat it as opaque.
    let after = match query.cursor.as_deref().map(TenantId::from_str) {
        None => None,
        Some(Ok(id)) if id.get() > 0 => Some(id),
        Some(_) => {
            errors.push(FieldError::new(
                "query.cursor",
                "not a cursor from this API",
            ));
            None
        }
    };
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    let mut items = tenants::list(state.db.pool(), after, limit + 1).await?;
    let more = items.len() > usize::try_from(limit).unwrap_or(usize::MAX);
    items.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
    let next_cursor = if more {
        items.last().map(|t| t.id.to_string())
    } else {
        None
    };
    Ok(Json(Page { items, next_cursor }))
}

/// Query of `DELETE /tenants/{tenant_id}`.
#[derive(Debug, Deserialize)]
pub struct DeleteQuery {
    /// The tenant's schema name, `tenant_<id>`, typed out as a confirmation.
    pub confirm: Option<String>,
}

/// `DELETE /tenants/{tenant_id}?confirm=tenant_<id>`: a suspended, stopped tenant only.
#[tracing::instrument(skip_all, fields(api_key = %key.id, tenant = %id))]
pub async fn delete(
    State(state): State<ApiState>,
    key: ApiKey,
    ApiPath(id): ApiPath<TenantId>,
    ApiQuery(query): ApiQuery<DeleteQuery>,
) -> Result<StatusCode, ApiError> {
    key.require_operator()?;
    let confirm = query
        .confirm
        .as_deref()
        .and_then(|c| TenantSchema::parse(c).ok())
        .ok_or_else(|| {
            ApiError::Validation(vec![FieldError::new(
                "query.confirm",
                format!("must be the tenant's schema name, tenant_{id}"),
            )])
        })?;
    match provision::deprovision_tenant(&state.db, state.redis_acl.as_ref(), id, &confirm).await {
        Ok(()) => {}
        Err(StorageError::Refused(detail)) => {
            return Err(ApiError::Conflict {
                code: "delete_refused",
                detail,
            });
        }
        Err(e) => return Err(e.into()),
    }
    tenants::audit(
        state.db.pool(),
        &key.actor(),
        "tenant.delete",
        Some(id),
        json!({}),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The tenant, or "not found".
pub async fn find(state: &ApiState, id: TenantId) -> Result<TenantRecord, ApiError> {
    tenants::get(state.db.pool(), id)
        .await?
        .ok_or(ApiError::NotFound)
}

pub fn to_json(value: &impl Serialize) -> Result<serde_json::Value, ApiError> {
    serde_json::to_value(value).map_err(|e| ApiError::Internal(e.into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_invalid_field_of_a_create_is_listed() {
        let Err(ApiError::Validation(errors)) = validate_create(CreateTenant {
            name: String::new(),
            time_zone: "Mars/Olympus".to_owned(),
            locale: Some("de".to_owned()),
            owner_telegram_id: Some(-1),
            bot_token: Some(SecretString::from("nope")),
        }) else {
            panic!("expected a validation error");
        };
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "name",
                "time_zone",
                "locale",
                "owner_telegram_id",
                "bot_token"
            ]
        );
        assert!(errors.iter().all(|e| !e.message.contains("nope")));
    }

    #[test]
    fn bot_tokens_are_recognised() {
        assert!(looks_like_bot_token(
            "123456:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"
        ));
        assert!(!looks_like_bot_token("123456:short"));
        assert!(!looks_like_bot_token(":AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"));
    }
}
