//! The outbox dispatcher: a task beside long polling that sends the tenant's due messages,
//! each once, also across restarts of the bot.
//!
//! It does not poll: it reads when the next message is due and sleeps until then, woken early
//! when a message is queued (the database notifies every queued message, whichever process
//! wrote it; see [`run`]). When something is due it claims due rows under a lease
//! (`outbox::claim_due`, `FOR UPDATE SKIP LOCKED`, committed at once), renders each (see
//! [`render`]), sends it through the shared throttled bot, then marks it sent in its own short
//! transaction. "Now" is the injected clock, so tests move time instead of sleeping. Failures:
//!
//! - 403 (the person blocked the bot, deactivated, never started it): the customer is marked
//!   inactive (`customers::mark_blocked`) and every pending message to that chat is cancelled;
//!   nothing is retried, so a blocked bot never causes a storm;
//! - 429: retried after the `retry_after` Telegram asked for;
//! - anything else: retried with exponential backoff, given up after [`MAX_ATTEMPTS`].
//!
//! A bot killed between sending and marking sends that one message again once its lease lapses;
//! the window is one Bot API call long.
//!
//! # What is sent
//!
//! Each row is a typed `storage::tenant::outbox::message::Message`, rendered when it is sent
//! from the state of things then:
//!
//! - `Reminder`, `FollowUp`: scheduled by the booking service when a booking is confirmed;
//!   rendered from the booking as it is now (dropped if it was cancelled meanwhile);
//! - `Release`: the automatic release of a visit the customer did not confirm; the booking
//!   service then writes the notices that tell the customer and the business;
//! - `CustomerNotice`, `AdminNotice`: what a change of a booking caused (see [`notices`]);
//! - `WaitlistOffer`: free times on a day the customer waits for;
//! - `Notice`: verbatim text with optional buttons, for anyone who needs to tell a customer or
//!   an owner something (the master's subscription monitor, a broadcast). `text` is 1–4096
//!   characters; each button's `data` at most 64 bytes of callback data this bot's router
//!   understands (parsed and re-checked on the press like any other button). A malformed
//!   notice is dropped with the reason in `last_error`, never sent half-right.

/// The notices a change of a booking causes.
mod notices;
/// What every message about a booking is rendered from.
mod recipient;
/// What a refund tells the customer or the owners.
mod refunds;
/// What each kind of message says.
pub mod render;
/// The next-visit nudge and the win-back.
mod repeat;

use bot_kit::TgBot;
use std::{
    future::Future,
    sync::Arc,
    time::{Duration, Instant},
};

use booking_core::ids::{OutboxId, TelegramUserId};
use chrono::{DateTime, Utc};
use storage::tenant::{
    customers,
    outbox::{self, Claimed, message::Message},
    payments::refunds::RefundId,
};
use teloxide::{ApiError, RequestError, prelude::*, types::ChatId};

use crate::{error::BotError, runtime::app::App};
use bot_kit::Outgoing;

/// What to do with a claimed message.
pub enum Rendered {
    Send(Outgoing),
    /// Handled without sending anything itself.
    Done,
    /// Not to be sent, and why.
    Drop(String),
}

/// How many messages one tick claims.
const BATCH: i64 = 50;
/// How long a claimed message is ours before another dispatcher may take it.
const LEASE_SECS: i64 = 120;
/// The first retry after an ordinary failure; doubles per attempt up to [`MAX_BACKOFF_SECS`].
const FIRST_BACKOFF_SECS: i64 = 30;
const MAX_BACKOFF_SECS: i64 = 3600;
/// After this many failed attempts a message is given up.
pub const MAX_ATTEMPTS: i32 = 8;
/// The safety net: with no wake-up at all, the outbox is read again at most this long after the
/// last read (real time); see [`safety_interval`].
const SAFETY: Duration = Duration::from_secs(3600);
/// After storage failed, how long before trying again.
const RETRY: Duration = Duration::from_secs(2);
/// How often timers on a clock that only moves when told look at it (tests).
const MANUAL_CLOCK_LOOK: Duration = Duration::from_millis(200);

