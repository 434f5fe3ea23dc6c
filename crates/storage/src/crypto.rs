use std::fmt;

use base64::{Engine, engine::general_purpose::STANDARD};
use chacha20poly1305::{
    XChaCha20Poly1305, XNonce,
    aead::{Aead, KeyInit},
};
use rand::Rng;
use secrecy::{ExposeSecret, SecretString};

use crate::error::StorageError;

const NONCE_LEN: usize = 24;

/// The platform's data key: seals bot tokens and tenant database passwords at rest with
/// XChaCha20-Poly1305 (random 192-bit nonces are safe to pick at random, unlike AES-GCM's).
///
/// Configured as `DATA_KEY`, 32 bytes in base64 (`openssl rand -base64 32`).
#[derive(Clone)]
pub struct DataKey(XChaCha20Poly1305);

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

impl DataKey {
    pub fn parse(base64: &SecretString) -> Result<Self, BadDataKey> {
        let bytes = STANDARD
            .decode(base64.expose_secret().trim())
            .map_err(|_| BadDataKey)?;
        let key: [u8; 32] = bytes.try_into().map_err(|_| BadDataKey)?;
        Ok(Self(XChaCha20Poly1305::new(&key.into())))
    }

    /// A fresh random key, base64-encoded, for set-up scripts and tests.
    #[must_use]
    pub fn generate_base64() -> String {
        let key: [u8; 32] = rand::rng().random();
        STANDARD.encode(key)
    }

    /// `nonce || ciphertext`.
    #[must_use]
    pub fn seal(&self, secret: &SecretString) -> Vec<u8> {
        let nonce_bytes: [u8; NONCE_LEN] = rand::rng().random();
        let nonce = XNonce::from(nonce_bytes);
        // Encryption of an in-memory buffer cannot fail for this cipher.
        let sealed = self
            .0
            .encrypt(&nonce, secret.expose_secret().as_bytes())
            .unwrap_or_default();
        let mut out = nonce_bytes.to_vec();
        out.extend(sealed);
        out
    }

    pub fn open(&self, sealed: &[u8]) -> Result<SecretString, StorageError> {
        if sealed.len() < NONCE_LEN {
            return Err(StorageError::Unseal);
        }
        let (nonce, body) = sealed.split_at(NONCE_LEN);
        let nonce = XNonce::from_slice(nonce);
        let plain = self
            .0
            .decrypt(nonce, body)
            .map_err(|_| StorageError::Unseal)?;
        String::from_utf8(plain)
            .map(SecretString::from)
            .map_err(|_| StorageError::Unseal)
    }
}

/// A random password for a tenant's database role: 32 characters of URL-safe alphabet, so it
/// can sit in a connection URL without escaping.
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
    use super::*;

    fn key() -> DataKey {
        DataKey::parse(&SecretString::from(DataKey::generate_base64())).unwrap()
    }

    #[test]
    fn a_sealed_secret_opens_with_the_same_key_only() {
        let k = key();
        let sealed = k.seal(&SecretString::from("123:secret-token"));
        assert!(!String::from_utf8_lossy(&sealed).contains("secret-token"));
        assert_eq!(k.open(&sealed).unwrap().expose_secret(), "123:secret-token");
        assert!(key().open(&sealed).is_err());
    }

    #[test]
    fn tampering_is_detected() {
        let k = key();
        let mut sealed = k.seal(&SecretString::from("x"));
        let last = sealed.len() - 1;
        sealed[last] ^= 1;
        assert!(k.open(&sealed).is_err());
        assert!(k.open(&[1, 2, 3]).is_err());
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
}
