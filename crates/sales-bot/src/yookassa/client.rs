//! The YooKassa API client: Basic auth with the shop id and secret key, the Idempotence-Key
//! the caller stored before calling, and retries that resend the very same bytes.

use std::time::Duration;

use base64::Engine as _;
use reqwest::{Method, StatusCode, Url};
use secrecy::{ExposeSecret as _, SecretString};
use serde::{Serialize, de::DeserializeOwned};

use super::model::{ApiErrorBody, CreatePayment, CreateRefund, Payment, Refund};

/// YooKassa's production API.
pub const PRODUCTION: &str = "https://api.yookassa.ru/v3";

/// A shop's id (the Basic-auth user name and `recipient.account_id`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShopId(pub String);

/// How often and how patiently a request whose outcome is unknown is resent.
#[derive(Copy, Clone, Debug)]
pub struct RetryPolicy {
    /// Attempts in all, the first included.
    pub attempts: u32,
    /// The first pause; it doubles each time, capped at [`RetryPolicy::max_delay`].
    pub first_delay: Duration,
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            attempts: 5,
            first_delay: Duration::from_secs(1),
            max_delay: Duration::from_secs(30),
        }
    }
}

/// Why a YooKassa call failed. Only [`YooKassaError::Unknown`] may have left something done
/// on YooKassa's side; callers resend it later with the same key (or fetch the object).
#[derive(Debug, thiserror::Error)]
pub enum YooKassaError {
    /// A 4xx: the request is wrong and resending it unchanged cannot help.
    #[error("YooKassa refused the request ({status}): {code}{}", parameter.as_deref().map(|p| format!(" ({p})")).unwrap_or_default())]
    Rejected {
        status: u16,
        code: String,
        parameter: Option<String>,
        description: Option<String>,
    },
    /// A 500, 202, 429 or a transport failure, still so after every retry: the outcome is not
    /// known.
    #[error("YooKassa's answer is unknown after {attempts} attempts: {last}")]
    Unknown { attempts: u32, last: String },
    /// A 200 whose body is not the object we asked for.
    #[error("YooKassa's answer could not be read: {0}")]
    Unreadable(String),
}

impl YooKassaError {
    /// The idempotence key was used before for another request: a bug on our side.
    #[must_use]
    pub fn is_key_reused(&self) -> bool {
        matches!(self, Self::Rejected { code, parameter, .. }
            if code == "invalid_request" && parameter.as_deref() == Some("Idempotence-Key"))
    }
}

/// A YooKassa shop's API.
#[derive(Clone)]
pub struct YooKassa {
    http: reqwest::Client,
    base: Url,
    shop: ShopId,
    secret: SecretString,
    retry: RetryPolicy,
}

impl std::fmt::Debug for YooKassa {
    // The secret key is never printed.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("YooKassa")
            .field("base", &self.base.as_str())
            .field("shop", &self.shop)
            .finish_non_exhaustive()
    }
}

impl YooKassa {
    /// `base` is `https://api.yookassa.ru/v3` in production, the fake's address in tests.
    pub fn new(
        base: &str,
        shop: ShopId,
        secret: SecretString,
        retry: RetryPolicy,
    ) -> anyhow::Result<Self> {
        let base = Url::parse(&format!("{}/", base.trim_end_matches('/')))?;
        let http = reqwest::Client::builder()
            // YooKassa answers within 30 s or says 500 (docs); a little over that is "unknown".
            .timeout(Duration::from_secs(35))
            .build()?;
        Ok(Self {
            http,
            base,
            shop,
            secret,
            retry,
        })
    }

    #[must_use]
    pub fn shop(&self) -> &ShopId {
        &self.shop
    }

    /// The same client with another retry policy (the webhook asks once: YooKassa redelivers
    /// a notification we could not check, so waiting out an outage inside it helps nobody).
    #[must_use]
    pub fn with_retry(&self, retry: RetryPolicy) -> Self {
        Self {
            retry,
            ..self.clone()
        }
    }

    /// Creates a payment under `key`, which the caller stored before calling. Every retry sends
    /// the same key and the same bytes, so YooKassa makes at most one payment.
    pub async fn create_payment(
        &self,
        key: &str,
        request: &CreatePayment,
    ) -> Result<Payment, YooKassaError> {
        self.send(Method::POST, "payments", Some((key, request)))
            .await
    }

    /// The payment as YooKassa has it now; `None` if YooKassa does not know it (404).
    pub async fn get_payment(&self, id: &str) -> Result<Option<Payment>, YooKassaError> {
        if !is_object_id(id) {
            return Ok(None);
        }
        not_found_as_none(
            self.send::<(), _>(Method::GET, &format!("payments/{id}"), None)
                .await,
        )
    }

    pub async fn create_refund(
        &self,
        key: &str,
        request: &CreateRefund,
    ) -> Result<Refund, YooKassaError> {
        self.send(Method::POST, "refunds", Some((key, request)))
            .await
    }

