//! One call of a pending refund through YooKassa, made when its outbox row falls due:
//!
//! - no YooKassa id yet: `POST /refunds` with the key stored when the refund was opened, so a
//!   call retried after a 500 or a timeout refunds once;
//! - an id (YooKassa said `pending`): `GET /refunds/{id}` (there is no notification of a
//!   canceled refund, so a pending one is asked after);
//! - `succeeded`: done, the customer is told; `pending`, a 5xx, a 202, a 429 or no answer:
//!   asked again later, each time later, within the day YooKassa keeps a key; `canceled` or a
//!   4xx: failed, and the owners are told to give it back by hand.
//!
//! The row is not locked during the HTTP call (the outbox row's lease keeps it to one caller);
//! the answer is recorded in a transaction of its own, only while the refund is still pending.

use chrono::{DateTime, Duration, Utc};
use storage::tenant::payments::{
    refunds::{self, Attempt, Method, Refund, RefundId, Status},
    settings::{self, Shop},
};

use super::api::Answer;
use crate::{error::BotError, runtime::app::App};

/// After this many calls without a final answer the refund is given to the owner: by then
/// (about seven hours of growing pauses) YooKassa is nearly done keeping the key, and a call
/// after that could refund twice.
const MAX_ATTEMPTS: i32 = 12;
/// The first pause; doubles per attempt up to [`MAX_PAUSE_MIN`].
const FIRST_PAUSE_MIN: i64 = 1;
const MAX_PAUSE_MIN: i64 = 60;

/// Makes the next call of the refund `id`, if it is still YooKassa's to make.
pub async fn attempt(app: &App, id: RefundId) -> Result<(), BotError> {
    let mut tx = app.tx().await?;
    let Some(refund) = refunds::get(&mut tx, id).await? else {
        return Ok(());
    };
    if refund.status != Status::Pending || refund.method != Method::Yookassa {
        return Ok(());
    }
    let shop = match &app.secrets_key {
        Some(key) => settings::load(&mut tx, key).await?.shop,
        None => None,
    };
    tx.commit().await?;
    let now = app.now();
    let outcome = match shop {
        Some(shop) => judge(&refund, ask(app, &shop, &refund).await, now),
        None => Attempt::Failed {
            error: "the YooKassa shop is not set (or this bot cannot open it)".into(),
        },
    };
    tracing::info!(refund = id.0, attempt = refund.attempts + 1, outcome = ?outcome, "refund call");
    let mut tx = app.tx().await?;
    if let Some(refund) = refunds::get(&mut tx, id).await? {
        refunds::record(&mut tx, &refund, &outcome, now).await?;
    }
    tx.commit().await?;
    Ok(())
}

async fn ask(app: &App, shop: &Shop, refund: &Refund) -> Answer {
    match &refund.provider_refund_id {
        Some(provider_id) => app.refunds_api.get(shop, provider_id).await,
        None => {
            app.refunds_api
                .create(
                    shop,
                    refund.idempotence_key,
                    &refund.provider_charge_id,
                    refund.amount_minor,
                    &refund.currency,
                )
                .await
        }
    }
}

/// What an answer comes to.
fn judge(refund: &Refund, answer: Answer, now: DateTime<Utc>) -> Attempt {
    let next_at = now + pause(refund.attempts + 1);
    let out_of_tries = refund.attempts + 1 >= MAX_ATTEMPTS;
    match answer {
        Answer::Refund { id, status, .. } if status == "succeeded" => {
            Attempt::Succeeded { provider_id: id }
        }
        Answer::Refund { id, status, .. } if status == "pending" && !out_of_tries => {
            Attempt::Waiting {
                provider_id: id,
                next_at,
            }
        }
        Answer::Refund {
            status,
            cancel_reason,
            ..
        } => Attempt::Failed {
            error: format!(
                "YooKassa: refund {status}{}",
                cancel_reason.map(|r| format!(" ({r})")).unwrap_or_default()
            ),
        },
        Answer::Unsure(error) if !out_of_tries => Attempt::Retry { error, next_at },
        Answer::Unsure(error) => Attempt::Failed {
            error: format!("YooKassa gave no answer after {MAX_ATTEMPTS} calls: {error}"),
        },
        Answer::Refused(error) => Attempt::Failed { error },
    }
}

/// 1, 2, 4, … minutes up to an hour.
fn pause(attempts: i32) -> Duration {
    let doublings = u32::try_from(attempts.saturating_sub(1).clamp(0, 20)).unwrap_or(0);
    Duration::minutes(
        FIRST_PAUSE_MIN
            .saturating_mul(1_i64 << doublings)
            .min(MAX_PAUSE_MIN),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pauses_double_up_to_an_hour_and_stay_within_a_day() {
        assert_eq!(pause(1).num_minutes(), 1);
        assert_eq!(pause(3).num_minutes(), 4);
        assert_eq!(pause(30).num_minutes(), 60);
        let total: i64 = (1..MAX_ATTEMPTS).map(|a| pause(a).num_minutes()).sum();
        assert!(total < 24 * 60, "{total} minutes");
    }
}
