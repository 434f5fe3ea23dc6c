//! The control API of a bot host (`booking-bot host`, `crates/booking-bot/src/host/control.rs`)
//! as the deploy worker calls it: which tenants it serves, serve one with its token, stop
//! serving one. Every call carries the host's bearer secret; a token goes only in a request
//! body, and the host shows it back only as a SHA-256 fingerprint.

use std::time::Duration;

use booking_core::ids::TenantId;
use reqwest::StatusCode;
use secrecy::{ExposeSecret as _, SecretString};
use serde::Deserialize;

/// A host that does not answer within this is treated as unreachable.
const TIMEOUT: Duration = Duration::from_secs(10);

/// A tenant as its host serves it.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct Served {
    pub tenant_id: TenantId,
    /// The SHA-256 of the token it serves with, hex ([`fingerprint`]).
    pub token: String,
    pub state: ServedState,
}

/// How a served tenant is doing on its host.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ServedState {
    Running,
    /// The Bot API rejected the token; the host stopped the tenant until a new one comes.
    TokenRejected,
}

/// A call to a host that did not do what was asked.
#[derive(Debug, thiserror::Error)]
pub enum HostApiError {
    #[error("the bot host does not answer: {0}")]
    Unreachable(String),
    /// PostgreSQL refused the host the tenant's role (409).
    #[error("the bot host was not granted tenant {0}'s role")]
    NotGranted(TenantId),
    #[error("the bot host answered {status}: {detail}")]
    Refused { status: u16, detail: String },
}

/// The fingerprint a host shows for `token`.
pub use storage::host::token_fingerprint as fingerprint;

/// One host's control API.
#[derive(Clone)]
pub struct HostApi {
    http: reqwest::Client,
    base: String,
    secret: SecretString,
}

/// Without the secret.
impl std::fmt::Debug for HostApi {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HostApi").field("base", &self.base).finish()
    }
}

impl HostApi {
    /// The API at `base` (`http://127.0.0.1:8201`), authorised by `secret`.
    #[must_use]
    pub fn new(http: reqwest::Client, base: String, secret: SecretString) -> Self {
        Self { http, base, secret }
    }

    /// A client for host APIs: short timeouts, no proxy (hosts are on the worker's network).
    pub fn client() -> Result<reqwest::Client, reqwest::Error> {
        reqwest::Client::builder()
            .timeout(TIMEOUT)
            .connect_timeout(Duration::from_secs(3))
            .no_proxy()
            .build()
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    fn request(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        self.http
            .request(method, self.url(path))
            .bearer_auth(self.secret.expose_secret())
    }

    /// The tenants the host serves.
    pub async fn list(&self) -> Result<Vec<Served>, HostApiError> {
        let response = self
            .request(reqwest::Method::GET, "/host/tenants")
            .send()
            .await
            .map_err(unreachable)?;
        let response = ok(response).await?;
        response.json().await.map_err(unreachable)
    }

    /// Serves `tenant` with `token` and its own `secrets_key` (base64; it opens the tenant's
    /// payment account). The same ones again change nothing; another one restarts the tenant.
    pub async fn serve(
        &self,
        tenant: TenantId,
        token: &SecretString,
        secrets_key: &SecretString,
    ) -> Result<Served, HostApiError> {
        let body = serde_json::json!({
            "bot_token": token.expose_secret(),
            "secrets_key": secrets_key.expose_secret(),
        });
        let response = self
            .request(reqwest::Method::PUT, &format!("/host/tenants/{tenant}"))
            .json(&body)
            .send()
            .await
            .map_err(unreachable)?;
        if response.status() == StatusCode::CONFLICT {
            return Err(HostApiError::NotGranted(tenant));
        }
        let response = ok(response).await?;
        response.json().await.map_err(unreachable)
    }

    /// Stops serving `tenant`; false if it was not served.
    pub async fn remove(&self, tenant: TenantId) -> Result<bool, HostApiError> {
        let response = self
            .request(reqwest::Method::DELETE, &format!("/host/tenants/{tenant}"))
            .send()
            .await
            .map_err(unreachable)?;
        if response.status() == StatusCode::NOT_FOUND {
            return Ok(false);
        }
        ok(response).await?;
        Ok(true)
    }
}

/// reqwest's error without its source chain's noise; it names the URL, never the body.
fn unreachable(e: reqwest::Error) -> HostApiError {
    HostApiError::Unreachable(e.without_url().to_string())
}

async fn ok(response: reqwest::Response) -> Result<reqwest::Response, HostApiError> {
    let status = response.status();
    if status.is_success() {
        return Ok(response);
    }
    // A problem document's `detail`, or the start of whatever came.
    let text = response.text().await.unwrap_or_default();
    let detail = serde_json::from_str::<serde_json::Value>(&text)
        .ok()
        .and_then(|v| v["detail"].as_str().map(str::to_owned))
        .unwrap_or_else(|| text.chars().take(200).collect());
    Err(HostApiError::Refused {
        status: status.as_u16(),
        detail,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hosts_listing_reads() {
        let listed: Vec<Served> = serde_json::from_str(
            r#"[{"tenant_id": 7, "token": "ab", "state": "running"},
                {"tenant_id": 8, "token": "cd", "state": "token_rejected"}]"#,
        )
        .unwrap();
        assert_eq!(listed[0].tenant_id, TenantId(7));
        assert_eq!(listed[1].state, ServedState::TokenRejected);
    }

    #[test]
    fn debug_never_shows_the_secret() {
        let api = HostApi::new(
            reqwest::Client::new(),
            "http://127.0.0.1:1".to_owned(),
            SecretString::from("s3cr3t".to_owned()),
        );
        assert!(!format!("{api:?}").contains("s3cr3t"));
    }
}
