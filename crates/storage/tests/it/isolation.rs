use booking_core::tenant::TenantSchema;
use secrecy::SecretString;
use storage::{Db, db::PoolSize};
use test_support::TestDb;

use crate::customer;

fn is_permission_denied(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(db) if db.code().as_deref() == Some("42501"))
}

/// Connected as tenant A's own role, every read and write of tenant B's tables and of the
/// control plane is refused by PostgreSQL itself.
#[tokio::test]
async fn a_tenant_role_cannot_touch_another_tenant_or_the_control_plane() {
    let t = TestDb::new().await;
    let (a, a_password) = t.tenant("A", chrono_tz::Europe::Moscow).await;
    let (b, _) = t.tenant("B", chrono_tz::Europe::Moscow).await;
    let mut tx = t.tx(b.id).await;
    customer(&mut tx, 42).await;
    tx.commit().await.unwrap();

    let a_schema = TenantSchema::for_tenant(a.id);
    let role = t.db.tenant_role(&a_schema);
    let url = t.tenant_url(role.as_str(), &a_password);
    let as_a = Db::connect_as_tenant(&url, &a_schema, PoolSize(2)).unwrap();
    let b_schema = TenantSchema::for_tenant(b.id);

    // Its own schema works, unqualified, because its connections are born scoped.
    let own: i64 = sqlx::query_scalar("select count(*) from customers")
        .fetch_one(as_a.pool())
        .await
        .unwrap();
    assert_eq!(own, 0);

    for statement in [
        format!("select * from {b_schema}.customers"),
        format!("select * from {b_schema}.bookings"),
        format!("insert into {b_schema}.customers (telegram_user_id) values (1)"),
        format!("update {b_schema}.customers set phone = 'x'"),
        format!("delete from {b_schema}.customers"),
        "select * from control.tenants".to_owned(),
        "update control.tenants set status = 'active'".to_owned(),
        format!("create table {a_schema}.sneaky (x int)"),
        "create table public.sneaky (x int)".to_owned(),
    ] {
        let err = sqlx::query(sqlx::AssertSqlSafe(statement.clone()))
            .execute(as_a.pool())
            .await
            .expect_err(&statement);
        assert!(
            is_permission_denied(&err),
            "{statement}: expected permission denied, got {err}"
        );
    }
    // Nothing of B's changed.
    let mut tx = t.tx(b.id).await;
    let phones: Option<String> = sqlx::query_scalar("select phone from customers")
        .fetch_one(tx.conn())
        .await
        .unwrap();
    assert_eq!(phones, None);
}

/// A `TenantTx` for A sees A's rows only, even on the shared platform pool.
#[tokio::test]
async fn a_tenant_transaction_never_sees_another_tenants_rows() {
    let t = TestDb::new().await;
    let (a, _) = t.tenant("A", chrono_tz::Europe::Moscow).await;
    let (b, _) = t.tenant("B", chrono_tz::Europe::Moscow).await;
    let mut tx = t.tx(b.id).await;
    customer(&mut tx, 7).await;
    customer(&mut tx, 8).await;
    tx.commit().await.unwrap();

    let mut tx = t.tx(a.id).await;
    let seen: i64 = sqlx::query_scalar("select count(*) from customers")
        .fetch_one(tx.conn())
        .await
        .unwrap();
    assert_eq!(seen, 0);
    let schema: String = sqlx::query_scalar("select current_schema()")
        .fetch_one(tx.conn())
        .await
        .unwrap();
    assert_eq!(schema, TenantSchema::for_tenant(a.id).as_str());
}

/// The scope ends with the transaction, committed or dropped mid-way: the next user of the same
/// pooled connection is back on the default path, where no tenant table exists.
#[tokio::test]
async fn the_schema_scope_never_leaks_to_the_next_user_of_a_connection() {
    let t = TestDb::new().await;
    let (a, _) = t.tenant("A", chrono_tz::Europe::Moscow).await;
    let schema = TenantSchema::for_tenant(a.id);
    // One connection, so the next statement surely reuses the one the transaction had.
    let single = Db::connect(&t.url(), PoolSize(1)).await.unwrap();

    let tx = single.tenant(&schema).await.unwrap();
    tx.commit().await.unwrap();
    let after_commit: String = sqlx::query_scalar("select current_schema()")
        .fetch_one(single.pool())
        .await
        .unwrap();
    assert_eq!(after_commit, "public");

    let mut tx = single.tenant(&schema).await.unwrap();
    sqlx::query("select 1 from customers")
        .execute(tx.conn())
        .await
        .unwrap();
    drop(tx); // as a cancelled request would
    let err = sqlx::query("select * from customers")
        .execute(single.pool())
        .await
        .unwrap_err();
    assert!(
        matches!(&err, sqlx::Error::Database(d) if d.code().as_deref() == Some("42P01")),
        "{err}"
    );
}

/// Schema names come only from validated values; anything else is refused before SQL runs.
#[tokio::test]
async fn a_bad_schema_name_is_rejected_before_any_sql() {
    for bad in [
        "public",
        "control",
        "tenant_1; drop schema control cascade",
        "pg_catalog",
        "tenant_01",
    ] {
        assert!(TenantSchema::parse(bad).is_err(), "{bad}");
    }
    // A well-formed name of a schema that does not exist fails the scope check rather than
    // silently running on the default path.
    let t = TestDb::new().await;
    let ghost = TenantSchema::parse("tenant_999999").unwrap();
    let err = t.db.tenant(&ghost).await.unwrap_err();
    assert!(
        matches!(err, storage::StorageError::WrongSchema { .. }),
        "{err:?}"
    );
    let _ = SecretString::from(String::new());
}
