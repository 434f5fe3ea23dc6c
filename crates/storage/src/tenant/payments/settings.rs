//! The tenant's payment account (table `payment_settings`, one row at most): the provider
//! token its bot sends invoices with, YooKassa's shop id and secret key for refunds, and the
//! VAT code for 54-FZ receipts. Secrets are sealed with the tenant's key and never leave this
//! module unsealed except as `SecretString`.

use std::fmt;

use secrecy::SecretString;
use sqlx::Row as _;

use crate::{
    crypto::tenant_secrets::{TenantSealedAt, TenantSecretsKey},
    db::TenantTx,
    error::StorageError,
};

/// YooKassa's shop: its id and secret key (Basic auth of its API).
#[derive(Clone)]
pub struct Shop {
    pub id: String,
    pub secret: SecretString,
}

impl fmt::Debug for Shop {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Shop")
            .field("id", &self.id)
            .field("secret", &"<redacted>")
            .finish()
    }
}

/// The payment account as the bot uses it.
#[derive(Clone, Debug, Default)]
pub struct PaymentAccount {
    /// Telegram Payments' provider token; without it no service can ask for money.
    pub provider_token: Option<SecretString>,
    /// For refunds through YooKassa; without it refunds are the owner's to make by hand.
    pub shop: Option<Shop>,
    /// YooKassa's `vat_code` (1..=12) for receipts; no receipt data without it.
    pub vat_code: Option<i16>,
}

/// What the panel and the API show of the account: whether each part is set, never a secret.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct AccountSummary {
    pub provider_token_set: bool,
    pub shop_id: Option<String>,
    pub vat_code: Option<i16>,
}

/// Reads the account, opening its secrets with `key`.
pub async fn load(
    tx: &mut TenantTx,
    key: &TenantSecretsKey,
) -> Result<PaymentAccount, StorageError> {
    let Some(row) = sqlx::query(
        "select provider_token_enc, shop_id, shop_secret_enc, vat_code from payment_settings",
    )
    .fetch_optional(tx.conn())
    .await?
    else {
        return Ok(PaymentAccount::default());
    };
    let token: Option<Vec<u8>> = row.try_get("provider_token_enc")?;
    let shop_id: Option<String> = row.try_get("shop_id")?;
    let shop_secret: Option<Vec<u8>> = row.try_get("shop_secret_enc")?;
    let provider_token = token
        .map(|t| key.open(&t, TenantSealedAt::ProviderToken))
        .transpose()?;
    let shop = match (shop_id, shop_secret) {
        (Some(id), Some(secret)) => Some(Shop {
            id,
            secret: key.open(&secret, TenantSealedAt::ShopSecret)?,
        }),
        _ => None,
    };
    Ok(PaymentAccount {
        provider_token,
        shop,
        vat_code: row.try_get("vat_code")?,
    })
}

/// What is set, without opening anything.
pub async fn summary(tx: &mut TenantTx) -> Result<AccountSummary, StorageError> {
    let row = sqlx::query(
        "select provider_token_enc is not null as token_set, shop_id, vat_code \
         from payment_settings",
    )
    .fetch_optional(tx.conn())
    .await?;
    Ok(match row {
        None => AccountSummary::default(),
        Some(row) => AccountSummary {
            provider_token_set: row.try_get("token_set")?,
            shop_id: row.try_get("shop_id")?,
            vat_code: row.try_get("vat_code")?,
        },
    })
}

/// Sets (or with `None` removes) the provider token.
pub async fn set_provider_token(
    tx: &mut TenantTx,
    key: &TenantSecretsKey,
    token: Option<&SecretString>,
) -> Result<(), StorageError> {
    let sealed = token.map(|t| key.seal(t, TenantSealedAt::ProviderToken));
    sqlx::query(
        "insert into payment_settings (provider_token_enc) values ($1) \
         on conflict (singleton) do update \
         set provider_token_enc = excluded.provider_token_enc, updated_at = now()",
    )
    .bind(sealed)
    .execute(tx.conn())
    .await?;
    Ok(())
}

/// Sets (or with `None` removes) YooKassa's shop id and secret key. The id is digits only.
pub async fn set_shop(
    tx: &mut TenantTx,
    key: &TenantSecretsKey,
    shop: Option<&Shop>,
) -> Result<(), StorageError> {
    if let Some(s) = shop
        && (s.id.is_empty() || s.id.len() > 20 || !s.id.bytes().all(|b| b.is_ascii_digit()))
    {
        return Err(StorageError::Refused(
            "a YooKassa shop id is 1 to 20 digits".into(),
        ));
    }
    let id = shop.map(|s| s.id.clone());
    let sealed = shop.map(|s| key.seal(&s.secret, TenantSealedAt::ShopSecret));
    sqlx::query(
        "insert into payment_settings (shop_id, shop_secret_enc) values ($1, $2) \
         on conflict (singleton) do update \
         set shop_id = excluded.shop_id, shop_secret_enc = excluded.shop_secret_enc, \
             updated_at = now()",
    )
    .bind(id)
    .bind(sealed)
    .execute(tx.conn())
    .await?;
    Ok(())
}

/// Sets (or with `None` removes) the VAT code of receipts (YooKassa's 1..=12).
pub async fn set_vat_code(tx: &mut TenantTx, vat_code: Option<i16>) -> Result<(), StorageError> {
    if vat_code.is_some_and(|v| !(1..=12).contains(&v)) {
        return Err(StorageError::Refused("a VAT code is 1 to 12".into()));
    }
    sqlx::query(
        "insert into payment_settings (vat_code) values ($1) \
         on conflict (singleton) do update set vat_code = excluded.vat_code, updated_at = now()",
    )
    .bind(vat_code)
    .execute(tx.conn())
    .await?;
    Ok(())
}
