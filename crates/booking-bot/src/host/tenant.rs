//! One tenant's bot running in this process: long polling (through bot-kit's supervisor: a
//! bounded stop, panic isolation per update, a rejected token ends it), the outbox dispatcher
//! and the broadcast watcher, stopped together by the tenant's own stop. A dedicated process
//! runs one; a shared host runs many, each with a child of the host's stop.

use std::sync::Arc;

use bot_kit::{LongPolling, TgBot, Timing, TokenRejected, bot::TokenSource};
use telemetry::Shutdown;
use tokio::task::JoinHandle;

use crate::{admin, customer, delivery, runtime::app::App, tree};

/// A running tenant bot.
#[derive(Debug)]
pub struct TenantBot {
    pub app: Arc<App>,
    stop: Shutdown,
    /// `None` once its end was taken.
    telegram: Option<JoinHandle<Result<(), TokenRejected>>>,
    background: Vec<JoinHandle<()>>,
}

impl TenantBot {
    /// Starts the tenant's bot; it runs until `stop` (or its parent) is triggered.
    pub fn start(
        app: Arc<App>,
        bot: TgBot,
        token: TokenSource,
        stop: Shutdown,
        timing: Timing,
    ) -> Self {
        let background = vec![
            tokio::spawn(delivery::run(bot.clone(), Arc::clone(&app), stop.wait())),
            tokio::spawn(admin::broadcast::watch(
                bot.clone(),
                Arc::clone(&app),
                stop.wait(),
            )),
        ];
        let polling = LongPolling::new(bot, token, tree::schema())
            .dependencies(teloxide::dptree::deps![Arc::clone(&app)])
            .commands(customer::entry::commands)
            .timing(timing);
        let telegram = Some(tokio::spawn(polling.run(stop.clone())));
        Self {
            app,
            stop,
            telegram,
            background,
        }
    }

    /// Resolves when the Telegram side ends by itself (a rejected token) or is stopped; at
    /// once if that was already taken.
    pub async fn telegram_ended(&mut self) -> Result<(), TokenRejected> {
        let Some(task) = self.telegram.as_mut() else {
            return Ok(());
        };
        let ended = task.await;
        self.telegram = None;
        ended.unwrap_or_else(|e| {
            tracing::error!(tenant = %self.app.tenant, error = %e, "the Telegram task failed");
            Ok(())
        })
    }

    /// Stops everything of this tenant and waits until it has stopped.
    pub async fn stop(mut self) -> Result<(), TokenRejected> {
        self.stop.trigger();
        for task in self.background.drain(..) {
            if let Err(e) = task.await {
                tracing::error!(tenant = %self.app.tenant, error = %e, "a background task failed");
            }
        }
        self.telegram_ended().await
    }
}
