//! The bot's one error type.

use storage::{BookingError, StorageError};
use teloxide::{ApiError, RequestError};

/// What can go wrong while handling an update. Refusals by a booking rule are not errors:
/// handlers turn them into sentences for the customer.
#[derive(Debug, thiserror::Error)]
pub enum BotError {
    #[error("storage failed")]
    Storage(#[from] StorageError),
    #[error("the Bot API call failed")]
    Telegram(#[from] RequestError),
    /// The admin's role changed (or was taken away) between the press and the action's
    /// transaction: the action is refused.
    #[error("the acting admin's role changed")]
    RoleChanged,
}

impl BotError {
    /// Whether PostgreSQL or Redis could not be reached, so the customer should be told to try
    /// again in a minute rather than that something is broken.
    #[must_use]
    pub fn is_unavailable(&self) -> bool {
        match self {
            Self::Storage(e) => e.is_unavailable(),
            Self::Telegram(_) | Self::RoleChanged => false,
        }
    }

    /// Telegram's "message is not modified": the screen already shows what we meant to show.
    #[must_use]
    pub fn is_not_modified(&self) -> bool {
        matches!(
            self,
            Self::Telegram(RequestError::Api(ApiError::MessageNotModified))
        )
    }
}

impl storage::reads::DeadConnection for BotError {
    fn is_dead_connection(&self) -> bool {
        matches!(self, Self::Storage(e) if e.is_dead_connection())
    }
}

/// A booking operation's outcome, with storage failures moved into [`BotError`].
pub fn split<T>(
    result: Result<T, BookingError>,
) -> Result<Result<T, booking_core::booking::BookingRejection>, BotError> {
    match result {
        Ok(v) => Ok(Ok(v)),
        Err(BookingError::Rejected(r)) => Ok(Err(r)),
        Err(BookingError::Storage(e)) => Err(e.into()),
    }
}
