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
/// What runs tenants' bots in this process: one, or many in a shared host.
pub mod host;
/// The refund worker and its YooKassa client.
pub mod refunds;
/// What runs the flows: the tenant context, long polling, dialogue storage, rate limits.
pub mod runtime;
/// Russian and English texts, and the tenant's own wording of them.
pub mod texts;
/// The handler tree: each update to the customer flows or the admin panel.
pub mod tree;

use std::{future::Future, sync::Arc};

use anyhow::Context as _;
use booking_core::clock::SharedClock;
use bot_kit::{Timing, bot::TokenSource};
use telemetry::Shutdown;
use tokio::net::TcpListener;

use crate::{
    config::Config,
    host::tenant::TenantBot,
    runtime::{
        app::App,
        listen::{self, Served},
        process,
    },
};

/// Runs the bot until `shutdown` resolves.
pub async fn run(
    config: Config,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let clock = process::clock(config.clock_offset_secs);
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
    let api_url: reqwest::Url = config
        .telegram_api_url
        .parse()
        .context("TELEGRAM_API_URL is not a valid URL")?;
    let readiness = process::readiness(&app.db, &app.kv);
    let router = telemetry::ops::with_request_metrics(telemetry::ops_router(
        readiness,
        telemetry::tracing_init::prometheus(),
    ));

    // One stop for every part: the signal, the HTTP server ending on its own, or the Telegram
    // side ending (a rejected token).
    let stop = Shutdown::from_signal(shutdown);

    // The database tells this process when a message is queued or the configuration
    // changed; the first connection also reads the rate limit (in the background, so a
    // database that is down at start delays nothing).
    let served = Served::default();
    served.insert(Arc::clone(&app));
    let listening = tokio::spawn(listen::run(app.db.clone(), served, stop.wait()));
    let bot = bot_kit::bot::throttled(&config.bot_token, api_url);
    let mut tenant = TenantBot::polling(
        Arc::clone(&app),
        bot,
        TokenSource::var("BOT_TOKEN"),
        stop.child(),
        Timing::default(),
    );
    let serving = telemetry::serve(listener, router, stop.wait());
    tokio::pin!(serving);

    // Whichever side ends first stops the other: a shutdown signal ends serving; a rejected
    // token ends the Telegram side, and the process exits non-zero saying why.
    let (served, polled) = tokio::select! {
        served = &mut serving => {
            stop.trigger();
            (served, tenant.stop().await)
        }
        polled = tenant.telegram_ended() => {
            stop.trigger();
            let polled = polled.and(tenant.stop().await);
            (serving.await, polled)
        }
    };
    if let Err(e) = listening.await {
        tracing::error!(error = %e, "the listener failed");
    }
    polled?;
    served?;
    tracing::info!(tenant = %config.tenant_id, "stopped");
    Ok(())
}
