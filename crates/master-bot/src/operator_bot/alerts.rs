//! Delivering `control.operator_alerts`: claim under a lease, send to every allowlisted
//! operator who has not had it yet, record each delivery, then mark the alert sent. An alert
//! is delivered once per operator, across restarts: a delivery is recorded right after its
//! send, so only a crash between the two can repeat one message.

use std::{future::Future, sync::Arc, time::Duration};

use storage::{
    StorageError,
    control::{
        alert_deliveries::{self, Outcome},
        alerts::{self, Alert},
    },
};
use teloxide::{ApiError, RequestError, prelude::*, types::ChatId};

use crate::operator_bot::{OpBot, Operators, texts::Texts};

/// How long a claimed alert is ours before another deliverer may take it.
const LEASE_SECS: i64 = 60;
/// Alerts claimed per pass.
const BATCH: i64 = 20;

/// Delivers alerts every `interval` until `stop` resolves.
pub async fn run(
    bot: OpBot,
    ops: Arc<Operators>,
    interval: Duration,
    stop: impl Future<Output = ()> + Send,
) {
    tokio::pin!(stop);
    let mut ticks = tokio::time::interval(interval);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            () = &mut stop => return,
            _ = ticks.tick() => {}
        }
        if let Err(e) = deliver(&bot, &ops).await {
            tracing::warn!(error = %e, "delivering operator alerts failed; retrying later");
        }
    }
}

/// One pass: every due alert to every operator. Returns how many alerts were completed.
pub async fn deliver(bot: &OpBot, ops: &Operators) -> Result<usize, StorageError> {
    let pool = ops.db.pool();
    let claimed = alerts::claim(
        pool,
        ops.clock.now(),
        chrono::Duration::seconds(LEASE_SECS),
        BATCH,
    )
    .await?;
    let mut completed = 0;
    for alert in claimed {
        let done = alert_deliveries::done_for(pool, alert.id).await?;
        let mut failure = None;
        for operator in ops.allowlist.iter() {
            if done.contains(&operator.0) {
                continue;
            }
            let Ok(user) = u64::try_from(operator.0) else {
                continue;
            };
            let text = render(ops.texts_for(user), &alert);
            let outcome = match bot.send_message(ChatId(operator.0), text).await {
                Ok(_) => Some(Outcome::Sent),
                Err(e) if is_refusal(&e) => {
                    tracing::warn!(operator = operator.0, error = %e, "an operator cannot be written to; alert skipped for them");
                    Some(Outcome::Refused)
                }
                Err(e) => {
                    failure = Some(e.to_string());
                    None
                }
            };
            if let Some(outcome) = outcome {
                alert_deliveries::record(pool, alert.id, operator.0, outcome, ops.clock.now())
                    .await?;
            }
        }
        match failure {
            None => {
                alerts::mark_sent(pool, alert.id, ops.clock.now()).await?;
                completed += 1;
            }
            Some(error) => {
                tracing::warn!(alert = alert.id, %error, "an alert could not be sent; it will be retried");
                alerts::mark_failed(pool, alert.id, &error).await?;
            }
        }
    }
    Ok(completed)
}

/// Telegram will not deliver to this chat whatever we do: the operator never started the bot,
/// blocked it, or is gone.
fn is_refusal(e: &RequestError) -> bool {
    match e {
        RequestError::Api(
            ApiError::BotBlocked
            | ApiError::CantInitiateConversation
            | ApiError::ChatNotFound
            | ApiError::UserDeactivated
            | ApiError::BotKicked,
        ) => true,
        RequestError::Api(ApiError::Unknown(text)) => text.starts_with("Forbidden"),
        _ => false,
    }
}

fn render(t: Texts, alert: &Alert) -> String {
    let tenant = alert
        .tenant
        .map(|id| format!(" · #{id}"))
        .unwrap_or_default();
    format!(
        "{}{tenant}\n{}",
        t.alert_heading(&alert.kind),
        alert.message
    )
}
