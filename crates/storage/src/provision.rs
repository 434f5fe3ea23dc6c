//! Creating and removing a tenant's schema and database role, and creating a tenant as a
//! whole ([`create_tenant`]).

/// The tenant-creation sequence: control row, sealed secrets, schema and role, audit.
mod create;

pub use create::{
    CreateTenant, CreateTenantError, TenantBot, create_tenant, provision_with_new_password,
};

use booking_core::{
    ids::TenantId,
    tenant::{TenantSchema, TenantStatus},
};
use secrecy::SecretString;
use sqlx::{AssertSqlSafe, PgConnection};

use crate::{
    control::tenants,
    crypto::scram::ScramVerifier,
    db::Db,
    error::StorageError,
    migrate::{error_chain, migrate_tenant_schema},
    redis_acl::{RedisAcl, RedisUser},
    role::TenantRole,
    tenant::{admins, settings},
};

/// What provisioning made.
#[derive(Clone, Debug)]
pub struct Provisioned {
    pub schema: TenantSchema,
    pub role: TenantRole,
    pub version: i64,
}

/// Creates (or completes) a tenant's schema and role, migrates the schema, grants the role its
/// rights on that schema alone, copies the tenant's zone, locale and name into the schema,
/// and marks the tenant active.
///
/// Idempotent: running it again on a provisioned tenant changes nothing but the password.
/// Concurrent calls for one tenant are serialised by an advisory lock.
pub async fn provision_tenant(
    db: &Db,
    tenant: TenantId,
    role_password: &SecretString,
) -> Result<Provisioned, StorageError> {
    let record = tenants::get(db.pool(), tenant)
        .await?
        .ok_or(StorageError::TenantNotFound(tenant))?;
    let schema = TenantSchema::for_tenant(tenant);
    let role = db.tenant_role(&schema);

    let mut lock = db.pool().acquire().await?;
    sqlx::query("select pg_advisory_lock(hashtext('provision'), $1::int)")
        .bind(i32::try_from(tenant.get() % i64::from(i32::MAX)).unwrap_or_default())
        .execute(&mut *lock)
        .await?;
    let result = provision_steps(db, &mut lock, &record, &schema, &role, role_password).await;
    sqlx::query("select pg_advisory_unlock(hashtext('provision'), $1::int)")
        .bind(i32::try_from(tenant.get() % i64::from(i32::MAX)).unwrap_or_default())
        .execute(&mut *lock)
        .await?;

    match result {
        Ok(version) => Ok(Provisioned {
            schema,
            role,
            version,
        }),
        Err(e) => {
            let status = if matches!(e, StorageError::Migrate(_)) {
                TenantStatus::MigrationFailed
            } else {
                record.status
            };
            tenants::record_migration(
                db.pool(),
                tenant,
                status,
                record.schema_version,
                Some(&error_chain(&e)),
            )
            .await?;
            Err(e)
        }
    }
}

/// The provisioning steps, run while the caller holds the tenant's advisory lock.
async fn provision_steps(
    db: &Db,
    lock: &mut PgConnection,
    record: &tenants::TenantRecord,
    schema: &TenantSchema,
    role: &TenantRole,
    role_password: &SecretString,
) -> Result<i64, StorageError> {
    ensure_role(&mut *lock, role, role_password).await?;
    ddl(
        &mut *lock,
        "create schema if not exists %I",
        &[schema.as_str()],
    )
    .await?;
    let version = migrate_tenant_schema(db, schema).await?;
    grant(&mut *lock, schema, role).await?;
    let mut tx = db.tenant(schema).await?;
    settings::seed(&mut tx, &record.name, record.time_zone, record.locale).await?;
    if let Some(owner) = record.owner_telegram_id {
        admins::seed_owner(&mut tx, owner).await?;
    }
    tx.commit().await?;
    tenants::record_migration(
        db.pool(),
        record.id,
        TenantStatus::Active,
        Some(version),
        None,
    )
    .await?;
    Ok::<_, StorageError>(version)
}

/// Drops a tenant's schema (every booking in it), its role, its Redis user (when `redis` is
/// given: `REDIS_ACL=on`) and its control rows.
///
/// Guarded twice: the caller must name the schema it means to drop, and the tenant must not be
/// meant to run (desired state stopped) nor be active. Suspend first, then delete.
pub async fn deprovision_tenant(
    db: &Db,
    redis: Option<&RedisAcl>,
    tenant: TenantId,
    confirm: &TenantSchema,
) -> Result<(), StorageError> {
    let record = tenants::get(db.pool(), tenant)
        .await?
        .ok_or(StorageError::TenantNotFound(tenant))?;
    let schema = TenantSchema::for_tenant(tenant);
    if *confirm != schema {
        return Err(StorageError::Refused(format!(
            "confirmation {confirm} does not name this tenant's schema {schema}"
        )));
    }
    if record.status == TenantStatus::Active
        || record.desired_state == tenants::DesiredState::Running
    {
        return Err(StorageError::Refused(format!(
            "tenant {tenant} is {} with desired state {}; suspend and stop it first",
            record.status, record.desired_state
        )));
    }
    let role = db.tenant_role(&schema);
    let mut conn = db.pool().acquire().await?;
    ddl(
        &mut conn,
        "drop schema if exists %I cascade",
        &[schema.as_str()],
    )
    .await?;
    if role_exists(&mut conn, &role).await? {
        // Revokes what is left (default privileges) in this database, then the role itself.
        ddl(&mut conn, "drop owned by %I", &[role.as_str()]).await?;
        ddl(&mut conn, "drop role %I", &[role.as_str()]).await?;
    }
    if let Some(redis) = redis {
        redis.delete_user(&RedisUser::tenant(db, tenant)).await?;
    }
    tenants::delete(db.pool(), tenant).await?;
    Ok(())
}

