//! getMe, getUpdates and the webhook methods.

use std::time::Duration;

use teloxide::types::{AllowedUpdate, WebhookInfo};
use tokio::time::Instant;

use super::{Call, Reply, ok_true, reply};
use crate::{
    error::{ApiError, ApiResult},
    state::Webhook,
    telegram, webhook,
};

/// getMe: the full `Me` object teloxide's Dispatcher needs before it starts.
pub fn get_me(call: &Call) -> ApiResult<Reply> {
    let me = call
        .sb
        .with(|w| w.bot(&call.token).map(|b| telegram::me(&b.info)))?;
    reply(&me)
}

/// getUpdates: acknowledges by `offset`, then long-polls up to `timeout` seconds for updates.
pub async fn get_updates(call: &Call) -> ApiResult<Reply> {
    let p = &call.params;
    let offset = p.i64("offset")?;
    let limit = p.i64("limit")?.unwrap_or(100).clamp(1, 100);
    let limit = usize::try_from(limit).unwrap_or(100);
    let timeout = p.i64("timeout")?.unwrap_or(0).max(0);
    let timeout =
        Duration::from_secs(u64::try_from(timeout).unwrap_or(0)).min(call.sb.config.max_long_poll);
    let allowed: Option<Vec<AllowedUpdate>> = p.json("allowed_updates", "allowed updates")?;
    let token = &call.token;
    let (generation, notify) = call.sb.with(|w| {
        let bot = w.bot(token)?;
        if bot.webhook.is_some() {
            return Err(ApiError::Conflict(
                "can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first"
                    .into(),
            ));
        }
        if let Some(offset) = offset {
            bot.acknowledge(offset);
        }
        if let Some(allowed) = allowed {
            // An empty list means "the default set", as in Telegram.
            bot.allowed_updates = (!allowed.is_empty()).then_some(allowed);
        }
        bot.poll_generation += 1;
        // Wakes an older long poll of the same bot, which then ends with 409.
        bot.updates_notify.notify_waiters();
        Ok((bot.poll_generation, bot.updates_notify.clone()))
    })?;
    let deadline = Instant::now() + timeout;
    let batch = call
        .sb
        .wait_until(&notify, deadline, |w| {
            let bot = w.bot(token)?;
            if bot.poll_generation != generation {
                return Err(ApiError::Conflict(
                    "terminated by other getUpdates request; make sure that only one bot instance is running"
                        .into(),
                ));
            }
            if bot.webhook.is_some() {
                return Ok(Some(Vec::new()));
            }
            let batch = bot.peek(limit);
            Ok((!batch.is_empty()).then_some(batch))
        })
        .await?
        .unwrap_or_default();
    // The updates are already JSON; join them rather than parse and print them again.
    let mut out = String::with_capacity(batch.iter().map(|u| u.len() + 1).sum::<usize>() + 2);
    out.push('[');
    for (i, update) in batch.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(update);
    }
    out.push(']');
    Ok(Reply(out))
}

fn valid_secret(secret: &str) -> bool {
    (1..=256).contains(&secret.len())
        && secret
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// setWebhook: starts pushing updates to `url`; an empty `url` removes the webhook.
pub fn set_webhook(call: &Call) -> ApiResult<Reply> {
    let p = &call.params;
    let url = p.str("url").unwrap_or_default();
    if url.is_empty() {
        return delete_webhook(call);
    }
    let url: reqwest::Url = url.parse().map_err(|_| ApiError::bad("can't parse URL"))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(ApiError::bad(
            "bad webhook: HTTPS url must be provided for webhook",
        ));
    }
    let secret_token = p.str("secret_token").filter(|s| !s.is_empty());
    if let Some(secret) = &secret_token
        && !valid_secret(secret)
    {
        return Err(ApiError::bad("secret token contains unallowed characters"));
    }
    let max_connections = p
        .i64("max_connections")?
        .and_then(|n| u32::try_from(n).ok());
    let allowed: Option<Vec<AllowedUpdate>> = p.json("allowed_updates", "allowed updates")?;
    let drop_pending = p.bool("drop_pending_updates");
    let generation = call.sb.with(|w| {
        let bot = w.bot(&call.token)?;
        if drop_pending {
            bot.drop_pending();
        }
        if let Some(allowed) = allowed {
            bot.allowed_updates = (!allowed.is_empty()).then_some(allowed);
        }
        bot.webhook = Some(Webhook {
            url,
            secret_token,
            max_connections,
            last_error_date: None,
            last_error_message: None,
        });
        bot.webhook_generation += 1;
        bot.updates_notify.notify_waiters();
        Ok::<_, ApiError>(bot.webhook_generation)
    })?;
    webhook::spawn_delivery(call.sb.clone(), call.token.clone(), generation);
    ok_true()
}

/// deleteWebhook: back to getUpdates, optionally dropping what is queued.
pub fn delete_webhook(call: &Call) -> ApiResult<Reply> {
    let drop_pending = call.params.bool("drop_pending_updates");
    call.sb.with(|w| {
        let bot = w.bot(&call.token)?;
        if drop_pending {
            bot.drop_pending();
        }
        if bot.webhook.take().is_some() {
            bot.webhook_generation += 1;
        }
        bot.updates_notify.notify_waiters();
        Ok::<_, ApiError>(())
    })?;
    ok_true()
}

/// getWebhookInfo.
pub fn get_webhook_info(call: &Call) -> ApiResult<Reply> {
    let info = call.sb.with(|w| {
        let bot = w.bot(&call.token)?;
        let hook = bot.webhook.as_ref();
        Ok::<_, ApiError>(WebhookInfo {
            url: hook.map(|h| h.url.clone()),
            has_custom_certificate: false,
            pending_update_count: u32::try_from(bot.queue.len()).unwrap_or(u32::MAX),
            ip_address: None,
            last_error_date: hook.and_then(|h| h.last_error_date),
            last_error_message: hook.and_then(|h| h.last_error_message.clone()),
            last_synchronization_error_date: None,
            max_connections: hook.map(|h| h.max_connections.unwrap_or(40)),
            allowed_updates: bot.allowed_updates.clone(),
        })
    })?;
    // Telegram sends an empty string, not null, when no webhook is set.
    let mut value = serde_json::to_value(&info).map_err(|e| ApiError::bad(e.to_string()))?;
    if value["url"].is_null() {
        value["url"] = serde_json::Value::String(String::new());
    }
    reply(&value)
}