/// Sends the tenant's due messages until `stop` resolves, without polling: it knows when the
/// next message is due (one read of the outbox, after every round of sending) and sleeps
/// until then, woken early by [`App::outbox`] when something is queued, by this process or
/// any other (the database's notification). A slow re-read is the safety net.
pub async fn run(bot: TgBot, app: Arc<App>, stop: impl Future<Output = ()> + Send) {
    tokio::pin!(stop);
    let mut safety = safety_interval();
    let mut next: Option<DateTime<Utc>> = None;
    let mut read_at: Option<Instant> = None;
    loop {
        if read_at.is_none_or(|at| at.elapsed() >= safety) {
            match next_due(&app).await {
                Ok(due) => {
                    next = due;
                    read_at = Some(Instant::now());
                    safety = safety_interval();
                }
                Err(e) => {
                    report(&e);
                    tokio::select! {
                        () = &mut stop => return,
                        () = tokio::time::sleep(RETRY) => continue,
                    }
                }
            }
        }
        let now = app.now();
        if next.is_some_and(|due| due <= now) {
            // Between two rounds the stop is honoured even while messages keep coming due (a
            // broadcast); a round itself is never cut short, so nothing claimed is left unsent.
            if futures::FutureExt::now_or_never(&mut stop).is_some() {
                return;
            }
            match tick(&bot, &app).await {
                // A full batch means more may be due: go on at once.
                Ok(n) if n >= BATCH as usize => {}
                Ok(_) => read_at = None,
                Err(e) => {
                    report(&e);
                    read_at = None;
                    tokio::select! {
                        () = &mut stop => return,
                        () = tokio::time::sleep(RETRY) => {}
                    }
                }
            }
            continue;
        }
        let until_due = next.map_or(safety, |due| {
            (due - now).to_std().unwrap_or_default().min(safety)
        });
        let wait = if app.clock.follows_real_time() {
            until_due
        } else {
            until_due.min(MANUAL_CLOCK_LOOK)
        };
        tokio::select! {
            () = &mut stop => return,
            woken = app.outbox.wait() => {
                if woken.resync {
                    read_at = None;
                }
                if let Some(due) = woken.earliest {
                    next = Some(next.map_or(due, |n| n.min(due)));
                }
            }
            () = tokio::time::sleep(wait) => {}
        }
    }
}

/// How long until the next safety re-read: drawn anew each time from the second half of
/// [`SAFETY`], so the tenants of a host, all started together, spread evenly over time (a
/// thousand idle tenants make about 0.4 reads a second in all) instead of re-reading at once.
fn safety_interval() -> Duration {
    use rand::Rng as _;
    rand::rng().random_range(SAFETY / 2..=SAFETY)
}

async fn next_due(app: &App) -> Result<Option<DateTime<Utc>>, BotError> {
    let mut tx = app.tx().await?;
    let due = outbox::next_due(&mut tx).await?;
    tx.commit().await?;
    Ok(due)
}

fn report(e: &BotError) {
    if e.is_unavailable() {
        tracing::warn!(error = ?e, "outbox: storage unavailable; will retry");
    } else {
        tracing::error!(error = ?e, "outbox: sending failed");
    }
}

