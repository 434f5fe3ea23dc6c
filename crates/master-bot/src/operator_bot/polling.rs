//! Long polling through the dispatcher, kept alive through Bot API outages: getMe is retried
//! with backoff and a dispatcher that stops by itself is started again, until shutdown.

use std::{future::Future, sync::Arc, time::Duration};

use booking_core::locale::Locale;
use teloxide::{
    ApiError, RequestError, dispatching::Dispatcher, error_handlers::LoggingErrorHandler,
    prelude::*, types::BotCommand, update_listeners::Polling,
};

use crate::operator_bot::{OpBot, Operators, handlers, texts::Texts};

const FIRST_BACKOFF: Duration = Duration::from_millis(500);
const MAX_BACKOFF: Duration = Duration::from_secs(60);
/// How long one getUpdates waits on the server.
const POLL_TIMEOUT: Duration = Duration::from_secs(10);

/// The Bot API rejected the token: retrying cannot help.
#[derive(Debug, thiserror::Error)]
#[error(
    "OPERATOR_BOT_TOKEN was rejected by the Bot API (Unauthorized): check the token from BotFather"
)]
pub struct TokenRejected;

/// Polls and dispatches until `stop` resolves, or until the Bot API rejects the token.
pub async fn run(
    bot: OpBot,
    ops: Arc<Operators>,
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
                tracing::info!(bot = %me.username(), operators = %ops.allowlist, "operator bot connected");
                backoff = FIRST_BACKOFF;
                prepare(&bot).await;
                if dispatch(&bot, &ops, &mut stop).await {
                    return Ok(());
                }
                tracing::warn!(
                    "the operator bot's dispatcher stopped by itself; starting it again"
                );
            }
            Err(RequestError::Api(ApiError::InvalidToken)) => {
                tracing::error!("the Bot API rejected OPERATOR_BOT_TOKEN");
                return Err(TokenRejected);
            }
            Err(e) => tracing::warn!(error = %e, retry_in = ?backoff, "the Bot API is unreachable"),
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
    bot: &OpBot,
    ops: &Arc<Operators>,
    stop: &mut std::pin::Pin<&mut impl Future<Output = ()>>,
) -> bool {
    let mut dispatcher = Dispatcher::builder(bot.clone(), handlers::schema())
        .dependencies(dptree::deps![Arc::clone(ops)])
        .default_handler(|_| async {})
        .error_handler(LoggingErrorHandler::with_custom_text(
            "an operator handler failed",
        ))
        .build();
    let token = dispatcher.shutdown_token();
    let listener = Polling::builder(bot.clone()).timeout(POLL_TIMEOUT).build();
    let mut running = tokio::spawn(async move {
        let errors = LoggingErrorHandler::with_custom_text("getUpdates failed");
        if let Err(e) = dispatcher
            .try_dispatch_with_listener(listener, errors)
            .await
        {
            tracing::warn!(error = %e, "the operator bot's dispatcher could not start");
        }
    });
    tokio::select! {
        () = stop.as_mut() => {}
        _ = &mut running => return false,
    }
    // The token refuses while the dispatcher is still starting; ask until it runs or is done.
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
        tracing::error!(error = %e, "the operator bot's dispatcher task failed");
    }
    true
}

/// Registers the commands in both languages and makes sure no webhook steals the updates.
async fn prepare(bot: &OpBot) {
    for locale in Locale::ALL {
        let t = Texts(locale);
        let commands = vec![
            BotCommand::new("tenants", t.tenants_button()),
            BotCommand::new("find", t.find_usage()),
            BotCommand::new("tenant", t.tenant_usage()),
            BotCommand::new("stats", t.stats_button()),
            BotCommand::new("alerts", t.alerts_button()),
            BotCommand::new("start", t.menu_button()),
        ];
        let mut request = bot.set_my_commands(commands);
        if locale != Locale::Ru {
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
