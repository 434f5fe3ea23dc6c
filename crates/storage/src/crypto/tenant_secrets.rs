//! A tenant's own key: seals the secrets its bot keeps in its own schema (the payment
//! provider's token, the YooKassa shop's secret key).
//!
//! The bot must use those secrets, so it must hold a key; it must not hold the platform's data
//! key, which opens every tenant's. So each tenant's key is derived from the data key
//! (HMAC-SHA-256 of the tenant's id): the deploy worker gives a bot its own tenant's key as it
//! gives it its token, the operator API derives the same key to set a secret, and a database
//! dump opens nothing.

use std::fmt;

use base64::{Engine as _, engine::general_purpose::STANDARD};
use booking_core::ids::TenantId;
use chacha20poly1305::{KeyInit as _, XChaCha20Poly1305};
use hmac::{Hmac, Mac};
use secrecy::{ExposeSecret as _, SecretString};
use sha2::Sha256;

use super::{BadDataKey, DataKey, open_with, seal_with};
use crate::error::StorageError;

/// Where in a tenant's schema a value sealed with its key is stored; the cipher's associated
/// data, so a value opens only in its own column.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum TenantSealedAt {
    /// `payment_settings.provider_token_enc`.
    ProviderToken,
    /// `payment_settings.shop_secret_enc`.
    ShopSecret,
}

impl TenantSealedAt {
    const fn associated_data(self) -> &'static [u8] {
        match self {
            Self::ProviderToken => b"payment_settings.provider_token_enc",
            Self::ShopSecret => b"payment_settings.shop_secret_enc",
        }
    }
}

/// One tenant's key (configured for a dedicated bot as `TENANT_SECRETS_KEY`, 32 bytes in base64).
#[derive(Clone)]
pub struct TenantSecretsKey {
    cipher: XChaCha20Poly1305,
    raw: [u8; 32],
}

impl fmt::Debug for TenantSecretsKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TenantSecretsKey(<redacted>)")
    }
}

impl DataKey {
    /// The key of `tenant`, the same every time for the same data key.
    #[must_use]
    pub fn tenant_secrets_key(&self, tenant: TenantId) -> TenantSecretsKey {
        // HMAC pads a key shorter than its 64-byte block with zeros, so padding it here gives
        // the same MAC as the 32-byte key itself, through the constructor that cannot fail.
        let mut block = [0u8; 64];
        block[..32].copy_from_slice(&self.raw);
        let mut mac = <Hmac<Sha256> as hmac::digest::KeyInit>::new(&block.into());
        mac.update(b"booking-platform tenant key v1:");
        mac.update(tenant.0.to_string().as_bytes());
        let raw: [u8; 32] = mac.finalize().into_bytes().into();
        TenantSecretsKey::from_raw(raw)
    }
}

impl TenantSecretsKey {
    fn from_raw(raw: [u8; 32]) -> Self {
        Self {
            cipher: XChaCha20Poly1305::new(&raw.into()),
            raw,
        }
    }

    /// Reads the key as it is configured (base64 of 32 bytes).
    pub fn parse(base64: &SecretString) -> Result<Self, BadDataKey> {
        let bytes = STANDARD
            .decode(base64.expose_secret().trim())
            .map_err(|_| BadDataKey)?;
        let raw: [u8; 32] = bytes.try_into().map_err(|_| BadDataKey)?;
        Ok(Self::from_raw(raw))
    }

    /// The key as it is handed to the bot (base64), secret.
    #[must_use]
    pub fn to_base64(&self) -> SecretString {
        SecretString::from(STANDARD.encode(self.raw))
    }

    /// `nonce || ciphertext`, bound to `at`.
    #[must_use]
    pub fn seal(&self, secret: &SecretString, at: TenantSealedAt) -> Vec<u8> {
        seal_with(&self.cipher, secret, at.associated_data())
    }

    /// Opens a value sealed with this key for `at`.
    pub fn open(&self, sealed: &[u8], at: TenantSealedAt) -> Result<SecretString, StorageError> {
        open_with(&self.cipher, sealed, at.associated_data())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data_key() -> DataKey {
        DataKey::parse(&SecretString::from(DataKey::generate_base64())).unwrap()
    }

    #[test]
    fn each_tenant_has_its_own_key_and_the_same_one_every_time() {
        let dk = data_key();
        let seven = dk.tenant_secrets_key(TenantId(7));
        let sealed = seven.seal(
            &SecretString::from("381764678:TEST:1"),
            TenantSealedAt::ProviderToken,
        );
        let again = dk.tenant_secrets_key(TenantId(7));
        assert_eq!(
            again
                .open(&sealed, TenantSealedAt::ProviderToken)
                .unwrap()
                .expose_secret(),
            "381764678:TEST:1"
        );
        assert!(
            dk.tenant_secrets_key(TenantId(8))
                .open(&sealed, TenantSealedAt::ProviderToken)
                .is_err()
        );
        assert!(seven.open(&sealed, TenantSealedAt::ShopSecret).is_err());
        assert!(
            data_key()
                .tenant_secrets_key(TenantId(7))
                .open(&sealed, TenantSealedAt::ProviderToken)
                .is_err()
        );
    }

    #[test]
    fn the_key_travels_as_base64_and_never_shows_in_debug() {
        let key = data_key().tenant_secrets_key(TenantId(1));
        let text = key.to_base64();
        let back = TenantSecretsKey::parse(&text).unwrap();
        let sealed = key.seal(&SecretString::from("s"), TenantSealedAt::ShopSecret);
        assert!(back.open(&sealed, TenantSealedAt::ShopSecret).is_ok());
        assert_eq!(format!("{key:?}"), "TenantSecretsKey(<redacted>)");
        assert!(TenantSecretsKey::parse(&SecretString::from("short")).is_err());
    }
}
