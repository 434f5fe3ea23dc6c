//! Redis users of the tenants and the sales bot (`REDIS_ACL=on`): each reaches Redis as a user
//! of its own, limited to its own keys and to the commands it sends, so a bug (or a takeover)
//! in one tenant's bot cannot read another tenant's dialogues, flush the database or change
//! the server's configuration.
//!
//! - A tenant's user is named like its database role, `<database>_tenant_<id>`, may touch
//!   `t:<id>:*` (every key of [`crate::kv::TenantKey`]) and nothing else; its password is random,
//!   sealed in `control.tenants.redis_password_enc`. Provisioning makes it, deprovisioning
//!   removes it, `master-bot migrate` re-makes any that Redis lost ([`sync`]).
//! - The sales bot's user is `<database>_sales`, keys `sales:*`, with the password the
//!   operator gives (`SALES_REDIS_PASSWORD`), since the sales bot's own URL is configured by
//!   hand.
//!
//! Passwords reach Redis as SHA-256 hashes (`#<hex>`), never in clear. With an ACL file
//! configured (`aclfile`), every change is saved to it (`ACL SAVE`), so users survive a restart.

use std::fmt;

use booking_core::{ids::TenantId, tenant::TenantSchema};
use secrecy::{ExposeSecret as _, SecretString};
use sha2::{Digest as _, Sha256};

use crate::{
    control::tenants,
    crypto::{DataKey, random_password},
    db::Db,
    error::StorageError,
    kv::Kv,
};

/// The commands a bot's connection sends: what [`Kv`] uses (GET, SETEX, DEL; INCRBY and EXPIRE
/// in MULTI/EXEC for rate limits; PING for readiness) and SELECT, sent on connect when the
/// URL names a database. Anything else is refused (`NOPERM`). A new Redis command in `Kv`
/// must be added here; `storage`'s Redis ACL tests run every `Kv` method as a tenant's user.
pub const BOT_COMMANDS: &[&str] = &[
    "get", "setex", "del", "incrby", "expire", "multi", "exec", "ping", "select",
];

/// A Redis ACL user of the platform.
#[derive(Clone, Eq, PartialEq, Hash, Debug)]
pub struct RedisUser {
    name: String,
    /// The key pattern it may touch, such as `t:42:*`.
    keys: String,
}

impl RedisUser {
    /// Tenant `tenant`'s user: the name of its database role, its own keys.
    #[must_use]
    pub fn tenant(db: &Db, tenant: TenantId) -> Self {
        Self {
            name: db
                .tenant_role(&TenantSchema::for_tenant(tenant))
                .as_str()
                .to_owned(),
            keys: format!("t:{tenant}:*"),
        }
    }

    /// The sales bot's user (its keys are `sales:<bot id>:...`).
    #[must_use]
    pub fn sales(db: &Db) -> Self {
        Self {
            name: format!("{}_sales", db.role_base().as_str()),
            keys: "sales:*".to_owned(),
        }
    }

    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.name
    }

    /// The key pattern the user may touch.
    #[must_use]
    pub fn keys(&self) -> &str {
        &self.keys
    }
}

impl fmt::Display for RedisUser {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)
    }
}

/// The platform's own Redis connection, allowed to manage users (`REDIS_ADMIN_URL`).
#[derive(Clone, Debug)]
pub struct RedisAcl {
    admin: Kv,
}

impl RedisAcl {
    /// Checks the URL; connects on first use.
    pub fn new(admin_url: &SecretString) -> Result<Self, StorageError> {
        Ok(Self {
            admin: Kv::new(admin_url.expose_secret())?,
        })
    }

    /// Creates or replaces `user`: on, this password only, its keys only, no channels, the
    /// bots' commands only. Idempotent; `reset` first, so nothing of an older rule survives.
    pub async fn set_user(
        &self,
        user: &RedisUser,
        password: &SecretString,
    ) -> Result<(), StorageError> {
        let hash: String = Sha256::digest(password.expose_secret().as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        let mut cmd = redis::cmd("ACL");
        cmd.arg("SETUSER")
            .arg(user.as_str())
            .arg("reset")
            .arg("on")
            .arg(format!("#{hash}"))
            .arg(format!("~{}", user.keys()))
            .arg("resetchannels")
            .arg("-@all");
        for command in BOT_COMMANDS {
            cmd.arg(format!("+{command}"));
        }
        let mut conn = self.admin.conn().await?;
        let () = cmd.query_async(&mut conn).await?;
        self.save().await
    }

    /// Removes `user` (its open connections are closed by Redis). Idempotent.
    pub async fn delete_user(&self, user: &RedisUser) -> Result<(), StorageError> {
        let mut conn = self.admin.conn().await?;
        let _: i64 = redis::cmd("ACL")
            .arg("DELUSER")
            .arg(user.as_str())
            .query_async(&mut conn)
            .await?;
        self.save().await
    }

    /// Every user name Redis knows.
    pub async fn user_names(&self) -> Result<Vec<String>, StorageError> {
        let mut conn = self.admin.conn().await?;
        Ok(redis::cmd("ACL")
            .arg("USERS")
            .query_async(&mut conn)
            .await?)
    }

    /// Writes the users to the ACL file when Redis has one; without one users live until
    /// Redis restarts, and [`sync`] makes them again.
    async fn save(&self) -> Result<(), StorageError> {
        let mut conn = self.admin.conn().await?;
        match redis::cmd("ACL")
            .arg("SAVE")
            .query_async::<()>(&mut conn)
            .await
        {
            Err(e) if e.to_string().contains("not configured to use an ACL file") => Ok(()),
            other => Ok(other?),
        }
    }
}

/// Makes tenant `tenant`'s Redis user, with the password stored for it, or a new random one
/// (sealed and stored first) when it has none.
pub async fn ensure_tenant_user(
    db: &Db,
    key: &DataKey,
    acl: &RedisAcl,
    tenant: TenantId,
) -> Result<RedisUser, StorageError> {
    let password = match tenants::secrets(db.pool(), key, tenant)
        .await?
        .redis_password
    {
        Some(password) => password,
        None => {
            let password = random_password();
            tenants::set_redis_password(db.pool(), key, tenant, &password).await?;
            password
        }
    };
    let user = RedisUser::tenant(db, tenant);
    acl.set_user(&user, &password).await?;
    Ok(user)
}

/// What [`sync`] did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SyncReport {
    /// Tenants whose user was made (or made again).
    pub tenants: usize,
    /// Users of tenants that no longer exist, removed.
    pub removed: Vec<String>,
    pub sales: bool,
}

