//! Stand-ins for the customer's payment flow (invoice, pre-checkout, `successful_payment`),
//! which is built apart: a service's money terms and a booking already paid for, written
//! straight into the tenant's tables as that flow would leave them, so the tests of what
//! happens to a payment afterwards (refunds, no-shows, the panel) do not depend on it.

use booking_core::ids::{BookingId, ServiceId};
use sqlx::Row as _;
use storage::{TenantTx, tenant::payments::received::PaymentId};

/// The service asks for a fixed deposit of `deposit_minor`; `policy` is `cutoff` (with
/// `keep_percent` kept after the cut-off and on a no-show) or `owner`.
pub async fn deposit_terms(
    tx: &mut TenantTx,
    service: ServiceId,
    deposit_minor: i64,
    policy: &str,
    keep_percent: i16,
) {
    sqlx::query(
        "update services set prepayment = 'deposit', deposit_minor = $2, deposit_percent = null, \
             refund_policy = $3, late_keep_percent = $4 where service_id = $1",
    )
    .bind(service.get())
    .bind(deposit_minor)
    .bind(policy)
    .bind(keep_percent)
    .execute(tx.conn())
    .await
    .expect("service terms");
}

/// `booking` was paid for: a paid invoice of `amount_minor` roubles' kopecks and the payment
/// applied to it, whose YooKassa id (Telegram's `provider_payment_charge_id`) is
/// `provider_charge_id`.
pub async fn paid(
    tx: &mut TenantTx,
    booking: BookingId,
    amount_minor: i64,
    provider_charge_id: &str,
) -> PaymentId {
    let payload = uuid::Uuid::new_v4().simple().to_string();
    let invoice: i64 = sqlx::query(
        "insert into invoices (booking_id, payload, kind, amount_minor, currency, expires_at, status) \
         values ($1, $2, 'deposit', $3, 'RUB', now(), 'paid') returning invoice_id",
    )
    .bind(booking.get())
    .bind(&payload)
    .bind(amount_minor)
    .fetch_one(tx.conn())
    .await
    .expect("invoice")
    .get(0);
    let payment: i64 = sqlx::query(
        "insert into payments (invoice_id, booking_id, telegram_charge_id, provider_charge_id, \
             amount_minor, currency, outcome) \
         values ($1, $2, $3, $4, $5, 'RUB', 'applied') returning payment_id",
    )
    .bind(invoice)
    .bind(booking.get())
    .bind(format!("tg-{payload}"))
    .bind(provider_charge_id)
    .bind(amount_minor)
    .fetch_one(tx.conn())
    .await
    .expect("payment")
    .get(0);
    PaymentId(payment)
}
