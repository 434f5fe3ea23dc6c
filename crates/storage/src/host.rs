//! Bot hosts in the database: a host is one booking-bot process serving many tenants. It
//! logs in as its own role, which is `NOINHERIT` and a member of exactly the tenant roles it
//! serves, so on its own it can read nothing; each tenant transaction runs under
//! `SET LOCAL ROLE <tenant role>` (see [`Db::connect_as_host`]), where only that tenant's
//! schema is reachable. The deploy worker grants a tenant's role on assignment and revokes it
//! on removal; a host asked to serve a tenant it was not granted is refused by PostgreSQL.

use std::fmt;

use booking_core::{ids::TenantId, tenant::TenantSchema};
use secrecy::{ExposeSecret as _, SecretString};
use sqlx::Row as _;

use crate::{
    db::Db,
    error::StorageError,
    provision::{ddl, set_login},
    role::{RoleBase, TenantRole},
};

/// How a bot host shows the token it serves a tenant with, and how the deploy worker tells
/// whether it is the one wanted: SHA-256 of the token, hex (never the token itself).
#[must_use]
pub fn token_fingerprint(token: &SecretString) -> String {
    use sha2::{Digest as _, Sha256};
    Sha256::digest(token.expose_secret().as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A bot host's name: 1 to 20 lowercase letters, digits and `_`, starting with a letter.
#[derive(Clone, Eq, PartialEq, Hash, Debug)]
pub struct HostName(String);

impl HostName {
    pub fn parse(s: &str) -> Result<Self, StorageError> {
        let ok = (1..=20).contains(&s.len())
            && s.bytes().next().is_some_and(|b| b.is_ascii_lowercase())
            && s.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
        if ok {
            Ok(Self(s.to_owned()))
        } else {
            Err(StorageError::Refused(format!("not a bot host name: {s:?}")))
        }
    }

    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for HostName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The login role of a bot host, `<database>_host_<name>`.
#[derive(Clone, Eq, PartialEq, Hash, Debug)]
pub struct HostRole(String);

impl HostRole {
    #[must_use]
    pub fn new(base: &RoleBase, host: &HostName) -> Self {
        Self(format!("{}_host_{}", base.as_str(), host.as_str()))
    }

    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for HostRole {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Db {
    /// The role bot host `host` logs in as.
    #[must_use]
    pub fn host_role(&self, host: &HostName) -> HostRole {
        HostRole::new(self.role_base(), host)
    }
}

/// Creates (or updates the password of) bot host `host`'s login role: no rights of its own
/// (`NOINHERIT`, no schema), only memberships granted per tenant, the right to connect to this
/// database and the platform's limits (`provision::set_login`: the password as a SCRAM
/// verifier, lock and statement timeouts, which a host needs itself because `SET ROLE` does
/// not take on the tenant role's settings).
pub async fn ensure_role(
    db: &Db,
    host: &HostName,
    password: &SecretString,
) -> Result<HostRole, StorageError> {
    let role = db.host_role(host);
    let mut conn = db.pool().acquire().await?;
    let exists: bool =
        sqlx::query_scalar("select exists (select 1 from pg_roles where rolname = $1)")
            .bind(role.as_str())
            .fetch_one(&mut *conn)
            .await?;
    set_login(&mut conn, role.as_str(), password, exists).await?;
    Ok(role)
}

/// Lets bot host `host` act as `tenant`'s role (idempotent).
pub async fn grant(db: &Db, host: &HostName, tenant: TenantId) -> Result<(), StorageError> {
    let (tenant_role, host_role) = roles(db, host, tenant);
    let mut conn = db.pool().acquire().await?;
    ddl(
        &mut conn,
        "grant %I to %I",
        &[tenant_role.as_str(), host_role.as_str()],
    )
    .await
}

/// Takes `tenant`'s role away from bot host `host` (idempotent): its next transaction for the
/// tenant is refused.
pub async fn revoke(db: &Db, host: &HostName, tenant: TenantId) -> Result<(), StorageError> {
    let (tenant_role, host_role) = roles(db, host, tenant);
    let mut conn = db.pool().acquire().await?;
    ddl(
        &mut conn,
        "revoke %I from %I",
        &[tenant_role.as_str(), host_role.as_str()],
    )
    .await
}

/// The tenants whose roles bot host `host` holds, by id.
pub async fn granted(db: &Db, host: &HostName) -> Result<Vec<TenantId>, StorageError> {
    let rows = sqlx::query(
        "select r.rolname from pg_auth_members m \
           join pg_roles r on r.oid = m.roleid join pg_roles h on h.oid = m.member \
         where h.rolname = $1 order by r.rolname",
    )
    .bind(db.host_role(host).as_str())
    .fetch_all(db.pool())
    .await?;
    let prefix = format!("{}_tenant_", db.role_base().as_str());
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let name: String = row.try_get(0)?;
        if let Some(id) = name.strip_prefix(&prefix).and_then(|n| n.parse().ok()) {
            out.push(TenantId(id));
        }
    }
    out.sort();
    Ok(out)
}

/// The bot hosts holding `tenant`'s role, by name: where the tenant may be served (the
/// deploy worker takes it off every one but its assigned host).
pub async fn holders(db: &Db, tenant: TenantId) -> Result<Vec<HostName>, StorageError> {
    let members: Vec<String> = sqlx::query_scalar(
        "select h.rolname from pg_auth_members m \
           join pg_roles r on r.oid = m.roleid join pg_roles h on h.oid = m.member \
         where r.rolname = $1 order by h.rolname",
    )
    .bind(db.tenant_role(&TenantSchema::for_tenant(tenant)).as_str())
    .fetch_all(db.pool())
    .await?;
    let prefix = format!("{}_host_", db.role_base().as_str());
    Ok(members
        .iter()
        .filter_map(|m| HostName::parse(m.strip_prefix(&prefix)?).ok())
        .collect())
}

fn roles(db: &Db, host: &HostName, tenant: TenantId) -> (TenantRole, HostRole) {
    (
        db.tenant_role(&TenantSchema::for_tenant(tenant)),
        db.host_role(host),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_names_are_plain_identifiers() {
        assert!(HostName::parse("h1").is_ok());
        assert!(HostName::parse("shared_2").is_ok());
        for bad in ["", "1h", "H1", "a-b", "a b", "x\"", &"h".repeat(21)] {
            assert!(HostName::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn a_tokens_fingerprint_is_its_sha256_in_hex() {
        assert_eq!(
            token_fingerprint(&SecretString::from("abc".to_owned())),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn host_roles_carry_the_database_name() {
        let base = RoleBase::parse("booking").unwrap();
        let role = HostRole::new(&base, &HostName::parse("h1").unwrap());
        assert_eq!(role.as_str(), "booking_host_h1");
    }
}