/// Brings Redis's users in line with the tenants: every provisioned tenant has its user (with
/// its stored password, or a new one), users of tenants that are gone are removed, and the
/// sales bot's user is made when its password is given. Idempotent; `master-bot migrate`
/// runs it, which also repairs a Redis that lost its users.
pub async fn sync(
    db: &Db,
    key: &DataKey,
    acl: &RedisAcl,
    sales_password: Option<&SecretString>,
) -> Result<SyncReport, StorageError> {
    let mut report = SyncReport::default();
    let provisioned = tenants::list_provisioned(db.pool()).await?;
    for tenant in &provisioned {
        ensure_tenant_user(db, key, acl, tenant.id).await?;
        report.tenants += 1;
    }
    let prefix = format!("{}_tenant_", db.role_base().as_str());
    for name in acl.user_names().await? {
        let Some(id) = name.strip_prefix(&prefix).and_then(|n| n.parse().ok()) else {
            continue;
        };
        if !provisioned.iter().any(|t| t.id == TenantId(id)) {
            acl.delete_user(&RedisUser::tenant(db, TenantId(id)))
                .await?;
            report.removed.push(name);
        }
    }
    if let Some(password) = sales_password {
        acl.set_user(&RedisUser::sales(db), password).await?;
        report.sales = true;
    }
    Ok(report)
}

/// `base` (a Redis URL without credentials, as configured for the bots) with `user` and its
/// password, for the bot's `REDIS_URL`.
pub fn url_with_user(
    base: &str,
    user: &RedisUser,
    password: &SecretString,
) -> Result<SecretString, StorageError> {
    let bad = || StorageError::Refused(format!("not a Redis URL: {base:?}"));
    let mut url = url::Url::parse(base).map_err(|_| bad())?;
    if url.scheme().ends_with("unix") {
        // A socket has no authority part: redis-rs reads the user from the query.
        let pairs: Vec<(String, String)> = url
            .query_pairs()
            .filter(|(k, _)| k != "user" && k != "pass")
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        url.query_pairs_mut()
            .clear()
            .extend_pairs(pairs)
            .append_pair("user", user.as_str())
            .append_pair("pass", password.expose_secret());
    } else {
        url.set_username(user.as_str()).map_err(|()| bad())?;
        url.set_password(Some(password.expose_secret()))
            .map_err(|()| bad())?;
    }
    Ok(SecretString::from(String::from(url)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user() -> RedisUser {
        RedisUser {
            name: "booking_tenant_7".to_owned(),
            keys: "t:7:*".to_owned(),
        }
    }

    #[test]
    fn the_url_gets_the_user_and_keeps_the_rest() {
        let pw = SecretString::from("pw123");
        let url = url_with_user("redis://127.0.0.1:6379", &user(), &pw).unwrap();
        assert_eq!(
            url.expose_secret(),
            "redis://booking_tenant_7:pw123@127.0.0.1:6379"
        );
        let url = url_with_user("rediss://old:secret@redis:6380/2", &user(), &pw).unwrap();
        assert_eq!(
            url.expose_secret(),
            "rediss://booking_tenant_7:pw123@redis:6380/2"
        );
        let url = url_with_user("redis+unix:///run/redis.sock?db=1&pass=x", &user(), &pw).unwrap();
        assert_eq!(
            url.expose_secret(),
            "redis+unix:///run/redis.sock?db=1&user=booking_tenant_7&pass=pw123"
        );
        assert!(url_with_user("not a url", &user(), &pw).is_err());
    }

    #[test]
    fn the_admin_connection_does_not_show_its_password() {
        let acl = RedisAcl::new(&SecretString::from(
            "redis://default:admin-pw@127.0.0.1:6379",
        ))
        .unwrap();
        assert!(!format!("{acl:?}").contains("admin-pw"));
    }

    #[test]
    fn a_bot_may_not_run_server_wide_commands() {
        for forbidden in [
            "flushall", "flushdb", "keys", "config", "scan", "acl", "eval",
        ] {
            assert!(!BOT_COMMANDS.contains(&forbidden), "{forbidden}");
        }
    }
}
