//! The one Bot API call the operator API makes: `getMe`, to check a tenant's bot token.

use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

/// Telegram's own address; `TELEGRAM_API_URL` points elsewhere (tg-sandbox) locally.
pub const TELEGRAM: &str = "https://api.telegram.org";

/// A Bot API server.
#[derive(Clone, Debug)]
pub struct BotApi {
    http: reqwest::Client,
    base: String,
}

/// Who a token belongs to.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
pub struct BotIdentity {
    pub id: i64,
    pub username: String,
}

#[derive(Debug, thiserror::Error)]
pub enum GetMeError {
    /// The server answered that the token is not a bot's (401 or 404).
    #[error("the Bot API does not accept this token")]
    Refused,
    /// No answer, or one we cannot read. The token is never part of the message: reqwest's
    /// errors name the URL, and the URL holds the token, so only the kind is kept.
    #[error("the Bot API could not be asked: {0}")]
    Unreachable(String),
}

#[derive(Deserialize)]
struct Answer {
    ok: bool,
    result: Option<BotIdentity>,
}

impl BotApi {
    pub fn new(base: &str) -> anyhow::Result<Self> {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .build()?;
        Ok(Self {
            http,
            base: base.trim_end_matches('/').to_owned(),
        })
    }

    /// Asks the server whose token this is.
    pub async fn get_me(&self, token: &SecretString) -> Result<BotIdentity, GetMeError> {
        let url = format!("{}/bot{}/getMe", self.base, token.expose_secret());
        let response = self
            .http
            .get(url)
            .send()
            .await
            .map_err(|e| GetMeError::Unreachable(kind(&e)))?;
        let status = response.status();
        if status == reqwest::StatusCode::UNAUTHORIZED || status == reqwest::StatusCode::NOT_FOUND {
            return Err(GetMeError::Refused);
        }
        let answer: Answer = response
            .json()
            .await
            .map_err(|e| GetMeError::Unreachable(kind(&e)))?;
        match answer {
            Answer {
                ok: true,
                result: Some(me),
            } => Ok(me),
            _ => Err(GetMeError::Unreachable(format!(
                "answer {status} without a bot"
            ))),
        }
    }
}

fn kind(e: &reqwest::Error) -> String {
    let what = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "connection failed"
    } else if e.is_decode() {
        "unreadable answer"
    } else {
        "request failed"
    };
    what.to_owned()
}
