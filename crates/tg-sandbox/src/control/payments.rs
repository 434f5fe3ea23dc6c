//! The customer paying an invoice: `POST /sandbox/bots/{token}/chats/{chat_id}/pay`.

use axum::{
    Json,
    extract::{Path, State},
};
use teloxide::types::ChatId;

use super::ControlError;
use crate::{
    api_types::{PayRequest, PaymentOutcome},
    ids::BotToken,
    state::{PaymentStarted, Shared},
};

/// Plays the customer paying: sends the bot a `pre_checkout_query`, waits up to the configured
/// pre-checkout timeout for its answer, and then, only after `ok: true` and an approving bank,
/// sends the `successful_payment` message. Answers how it ended.
///
/// The wait runs in its own task, so a caller that goes away (a closed browser tab) does not
/// leave the payment half done.
pub async fn pay(
    State(sb): State<Shared>,
    Path((token, chat_id)): Path<(String, i64)>,
    Json(req): Json<PayRequest>,
) -> Result<Json<PaymentOutcome>, ControlError> {
    let token = BotToken::new(token);
    let PaymentStarted {
        query_id,
        mut answer,
    } = sb.with(|w| w.start_payment(&token, ChatId(chat_id), &req))?;
    let bank = req.bank;
    let timeout = sb.config.pre_checkout_timeout;
    let task = tokio::spawn(async move {
        tokio::select! {
            // An error means the query is gone, which settling reports.
            _ = answer.wait_for(Option::is_some) => {}
            () = tokio::time::sleep(timeout) => {}
            () = sb.stopped() => {}
        }
        sb.with(|w| w.settle_payment(&token, &query_id, bank))
    });
    let outcome = task
        .await
        .map_err(|err| ControlError::Conflict(format!("the payment was interrupted: {err}")))??;
    Ok(Json(outcome))
}
