//! One bot's long polling, supervised.
//!
//! - The Bot API may be unreachable at start or later: that must neither crash the process nor
//!   hold up its health endpoints. getMe is retried with exponential backoff, and a dispatcher
//!   that stops by itself is started again.
//! - A rejected token cannot get better by retrying: [`LongPolling::run`] ends with
//!   [`TokenRejected`], naming the variable, so the process exits non-zero and says why (the
//!   deploy worker sees the container exit and shows the operator).
//! - Shutdown is bounded: once the stop comes, `run` returns within [`Timing::grace`] plus a
//!   moment, in every state. teloxide's own shutdown can wait on a Bot API that does not
//!   answer, or miss the request altogether when it comes between two polls, so the
//!   dispatcher is asked to stop, given the grace period to finish the updates in hand, and
//!   then dropped (a handler already running then finishes on its own; no new update
//!   reaches it).
//!
//! Everything is per instance (bot, tree, dependencies, stop): a host runs one per tenant.

use std::{sync::Arc, time::Duration};

use booking_core::locale::Locale;
use telemetry::Shutdown;
use teloxide::{
    ApiError, RequestError,
    dispatching::{Dispatcher, UpdateHandler},
    dptree::di::DependencyMap,
    error_handlers::LoggingErrorHandler,
    payloads::SetMyCommandsSetters as _,
    prelude::Requester as _,
    types::BotCommand,
    update_listeners::Polling,
};

use crate::{
    bot::{TgBot, TokenSource},
    panic,
};

/// How often a dispatcher that is still starting is asked again to stop.
const ASK_AGAIN: Duration = Duration::from_millis(20);

/// The Bot API rejected the token: retrying cannot help, so the bot stops and says so.
#[derive(Debug, thiserror::Error)]
#[error("{0} was rejected by the Bot API (Unauthorized): check the token from BotFather")]
pub struct TokenRejected(pub TokenSource);

/// The supervisor's waits.
#[derive(Copy, Clone, Debug)]
pub struct Timing {
    /// The first wait after getMe failed; it doubles up to `max_backoff`.
    pub first_backoff: Duration,
    pub max_backoff: Duration,
    /// How long one getUpdates waits on the server.
    pub poll_timeout: Duration,
    /// How long a stopping dispatcher may take to finish the updates in hand before it is
    /// dropped. Kept under 5 s: container engines wait about 10 s before they kill.
    pub grace: Duration,
}

impl Default for Timing {
    fn default() -> Self {
        Self {
            first_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(60),
            poll_timeout: Duration::from_secs(10),
            grace: Duration::from_secs(3),
        }
    }
}

/// The bot's commands in one language, for setMyCommands.
type Commands = Arc<dyn Fn(Locale) -> Vec<BotCommand> + Send + Sync>;

/// One bot's long polling: its bot, handler tree and dependencies.
pub struct LongPolling<E> {
    bot: TgBot,
    token: TokenSource,
    tree: UpdateHandler<E>,
    deps: DependencyMap,
    commands: Option<Commands>,
    timing: Timing,
}

/// How a dispatcher's run ended.
enum Ended {
    Stopped,
    ByItself,
}

