use booking_core::{booking::BookingRejection, ids::TenantId};

/// What can go wrong in storage. Callers match on the specific variants; `Database` and
/// `Migrate` are "unexpected" and end up as internal errors with their cause chain logged.
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error("database error")]
    Database(#[from] sqlx::Error),
    #[error("migration failed")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("tenant {0} does not exist")]
    TenantNotFound(TenantId),
    #[error("the transaction is scoped to {actual:?}, expected {expected:?}")]
    WrongSchema {
        expected: String,
        actual: Option<String>,
    },
    #[error("invalid database name or user for tenant roles: {0:?}")]
    BadRoleBase(String),
    #[error("refused: {0}")]
    Refused(String),
    #[error("stored data is invalid: {0}")]
    Corrupt(String),
    #[error("could not open a sealed secret (wrong DATA_KEY?)")]
    Unseal,
    #[error("redis error")]
    Redis(#[from] redis::RedisError),
}

impl StorageError {
    /// Whether the cause is that the database could not be reached (as opposed to a bug or
    /// bad data), so callers can say "try again in a minute" rather than "something broke".
    #[must_use]
    pub fn is_unavailable(&self) -> bool {
        match self {
            Self::Database(e) => is_connection_error(e),
            Self::Redis(e) => {
                e.is_io_error() || e.is_connection_dropped() || e.is_connection_refusal()
            }
            _ => false,
        }
    }
}

fn is_connection_error(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Io(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::Tls(_) => true,
        // 57P01 admin_shutdown, 57P02 crash_shutdown, 57P03 cannot_connect_now: a restart.
        sqlx::Error::Database(db) => db
            .code()
            .is_some_and(|c| c.starts_with("57P") || c.starts_with("08")),
        _ => false,
    }
}

/// The outcome of a booking operation: refused by a rule (say why), or failed in storage.
#[derive(Debug, thiserror::Error)]
pub enum BookingError {
    #[error(transparent)]
    Rejected(#[from] BookingRejection),
    #[error(transparent)]
    Storage(#[from] StorageError),
}

impl From<sqlx::Error> for BookingError {
    fn from(e: sqlx::Error) -> Self {
        if is_violation_of(&e, "bookings_no_overlap") {
            Self::Rejected(BookingRejection::SlotTaken)
        } else if is_violation_of(&e, "class_sessions_full") {
            // The seat counter's check: the last seat went to a concurrent booking.
            Self::Rejected(BookingRejection::ClassFull)
        } else if is_violation_of(&e, "bookings_one_seat") {
            Self::Rejected(BookingRejection::AlreadyInClass)
        } else {
            Self::Storage(StorageError::Database(e))
        }
    }
}

/// Whether `e` is a violation of the named constraint.
pub(crate) fn is_violation_of(e: &sqlx::Error, constraint: &str) -> bool {
    matches!(e, sqlx::Error::Database(db) if db.constraint() == Some(constraint))
}
