//! Making the YooKassa payment of an order.
//!
//! The order and its Idempotence-Key are in the database before YooKassa is called. The
//! request is built from the stored order alone, so a retry (in this call, from the "Pay"
//! button again, or from reconciliation after a crash) sends the same body with the same key,
//! and YooKassa answers with the same one payment.

use std::collections::BTreeMap;

use storage::control::{
    orders::{self, NewOrder, Order, OrderKind, TooManyPending},
    payments::{self, ApiPayment},
};

use crate::{
    app::{Payments, Sales},
    error::SalesError,
    money::Money,
    yookassa::model::{
        ConfirmationRequest, CreatePayment, Payment, Receipt, ReceiptCustomer, ReceiptItem,
    },
};

/// YooKassa's limit on `description` (and on a receipt item's).
const MAX_DESCRIPTION: usize = 128;

/// The create-payment request of `order`: the buyer confirms on YooKassa's page, or, for a
/// renewal, the saved `method` is charged without them.
#[must_use]
pub fn payment_request(order: &Order, payments: &Payments, method: Option<&str>) -> CreatePayment {
    let amount = Money::new(order.amount_minor, &order.currency).to_amount();
    let description = cut(
        &format!("Booking bot subscription: {}", order.business_name),
        MAX_DESCRIPTION,
    );
    let receipt = payments.receipt.and_then(|rules| {
        let email = order.receipt_email.clone()?;
        Some(Receipt {
            customer: ReceiptCustomer {
                email: Some(email),
                phone: None,
            },
            items: vec![ReceiptItem {
                description: description.clone(),
                quantity: "1.00".to_owned(),
                amount: amount.clone(),
                vat_code: rules.vat_code,
                payment_mode: Some("full_payment".to_owned()),
                payment_subject: Some("service".to_owned()),
            }],
            tax_system_code: rules.tax_system,
        })
    });
    let metadata = BTreeMap::from([("order_id".to_owned(), order.id.to_string())]);
    match method {
        Some(method) => CreatePayment {
            amount,
            capture: true,
            confirmation: None,
            description: Some(description),
            metadata,
            receipt,
            save_payment_method: None,
            payment_method_id: Some(method.to_owned()),
        },
        None => CreatePayment {
            amount,
            capture: true,
            confirmation: Some(ConfirmationRequest {
                kind: "redirect".to_owned(),
                return_url: payments.return_url.clone(),
            }),
            description: Some(description),
            metadata,
            receipt,
            save_payment_method: payments.save_method.then_some(true),
            payment_method_id: None,
        },
    }
}

/// Writes a buyer's new order (its bot token sealed for its row), unless the buyer already has
/// `orders::MAX_PENDING_PER_BUYER` unpaid ones: each order is a payment at YooKassa, and a
/// buyer (or a script) tapping "buy" over and over must not pile them up.
pub async fn open_order(
    sales: &Sales,
    new: &NewOrder,
) -> Result<Result<Order, TooManyPending>, SalesError> {
    let opened = orders::insert(sales.db.pool(), &sales.data_key, new, sales.now()).await?;
    if let Err(refused) = &opened {
        tracing::info!(buyer = %new.telegram_user, %refused, "order refused");
        metrics::counter!("sales_orders_refused_total", "reason" => "too_many_pending")
            .increment(1);
    }
    Ok(opened)
}

/// The order's payment: made now under the order's stored key, or the one made before.
pub async fn ensure_payment(sales: &Sales, order: &Order) -> Result<Payment, SalesError> {
    let payments_cfg = sales.payments.as_ref().ok_or(SalesError::PaymentsOff)?;
    if let Some(id) = &order.payment_id
        && let Some(payment) = payments_cfg.yookassa.get_payment(id).await?
    {
        // Made before: fetched, not made again (after 24 hours YooKassa would forget the key
        // and make a second payment).
        return Ok(payment);
    }
    // An automatic renewal is charged to the saved method it was written for; every other
    // order (a first purchase, an owner renewing by hand) is paid on YooKassa's page.
    let method = match order.kind {
        OrderKind::Renewal => order.charge_method.clone(),
        OrderKind::New => None,
    };
    let key = order.idempotence_key.to_string();
    let payment = payments_cfg
        .yookassa
        .create_payment(
            &key,
            &payment_request(order, payments_cfg, method.as_deref()),
        )
        .await?;
    let url = payment
        .confirmation
        .as_ref()
        .and_then(|c| c.confirmation_url.as_deref());
    let pool = sales.db.pool();
    if !orders::set_payment(pool, order.id, &payment.id, url).await? {
        // The key can only ever have made one payment; another id means the key was used
        // for something else, which is a bug. Nothing is stored.
        return Err(SalesError::Storage(storage::StorageError::Corrupt(
            format!(
                "order {} already has another payment than {}",
                order.id, payment.id
            ),
        )));
    }
    let money = Money::parse(&payment.amount)
        .map_err(|e| SalesError::Storage(storage::StorageError::Corrupt(e.to_string())))?;
    let raw = serde_json::to_value(&payment).unwrap_or_default();
    payments::upsert(
        pool,
        &ApiPayment {
            payment_id: &payment.id,
            order: order.id,
            status: payment.status.as_str(),
            amount_minor: money.minor,
            currency: &money.currency,
            saved_method: None,
            raw: &raw,
        },
        order.tenant,
    )
    .await?;
    tracing::info!(order = %order.id, payment = %payment.id, "payment created");
    metrics::counter!("sales_payments_created_total", "kind" => order.kind.as_str()).increment(1);
    Ok(payment)
}

/// Cuts to `max` characters (not bytes).
fn cut(text: &str, max: usize) -> String {
    text.chars().take(max).collect()
}
