//! A bot's pool lends a connection again without handing it back to sqlx in between, and
//! never at the cost of a `ROLLBACK` left waiting or a caller left waiting.

use std::time::Duration;

use storage::{Db, TenantTx};
use test_support::TestDb;

use crate::own_pool;

/// The backend serving this transaction.
async fn backend(tx: &mut TenantTx) -> i32 {
    sqlx::query_scalar("select pg_backend_pid()")
        .fetch_one(tx.conn())
        .await
        .unwrap()
}

/// Sets up a tenant's own pool of `size` connections with one customer row to lock.
async fn pool_of(t: &TestDb, size: u32) -> (Db, storage::TenantTx) {
    let (a, password) = t.tenant("A", chrono_tz::Europe::Moscow).await;
    let (db, schema) = own_pool(t, a.id, &password, size);
    let mut tx = db.tenant(&schema).await.unwrap();
    crate::customer(&mut tx, 7).await;
    (db, tx)
}

#[tokio::test]
async fn a_committed_connection_is_lent_again_without_going_back_to_sqlx() {
    let t = TestDb::new().await;
    let (db, mut tx) = pool_of(&t, 3).await;
    let schema = tx.schema().clone();
    let first = backend(&mut tx).await;
    tx.commit().await.unwrap();
    assert_eq!(db.pool().num_idle(), 0, "kept, not back in sqlx's pool");

    let mut tx = db.tenant(&schema).await.unwrap();
    assert_eq!(
        backend(&mut tx).await,
        first,
        "the same connection, straight away"
    );
    tx.rollback().await.unwrap();
    let mut tx = db.tenant(&schema).await.unwrap();
    assert_eq!(backend(&mut tx).await, first, "a rollback keeps it too");
    drop(tx);

    // Unused connections go back to sqlx after a while (sqlx's idle timeout then applies).
    tokio::time::timeout(Duration::from_secs(20), async {
        while db.pool().num_idle() == 0 {
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    })
    .await
    .expect("the unused connection went back to sqlx");
}

#[tokio::test]
async fn a_transaction_dropped_unfinished_releases_its_locks_at_once() {
    let t = TestDb::new().await;
    let (db, tx) = pool_of(&t, 2).await;
    let schema = tx.schema().clone();
    tx.commit().await.unwrap();

    let mut holder = db.tenant(&schema).await.unwrap();
    sqlx::query("select 1 from customers for update")
        .execute(holder.conn())
        .await
        .unwrap();
    drop(holder); // no commit, no rollback: a press that failed half-way

    let mut next = db.tenant(&schema).await.unwrap();
    sqlx::query("set local lock_timeout = '3s'")
        .execute(next.conn())
        .await
        .unwrap();
    sqlx::query("select 1 from customers for update")
        .execute(next.conn())
        .await
        .expect("the dropped transaction's lock is gone");
    next.commit().await.unwrap();
}

#[tokio::test]
async fn a_caller_waiting_on_a_full_pool_gets_the_connection_given_back() {
    let t = TestDb::new().await;
    let (db, held) = pool_of(&t, 1).await;
    let schema = held.schema().clone();

    let waiter = tokio::spawn({
        let (db, schema) = (db.clone(), schema.clone());
        async move {
            let mut tx = db.tenant(&schema).await.unwrap();
            backend(&mut tx).await
        }
    });
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(!waiter.is_finished(), "the pool's one connection is in use");
    held.commit().await.unwrap();
    tokio::time::timeout(Duration::from_secs(5), waiter)
        .await
        .expect("the waiter got the connection given back")
        .unwrap();
}
