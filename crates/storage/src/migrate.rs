use booking_core::{
    ids::TenantId,
    tenant::{TenantSchema, TenantStatus},
};
use sqlx::migrate::Migrator;

use crate::{control::tenants, db::Db, error::StorageError};

static CONTROL: Migrator = sqlx::migrate!("../../migrations/control");
static TENANT: Migrator = sqlx::migrate!("../../migrations/tenant");

/// The newest tenant migration version this build knows.
#[must_use]
pub fn latest_tenant_version() -> i64 {
    TENANT.iter().map(|m| m.version).max().unwrap_or(0)
}

/// Applies `migrator` on `conn`, exactly as `Migrator::run(&mut conn)` does.
///
/// `Migrator::run` is generic over `Acquire<'a>`, which makes every future that awaits it
/// fail rustc's `Send` check ("implementation of `Acquire` is not general enough"), so
/// provisioning could not run in an axum handler or a spawned task. `run_direct` is the body of
/// `run` without that bound; sqlx keeps it public (though hidden) for this very reason, as the
/// comment above it in sqlx-core says.
async fn run(
    migrator: &Migrator,
    conn: &mut sqlx::PgConnection,
) -> Result<(), sqlx::migrate::MigrateError> {
    migrator.run_direct(None, conn, false).await
}

/// Brings the control schema up to date. Its history lives in `control._sqlx_migrations`.
pub async fn migrate_control(db: &Db) -> Result<(), StorageError> {
    // The schema must exist before sqlx creates its history table inside it.
    sqlx::query("create schema if not exists control")
        .execute(db.pool())
        .await?;
    let mut conn = db.connect_scoped("control").await?;
    run(&CONTROL, &mut conn).await?;
    Ok(())
}

/// Applies the tenant migrations to one schema, which must exist, on a connection whose
/// `search_path` is that schema alone. Returns the version reached.
pub async fn migrate_tenant_schema(db: &Db, schema: &TenantSchema) -> Result<i64, StorageError> {
    let mut conn = db.connect_scoped(schema.as_str()).await?;
    run(&TENANT, &mut conn).await?;
    Ok(latest_tenant_version())
}

/// One step of [`migrate_all`], for progress bars.
#[derive(Clone, Debug)]
pub enum MigrateProgress {
    Started {
        tenants: usize,
    },
    Tenant {
        tenant: TenantId,
        result: Result<i64, String>,
    },
}

/// What [`migrate_all`] did.
#[derive(Clone, Debug, Default)]
pub struct MigrationReport {
    pub migrated: Vec<TenantId>,
    pub failed: Vec<(TenantId, String)>,
}

/// Migrates the control schema, then every provisioned tenant, one after another so all
/// shapes move in lock-step. A tenant that fails is marked `migration_failed` (and not served)
/// while the others go on; a tenant that succeeds again is made active again.
pub async fn migrate_all(
    db: &Db,
    mut progress: impl FnMut(MigrateProgress),
) -> Result<MigrationReport, StorageError> {
    migrate_control(db).await?;
    let all = tenants::list_provisioned(db.pool()).await?;
    progress(MigrateProgress::Started { tenants: all.len() });
    let mut report = MigrationReport::default();
    for tenant in all {
        let schema = TenantSchema::for_tenant(tenant.id);
        match migrate_tenant_schema(db, &schema).await {
            Ok(version) => {
                let status = if tenant.status == TenantStatus::MigrationFailed {
                    TenantStatus::Active
                } else {
                    tenant.status
                };
                tenants::record_migration(db.pool(), tenant.id, status, Some(version), None)
                    .await?;
                report.migrated.push(tenant.id);
                progress(MigrateProgress::Tenant {
                    tenant: tenant.id,
                    result: Ok(version),
                });
            }
            Err(e) => {
                let message = error_chain(&e);
                tracing::error!(tenant = %tenant.id, error = %message, "tenant migration failed");
                tenants::record_migration(
                    db.pool(),
                    tenant.id,
                    TenantStatus::MigrationFailed,
                    tenant.schema_version,
                    Some(&message),
                )
                .await?;
                report.failed.push((tenant.id, message.clone()));
                progress(MigrateProgress::Tenant {
                    tenant: tenant.id,
                    result: Err(message),
                });
            }
        }
    }
    Ok(report)
}

/// An error and its causes on one line, for storing and showing to operators.
#[must_use]
pub fn error_chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        out.push_str(": ");
        out.push_str(&s.to_string());
        source = s.source();
    }
    out
}
