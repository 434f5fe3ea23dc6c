//! Long polling through the dispatcher, kept alive through Bot API outages: getMe is retried
//! with backoff, and a dispatcher that stops by itself is started again, until shutdown.

use std::{future::Future, sync::Arc, time::Duration};

use teloxide::{
    dispatching::Dispatcher, error_handlers::LoggingErrorHandler, prelude::*,
    update_listeners::Polling,
};

use crate::app::Sales;

const FIRST_BACKOFF: Duration = Duration::from_millis(500);
const MAX_BACKOFF: Duration = Duration::from_secs(60);
/// How long one getUpdates waits on the server.
const POLL_TIMEOUT: Duration = Duration::from_secs(10);

/// Polls and dispatches until `stop` resolves.
pub async fn run(sales: Arc<Sales>, stop: impl Future<Output = ()> + Send) {
    tokio::pin!(stop);
    let bot = sales.bot.clone();
    let mut backoff = FIRST_BACKOFF;
    loop {
        let me = tokio::select! {
            () = &mut stop => return,
            me = bot.get_me() => me,
        };
        match me {
            Ok(me) => {
                tracing::info!(bot = %me.username(), "connected to the Bot API");
                backoff = FIRST_BACKOFF;
                if let Err(e) = bot.delete_webhook().await {
                    tracing::warn!(error = %e, "deleteWebhook failed");
                }
                if dispatch(&sales, &mut stop).await {
                    return;
                }
                tracing::warn!("the dispatcher stopped by itself; starting it again");
            }
            Err(e) => tracing::warn!(error = %e, retry_in = ?backoff, "the Bot API is unreachable"),
        }
        tokio::select! {
            () = &mut stop => return,
            () = tokio::time::sleep(backoff) => {}
        }
        backoff = (backoff * 2).min(MAX_BACKOFF);
    }
}

/// Runs one dispatcher; true when it ended because of `stop`.
async fn dispatch(
    sales: &Arc<Sales>,
    stop: &mut std::pin::Pin<&mut impl Future<Output = ()>>,
) -> bool {
    let bot = sales.bot.clone();
    let mut dispatcher = Dispatcher::builder(bot.clone(), super::schema())
        .dependencies(dptree::deps![Arc::clone(sales)])
        .default_handler(|_| async {})
        .error_handler(LoggingErrorHandler::with_custom_text("a handler failed"))
        .build();
    let token = dispatcher.shutdown_token();
    let listener = Polling::builder(bot).timeout(POLL_TIMEOUT).build();
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
