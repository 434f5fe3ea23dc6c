//! Operator changes to a tenant's control row beyond what [`super::tenants`] offers: the
//! fields the operator API may update, and the sealed bot token.

use booking_core::ids::{TelegramUserId, TenantId};
use secrecy::SecretString;
use sqlx::{PgExecutor, PgPool};

use crate::{
    control::tenants::DesiredState,
    crypto::{DataKey, SealedAt},
    error::{StorageError, is_violation_of},
};

/// Fields to change; `None` leaves a field as it is.
#[derive(Clone, Debug, Default)]
pub struct TenantChanges {
    pub name: Option<String>,
    pub desired_state: Option<DesiredState>,
    /// `Some(None)` clears the tag (the deploy worker's default image).
    pub image_tag: Option<Option<String>>,
}

/// Applies `changes` in one statement. False if there is no such tenant.
pub async fn update(
    pool: &PgPool,
    id: TenantId,
    changes: &TenantChanges,
) -> Result<bool, StorageError> {
    let done = sqlx::query(
        "update control.tenants set name = coalesce($2, name), \
             desired_state = coalesce($3, desired_state), \
             image_tag = case when $4 then $5 else image_tag end \
         where tenant_id = $1",
    )
    .bind(id.get())
    .bind(changes.name.as_deref())
    .bind(changes.desired_state.map(DesiredState::as_str))
    .bind(changes.image_tag.is_some())
    .bind(changes.image_tag.clone().flatten())
    .execute(pool)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Another tenant's bot has this username (the `tenants_bot_username` index).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("the bot @{0} already serves another tenant")]
pub struct BotTaken(pub String);

/// Stores the tenant's bot token, sealed with the data key for this column and row (never in
/// clear), and its bot's username as getMe gave it.
pub async fn set_bot<'e>(
    executor: impl PgExecutor<'e>,
    key: &DataKey,
    id: TenantId,
    token: &SecretString,
    username: &str,
) -> Result<Result<(), BotTaken>, StorageError> {
    let done = sqlx::query(
        "update control.tenants set bot_token_enc = $2, bot_username = $3 where tenant_id = $1",
    )
    .bind(id.get())
    .bind(key.seal(token, SealedAt::TenantBotToken(id)))
    .bind(username)
    .execute(executor)
    .await;
    match done {
        Ok(_) => Ok(Ok(())),
        Err(e) if is_violation_of(&e, "tenants_bot_username") => {
            Ok(Err(BotTaken(username.to_owned())))
        }
        Err(e) => Err(e.into()),
    }
}

/// The tenant whose bot has this username, if any (one bot serves one tenant).
pub async fn tenant_with_bot(
    pool: &PgPool,
    username: &str,
) -> Result<Option<TenantId>, StorageError> {
    let id: Option<i64> = sqlx::query_scalar(
        "select tenant_id from control.tenants where lower(bot_username) = lower($1) limit 1",
    )
    .bind(username)
    .fetch_optional(pool)
    .await?;
    Ok(id.map(TenantId))
}

/// Records the tenant's owner (the Telegram user warned of renewals and made owner in its
/// bot). False if there is no such tenant.
pub async fn set_owner<'e>(
    executor: impl PgExecutor<'e>,
    id: TenantId,
    owner: TelegramUserId,
) -> Result<bool, StorageError> {
    let done =
        sqlx::query("update control.tenants set owner_telegram_id = $2 where tenant_id = $1")
            .bind(id.get())
            .bind(owner.get())
            .execute(executor)
            .await?;
    Ok(done.rows_affected() == 1)
}
