//! The sales bot's one error type.

use storage::StorageError;

use crate::yookassa::YooKassaError;

#[derive(Debug, thiserror::Error)]
pub enum SalesError {
    #[error(transparent)]
    Storage(#[from] StorageError),
    #[error(transparent)]
    YooKassa(#[from] YooKassaError),
    #[error("the Bot API failed: {0}")]
    Telegram(#[from] teloxide::RequestError),
    /// YOOKASSA_SHOP_ID and YOOKASSA_SECRET_KEY are not set: nothing can be bought.
    #[error("payments are not configured (YOOKASSA_SHOP_ID, YOOKASSA_SECRET_KEY)")]
    PaymentsOff,
}

impl SalesError {
    /// Whether trying again later may help (a database, Redis or YooKassa outage).
    #[must_use]
    pub fn is_transient(&self) -> bool {
        match self {
            Self::Storage(e) => e.is_unavailable(),
            Self::YooKassa(YooKassaError::Unknown { .. }) | Self::Telegram(_) => true,
            _ => false,
        }
    }
}
