//! A small client of YooKassa's refunds API (`POST /refunds`, `GET /refunds/{id}`; see
//! `../shared/reference/yookassa.md` §1, §4, §6), with the tenant's shop as Basic auth.
//!
//! The sales bot has a full YooKassa client for the platform's own subscriptions (payments,
//! receipts, notifications); the booking bot needs these two calls only, with each tenant's
//! shop, so it has this one instead of depending on the sales bot.

use std::time::Duration;

use secrecy::ExposeSecret as _;
use serde::Deserialize;
use serde_json::json;
use storage::tenant::payments::settings::Shop;
use uuid::Uuid;

/// YooKassa's API.
pub const DEFAULT_URL: &str = "https://api.yookassa.ru/v3";

/// YooKassa answers within 30 s or with a 500 (§1): a little longer, then the answer is
/// unknown and the call is made again with the same key.
const TIMEOUT: Duration = Duration::from_secs(35);

/// The refunds API at a base URL. Holds no secret: the shop is given to each call.
#[derive(Clone, Debug)]
pub struct RefundsApi {
    http: reqwest::Client,
    base: String,
}

/// What YooKassa said of a refund.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Answer {
    /// The refund object: its id and status (`pending`, `succeeded`, `canceled`), and why it
    /// was canceled.
    Refund {
        id: String,
        status: String,
        cancel_reason: Option<String>,
    },
    /// No definite answer (a 5xx, a 202, a 429, a timeout): ask again with the same key.
    Unsure(String),
    /// Refused (a 4xx): asking again will not help.
    Refused(String),
}

#[derive(Deserialize)]
struct RefundObject {
    id: String,
    status: String,
    #[serde(default)]
    cancellation_details: Option<CancellationDetails>,
}

#[derive(Deserialize)]
struct CancellationDetails {
    reason: Option<String>,
}

#[derive(Deserialize)]
struct ErrorObject {
    code: Option<String>,
    description: Option<String>,
    parameter: Option<String>,
}

/// "450.00" for 45 000 kopecks: YooKassa's amounts are strings of the major unit.
#[must_use]
pub fn amount_value(minor: i64) -> String {
    let minor = minor.max(0);
    format!("{}.{:02}", minor / 100, minor % 100)
}

impl RefundsApi {
    #[must_use]
    pub fn new(base: &str) -> Self {
        let http = reqwest::Client::builder()
            .timeout(TIMEOUT)
            .build()
            .unwrap_or_default();
        Self {
            http,
            base: base.trim_end_matches('/').to_owned(),
        }
    }

    /// Asks YooKassa to give `amount_minor` of the payment `payment_id` back, under `key`:
    /// the same key on every try, so a retried call refunds once.
    pub async fn create(
        &self,
        shop: &Shop,
        key: Uuid,
        payment_id: &str,
        amount_minor: i64,
        currency: &str,
    ) -> Answer {
        let body = json!({
            "payment_id": payment_id,
            "amount": { "value": amount_value(amount_minor), "currency": currency },
        });
        let request = self
            .http
            .post(format!("{}/refunds", self.base))
            .basic_auth(&shop.id, Some(shop.secret.expose_secret()))
            .header("Idempotence-Key", key.to_string())
            .json(&body);
        read(request.send().await).await
    }

    /// The refund `id` as it is now.
    pub async fn get(&self, shop: &Shop, id: &str) -> Answer {
        let request = self
            .http
            .get(format!("{}/refunds/{id}", self.base))
            .basic_auth(&shop.id, Some(shop.secret.expose_secret()));
        read(request.send().await).await
    }
}

async fn read(sent: Result<reqwest::Response, reqwest::Error>) -> Answer {
    let response = match sent {
        Ok(r) => r,
        // Never the request itself in the message: its headers carry the shop's secret.
        Err(e) if e.is_timeout() => return Answer::Unsure("no answer in time".into()),
        Err(_) => return Answer::Unsure("YooKassa could not be reached".into()),
    };
    let status = response.status();
    let text = response.text().await.unwrap_or_default();
    if status == reqwest::StatusCode::OK {
        return match serde_json::from_str::<RefundObject>(&text) {
            Ok(r) => Answer::Refund {
                id: r.id,
                status: r.status,
                cancel_reason: r.cancellation_details.and_then(|d| d.reason),
            },
            Err(_) => Answer::Unsure("an answer that is not a refund".into()),
        };
    }
    let error = serde_json::from_str::<ErrorObject>(&text).ok();
    let said = error.map_or_else(String::new, |e| {
        format!(
            ": {} {}{}",
            e.code.unwrap_or_default(),
            e.parameter.map(|p| format!("({p}) ")).unwrap_or_default(),
            e.description.unwrap_or_default()
        )
    });
    let what = format!("HTTP {}{said}", status.as_u16());
    if status.is_server_error()
        || status == reqwest::StatusCode::ACCEPTED
        || status == reqwest::StatusCode::TOO_MANY_REQUESTS
    {
        Answer::Unsure(what)
    } else {
        Answer::Refused(what)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_are_major_units_with_two_decimals() {
        assert_eq!(amount_value(45_000), "450.00");
        assert_eq!(amount_value(1_505), "15.05");
        assert_eq!(amount_value(7), "0.07");
    }
}
