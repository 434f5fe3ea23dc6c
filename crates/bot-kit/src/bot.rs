//! The bot as every handler and background loop uses it, and the name of its token.

use std::{borrow::Cow, fmt};

use secrecy::{ExposeSecret as _, SecretString};
use teloxide::{
    adaptors::{Throttle, throttle::Limits},
    requests::RequesterExt as _,
};

/// A bot whose every call goes through one `Throttle`, so Telegram's limits (per chat and
/// overall) hold across handlers, reminders and broadcasts alike.
pub type TgBot = Throttle<teloxide::Bot>;

/// The bot for `token` on the Bot API at `api_url` (Telegram's, or tg-sandbox).
///
/// The throttle starts a worker task, so this must be called inside a Tokio runtime. Build it
/// once per bot and clone it: clones share the throttle.
#[must_use]
pub fn throttled(token: &SecretString, api_url: reqwest::Url) -> TgBot {
    teloxide::Bot::new(token.expose_secret())
        .set_api_url(api_url)
        .throttle(Limits::default())
}

/// As [`throttled`], on an HTTP client shared with other bots: a host of many bots keeps one
/// connection pool, not one per bot.
#[must_use]
pub fn throttled_with(
    client: reqwest::Client,
    token: &SecretString,
    api_url: reqwest::Url,
) -> TgBot {
    teloxide::Bot::with_client(token.expose_secret(), client)
        .set_api_url(api_url)
        .throttle(Limits::default())
}

/// Where a bot's token comes from, as an error names it so the operator knows what to fix:
/// a configuration variable (`BOT_TOKEN`, `OPERATOR_BOT_TOKEN`), or, for one of many bots in a
/// host, which bot it is. The token itself is never named.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TokenSource(Cow<'static, str>);

impl TokenSource {
    /// The configuration variable `name`.
    #[must_use]
    pub const fn var(name: &'static str) -> Self {
        Self(Cow::Borrowed(name))
    }

    /// A description, such as "the bot token of tenant 42".
    #[must_use]
    pub fn described(what: impl Into<String>) -> Self {
        Self(Cow::Owned(what.into()))
    }
}

impl fmt::Display for TokenSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