    pub async fn get_refund(&self, id: &str) -> Result<Option<Refund>, YooKassaError> {
        if !is_object_id(id) {
            return Ok(None);
        }
        not_found_as_none(
            self.send::<(), _>(Method::GET, &format!("refunds/{id}"), None)
                .await,
        )
    }

    async fn send<B: Serialize, T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        body: Option<(&str, &B)>,
    ) -> Result<T, YooKassaError> {
        let url = self
            .base
            .join(path)
            .map_err(|e| YooKassaError::Unreadable(e.to_string()))?;
        // Serialised once: a retry must be byte-for-byte the first request.
        let body = body
            .map(|(key, b)| serde_json::to_vec(b).map(|bytes| (key.to_owned(), bytes)))
            .transpose()
            .map_err(|e| YooKassaError::Unreadable(e.to_string()))?;
        let auth = format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(format!(
                "{}:{}",
                self.shop.0,
                self.secret.expose_secret()
            ))
        );
        let mut delay = self.retry.first_delay;
        let mut last = String::new();
        for attempt in 1..=self.retry.attempts.max(1) {
            if attempt > 1 {
                tokio::time::sleep(delay).await;
                delay = (delay * 2).min(self.retry.max_delay);
            }
            let mut request = self
                .http
                .request(method.clone(), url.clone())
                .header(reqwest::header::AUTHORIZATION, &auth);
            if method == Method::GET {
                // Reads have no 30-second processing window: a slow one is an outage.
                request = request.timeout(Duration::from_secs(10));
            }
            if let Some((key, bytes)) = &body {
                request = request
                    .header("Idempotence-Key", key)
                    .header(reqwest::header::CONTENT_TYPE, "application/json")
                    .body(bytes.clone());
            }
            let response = match request.send().await {
                Ok(r) => r,
                Err(e) => {
                    last = transport(&e);
                    tracing::warn!(%path, attempt, error = %last, "YooKassa unreachable; retrying");
                    continue;
                }
            };
            let status = response.status();
            let bytes = match response.bytes().await {
                Ok(b) => b,
                Err(e) => {
                    last = transport(&e);
                    continue;
                }
            };
            if status == StatusCode::OK {
                return serde_json::from_slice(&bytes)
                    .map_err(|e| YooKassaError::Unreadable(e.to_string()));
            }
            let error: Option<ApiErrorBody> = serde_json::from_slice(&bytes).ok();
            if status.is_server_error()
                || status == StatusCode::ACCEPTED
                || status == StatusCode::TOO_MANY_REQUESTS
            {
                // The outcome is unknown: resend the same request (the docs' advice).
                if let Some(ms) = error.as_ref().and_then(|e| e.retry_after) {
                    delay = Duration::from_millis(ms).min(self.retry.max_delay);
                }
                last = format!("HTTP {}", status.as_u16());
                tracing::warn!(%path, attempt, status = status.as_u16(), "YooKassa's outcome unknown; retrying");
                continue;
            }
            return Err(match error {
                Some(e) => YooKassaError::Rejected {
                    status: status.as_u16(),
                    code: e.code,
                    parameter: e.parameter,
                    description: e.description,
                },
                None => YooKassaError::Rejected {
                    status: status.as_u16(),
                    code: format!("http_{}", status.as_u16()),
                    parameter: None,
                    description: None,
                },
            });
        }
        Err(YooKassaError::Unknown {
            attempts: self.retry.attempts.max(1),
            last,
        })
    }
}

fn not_found_as_none<T>(result: Result<T, YooKassaError>) -> Result<Option<T>, YooKassaError> {
    match result {
        Ok(t) => Ok(Some(t)),
        Err(YooKassaError::Rejected { status: 404, .. }) => Ok(None),
        Err(e) => Err(e),
    }
}

/// YooKassa's ids are UUID-like; anything else (from a forged notification) is not sent into
/// a URL path.
fn is_object_id(id: &str) -> bool {
    (1..=64).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// A transport error's kind, without the URL (harmless here, but kept uniform with the bots).
fn transport(e: &reqwest::Error) -> String {
    if e.is_timeout() {
        "timed out".to_owned()
    } else if e.is_connect() {
        "connection failed".to_owned()
    } else {
        "request failed".to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn object_ids_are_checked_before_they_reach_a_path() {
        assert!(is_object_id("2419a771-000f-5000-9000-1edaf29243f2"));
        assert!(!is_object_id("../refunds"));
        assert!(!is_object_id(""));
        assert!(!is_object_id("a?b"));
    }

    #[test]
    fn the_secret_key_is_not_in_debug_output() {
        let client = YooKassa::new(
            PRODUCTION,
            ShopId("100500".into()),
            SecretString::from("live_supersecret"),
            RetryPolicy::default(),
        )
        .unwrap();
        assert!(!format!("{client:?}").contains("supersecret"));
    }
}
