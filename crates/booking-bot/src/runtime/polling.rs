//! The Telegram side: long polling through the dispatcher, kept alive through outages.
//!
//! The Bot API may be unreachable when the bot starts (or later). That must neither crash the
//! process nor hold up its health endpoints: getMe is retried with backoff, and a dispatcher
//! that stops by itself is started again, until shutdown.

use std::{future::Future, sync::Arc, time::Duration};

use booking_core::locale::Locale;
use teloxide::{
    ApiError, RequestError,
    dispatching::{Dispatcher, UpdateHandler},
    error_handlers::LoggingErrorHandler,
    prelude::*,
    types::BotCommand,
    update_listeners::Polling,
};

use crate::{
    error::BotError,
    runtime::app::{App, TgBot},
};

/// The first wait after a failure; it doubles up to [`MAX_BACKOFF`].
const FIRST_BACKOFF: Duration = Duration::from_millis(500);
const MAX_BACKOFF: Duration = Duration::from_secs(60);
/// How long one getUpdates waits on the server.
const POLL_TIMEOUT: Duration = Duration::from_secs(10);

/// The Bot API rejected the token: retrying cannot help, so the bot stops and says so (the
/// deploy worker then sees the container exit and shows the operator why).
#[derive(Debug, thiserror::Error)]
#[error("BOT_TOKEN was rejected by the Bot API (Unauthorized): check the token from BotFather")]
pub struct TokenRejected;

/// The handler tree, made anew for each dispatcher.
pub type Schema = fn() -> UpdateHandler<BotError>;

/// Polls and dispatches `schema` until `stop` resolves, or until the Bot API rejects the
/// token. `menu` is the command menu per language, registered once connected.
pub async fn run(
    bot: TgBot,
    app: Arc<App>,
    schema: Schema,
    menu: Vec<(Locale, Vec<BotCommand>)>,
    stop: impl Future<Output = ()> + Send,
) -> Result<(), TokenRejected> {
    tokio::pin!(stop);
    let mut backoff = FIRST_BACKOFF;
    loop {
        let me = tokio::select! {
            () = &mut stop => return Ok(()),
            me = bot.get_me() => me,
        };
        match me {
            Ok(me) => {
                tracing::info!(bot = %me.username(), tenant = %app.tenant, "connected to the Bot API");
                backoff = FIRST_BACKOFF;
                prepare(&bot, &menu).await;
                if dispatch(&bot, &app, schema, &mut stop).await {
                    return Ok(());
                }
                tracing::warn!("the dispatcher stopped by itself; starting it again");
            }
            Err(RequestError::Api(ApiError::InvalidToken)) => {
                tracing::error!("the Bot API rejected BOT_TOKEN");
                return Err(TokenRejected);
            }
            Err(e) => {
                tracing::warn!(error = %e, retry_in = ?backoff, "the Bot API is unreachable");
            }
        }
        tokio::select! {
            () = &mut stop => return Ok(()),
            () = tokio::time::sleep(backoff) => {}
        }
        backoff = (backoff * 2).min(MAX_BACKOFF);
    }
}

/// Runs one dispatcher; true when it ended because of `stop`.
async fn dispatch(
    bot: &TgBot,
    app: &Arc<App>,
    schema: Schema,
    stop: &mut std::pin::Pin<&mut impl Future<Output = ()>>,
) -> bool {
    let mut dispatcher = Dispatcher::builder(bot.clone(), schema())
        .dependencies(dptree::deps![Arc::clone(app)])
        .default_handler(|_| async {})
        .error_handler(LoggingErrorHandler::with_custom_text("a handler failed"))
        .build();
    let token = dispatcher.shutdown_token();
    let listener = Polling::builder(bot.clone()).timeout(POLL_TIMEOUT).build();
    let mut running = tokio::spawn(async move {
        let errors = LoggingErrorHandler::with_custom_text("getUpdates failed");
        if let Err(e) = dispatcher
            .try_dispatch_with_listener(listener, errors)
            .await
        {
            tracing::warn!(error = %e, "the dispatcher could not start");
        }
    });
    tokio::select! {
        () = stop.as_mut() => {}
        _ = &mut running => return false,
    }
    // The token refuses while the dispatcher is still starting; ask until it is running or done.
    loop {
        match token.shutdown() {
            Ok(stopped) => {
                stopped.await;
                break;
            }
            Err(_) if running.is_finished() => break,
            Err(_) => tokio::time::sleep(Duration::from_millis(20)).await,
        }
    }
    if let Err(e) = running.await {
        tracing::error!(error = %e, "the dispatcher task failed");
    }
    true
}

/// Registers the command menu of each language and makes sure no webhook steals the updates.
async fn prepare(bot: &TgBot, menu: &[(Locale, Vec<BotCommand>)]) {
    for (locale, commands) in menu {
        let mut request = bot.set_my_commands(commands.clone());
        // The home market's language is also the default for every other language.
        if *locale != Locale::Ru {
            request = request.language_code(locale.code());
        }
        if let Err(e) = request.await {
            tracing::warn!(error = %e, locale = %locale, "setMyCommands failed");
        }
    }
    if let Err(e) = bot.delete_webhook().await {
        tracing::warn!(error = %e, "deleteWebhook failed");
    }
}
