//! One tenant's bot running in this process: long polling (through bot-kit's supervisor: a
//! bounded stop, panic isolation per update, a rejected token ends it), the outbox dispatcher
//! and the broadcast watcher, stopped together by the tenant's own stop. A dedicated process
//! runs one; a shared host runs many, each with a child of the host's stop.

use std::sync::Arc;

use bot_kit::{LongPolling, TgBot, Timing, TokenRejected, bot::TokenSource};
use telemetry::Shutdown;
use tokio::task::JoinHandle;

use teloxide::{
    payloads::SetMyCommandsSetters as _, prelude::Requester as _, update_listeners::UpdateListener,
};

use super::webhook;
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
    /// Starts the tenant's bot on long polling; it runs until `stop` (or its parent) is
    /// triggered, or its token is rejected.
    pub fn polling(
        app: Arc<App>,
        bot: TgBot,
        token: TokenSource,
        stop: Shutdown,
        timing: Timing,
    ) -> Self {
        let polling = LongPolling::new(bot.clone(), token, tree::schema())
            .dependencies(teloxide::dptree::deps![Arc::clone(&app)])
            .commands(customer::entry::commands)
            .timing(timing);
        let telegram = tokio::spawn(polling.run(stop.clone()));
        Self::start(app, bot, stop, telegram)
    }

    /// Starts the tenant's bot on a webhook: registers `url` with `secret` at Telegram, then
    /// dispatches what `listener` receives. The webhook stays set when the bot stops (a host
    /// restarting keeps its tenants); taking the tenant off deletes it.
    pub fn webhook(
        app: Arc<App>,
        bot: TgBot,
        token: TokenSource,
        stop: Shutdown,
        hook: (
            impl UpdateListener<Err = std::convert::Infallible> + Send + 'static,
            reqwest::Url,
            String,
        ),
    ) -> Self {
        let (listener, url, secret) = hook;
        let telegram = {
            let (bot, stop, app) = (bot.clone(), stop.clone(), Arc::clone(&app));
            tokio::spawn(async move {
                match webhook::register(&bot, url, secret, &token, &stop).await {
                    None => return Ok(()),
                    Some(Err(rejected)) => return Err(rejected),
                    Some(Ok(())) => {}
                }
                let commands = customer::entry::commands;
                for locale in booking_core::locale::Locale::ALL {
                    let mut set = bot.set_my_commands(commands(locale));
                    if locale != booking_core::locale::Locale::Ru {
                        set = set.language_code(locale.code());
                    }
                    if let Err(e) = set.await {
                        tracing::warn!(error = %e, "setMyCommands failed");
                    }
                }
                let deps = teloxide::dptree::deps![app];
                webhook::dispatch(bot, tree::schema(), deps, listener, stop).await;
                Ok(())
            })
        };
        Self::start(app, bot, stop, telegram)
    }

    fn start(
        app: Arc<App>,
        bot: TgBot,
        stop: Shutdown,
        telegram: JoinHandle<Result<(), TokenRejected>>,
    ) -> Self {
        let menus = {
            let (bot, app, stop) = (bot.clone(), Arc::clone(&app), stop.clone());
            async move {
                stop.run_until(admin::commands::show_all(bot, app)).await;
            }
        };
        let background = vec![
            tokio::spawn(menus),
            tokio::spawn(delivery::run(bot.clone(), Arc::clone(&app), stop.wait())),
            tokio::spawn(admin::broadcast::watch(
                bot.clone(),
                Arc::clone(&app),
                stop.wait(),
            )),
        ];
        Self {
            app,
            stop,
            telegram: Some(telegram),
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