async fn ensure_role(
    conn: &mut PgConnection,
    role: &TenantRole,
    password: &SecretString,
) -> Result<(), StorageError> {
    let exists = role_exists(conn, role).await?;
    set_login(conn, role.as_str(), password, exists).await?;
    ddl(conn, "alter role %I connection limit 20", &[role.as_str()]).await
}

/// What every login role of the platform (tenants, bot hosts) gets on top of its own rights.
/// A runaway query or a lock held by a stuck transaction of one tenant cannot hold up the
/// others for long. Migration 0009 gives the roles made before it the same: keep both in step.
pub(crate) const ROLE_SETTINGS: [(&str, &str); 2] =
    [("lock_timeout", "5s"), ("statement_timeout", "30s")];

/// Creates `role` (or updates it) as a login role with `password`, the right to connect to
/// this database (and no other: PUBLIC's was revoked by migration 0009) and
/// [`ROLE_SETTINGS`].
///
/// The password is sent as its SCRAM-SHA-256 verifier ([`ScramVerifier`]): neither the
/// statement nor the parameters of the query that quotes it hold the password, so a server
/// that logs every statement never logs it.
pub(crate) async fn set_login(
    conn: &mut PgConnection,
    role: &str,
    password: &SecretString,
    exists: bool,
) -> Result<(), StorageError> {
    let verifier = ScramVerifier::new(password)?;
    let verb = if exists {
        "alter role %I with login password %L"
    } else {
        "create role %I with login nosuperuser nocreatedb nocreaterole noinherit password %L"
    };
    ddl(conn, verb, &[role, verifier.as_str()]).await?;
    let sql: String = sqlx::query_scalar(
        "select format('grant connect on database %I to %I', current_database(), $1)",
    )
    .bind(role)
    .fetch_one(&mut *conn)
    .await?;
    sqlx::query(AssertSqlSafe(sql)).execute(&mut *conn).await?;
    for (name, value) in ROLE_SETTINGS {
        ddl(conn, "alter role %I set %I = %L", &[role, name, value]).await?;
    }
    Ok(())
}

async fn role_exists(conn: &mut PgConnection, role: &TenantRole) -> Result<bool, StorageError> {
    Ok(
        sqlx::query_scalar("select exists (select 1 from pg_roles where rolname = $1)")
            .bind(role.as_str())
            .fetch_one(conn)
            .await?,
    )
}

async fn grant(
    conn: &mut PgConnection,
    schema: &TenantSchema,
    role: &TenantRole,
) -> Result<(), StorageError> {
    let (s, r) = (schema.as_str(), role.as_str());
    for template in [
        "grant usage on schema %I to %I",
        "grant select, insert, update, delete on all tables in schema %I to %I",
        "grant usage, select on all sequences in schema %I to %I",
        // Tables added by later migrations get the same rights.
        "alter default privileges in schema %I grant select, insert, update, delete on tables to %I",
        "alter default privileges in schema %I grant usage, select on sequences to %I",
    ] {
        ddl(conn, template, &[s, r]).await?;
    }
    // The bot may read its migration history but never rewrite it.
    ddl(
        conn,
        "revoke insert, update, delete on %I._sqlx_migrations from %I",
        &[s, r],
    )
    .await?;
    ddl(conn, "alter role %I set search_path = %I", &[r, s]).await
}

/// Runs DDL built by PostgreSQL's own `format()`: `%I` quotes identifiers and `%L` literals
/// on the server, so nothing is spliced into SQL by hand. DDL cannot take bind parameters.
pub(crate) async fn ddl(
    conn: &mut PgConnection,
    template: &'static str,
    args: &[&str],
) -> Result<(), StorageError> {
    let sql: String = match args {
        [a] => sqlx::query_scalar("select format($1, $2)")
            .bind(template)
            .bind(a),
        [a, b] => sqlx::query_scalar("select format($1, $2, $3)")
            .bind(template)
            .bind(a)
            .bind(b),
        [a, b, c] => sqlx::query_scalar("select format($1, $2, $3, $4)")
            .bind(template)
            .bind(a)
            .bind(b)
            .bind(c),
        _ => {
            return Err(StorageError::Corrupt(format!(
                "ddl template with {} arguments",
                args.len()
            )));
        }
    }
    .fetch_one(&mut *conn)
    .await?;
    sqlx::query(AssertSqlSafe(sql)).execute(&mut *conn).await?;
    Ok(())
}
