//! Money customers pay in advance (issue 19): the tenant's payment account, the invoices sent
//! for held bookings, the payments received, and refunds. Tables: tenant migration
//! 0020_prepayment.sql; the rules of what is due and what goes back: `booking_core::payment`.

/// Paying inside Telegram: the pre-checkout re-check and the successful payment, each in one
/// transaction.
pub mod checkout;
/// Invoices for held bookings: issued, found by payload, paid or void.
pub mod invoices;
/// `successful_payment`s received, each once, and what became of them.
pub mod received;
/// Giving payments back: through YooKassa's refunds API, or by the owner's hand.
pub mod refunds;
/// The tenant's payment account: provider token, YooKassa shop, VAT code (secrets sealed).
pub mod settings;
