//! Webhook delivery: one task per bot POSTs its queued updates in order, each until the bot
//! answers 2xx, with backoff while the bot is down. An update leaves the queue only once delivered.

use std::time::Duration;

use tokio::time::Instant;

use crate::{ids::BotToken, state::Shared, telegram};

/// The header Telegram puts the webhook's secret in.
pub const SECRET_HEADER: &str = "X-Telegram-Bot-Api-Secret-Token";

/// Starts delivering a bot's updates for the webhook set at `generation`; the task ends when the
/// webhook changes or the server stops.
pub fn spawn_delivery(sb: Shared, token: BotToken, generation: u64) {
    tokio::spawn(async move {
        deliver(sb, token, generation).await;
    });
}

struct Next {
    id: u32,
    json: std::sync::Arc<str>,
    url: reqwest::Url,
    secret: Option<String>,
}

struct Stale;

async fn deliver(sb: Shared, token: BotToken, generation: u64) {
    let Some(notify) = sb.with(|w| w.bots.get(&token).map(|b| b.updates_notify.clone())) else {
        return;
    };
    let policy = sb.config.webhook_retry;
    let mut backoff = policy.initial;
    loop {
        let far = Instant::now() + Duration::from_secs(3600);
        let next = sb
            .wait_until(&notify, far, |w| {
                let Some(bot) = w.bots.get(&token) else {
                    return Err(Stale);
                };
                let hook = match &bot.webhook {
                    Some(hook) if bot.webhook_generation == generation => hook,
                    _ => return Err(Stale),
                };
                Ok(bot.queue.front().map(|u| Next {
                    id: u.id,
                    json: u.json.clone(),
                    url: hook.url.clone(),
                    secret: hook.secret_token.clone(),
                }))
            })
            .await;
        let next = match next {
            Err(Stale) => return,
            Ok(None) if sb.is_shutting_down() => return,
            Ok(None) => continue,
            Ok(Some(next)) => next,
        };
        let mut request = sb
            .http
            .post(next.url.clone())
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(next.json.to_string());
        if let Some(secret) = &next.secret {
            request = request.header(SECRET_HEADER, secret);
        }
        let outcome = tokio::select! {
            result = request.send() => result,
            () = sb.stopped() => return,
        };
        let failure = match outcome {
            Ok(resp) if resp.status().is_success() => None,
            Ok(resp) => Some(format!(
                "Wrong response from the webhook: {}",
                resp.status()
            )),
            Err(err) if err.is_connect() => Some("Connection refused".to_owned()),
            Err(err) if err.is_timeout() => Some("Read timeout expired".to_owned()),
            Err(err) => Some(format!("Connection error: {err}")),
        };
        let stale = sb.with(|w| {
            let Some(bot) = w.bots.get_mut(&token) else {
                return true;
            };
            if bot.webhook_generation != generation {
                return true;
            }
            match &failure {
                None => {
                    if bot.queue.front().is_some_and(|u| u.id == next.id) {
                        bot.queue.pop_front();
                        bot.counters.updates_delivered += 1;
                    }
                }
                Some(message) => {
                    bot.counters.webhook_failures += 1;
                    if let Some(hook) = bot.webhook.as_mut() {
                        hook.last_error_date = Some(telegram::now());
                        hook.last_error_message = Some(message.clone());
                    }
                }
            }
            false
        });
        if stale {
            return;
        }
        match failure {
            None => backoff = policy.initial,
            Some(message) => {
                tracing::debug!(%token, %message, ?backoff, "webhook delivery failed; retrying");
                tokio::select! {
                    () = tokio::time::sleep(backoff) => {}
                    () = sb.stopped() => return,
                }
                backoff = (backoff * 2).min(policy.max);
            }
        }
    }
}
