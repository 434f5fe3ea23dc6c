//! A role's password as PostgreSQL stores it, a SCRAM-SHA-256 verifier, computed here so the
//! password itself never reaches the server: `CREATE ROLE .. PASSWORD '<verifier>'` stores
//! the verifier as given, and a server logging every statement (`log_statement = all`) logs
//! only the verifier.
//!
//! The same construction as libpq's `pg_fe_scram_build_secret` (RFC 5802, RFC 7677):
//! `SaltedPassword = PBKDF2-HMAC-SHA-256(password, salt, iterations)`,
//! `StoredKey = SHA-256(HMAC(SaltedPassword, "Client Key"))`,
//! `ServerKey = HMAC(SaltedPassword, "Server Key")`, written as
//! `SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>` in base64.

use std::fmt;

use base64::{Engine as _, engine::general_purpose::STANDARD};
use hmac::{Hmac, Mac as _};
use rand::Rng as _;
use secrecy::{ExposeSecret as _, SecretString};
use sha2::{Digest as _, Sha256};

use crate::error::StorageError;

/// PostgreSQL's default (`scram_iterations`).
const ITERATIONS: u32 = 4096;
/// libpq's salt length (`SCRAM_DEFAULT_SALT_LEN`).
const SALT_LEN: usize = 16;
const PREFIX: &str = "SCRAM-SHA-256$";

/// A password's SCRAM-SHA-256 verifier, as `pg_authid.rolpassword` holds it.
#[derive(Clone, PartialEq, Eq)]
pub struct ScramVerifier(String);

impl fmt::Debug for ScramVerifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Not the password, but enough to guess at it offline.
        f.write_str("ScramVerifier(<redacted>)")
    }
}

impl ScramVerifier {
    /// The verifier of `password` with a fresh random salt.
    ///
    /// Only ASCII passwords are taken: PostgreSQL normalises a password with SASLprep first,
    /// which leaves ASCII as it is but may change other text, and a verifier of the
    /// unnormalised text would never match. The platform's passwords are ASCII
    /// (`crypto::random_password`).
    pub fn new(password: &SecretString) -> Result<Self, StorageError> {
        let salt: [u8; SALT_LEN] = rand::rng().random();
        Self::with_salt(password, &salt, ITERATIONS)
    }

    fn with_salt(
        password: &SecretString,
        salt: &[u8],
        iterations: u32,
    ) -> Result<Self, StorageError> {
        let password = password.expose_secret();
        if !password.is_ascii() {
            return Err(StorageError::Refused(
                "a role password must be ASCII".to_owned(),
            ));
        }
        let mut salted = [0_u8; 32];
        pbkdf2::pbkdf2_hmac::<Sha256>(password.as_bytes(), salt, iterations, &mut salted);
        let client_key = hmac(&salted, b"Client Key")?;
        let stored_key = Sha256::digest(client_key);
        let server_key = hmac(&salted, b"Server Key")?;
        Ok(Self(format!(
            "{PREFIX}{iterations}:{}${}:{}",
            STANDARD.encode(salt),
            STANDARD.encode(stored_key),
            STANDARD.encode(server_key)
        )))
    }

    /// Whether `stored` (a verifier as PostgreSQL keeps it) was made from `password`: what the
    /// server checks at login, recomputed with the stored salt and iteration count.
    #[must_use]
    pub fn matches(stored: &str, password: &SecretString) -> bool {
        let parsed = stored.strip_prefix(PREFIX).and_then(|rest| {
            let (params, _keys) = rest.split_once('$')?;
            let (iterations, salt) = params.split_once(':')?;
            Some((iterations.parse::<u32>().ok()?, STANDARD.decode(salt).ok()?))
        });
        match parsed {
            Some((iterations, salt)) => Self::with_salt(password, &salt, iterations)
                .is_ok_and(|mine| mine.0.as_bytes() == stored.as_bytes()),
            None => false,
        }
    }

    /// The verifier's text, for `PASSWORD '<verifier>'`.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

fn hmac(key: &[u8], message: &[u8]) -> Result<[u8; 32], StorageError> {
    let mut mac = Hmac::<Sha256>::new_from_slice(key)
        .map_err(|_| StorageError::Corrupt("HMAC key of a bad length".to_owned()))?;
    mac.update(message);
    Ok(mac.finalize().into_bytes().into())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A verifier PostgreSQL 15 made itself (`password_encryption = 'scram-sha-256'`,
    /// `create role .. password 'pencil'`), read back from `pg_authid`.
    const POSTGRES_MADE: &str = "SCRAM-SHA-256$4096:ip3fyn3O5PgMF5s5W5TOpQ==$\
        QGW+3/1n5YsVTY4GUkaypTXguylXz7hT3chIH+Rk2is=:\
        kLzPjIwpRJkeqi/v9opLX7MBgl8uioWubm6QwcTJX7o=";

    #[test]
    fn the_verifier_has_postgres_shape_and_never_the_password() {
        let password = SecretString::from("Sup3rSecretPassw0rd");
        let v = ScramVerifier::new(&password).unwrap();
        assert!(v.as_str().starts_with("SCRAM-SHA-256$4096:"));
        assert!(!v.as_str().contains("Sup3rSecretPassw0rd"));
        assert_eq!(v.as_str().matches('$').count(), 2);
        assert!(!format!("{v:?}").contains(v.as_str()));
    }

    #[test]
    fn a_fresh_salt_each_time() {
        let password = SecretString::from("same");
        assert_ne!(
            ScramVerifier::new(&password).unwrap(),
            ScramVerifier::new(&password).unwrap()
        );
    }

    #[test]
    fn it_matches_what_postgres_computes_for_the_same_salt() {
        assert!(ScramVerifier::matches(
            POSTGRES_MADE,
            &SecretString::from("pencil")
        ));
        assert!(!ScramVerifier::matches(
            POSTGRES_MADE,
            &SecretString::from("pencil2")
        ));
        assert!(!ScramVerifier::matches(
            "md5abc",
            &SecretString::from("pencil")
        ));
    }

    #[test]
    fn a_verifier_of_its_own_matches_its_password_only() {
        let password = SecretString::from("abc123");
        let v = ScramVerifier::new(&password).unwrap();
        assert!(ScramVerifier::matches(v.as_str(), &password));
        assert!(!ScramVerifier::matches(
            v.as_str(),
            &SecretString::from("abc124")
        ));
    }

    #[test]
    fn text_postgres_would_normalise_is_refused() {
        assert!(ScramVerifier::new(&SecretString::from("pässword")).is_err());
    }
}
