//! Connections a bot's pool lends again without handing them back to sqlx first.
//!
//! sqlx's pool tests every connection given back to it with a round trip (a protocol `Sync`,
//! in a task it spawns), so a button press that touches the database pays one round trip more
//! than its statements, in the bot and in PostgreSQL. A bot's pool keeps the connections its
//! work ended cleanly on ([`Lease::give_back`]: a committed transaction, reads outside one)
//! and lends them straight again. Everything else goes back to sqlx as before: a connection
//! left inside a transaction (its `ROLLBACK` is queued and sqlx's round trip sends it at once,
//! so no lock waits for the connection's next use), one whose work failed (sqlx's round trip
//! finds it broken and closes it), and each connection now and then ([`REFRESH`]), so sqlx's
//! lifetime and idle rules still apply.
//!
//! No wait is ever raced: a lease that finds none kept asks sqlx, which lends an idle one,
//! opens one, or queues the caller; while anyone waits on sqlx, connections given back go to
//! sqlx, so that no caller waits there while one sits here. (Racing sqlx's acquire against a
//! connection coming back cancels connections sqlx was opening, and a tenant role's log-in
//! costs tens of milliseconds: an earlier attempt measured exactly that in its p99.)

use std::{
    sync::{Arc, Mutex, PoisonError, Weak},
    time::{Duration, Instant},
};

use sqlx::{PgConnection, PgPool, Postgres, pool::PoolConnection, postgres::PgTransactionManager};
use sqlx_core::transaction::TransactionManager as _;

/// How long a connection may go round without passing through sqlx (which ends it once it is
/// older than the pool's lifetime, and tests it).
const REFRESH: Duration = Duration::from_secs(10);

/// How often connections kept but unused are given back to sqlx, whose idle timeout then
/// closes them: an idle bot, or a host of idle tenants, holds what sqlx alone would.
const SWEEP: Duration = Duration::from_secs(5);

/// The connections kept, and how many callers are waiting on sqlx.
#[derive(Debug, Default)]
pub(crate) struct Warm {
    state: Mutex<State>,
    /// Set once the sweeper runs (it starts with the first lease, inside the runtime).
    sweeper: std::sync::OnceLock<()>,
}

#[derive(Debug, Default)]
struct State {
    /// The connection, when it left sqlx, and when it was last given back.
    kept: Vec<(PoolConnection<Postgres>, Instant, Instant)>,
    /// Leases waiting on sqlx's pool (or opening a connection through it).
    waiting_on_sqlx: usize,
}

impl Warm {
    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        // The lock guards a list and a count, each changed in one step: still whole after a
        // panic elsewhere.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// A connection kept, or else one from sqlx.
    pub(crate) async fn lease(self: &Arc<Self>, pool: &PgPool) -> Result<Lease, sqlx::Error> {
        self.sweeper.get_or_init(|| {
            tokio::spawn(sweep(Arc::downgrade(self)));
        });
        {
            let mut state = self.state();
            if let Some((conn, from_sqlx, _)) = state.kept.pop() {
                return Ok(Lease {
                    conn: Some(conn),
                    warm: Some(Arc::clone(self)),
                    from_sqlx,
                });
            }
            state.waiting_on_sqlx += 1;
        }
        // Counted down however the wait ends, a dropped future included.
        let _waiting = WaitingOnSqlx(self);
        let conn = pool.acquire().await?;
        Ok(Lease {
            conn: Some(conn),
            warm: Some(Arc::clone(self)),
            from_sqlx: Instant::now(),
        })
    }

    fn keep(&self, conn: PoolConnection<Postgres>, from_sqlx: Instant) {
        let mut state = self.state();
        if state.waiting_on_sqlx == 0 && from_sqlx.elapsed() < REFRESH {
            state.kept.push((conn, from_sqlx, Instant::now()));
        } else {
            drop(state);
            drop(conn);
        }
    }
}

struct WaitingOnSqlx<'a>(&'a Warm);

impl Drop for WaitingOnSqlx<'_> {
    fn drop(&mut self) {
        self.0.state().waiting_on_sqlx -= 1;
    }
}

/// Gives connections unused for [`SWEEP`] back to sqlx, while the pool exists.
async fn sweep(warm: Weak<Warm>) {
    let mut every = tokio::time::interval(SWEEP);
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        every.tick().await;
        let Some(warm) = warm.upgrade() else { return };
        let unused: Vec<_> = {
            let mut state = warm.state();
            let (unused, used) = std::mem::take(&mut state.kept)
                .into_iter()
                .partition(|(_, _, given_back)| given_back.elapsed() >= SWEEP);
            state.kept = used;
            unused
        };
        drop(unused);
    }
}

/// A connection lent to one piece of work. Dropped, it goes back to sqlx (with a `ROLLBACK`
/// queued when it is inside a transaction); [`Lease::give_back`] keeps it for the next.
#[derive(Debug)]
pub(crate) struct Lease {
    conn: Option<PoolConnection<Postgres>>,
    /// Where a clean connection is kept (`None`: a pool that keeps none).
    warm: Option<Arc<Warm>>,
    from_sqlx: Instant,
}

impl Lease {
    /// A connection from a pool that keeps none.
    pub(crate) fn plain(conn: PoolConnection<Postgres>) -> Self {
        Self {
            conn: Some(conn),
            warm: None,
            from_sqlx: Instant::now(),
        }
    }

    #[expect(
        clippy::expect_used,
        reason = "the connection is only taken by `give_back`, which consumes the lease, and by `drop`"
    )]
    pub(crate) fn conn(&mut self) -> &mut PgConnection {
        self.conn
            .as_deref_mut()
            .expect("a lease holds its connection until it is dropped or given back")
    }

    /// `BEGIN` on the lease's connection.
    pub(crate) async fn begin(&mut self) -> Result<(), sqlx::Error> {
        PgTransactionManager::begin(self.conn(), None).await
    }

    /// `COMMIT`, and the connection is kept for the next piece of work.
    pub(crate) async fn commit(mut self) -> Result<(), sqlx::Error> {
        PgTransactionManager::commit(self.conn()).await?;
        self.give_back();
        Ok(())
    }

    /// `ROLLBACK`, and the connection is kept for the next piece of work.
    pub(crate) async fn rollback(mut self) -> Result<(), sqlx::Error> {
        PgTransactionManager::rollback(self.conn()).await?;
        self.give_back();
        Ok(())
    }

    /// The work ended cleanly, outside any transaction: the connection is kept.
    pub(crate) fn give_back(mut self) {
        if let (Some(conn), Some(warm)) = (self.conn.take(), self.warm.take()) {
            if PgTransactionManager::get_transaction_depth(&conn) == 0 {
                warm.keep(conn, self.from_sqlx);
            } else {
                self.conn = Some(conn);
            }
        }
    }
}

impl Drop for Lease {
    fn drop(&mut self) {
        if let Some(mut conn) = self.conn.take() {
            if PgTransactionManager::get_transaction_depth(&conn) > 0 {
                PgTransactionManager::start_rollback(&mut conn);
            }
            // Back to sqlx, whose round trip sends the queued ROLLBACK or finds the
            // connection broken and closes it.
            drop(conn);
        }
    }
}
