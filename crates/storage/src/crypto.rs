//! Sealing secrets at rest: bot tokens and database and Redis passwords, each bound to the
//! row and column it is stored in.

/// The one-time step that binds values sealed before bindings existed.
pub mod reseal;
/// PostgreSQL role passwords as SCRAM-SHA-256 verifiers, computed here.
pub mod scram;
/// Each tenant's own key, for the secrets its bot keeps (the payment provider's token).
pub mod tenant_secrets;

use std::fmt;

use base64::{Engine, engine::general_purpose::STANDARD};
use booking_core::ids::TenantId;
use chacha20poly1305::{
    XChaCha20Poly1305, XNonce,
    aead::{Aead, KeyInit, Payload},
};
use rand::Rng;
use secrecy::{ExposeSecret, SecretString};

use crate::{control::orders::OrderId, error::StorageError};

const NONCE_LEN: usize = 24;

/// The platform's data key: seals bot tokens and tenant passwords at rest with
/// XChaCha20-Poly1305 (random 192-bit nonces are safe to pick at random, unlike AES-GCM's).
///
/// Configured as `DATA_KEY`, 32 bytes in base64 (`openssl rand -base64 32`).
#[derive(Clone)]
pub struct DataKey {
    cipher: XChaCha20Poly1305,
    /// Kept to derive the tenants' keys from ([`DataKey::tenant_secrets_key`]).
    raw: [u8; 32],
}

impl fmt::Debug for DataKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("DataKey(<redacted>)")
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error(
    "DATA_KEY must be 32 bytes in base64 (for example the output of `openssl rand -base64 32`)"
)]
pub struct BadDataKey;

/// Where a sealed value is stored: its table, its column and its row. It is the cipher's
/// associated data, so a value opens only where it was sealed: copied into another tenant's
/// row, or from the password column into the token column, it does not open. Someone who can
/// write the database but does not hold the key can therefore not hand one tenant's bot
/// another tenant's token, nor make the deploy worker put a password where a token goes.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum SealedAt {
    /// `control.tenants.bot_token_enc`.
    TenantBotToken(TenantId),
    /// `control.tenants.db_password_enc`.
    TenantDbPassword(TenantId),
    /// `control.tenants.redis_password_enc`.
    TenantRedisPassword(TenantId),
    /// `control.orders.bot_token_enc`.
    OrderBotToken(OrderId),
    /// `control.bot_hosts.db_password_enc` of the host with this ordinal (a unique key of the
    /// row, known before the row is written, unlike its id).
    HostDbPassword(i32),
    /// `control.bot_hosts.secret_enc` of the host with this ordinal.
    HostSecret(i32),
}

impl SealedAt {
    /// `control.tenants.bot_token_enc:42`: the column's full name and the row's key.
    #[must_use]
    pub fn associated_data(&self) -> String {
        match self {
            Self::TenantBotToken(id) => format!("control.tenants.bot_token_enc:{id}"),
            Self::TenantDbPassword(id) => format!("control.tenants.db_password_enc:{id}"),
            Self::TenantRedisPassword(id) => format!("control.tenants.redis_password_enc:{id}"),
            Self::OrderBotToken(id) => format!("control.orders.bot_token_enc:{id}"),
            Self::HostDbPassword(ordinal) => {
                format!("control.bot_hosts.db_password_enc:ordinal={ordinal}")
            }
            Self::HostSecret(ordinal) => format!("control.bot_hosts.secret_enc:ordinal={ordinal}"),
        }
    }
}

impl DataKey {
    pub fn parse(base64: &SecretString) -> Result<Self, BadDataKey> {
        let bytes = STANDARD
            .decode(base64.expose_secret().trim())
            .map_err(|_| BadDataKey)?;
        let raw: [u8; 32] = bytes.try_into().map_err(|_| BadDataKey)?;
        Ok(Self {
            cipher: XChaCha20Poly1305::new(&raw.into()),
            raw,
        })
    }

    /// A fresh random key, base64-encoded, for set-up scripts and tests.
    #[must_use]
    pub fn generate_base64() -> String {
        let key: [u8; 32] = rand::rng().random();
        STANDARD.encode(key)
    }

    /// `nonce || ciphertext`, bound to `at` (see [`SealedAt`]).
    #[must_use]
    pub fn seal(&self, secret: &SecretString, at: SealedAt) -> Vec<u8> {
        seal_with(&self.cipher, secret, at.associated_data().as_bytes())
    }

    /// Opens a value sealed for `at`; a value sealed for any other place (or with another
    /// key, or altered) is refused.
    pub fn open(&self, sealed: &[u8], at: SealedAt) -> Result<SecretString, StorageError> {
        open_with(&self.cipher, sealed, at.associated_data().as_bytes())
    }

    /// Opens a value sealed before bindings existed (no associated data). Only the one-time
    /// [`reseal`] step calls it, and only until it has bound every stored value.
    pub(crate) fn open_unbound(&self, sealed: &[u8]) -> Result<SecretString, StorageError> {
        open_with(&self.cipher, sealed, b"")
    }

    #[cfg(test)]
    fn seal_unbound(&self, secret: &SecretString) -> Vec<u8> {
        seal_with(&self.cipher, secret, b"")
    }
}