impl<E> LongPolling<E>
where
    E: std::fmt::Debug + Send + Sync + 'static,
{
    /// Polls for `bot`, whose token comes from `token` (named if it is rejected), and hands updates to `tree` (wrapped in
    /// [`panic::isolated`]). The dispatcher adds the bot, the update and `Me` to the
    /// dependencies.
    #[must_use]
    pub fn new(bot: TgBot, token: TokenSource, tree: UpdateHandler<E>) -> Self {
        Self {
            bot,
            token,
            tree: panic::isolated(tree),
            deps: DependencyMap::new(),
            commands: None,
            timing: Timing::default(),
        }
    }

    /// What the handlers receive beyond the bot and the update (`dptree::deps![...]`).
    #[must_use]
    pub fn dependencies(mut self, deps: DependencyMap) -> Self {
        self.deps = deps;
        self
    }

    /// The command menu, registered in each language on every connect. Russian, the home
    /// market's language, is also the default for every other language.
    #[must_use]
    pub fn commands(
        mut self,
        commands: impl Fn(Locale) -> Vec<BotCommand> + Send + Sync + 'static,
    ) -> Self {
        self.commands = Some(Arc::new(commands));
        self
    }

    #[must_use]
    pub fn timing(mut self, timing: Timing) -> Self {
        self.timing = timing;
        self
    }

    /// Polls and dispatches until `stop`, or until the Bot API rejects the token.
    pub async fn run(self, stop: Shutdown) -> Result<(), TokenRejected> {
        let mut backoff = self.timing.first_backoff;
        loop {
            let Some(me) = stop.run_until(self.bot.get_me()).await else {
                return Ok(());
            };
            match me {
                Ok(me) => {
                    tracing::info!(bot = %me.username(), "connected to the Bot API");
                    backoff = self.timing.first_backoff;
                    if stop.run_until(self.prepare()).await.is_none() {
                        return Ok(());
                    }
                    match self.dispatch(&stop).await {
                        Ended::Stopped => return Ok(()),
                        Ended::ByItself => {
                            tracing::warn!("the dispatcher stopped by itself; starting it again");
                        }
                    }
                }
                Err(RequestError::Api(ApiError::InvalidToken)) => {
                    tracing::error!(token = %self.token, "the Bot API rejected the token");
                    return Err(TokenRejected(self.token));
                }
                Err(e) => {
                    tracing::warn!(error = %e, retry_in = ?backoff, "the Bot API is unreachable");
                }
            }
            if stop.run_until(tokio::time::sleep(backoff)).await.is_none() {
                return Ok(());
            }
            backoff = (backoff * 2).min(self.timing.max_backoff);
        }
    }

    /// Registers the commands and makes sure no webhook steals the updates.
    async fn prepare(&self) {
        if let Some(commands) = &self.commands {
            for locale in Locale::ALL {
                let mut request = self.bot.set_my_commands(commands(locale));
                if locale != Locale::default() {
                    request = request.language_code(locale.code());
                }
                if let Err(e) = request.await {
                    tracing::warn!(error = %e, %locale, "setMyCommands failed");
                }
            }
        }
        if let Err(e) = self.bot.delete_webhook().await {
            tracing::warn!(error = %e, "deleteWebhook failed");
        }
    }

    /// Runs one dispatcher until `stop` or until it ends by itself.
    async fn dispatch(&self, stop: &Shutdown) -> Ended {
        let mut dispatcher = Dispatcher::builder(self.bot.clone(), self.tree.clone())
            .dependencies(self.deps.clone())
            .default_handler(|_| async {})
            .error_handler(LoggingErrorHandler::with_custom_text("a handler failed"))
            .build();
        let token = dispatcher.shutdown_token();
        let listener = Polling::builder(self.bot.clone())
            .timeout(self.timing.poll_timeout)
            .build();
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
            () = stop.wait() => {}
            ended = &mut running => {
                if let Err(e) = ended {
                    tracing::error!(error = %e, "the dispatcher task failed");
                }
                return Ended::ByItself;
            }
        }
        let asked = async {
            // The token refuses while the dispatcher is still starting (its own getMe). Its
            // answer future is not awaited: it can miss the dispatcher's "done" and hang.
            while token.shutdown().is_err() {
                tokio::time::sleep(ASK_AGAIN).await;
            }
            std::future::pending::<()>().await;
        };
        let finished = tokio::time::timeout(self.timing.grace, async {
            tokio::select! {
                ended = &mut running => ended,
                () = asked => Ok(()),
            }
        })
        .await;
        match finished {
            Ok(Ok(())) => {}
            Ok(Err(e)) => tracing::error!(error = %e, "the dispatcher task failed"),
            Err(_) => {
                tracing::warn!(
                    grace = ?self.timing.grace,
                    "the dispatcher did not stop in time (the Bot API does not answer, or a \
                     handler hangs); dropped"
                );
                running.abort();
                // Cancelled at its next await: returns at once.
                let _ = running.await;
            }
        }
        Ended::Stopped
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rejected_token_names_where_it_came_from_and_never_the_token() {
        let var = TokenRejected(TokenSource::var("BOT_TOKEN"));
        assert_eq!(
            var.to_string(),
            "BOT_TOKEN was rejected by the Bot API (Unauthorized): check the token from BotFather"
        );
        // One of many bots in a host: which one.
        let hosted = TokenRejected(TokenSource::described("the bot token of tenant 42"));
        assert!(
            hosted
                .to_string()
                .starts_with("the bot token of tenant 42 was rejected"),
            "{hosted}"
        );
    }
}
