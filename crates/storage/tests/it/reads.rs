//! Reads without a transaction of their own: only where the connection was born in the
//! tenant's schema, still confined to it, and tried again when a connection was found dead.

use std::sync::atomic::{AtomicU32, Ordering};

use booking_core::tenant::TenantSchema;
use chrono::{DateTime, Utc};
use storage::{Db, Scoped as _, StorageError, TenantReads};

use test_support::TestDb;

use crate::{customer, own_pool};

/// `now()` twice with a pause between: equal inside one transaction, different outside one.
async fn two_nows(db: &Db, schema: &TenantSchema) -> (DateTime<Utc>, DateTime<Utc>, i64) {
    db.read(schema, |mut reads: TenantReads| {
        Box::pin(async move {
            let read = async {
                let first: DateTime<Utc> = sqlx::query_scalar("select now()")
                    .fetch_one(reads.conn())
                    .await?;
                sqlx::query("select pg_sleep(0.02)")
                    .execute(reads.conn())
                    .await?;
                let second: DateTime<Utc> = sqlx::query_scalar("select now()")
                    .fetch_one(reads.conn())
                    .await?;
                let customers: i64 = sqlx::query_scalar("select count(*) from customers")
                    .fetch_one(reads.conn())
                    .await?;
                Ok::<_, StorageError>((first, second, customers))
            }
            .await;
            (reads, read)
        })
    })
    .await
    .unwrap()
}

#[tokio::test]
async fn a_tenants_own_pool_reads_outside_a_transaction_and_a_shared_pool_inside_one() {
    let t = TestDb::new().await;
    let (a, password) = t.tenant("A", chrono_tz::Europe::Moscow).await;
    let (b, _) = t.tenant("B", chrono_tz::Europe::Moscow).await;
    let mut tx = t.tx(b.id).await;
    customer(&mut tx, 7).await;
    tx.commit().await.unwrap();
    let (own, schema) = own_pool(&t, a.id, &password, 1);

    let (first, second, customers) = two_nows(&own, &schema).await;
    assert!(second > first, "each statement its own transaction");
    assert_eq!(customers, 0, "A's own customers, none of B's");

    // The platform's pool scopes each use by a transaction, so its reads stay in one.
    let (first, second, customers) = two_nows(&t.db, &schema).await;
    assert_eq!(first, second, "one transaction around the reads");
    assert_eq!(customers, 0);
    let (_, _, customers) = two_nows(&t.db, &TenantSchema::for_tenant(b.id)).await;
    assert_eq!(customers, 1);
}

#[tokio::test]
async fn reads_on_a_connection_found_dead_are_tried_again_on_another() {
    let t = TestDb::new().await;
    let (a, password) = t.tenant("A", chrono_tz::Europe::Moscow).await;
    let (own, schema) = own_pool(&t, a.id, &password, 1);
    // Its connection is kept for the next read as soon as this one ends.
    two_nows(&own, &schema).await;

    // The server ends the pooled connection's backend, as a restart would. Only this test's
    // database: every test has its own, and the others hold schemas of the same name.
    let ended: Vec<bool> = sqlx::query_scalar(
        "select pg_terminate_backend(pid) from pg_stat_activity
          where application_name = $1 and datname = current_database()",
    )
    .bind(format!("booking-bot-{schema}"))
    .fetch_all(t.db.pool())
    .await
    .unwrap();
    assert_eq!(ended, [true]);

    let calls = AtomicU32::new(0);
    let customers = own
        .read(&schema, |mut reads| {
            calls.fetch_add(1, Ordering::Relaxed);
            Box::pin(async move {
                let count = sqlx::query_scalar::<_, i64>("select count(*) from customers")
                    .fetch_one(reads.conn())
                    .await
                    .map_err(StorageError::from);
                (reads, count)
            })
        })
        .await
        .unwrap();
    assert_eq!(customers, 0);
    assert_eq!(
        calls.into_inner(),
        2,
        "the dead connection's read, then another's"
    );
}