/// `nonce || ciphertext` of `secret` under `cipher`, bound to `aad`.
fn seal_with(cipher: &XChaCha20Poly1305, secret: &SecretString, aad: &[u8]) -> Vec<u8> {
    let nonce_bytes: [u8; NONCE_LEN] = rand::rng().random();
    let nonce = XNonce::from(nonce_bytes);
    let payload = Payload {
        msg: secret.expose_secret().as_bytes(),
        aad,
    };
    // Encryption of an in-memory buffer cannot fail for this cipher.
    let sealed = cipher.encrypt(&nonce, payload).unwrap_or_default();
    let mut out = nonce_bytes.to_vec();
    out.extend(sealed);
    out
}

/// Opens what [`seal_with`] sealed with the same cipher and `aad`.
fn open_with(
    cipher: &XChaCha20Poly1305,
    sealed: &[u8],
    aad: &[u8],
) -> Result<SecretString, StorageError> {
    if sealed.len() < NONCE_LEN {
        return Err(StorageError::Unseal);
    }
    let (nonce, body) = sealed.split_at(NONCE_LEN);
    let nonce = XNonce::from_slice(nonce);
    let plain = cipher
        .decrypt(nonce, Payload { msg: body, aad })
        .map_err(|_| StorageError::Unseal)?;
    String::from_utf8(plain)
        .map(SecretString::from)
        .map_err(|_| StorageError::Unseal)
}

/// A random password for a tenant's database role or Redis user: 32 characters of URL-safe
/// alphabet, so it can sit in a connection URL without escaping.
#[must_use]
pub fn random_password() -> SecretString {
    const ALPHABET: &[u8] = b"abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut rng = rand::rng();
    let s: String = (0..32)
        .map(|_| char::from(ALPHABET[rng.random_range(0..ALPHABET.len())]))
        .collect();
    SecretString::from(s)
}

#[cfg(test)]
mod tests {
    use uuid::Uuid;

    use super::*;

    fn key() -> DataKey {
        DataKey::parse(&SecretString::from(DataKey::generate_base64())).unwrap()
    }

    const TOKEN_7: SealedAt = SealedAt::TenantBotToken(TenantId(7));

    #[test]
    fn a_sealed_secret_opens_with_the_same_key_only() {
        let k = key();
        let sealed = k.seal(&SecretString::from("123:secret-token"), TOKEN_7);
        assert!(!String::from_utf8_lossy(&sealed).contains("secret-token"));
        assert_eq!(
            k.open(&sealed, TOKEN_7).unwrap().expose_secret(),
            "123:secret-token"
        );
        assert!(key().open(&sealed, TOKEN_7).is_err());
    }

    #[test]
    fn a_sealed_secret_opens_only_in_its_own_row_and_column() {
        let k = key();
        let sealed = k.seal(&SecretString::from("123:secret-token"), TOKEN_7);
        for elsewhere in [
            SealedAt::TenantBotToken(TenantId(8)),
            SealedAt::TenantDbPassword(TenantId(7)),
            SealedAt::TenantRedisPassword(TenantId(7)),
            SealedAt::OrderBotToken(OrderId(Uuid::nil())),
        ] {
            assert!(k.open(&sealed, elsewhere).is_err(), "{elsewhere:?}");
        }
        // Nor does it open as a value from before bindings.
        assert!(k.open_unbound(&sealed).is_err());
    }

    #[test]
    fn a_value_from_before_bindings_opens_only_through_the_reseal_path() {
        let k = key();
        let old = k.seal_unbound(&SecretString::from("pw"));
        assert_eq!(k.open_unbound(&old).unwrap().expose_secret(), "pw");
        assert!(
            k.open(&old, SealedAt::TenantDbPassword(TenantId(1)))
                .is_err()
        );
    }

    #[test]
    fn associated_data_names_the_column_and_the_row() {
        assert_eq!(
            SealedAt::TenantBotToken(TenantId(42)).associated_data(),
            "control.tenants.bot_token_enc:42"
        );
        assert_eq!(
            SealedAt::OrderBotToken(OrderId(Uuid::nil())).associated_data(),
            "control.orders.bot_token_enc:00000000-0000-0000-0000-000000000000"
        );
    }

    #[test]
    fn tampering_is_detected() {
        let k = key();
        let mut sealed = k.seal(&SecretString::from("x"), TOKEN_7);
        let last = sealed.len() - 1;
        sealed[last] ^= 1;
        assert!(k.open(&sealed, TOKEN_7).is_err());
        assert!(k.open(&[1, 2, 3], TOKEN_7).is_err());
    }

    #[test]
    fn short_or_malformed_keys_are_refused() {
        assert_eq!(
            DataKey::parse(&SecretString::from("c2hvcnQ=")).err(),
            Some(BadDataKey)
        );
        assert_eq!(
            DataKey::parse(&SecretString::from("not base64!")).err(),
            Some(BadDataKey)
        );
    }

    #[test]
    fn passwords_are_long_and_url_safe() {
        let p = random_password();
        assert_eq!(p.expose_secret().len(), 32);
        assert!(p.expose_secret().chars().all(|c| c.is_ascii_alphanumeric()));
    }

    #[test]
    fn the_key_is_not_in_its_debug_output() {
        let encoded = DataKey::generate_base64();
        let k = DataKey::parse(&SecretString::from(encoded.clone())).unwrap();
        let shown = format!("{k:?}");
        assert!(!shown.contains(&encoded));
        assert_eq!(shown, "DataKey(<redacted>)");
    }
}
