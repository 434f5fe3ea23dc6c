//! YooKassa: the API client and the objects it exchanges.

/// The HTTP client with its retry and idempotence rules.
pub mod client;
/// Payment, refund, receipt and notification objects.
pub mod model;

pub use client::{RetryPolicy, ShopId, YooKassa, YooKassaError};
