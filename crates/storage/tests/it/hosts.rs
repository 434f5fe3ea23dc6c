//! A bot host serves many tenants through one pool: each transaction runs under the tenant's
//! own role, so PostgreSQL itself keeps tenants apart inside one process, and refuses a tenant
//! the host was not granted.

use booking_core::tenant::TenantSchema;
use secrecy::SecretString;
use storage::{
    Db, StorageError,
    db::PoolSize,
    host::{self, HostName},
};
use test_support::TestDb;

use crate::customer;

fn refused(e: &StorageError) -> bool {
    matches!(e, StorageError::Database(sqlx::Error::Database(db))
        if db.code().as_deref() == Some("42501"))
}

#[tokio::test]
async fn a_host_reaches_exactly_the_tenants_it_was_granted_each_under_its_own_role() {
    let t = TestDb::new().await;
    let (a, _) = t.tenant("A", chrono_tz::Europe::Moscow).await;
    let (b, _) = t.tenant("B", chrono_tz::Europe::Moscow).await;
    for (tenant, telegram) in [(a.id, 1), (b.id, 2)] {
        let mut tx = t.tx(tenant).await;
        customer(&mut tx, telegram).await;
        tx.commit().await.unwrap();
    }
    let name = HostName::parse("h1").unwrap();
    let password = SecretString::from("host-password-1".to_owned());
    let role = host::ensure_role(&t.db, &name, &password).await.unwrap();
    host::grant(&t.db, &name, a.id).await.unwrap();
    host::grant(&t.db, &name, a.id).await.unwrap(); // idempotent
    assert_eq!(host::granted(&t.db, &name).await.unwrap(), vec![a.id]);

    let url = t.tenant_url(role.as_str(), &password);
    let as_host = Db::connect_as_host(&url, PoolSize(2)).unwrap();
    let (a_schema, b_schema) = (
        TenantSchema::for_tenant(a.id),
        TenantSchema::for_tenant(b.id),
    );

    // Its own role alone reaches nothing.
    let bare = sqlx::query(sqlx::AssertSqlSafe(format!(
        "select * from {a_schema}.customers"
    )))
    .execute(as_host.pool())
    .await
    .unwrap_err();
    assert!(refused(&StorageError::Database(bare)));

    // A's transaction reads A, and nothing of B.
    let mut tx = as_host.tenant(&a_schema).await.unwrap();
    let ids: Vec<i64> = sqlx::query_scalar("select telegram_user_id from customers")
        .fetch_all(tx.conn())
        .await
        .unwrap();
    assert_eq!(ids, [1]);
    let cross = sqlx::query(sqlx::AssertSqlSafe(format!(
        "select * from {b_schema}.customers"
    )))
    .execute(tx.conn())
    .await
    .unwrap_err();
    assert!(
        refused(&StorageError::Database(cross)),
        "B from A's transaction"
    );
    drop(tx);

    // B was never granted: PostgreSQL refuses the transaction itself.
    let err = as_host.tenant(&b_schema).await.unwrap_err();
    assert!(refused(&err), "{err:?}");

    // Granted later, B works; A revoked, A is refused from the next transaction on.
    host::grant(&t.db, &name, b.id).await.unwrap();
    let mut tx = as_host.tenant(&b_schema).await.unwrap();
    let ids: Vec<i64> = sqlx::query_scalar("select telegram_user_id from customers")
        .fetch_all(tx.conn())
        .await
        .unwrap();
    assert_eq!(ids, [2]);
    drop(tx);
    host::revoke(&t.db, &name, a.id).await.unwrap();
    host::revoke(&t.db, &name, a.id).await.unwrap(); // idempotent
    assert!(refused(&as_host.tenant(&a_schema).await.unwrap_err()));
    assert_eq!(host::granted(&t.db, &name).await.unwrap(), vec![b.id]);
}
