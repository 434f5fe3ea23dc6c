//! Acting on a payment as YooKassa's API (never a notification body) reports it.
//!
//! The webhook, the "check payment" button and reconciliation all end here, with the object
//! they fetched. A payment activates its order only if it is the payment stored on that order,
//! it succeeded, and its amount, currency, shop and test flag are the order's; anything else
//! activates nothing.

use storage::control::{
    order_review,
    orders::{self, Order, OrderId, OrderStatus},
    payments::{self, Activation, ApiPayment},
};

use crate::{
    app::{Payments, Sales},
    error::SalesError,
    money::Money,
    yookassa::model::{Payment, PaymentStatus},
};

/// What a payment did to its order.
#[derive(Clone, Debug)]
pub enum Settled {
    /// This call paid the order: its subscription is active and its tenant row exists.
    Activated(Box<Order>),
    /// Paid before; nothing changed.
    AlreadyPaid,
    /// Not paid yet.
    Pending,
    /// YooKassa canceled it; the order is closed (`closed_now`: by this call).
    Canceled {
        reason: Option<String>,
        closed_now: bool,
    },
    /// It does not match its order: nothing activated, the order flagged for an operator.
    Flagged(String),
    /// Not a payment of any order of ours (or unknown to YooKassa).
    Unknown,
}

/// Fetches the payment and acts on the answer.
pub async fn settle(sales: &Sales, payment_id: &str) -> Result<Settled, SalesError> {
    let payments_cfg = sales.payments.as_ref().ok_or(SalesError::PaymentsOff)?;
    match payments_cfg.yookassa.get_payment(payment_id).await? {
        Some(payment) => settle_fetched(sales, payments_cfg, &payment).await,
        None => {
            tracing::warn!(payment = %payment_id, "YooKassa does not know this payment");
            Ok(Settled::Unknown)
        }
    }
}

/// Acts on a payment fetched from the API.
pub async fn settle_fetched(
    sales: &Sales,
    payments_cfg: &Payments,
    payment: &Payment,
) -> Result<Settled, SalesError> {
    let pool = sales.db.pool();
    let order_id = payment
        .metadata
        .get("order_id")
        .and_then(|id| id.parse::<OrderId>().ok());
    let order = match order_id {
        Some(id) => orders::get(pool, id).await?,
        None => None,
    };
    let Some(order) = order else {
        tracing::warn!(payment = %payment.id, "a payment of no order of ours");
        return Ok(Settled::Unknown);
    };
    // Only the payment our key made counts, not any payment naming the order.
    if order.payment_id.as_deref() != Some(payment.id.as_str()) {
        tracing::warn!(payment = %payment.id, order = %order.id, "a payment that is not the order's own");
        return Ok(Settled::Unknown);
    }
    let money = Money::parse(&payment.amount);
    let raw = serde_json::to_value(payment).unwrap_or_default();
    match payment.status {
        PaymentStatus::Pending | PaymentStatus::WaitingForCapture => Ok(Settled::Pending),
        PaymentStatus::Canceled => {
            let (minor, currency) = money
                .as_ref()
                .map_or((order.amount_minor, order.currency.clone()), |m| {
                    (m.minor, m.currency.clone())
                });
            payments::upsert(
                pool,
                &ApiPayment {
                    payment_id: &payment.id,
                    order: order.id,
                    status: payment.status.as_str(),
                    amount_minor: minor,
                    currency: &currency,
                    saved_method: None,
                    raw: &raw,
                },
                order.tenant,
            )
            .await?;
            let closed_now = orders::close(pool, order.id, OrderStatus::Cancelled).await?;
            if closed_now {
                metrics::counter!("sales_orders_closed_total", "status" => "cancelled")
                    .increment(1);
            }
            Ok(Settled::Canceled {
                closed_now,
                reason: payment
                    .cancellation_details
                    .as_ref()
                    .map(|d| d.reason.clone()),
            })
        }
        PaymentStatus::Succeeded => {
            if let Some(reason) = mismatch(&order, payments_cfg, payment, money.as_ref().ok()) {
                tracing::error!(payment = %payment.id, order = %order.id, %reason,
                    "a succeeded payment does not match its order; nothing activated");
                if order_review::flag(pool, order.id, &reason, sales.now()).await? {
                    metrics::counter!("sales_orders_flagged_total").increment(1);
                }
                return Ok(Settled::Flagged(reason));
            }
            let Ok(money) = money else {
                return Ok(Settled::Flagged("unreadable amount".to_owned()));
            };
            let activation = payments::activate(
                pool,
                &sales.data_key,
                &ApiPayment {
                    payment_id: &payment.id,
                    order: order.id,
                    status: payment.status.as_str(),
                    amount_minor: money.minor,
                    currency: &money.currency,
                    saved_method: payment.saved_method(),
                    raw: &raw,
                },
                sales.now(),
            )
            .await?;
            Ok(match activation {
                Activation::Activated { order, tenant } => {
                    metrics::counter!("sales_orders_paid_total", "kind" => order.kind.as_str())
                        .increment(1);
                    tracing::info!(payment = %payment.id, order = %order.id, %tenant, "order paid and activated");
                    Settled::Activated(order)
                }
                Activation::AlreadyPaid => Settled::AlreadyPaid,
            })
        }
    }
}

/// Why a succeeded payment cannot pay `order`, if it cannot.
fn mismatch(
    order: &Order,
    payments_cfg: &Payments,
    payment: &Payment,
    money: Option<&Money>,
) -> Option<String> {
    let Some(money) = money else {
        return Some(format!("unreadable amount {:?}", payment.amount.value));
    };
    if money.minor != order.amount_minor || money.currency != order.currency {
        return Some(format!(
            "amount {} {} instead of the order's {} {}",
            payment.amount.value,
            money.currency,
            Money::new(order.amount_minor, &order.currency)
                .to_amount()
                .value,
            order.currency
        ));
    }
    if payment.test != payments_cfg.test_shop {
        return Some(format!(
            "test flag {} in a shop configured test={}",
            payment.test, payments_cfg.test_shop
        ));
    }
    let shop = &payments_cfg.yookassa.shop().0;
    match &payment.recipient {
        Some(r) if &r.account_id == shop => None,
        Some(r) => Some(format!("recipient shop {} instead of {shop}", r.account_id)),
        None => Some("no recipient shop".to_owned()),
    }
}
