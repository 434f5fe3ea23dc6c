//! "Check payment": the order's payment fetched again from YooKassa, and acted on like a
//! notification. Only the buyer who placed the order may check it.

use std::sync::Arc;

use storage::control::orders::{self, OrderId, OrderStatus};

use bot_kit::Reply;

use super::{callback::Button, keyboards};
use crate::{
    app::Sales,
    checkout,
    error::SalesError,
    reconcile,
    settle::{self, Settled},
    texts::Texts,
};

pub async fn check(
    sales: &Sales,
    t: Texts,
    user: i64,
    id: OrderId,
) -> Result<Option<Reply>, SalesError> {
    let Some(order) = orders::get(sales.db.pool(), id).await? else {
        return Ok(Some(Reply::message(t.stale())));
    };
    if order.telegram_user.get() != user {
        tracing::warn!(order = %id, user, "a check of someone else's order");
        return Ok(Some(Reply::message(t.not_yours())));
    }
    let text = match order.status {
        OrderStatus::Paid => t.paid(),
        OrderStatus::Cancelled => t.canceled(),
        OrderStatus::Expired => t.expired(),
        OrderStatus::Pending if order.review_reason.is_some() => t.under_review(),
        OrderStatus::Pending => {
            let payment_id = match &order.payment_id {
                Some(id) => id.clone(),
                // Its payment was never confirmed made: made now with the stored key.
                None => match checkout::ensure_payment(sales, &order).await {
                    Ok(payment) => payment.id,
                    Err(e) if e.is_transient() => {
                        return Ok(Some(
                            Reply::message(t.payment_failed())
                                .keyboard(keyboards::check(t, Button::Check(id))),
                        ));
                    }
                    Err(e) => return Err(e),
                },
            };
            match settle::settle(sales, &payment_id).await? {
                Settled::Activated(order) => {
                    // The follow-up says "paid" and provisions; nothing more to say here.
                    let sales = Arc::new(sales.clone());
                    tokio::spawn(async move {
                        reconcile::after_activation(&sales, &order).await;
                    });
                    return Ok(None);
                }
                Settled::AlreadyPaid => t.paid(),
                Settled::Pending => {
                    return Ok(Some(
                        Reply::message(t.pending())
                            .keyboard(keyboards::check(t, Button::Check(id))),
                    ));
                }
                Settled::Canceled { .. } => t.canceled(),
                Settled::Flagged(_) => t.under_review(),
                Settled::Unknown => t.try_later(),
            }
        }
    };
    Ok(Some(Reply::message(text)))
}
