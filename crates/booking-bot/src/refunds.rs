//! Giving customers' payments back through YooKassa (issue 19): the refunds the booking
//! service opened (a cancellation, a no-show, a late or duplicate payment) are made here with
//! the tenant's own shop.
//!
//! There is no loop of its own: each call is an outbox row (`Message::RefundCall`), queued
//! when the refund is opened and again for each retry, so the tenant's outbox dispatcher makes
//! the call when it falls due, once (the row's lease), across restarts, and on whichever
//! process serves the tenant (a bot host serves many with one dispatcher each and no extra
//! timers). See [`call`] for what each answer leads to.

/// A small client of YooKassa's refunds API.
pub mod api;
/// One call of a pending refund, and what its answer leads to.
pub mod call;
