//! The operator Telegram bot: allowlisted operators find, inspect, deploy, stop, restart and
//! extend tenants, read platform figures, and receive the platform's alerts.
//!
//! It runs inside `master-bot serve` beside the REST API when `OPERATOR_BOT_TOKEN` is set,
//! over long polling against `TELEGRAM_API_URL` (tg-sandbox in tests).

/// Delivering `control.operator_alerts` to every operator.
pub mod alerts;
/// `OPERATOR_IDS`.
pub mod allowlist;
/// Button data.
pub mod callback;
/// The handler tree.
pub mod handlers;
/// Long polling, kept alive through Bot API outages.
pub mod polling;
/// Russian and English texts.
pub mod texts;
/// Screens.
pub mod views;

use std::{
    collections::HashMap,
    future::Future,
    sync::{Arc, Mutex, PoisonError},
    time::Duration,
};

use booking_core::{clock::SharedClock, locale::Locale};
use secrecy::{ExposeSecret as _, SecretString};
use storage::Db;
use teloxide::{
    adaptors::{Throttle, throttle::Limits},
    requests::RequesterExt as _,
};
use tokio::sync::watch;

use self::{allowlist::OperatorIds, texts::Texts};

/// The bot as handlers use it: every call goes through one shared `Throttle`.
pub type OpBot = Throttle<teloxide::Bot>;

/// How the operator bot is set up.
#[derive(Clone, Debug)]
pub struct OperatorBotConfig {
    pub token: SecretString,
    pub api_url: reqwest::Url,
    pub allowlist: OperatorIds,
    /// How often undelivered alerts are looked for.
    pub alert_interval: Duration,
}

/// What the handlers and the alert loop share.
#[derive(Debug)]
pub struct Operators {
    pub db: Db,
    pub clock: SharedClock,
    pub allowlist: OperatorIds,
    /// The language each operator last wrote in, for alerts (Russian until they write).
    languages: Mutex<HashMap<u64, Locale>>,
}

impl Operators {
    #[must_use]
    pub fn new(db: Db, clock: SharedClock, allowlist: OperatorIds) -> Self {
        Self {
            db,
            clock,
            allowlist,
            languages: Mutex::new(HashMap::new()),
        }
    }

    pub fn remember_language(&self, user: u64, t: Texts) {
        self.languages
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(user, t.0);
    }

    #[must_use]
    pub fn texts_for(&self, user: u64) -> Texts {
        Texts(
            self.languages
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .get(&user)
                .copied()
                .unwrap_or_default(),
        )
    }
}

/// Runs the bot (polling and alert delivery) until `stop` resolves. Ends early with an error
/// only when the Bot API rejects the token.
pub async fn run(
    config: OperatorBotConfig,
    db: Db,
    clock: SharedClock,
    stop: impl Future<Output = ()> + Send + 'static,
) -> Result<(), polling::TokenRejected> {
    let bot: OpBot = teloxide::Bot::new(config.token.expose_secret())
        .set_api_url(config.api_url.clone())
        .throttle(Limits::default());
    let ops = Arc::new(Operators::new(db, clock, config.allowlist.clone()));
    let (stop_tx, stop_rx) = watch::channel(false);
    tokio::spawn(async move {
        stop.await;
        stop_tx.send_replace(true);
    });
    let alerts = tokio::spawn(alerts::run(
        bot.clone(),
        Arc::clone(&ops),
        config.alert_interval,
        stopped(stop_rx.clone()),
    ));
    let polled = polling::run(bot, ops, stopped(stop_rx)).await;
    if polled.is_err() {
        alerts.abort();
    } else if let Err(e) = alerts.await {
        tracing::error!(error = %e, "the alert loop failed");
    }
    polled
}

/// Resolves once `rx` says stop.
pub async fn stopped(mut rx: watch::Receiver<bool>) {
    // A dropped sender counts as a stop too.
    let _ = rx.wait_for(|stop| *stop).await;
}