/// Claims and delivers what is due now; how many were claimed.
pub async fn tick(bot: &TgBot, app: &App) -> Result<usize, BotError> {
    let now = app.now();
    let mut tx = app.tx().await?;
    let backlog = outbox::backlog(&mut tx, now).await?;
    let due = outbox::claim_due(&mut tx, now, chrono::Duration::seconds(LEASE_SECS), BATCH).await?;
    tx.commit().await?;
    let claimed = due.len();
    // What waits after this round, summed over the process's tenants (a bot host serves many;
    // no tenant label, so no series per tenant): each tenant adds the change of its own part.
    let waiting = backlog
        .due
        .saturating_sub(i64::try_from(claimed).unwrap_or(i64::MAX));
    let before = app
        .outbox_waiting
        .swap(waiting, std::sync::atomic::Ordering::Relaxed);
    metrics::gauge!("outbox_due_messages").increment((waiting - before) as f64);
    for message in &due {
        let late = (now - message.due_at).to_std().unwrap_or_default();
        metrics::histogram!("outbox_delivery_delay_seconds").record(late.as_secs_f64());
    }
    for message in due {
        deliver(bot, app, &message).await?;
    }
    Ok(claimed)
}

/// Renders, sends and records one claimed message.
async fn deliver(bot: &TgBot, app: &App, m: &Claimed) -> Result<(), BotError> {
    // A refund's call to YooKassa rides the outbox for its timing and its lease; it sends
    // nothing, and schedules its own next call when it needs one.
    if let Ok(Message::RefundCall { refund }) = &m.message {
        crate::refunds::call::attempt(app, RefundId(*refund)).await?;
        return finish(app, m.id, Outcome::Sent).await;
    }
    let rendered = render::render(app, m).await?;
    let out = match rendered {
        Rendered::Send(out) => out,
        Rendered::Done => return finish(app, m.id, Outcome::Sent).await,
        Rendered::Drop(reason) => return finish(app, m.id, Outcome::Dropped(reason)).await,
    };
    let sent = send(bot, out).await;
    match &sent {
        Ok(()) => metrics::counter!("outbox_messages_sent_total").increment(1),
        Err(e) => metrics::counter!("outbox_send_failures_total",
            "reason" => failure_reason(e, m.attempts))
        .increment(1),
    }
    let outcome = match sent {
        Ok(()) => Outcome::Sent,
        Err(e) if unreachable(&e) => Outcome::Blocked,
        Err(RequestError::RetryAfter(wait)) => Outcome::Retry(
            app.now() + wait.chrono_duration(),
            "429 Too Many Requests".into(),
        ),
        Err(e) if m.attempts >= MAX_ATTEMPTS => Outcome::Dropped(format!("gave up: {e}")),
        Err(e) => Outcome::Retry(app.now() + backoff(m.attempts), e.to_string()),
    };
    if let Outcome::Blocked = outcome {
        tracing::info!(chat = m.chat_id, "outbox: the recipient blocked the bot");
        let mut tx = app.tx().await?;
        customers::mark_blocked(&mut tx, TelegramUserId(m.chat_id), app.now()).await?;
        outbox::cancel_for_chat(&mut tx, m.chat_id, outbox::BLOCKED, app.now()).await?;
        tx.commit().await?;
        app.customers.forget(TelegramUserId(m.chat_id));
        return Ok(());
    }
    finish(app, m.id, outcome).await
}

enum Outcome {
    Sent,
    Blocked,
    Dropped(String),
    Retry(DateTime<Utc>, String),
}

async fn finish(app: &App, id: OutboxId, outcome: Outcome) -> Result<(), BotError> {
    let now = app.now();
    let mut tx = app.tx().await?;
    match outcome {
        Outcome::Sent => outbox::mark_sent(&mut tx, id, now).await?,
        Outcome::Dropped(reason) => {
            tracing::debug!(%id, %reason, "outbox: message dropped");
            outbox::mark_cancelled(&mut tx, id, &reason, now).await?;
        }
        Outcome::Retry(at, error) => {
            tracing::warn!(%id, %error, retry_at = %at, "outbox: send failed");
            outbox::mark_failed(&mut tx, id, &error, at).await?;
        }
        Outcome::Blocked => {}
    }
    tx.commit().await?;
    Ok(())
}

