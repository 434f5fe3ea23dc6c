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
/// Russian and English texts.
pub mod texts;
/// Screens.
pub mod views;

use std::{
    collections::HashMap,
    sync::{Arc, Mutex, PoisonError},
    time::Duration,
};

use booking_core::{clock::SharedClock, locale::Locale};
use bot_kit::{LongPolling, TokenRejected, TokenSource};
use secrecy::SecretString;
use storage::{Db, crypto::DataKey};
use telemetry::Shutdown;
use teloxide::{dptree, types::BotCommand};
use tracing::Instrument as _;

use self::{allowlist::OperatorIds, texts::Texts};
use crate::bot_api::BotApi;

/// The bot as handlers use it: every call goes through one shared `Throttle`.
pub type OpBot = bot_kit::TgBot;

/// Where the token comes from, for errors.
pub const TOKEN_SOURCE: TokenSource = TokenSource::var("OPERATOR_BOT_TOKEN");

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
    /// Seals a tenant's new bot token (`/token`); `None` without DATA_KEY.
    pub data_key: Option<DataKey>,
    /// Asks getMe about a new bot token.
    pub bot_api: BotApi,
    /// The language each operator last wrote in, for alerts (Russian until they write).
    languages: Mutex<HashMap<u64, Locale>>,
}

impl Operators {
    #[must_use]
    pub fn new(
        db: Db,
        clock: SharedClock,
        allowlist: OperatorIds,
        data_key: Option<DataKey>,
        bot_api: BotApi,
    ) -> Self {
        Self {
            db,
            clock,
            allowlist,
            data_key,
            bot_api,
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

/// Runs the bot (polling and alert delivery) until `stop`. Ends early with an error only when
/// the Bot API rejects the token. `tenant_bots`: the data key that seals tenants' bot tokens
/// and the Bot API that checks them (`/token`).
pub async fn run(
    config: OperatorBotConfig,
    db: Db,
    clock: SharedClock,
    tenant_bots: (Option<DataKey>, BotApi),
    stop: Shutdown,
) -> Result<(), TokenRejected> {
    let bot = bot_kit::bot::throttled(&config.token, config.api_url.clone());
    let (data_key, bot_api) = tenant_bots;
    let ops = Arc::new(Operators::new(
        db,
        clock,
        config.allowlist.clone(),
        data_key,
        bot_api,
    ));
    // The alert loop stops with the bot, whichever way the bot ends.
    let alerts_stop = stop.child();
    let alerts = tokio::spawn(alerts::run(
        bot.clone(),
        Arc::clone(&ops),
        config.alert_interval,
        alerts_stop.wait(),
    ));
    let span = tracing::info_span!("operator_bot", operators = %ops.allowlist);
    let polled = LongPolling::new(bot, TOKEN_SOURCE, handlers::schema())
        .dependencies(dptree::deps![ops])
        .commands(commands)
        .run(stop)
        .instrument(span)
        .await;
    alerts_stop.trigger();
    if let Err(e) = alerts.await {
        tracing::error!(error = %e, "the alert loop failed");
    }
    polled
}

/// The command menu in one language.
fn commands(locale: Locale) -> Vec<BotCommand> {
    let t = Texts(locale);
    vec![
        BotCommand::new("tenants", t.tenants_button()),
        BotCommand::new("find", t.find_usage()),
        BotCommand::new("tenant", t.tenant_usage()),
        BotCommand::new("stats", t.stats_button()),
        BotCommand::new("alerts", t.alerts_button()),
        BotCommand::new("token", t.token_usage()),
        BotCommand::new("start", t.menu_button()),
    ]
}
