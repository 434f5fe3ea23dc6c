use booking_core::tenant::{TenantSchema, TenantStatus};
use storage::{
    StorageError,
    control::tenants::{self, DesiredState},
    migrate, provision,
};
use test_support::TestDb;

#[tokio::test]
async fn provisioning_is_idempotent_and_migrate_all_keeps_tenants_in_step() {
    let t = TestDb::new().await;
    let (a, password) = t.tenant("A", chrono_tz::Europe::Berlin).await;
    assert_eq!(a.status, TenantStatus::Active);
    assert_eq!(a.schema_version, Some(migrate::latest_tenant_version()));

    // Again: no error, nothing duplicated, settings intact.
    provision::provision_tenant(&t.db, a.id, &password)
        .await
        .unwrap();
    let mut tx = t.tx(a.id).await;
    let profile = storage::tenant::settings::profile(&mut tx).await.unwrap();
    assert_eq!(profile.time_zone, chrono_tz::Europe::Berlin);
    assert_eq!(profile.name, "A");
    tx.commit().await.unwrap();

    let (b, _) = t.tenant("B", chrono_tz::Europe::Moscow).await;
    let mut seen = Vec::new();
    let report = migrate::migrate_all(&t.db, |p| seen.push(format!("{p:?}")))
        .await
        .unwrap();
    assert_eq!(report.migrated, vec![a.id, b.id]);
    assert!(report.failed.is_empty());
    assert_eq!(seen.len(), 3, "{seen:?}");
}

#[tokio::test]
async fn a_tenant_whose_migration_fails_is_marked_and_others_go_on() {
    let t = TestDb::new().await;
    let (a, _) = t.tenant("A", chrono_tz::Europe::Moscow).await;
    let (b, _) = t.tenant("B", chrono_tz::Europe::Moscow).await;
    // Corrupt A's migration history so sqlx refuses it (checksum mismatch).
    let mut tx = t.tx(a.id).await;
    sqlx::query("update _sqlx_migrations set checksum = '\\x00'")
        .execute(tx.conn())
        .await
        .unwrap();
    tx.commit().await.unwrap();

    let report = migrate::migrate_all(&t.db, |_| {}).await.unwrap();
    assert_eq!(report.migrated, vec![b.id]);
    assert_eq!(report.failed.len(), 1);
    let a = tenants::get(t.db.pool(), a.id).await.unwrap().unwrap();
    assert_eq!(a.status, TenantStatus::MigrationFailed);
    assert!(a.last_error.unwrap_or_default().contains("migration"));
}

#[tokio::test]
async fn deprovisioning_is_guarded_and_then_removes_schema_and_role() {
    let t = TestDb::new().await;
    let (a, _) = t.tenant("A", chrono_tz::Europe::Moscow).await;
    let schema = TenantSchema::for_tenant(a.id);

    // Active tenants are refused, and so is a confirmation naming another schema.
    let err = provision::deprovision_tenant(&t.db, None, a.id, &schema)
        .await
        .unwrap_err();
    assert!(matches!(err, StorageError::Refused(_)), "{err:?}");
    tenants::set_status(t.db.pool(), a.id, TenantStatus::Suspended)
        .await
        .unwrap();
    tenants::set_desired_state(t.db.pool(), a.id, DesiredState::Stopped)
        .await
        .unwrap();
    let wrong = TenantSchema::parse("tenant_424242").unwrap();
    assert!(matches!(
        provision::deprovision_tenant(&t.db, None, a.id, &wrong).await,
        Err(StorageError::Refused(_))
    ));

    provision::deprovision_tenant(&t.db, None, a.id, &schema)
        .await
        .unwrap();
    let schemas: i64 = sqlx::query_scalar("select count(*) from pg_namespace where nspname = $1")
        .bind(schema.as_str())
        .fetch_one(t.db.pool())
        .await
        .unwrap();
    let roles: i64 = sqlx::query_scalar("select count(*) from pg_roles where rolname = $1")
        .bind(t.db.tenant_role(&schema).as_str())
        .fetch_one(t.db.pool())
        .await
        .unwrap();
    assert_eq!((schemas, roles), (0, 0));
    assert!(tenants::get(t.db.pool(), a.id).await.unwrap().is_none());
}

/// Provisioning can run inside any spawned task (an axum handler, a job worker): its future
/// is `Send`. A compile-time check; the body never needs to run.
#[test]
fn provisioning_futures_are_send() {
    fn assert_send<T: Send>(_: &T) {}
    #[allow(dead_code, clippy::diverging_sub_expression)] // only type-checked
    async fn never(db: &storage::Db) {
        let password = secrecy::SecretString::from(String::new());
        let schema = booking_core::tenant::TenantSchema::for_tenant(booking_core::ids::TenantId(1));
        assert_send(&storage::migrate::migrate_tenant_schema(db, &schema));
        assert_send(&db.tenant(&schema));
        assert_send(&storage::migrate::migrate_control(db));
        let f = provision::provision_tenant(db, booking_core::ids::TenantId(1), &password);
        assert_send(&f);
    }
}

/// Whoever bought the tenant (or the operator named) is its owner in the bot from the start,
/// and provisioning again does not undo a role the business gave them since.
#[tokio::test]
async fn the_owner_is_the_owner_in_the_bot_and_stays_what_the_business_made_them() {
    use booking_core::{ids::TelegramUserId, locale::Locale};
    use storage::{
        control::tenants::NewTenant,
        crypto::random_password,
        tenant::admins::{self, AdminRole},
    };
    let t = TestDb::new().await;
    let owner = TelegramUserId(4242);
    let record = tenants::insert(
        t.db.pool(),
        &NewTenant {
            name: "Owned".to_owned(),
            time_zone: chrono_tz::Europe::Moscow,
            locale: Locale::En,
            owner_telegram_id: Some(owner),
        },
    )
    .await
    .unwrap();
    let password = random_password();
    provision::provision_tenant(&t.db, record.id, &password)
        .await
        .unwrap();
    let mut tx = t.tx(record.id).await;
    let all = admins::list(&mut tx).await.unwrap();
    assert_eq!(all.len(), 1);
    assert_eq!(
        (all[0].telegram_user_id, all[0].role),
        (owner, AdminRole::Owner)
    );
    admins::upsert(&mut tx, owner, AdminRole::Admin, "Now an admin", None)
        .await
        .unwrap();
    tx.commit().await.unwrap();

    provision::provision_tenant(&t.db, record.id, &password)
        .await
        .unwrap();
    let mut tx = t.tx(record.id).await;
    let all = admins::list(&mut tx).await.unwrap();
    assert_eq!(all[0].role, AdminRole::Admin);
}