async fn send(bot: &TgBot, out: Outgoing) -> Result<(), RequestError> {
    let mut request = bot.send_message(out.chat, out.text);
    if let Some(markup) = out.markup {
        request = request.reply_markup(markup);
    }
    request.await.map(|_| ())
}

/// Telegram's answers that mean the person cannot be messaged until they write again: the
/// 403s teloxide knows, and any other 403 ("Forbidden: ...") it does not.
fn unreachable(e: &RequestError) -> bool {
    match e {
        RequestError::Api(
            ApiError::BotBlocked | ApiError::UserDeactivated | ApiError::CantInitiateConversation,
        ) => true,
        RequestError::Api(ApiError::Unknown(s)) => s.starts_with("Forbidden"),
        _ => false,
    }
}

/// Why a send failed, as the `reason` label of `outbox_send_failures_total` (a fixed set): the
/// same cases [`deliver`] tells apart.
fn failure_reason(e: &RequestError, attempts: i32) -> &'static str {
    match e {
        e if unreachable(e) => "blocked",
        RequestError::RetryAfter(_) => "rate_limited",
        _ if attempts >= MAX_ATTEMPTS => "gave_up",
        RequestError::Network(_) | RequestError::Io(_) => "network",
        _ => "api_error",
    }
}

/// 30 s, 60 s, 120 s, … up to an hour.
fn backoff(attempts: i32) -> chrono::Duration {
    let doublings = u32::try_from(attempts.saturating_sub(1).clamp(0, 20)).unwrap_or(0);
    let secs = FIRST_BACKOFF_SECS
        .saturating_mul(1_i64 << doublings)
        .min(MAX_BACKOFF_SECS);
    chrono::Duration::seconds(secs)
}

/// A Telegram chat id for a stored one.
pub(crate) const fn chat(id: i64) -> ChatId {
    ChatId(id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_an_hour() {
        assert_eq!(backoff(1).num_seconds(), 30);
        assert_eq!(backoff(2).num_seconds(), 60);
        assert_eq!(backoff(4).num_seconds(), 240);
        assert_eq!(backoff(30).num_seconds(), 3600);
        assert_eq!(backoff(0).num_seconds(), 30);
    }

    #[test]
    fn safety_reads_spread_over_the_second_half_of_the_hour() {
        let drawn: Vec<Duration> = (0..1000).map(|_| safety_interval()).collect();
        assert!(drawn.iter().all(|d| (SAFETY / 2..=SAFETY).contains(d)));
        let early = drawn.iter().filter(|d| **d < SAFETY * 3 / 4).count();
        // Spread, not bunched: about half fall in each quarter (a binomial 1000, 0.5).
        assert!(
            (350..=650).contains(&early),
            "{early} of 1000 in the third quarter"
        );
    }

    #[test]
    fn failures_are_counted_by_a_fixed_reason() {
        let blocked = RequestError::Api(ApiError::BotBlocked);
        let flood = RequestError::RetryAfter(teloxide::types::Seconds::from_seconds(3));
        let other = RequestError::Api(ApiError::MessageNotModified);
        assert_eq!(failure_reason(&blocked, 1), "blocked");
        assert_eq!(failure_reason(&flood, MAX_ATTEMPTS), "rate_limited");
        assert_eq!(failure_reason(&other, 1), "api_error");
        assert_eq!(failure_reason(&other, MAX_ATTEMPTS), "gave_up");
    }

    #[test]
    fn only_blocking_answers_mark_the_customer() {
        assert!(unreachable(&RequestError::Api(ApiError::BotBlocked)));
        assert!(unreachable(&RequestError::Api(ApiError::Unknown(
            "Forbidden: bot was kicked from the group chat".into()
        ))));
        assert!(!unreachable(&RequestError::Api(
            ApiError::MessageNotModified
        )));
        assert!(!unreachable(&RequestError::RetryAfter(
            teloxide::types::Seconds::from_seconds(3)
        )));
    }
}
