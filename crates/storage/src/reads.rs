//! Reads in one tenant's schema that need no transaction of their own.
//!
//! A screen that only shows what the database holds (a calendar's free days, a day's free
//! times) reads one or two statements, each consistent in itself, and writes nothing. In a
//! tenant's own bot, whose connections were born in the tenant's schema under the tenant's role
//! ([`Db::connect_as_tenant`]), such reads need no `BEGIN` and `COMMIT` around them: two round
//! trips of three, saved on most presses. Elsewhere (a bot host, whose role is taken on per
//! transaction) the reads still run in a scoped transaction. Writes never go through
//! [`TenantReads`]: they take a [`TenantTx`], and the functions that only read take either
//! through [`Scoped`].

use futures::future::BoxFuture;
use sqlx::PgConnection;

use booking_core::tenant::TenantSchema;

use crate::{
    Db, TenantTx,
    error::{BookingError, StorageError},
    lease::Lease,
};

/// A connection in one tenant's schema: a transaction, or reads. Sealed: only this crate's
/// two scoped kinds are one, so no caller can hand a read an unscoped connection.
pub trait Scoped: sealed::Sealed + Send {
    /// The connection, for running statements.
    fn conn(&mut self) -> &mut PgConnection;
}

mod sealed {
    pub trait Sealed {}
    impl Sealed for crate::TenantTx {}
    impl Sealed for super::TenantReads {}
}

impl Scoped for TenantTx {
    fn conn(&mut self) -> &mut PgConnection {
        TenantTx::conn(self)
    }
}

/// Statements that only read, each on its own (see the module's comment).
#[derive(Debug)]
pub struct TenantReads(Reads);

#[derive(Debug)]
enum Reads {
    /// A connection born in the schema, outside any transaction.
    Born(Lease),
    /// A scoped transaction, ended with the reads.
    Tx(TenantTx),
}

impl Scoped for TenantReads {
    fn conn(&mut self) -> &mut PgConnection {
        match &mut self.0 {
            Reads::Born(lease) => lease.conn(),
            Reads::Tx(tx) => tx.conn(),
        }
    }
}

impl From<TenantTx> for TenantReads {
    /// Reads in a transaction already open (one that wrote nothing yet, or whose writes the
    /// reads may see); [`TenantReads::close`] commits it.
    fn from(tx: TenantTx) -> Self {
        Self(Reads::Tx(tx))
    }
}

impl TenantReads {
    /// Gives the connection back (and ends the transaction, if the reads ran in one).
    pub async fn close(self) -> Result<(), StorageError> {
        match self.0 {
            Reads::Born(lease) => lease.give_back(),
            Reads::Tx(tx) => tx.commit().await?,
        }
        Ok(())
    }
}

/// What [`Db::read`]'s `read` returns: the reads it was given, and what it read.
pub type Reading<'c, T, E> = BoxFuture<'c, (TenantReads, Result<T, E>)>;

/// Whether an error is a connection found dead (the server restarted since it was last
/// used), so the same reads may be tried again on another.
pub trait DeadConnection {
    fn is_dead_connection(&self) -> bool;
}

impl DeadConnection for StorageError {
    fn is_dead_connection(&self) -> bool {
        matches!(self, Self::Database(e) if crate::db::is_dead_connection(e))
    }
}

impl DeadConnection for BookingError {
    fn is_dead_connection(&self) -> bool {
        matches!(self, Self::Storage(e) if e.is_dead_connection())
    }
}

impl Db {
    /// Runs `read` on reads in `schema` and gives the connection back. `read` takes the reads
    /// and hands them back with its outcome, so that it may also borrow what its caller holds.
    /// A connection found dead by `read` is closed and `read` tried again on the next (a bot's
    /// pool does not ping before use; see `Db::on_a_live_connection`), so a restarted server
    /// costs no screen.
    pub async fn read<'c, T, E>(
        &self,
        schema: &TenantSchema,
        mut read: impl FnMut(TenantReads) -> Reading<'c, T, E>,
    ) -> Result<T, E>
    where
        E: From<StorageError> + DeadConnection,
    {
        let mut attempts = self.attempts_on_live_connections();
        loop {
            let (reads, outcome) = read(self.reads(schema).await?).await;
            match outcome {
                Err(e) if attempts > 1 && e.is_dead_connection() => attempts -= 1,
                Err(e) => return Err(e),
                Ok(value) => {
                    reads.close().await?;
                    return Ok(value);
                }
            }
        }
    }

    async fn reads(&self, schema: &TenantSchema) -> Result<TenantReads, StorageError> {
        if self.born_in_role_of(schema) {
            Ok(TenantReads(Reads::Born(self.lease().await?)))
        } else {
            Ok(self.tenant(schema).await?.into())
        }
    }
}
