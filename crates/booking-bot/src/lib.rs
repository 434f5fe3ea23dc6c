//! A tenant's booking bot: the customer flows over Telegram long polling, and the ops
//! endpoints (health, readiness, metrics), stopped together by one shutdown.

/// The business's admin panel in chat: `/admin`, its buttons and typed steps.
pub mod admin;
/// Configuration from the environment.
pub mod config;
/// The customer's flows: book, move, cancel, the waitlist, reminders' buttons.
pub mod customer;
/// The outbox dispatcher: reminders, follow-ups, offers and notices, each sent once.
pub mod delivery;
/// The bot's error type.
pub mod error;
/// What runs the flows: the tenant context, long polling, dialogue storage, rate limits.
pub mod runtime;
/// Russian and English texts, and the tenant's own wording of them.
pub mod texts;
/// The handler tree: each update to the customer flows or the admin panel.
pub mod tree;

use std::{future::Future, sync::Arc};

use anyhow::Context as _;
use booking_core::clock::{SharedClock, ShiftedClock, SystemClock};
use secrecy::ExposeSecret as _;
use telemetry::Readiness;
use teloxide::{adaptors::throttle::Limits, requests::RequesterExt as _};
use tokio::{net::TcpListener, sync::watch};

use crate::{
    config::Config,
    runtime::{
        app::{App, TgBot},
        listen::{self, Served},
        polling,
    },
};

/// Runs the bot until `shutdown` resolves.
pub async fn run(
    config: Config,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let clock: SharedClock = if config.clock_offset_secs == 0 {
        Arc::new(SystemClock)
    } else {
        tracing::warn!(
            offset_secs = config.clock_offset_secs,
            "CLOCK_OFFSET_SECS is set: this bot runs ahead of (or behind) real time"
        );
        Arc::new(ShiftedClock(chrono::Duration::seconds(
            config.clock_offset_secs,
        )))
    };
    run_with(config, listener, shutdown, clock).await
}

/// [`run`] with the clock every rule reads "now" from.
pub async fn run_with(
    config: Config,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
    clock: SharedClock,
) -> anyhow::Result<()> {
    let app = Arc::new(App::connect(&config, clock)?);
    let (db, kv) = (app.db.clone(), app.kv.clone());
    let api_url: reqwest::Url = config
        .telegram_api_url
        .parse()
        .context("TELEGRAM_API_URL is not a valid URL")?;
    let readiness = {
        let (db, kv) = (db.clone(), kv.clone());
        Readiness::new()
            .with("postgres", move || {
                let db = db.clone();
                async move { db.ping().await.map_err(|e| format!("{e:#}")) }
            })
            .with("redis", move || {
                let kv = kv.clone();
                async move { kv.ping().await.map_err(|e| format!("{e:#}")) }
            })
    };
    let router = telemetry::ops::with_request_metrics(telemetry::ops_router(
        readiness,
        telemetry::tracing_init::prometheus(),
    ));

    // One shutdown for both halves: the signal, or the HTTP server ending on its own.
    let (stop_tx, stop_rx) = watch::channel(false);
    let stop_tx = Arc::new(stop_tx);
    let on_signal = Arc::clone(&stop_tx);
    tokio::spawn(async move {
        shutdown.await;
        on_signal.send_replace(true);
    });

    // The database tells this process when a message is queued or the configuration
    // changed; the first connection also reads the rate limit (in the background, so a
    // database that is down at start delays nothing).
    let served = Served::default();
    served.insert(Arc::clone(&app));
    let listening = tokio::spawn(listen::run(db.clone(), served, stopped(stop_rx.clone())));
    let bot: TgBot = teloxide::Bot::new(config.bot_token.expose_secret())
        .set_api_url(api_url)
        .throttle(Limits::default());
    let outbox = tokio::spawn(delivery::run(
        bot.clone(),
        Arc::clone(&app),
        stopped(stop_rx.clone()),
    ));
    let broadcasts = tokio::spawn(admin::broadcast::watch(
        bot.clone(),
        Arc::clone(&app),
        stopped(stop_rx.clone()),
    ));
    let mut telegram = tokio::spawn(polling::run(
        bot,
        app,
        tree::schema,
        customer::entry::menu(),
        stopped(stop_rx.clone()),
    ));
    let serving = telemetry::serve(listener, router, stopped(stop_rx));
    tokio::pin!(serving);

    // Whichever side ends first stops the other: a shutdown signal ends serving; a rejected
    // token ends the Telegram side, and the process exits non-zero saying why.
    let (served, polled) = tokio::select! {
        served = &mut serving => {
            stop_tx.send_replace(true);
            (served, telegram.await)
        }
        polled = &mut telegram => {
            stop_tx.send_replace(true);
            (serving.await, polled)
        }
    };
    if let Err(e) = listening.await {
        tracing::error!(error = %e, "the listener failed");
    }
    if let Err(e) = outbox.await {
        tracing::error!(error = %e, "the outbox task failed");
    }
    if let Err(e) = broadcasts.await {
        tracing::error!(error = %e, "the broadcast watcher failed");
    }
    match polled {
        Ok(Ok(())) => {}
        Ok(Err(rejected)) => return Err(rejected.into()),
        Err(e) => tracing::error!(error = %e, "the Telegram task failed"),
    }
    served?;
    tracing::info!(tenant = %config.tenant_id, "stopped");
    Ok(())
}

/// Resolves once the stop flag is set (or its sender is gone).
async fn stopped(mut rx: watch::Receiver<bool>) {
    let _ = rx.wait_for(|stop| *stop).await;
}
