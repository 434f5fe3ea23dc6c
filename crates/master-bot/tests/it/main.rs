//! The operator REST API over real HTTP: the real router on 127.0.0.1:0, a fresh PostgreSQL
//! database per test.

// Tests may unwrap: a panic is a failed test with its line.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod auth;
mod billing;
mod bookings;
mod bot_token;
mod calendar;
mod cli;
mod monitor;
mod openapi;
mod operator_bot;
mod operator_support;
mod payment_terms;
mod placement;
mod tenants;

use std::sync::Arc;

use booking_core::{clock::ManualClock, ids::TenantId};
use chrono::{DateTime, TimeZone, Utc};
use master_bot::{
    api::{
        ApiState, RateLimit,
        state::{ApiSettings, PlatformKeys},
    },
    bot_api::BotApi,
};
use reqwest::{Method, StatusCode, header::HeaderMap};
use secrecy::ExposeSecret;
use serde_json::Value;
use storage::control::api_keys::{self, Scope};
use test_support::TestDb;
use tokio::sync::oneshot;

/// 2026-06-01 is a Monday; 05:00 UTC is 08:00 in Moscow.
pub fn monday_morning() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 6, 1, 5, 0, 0).unwrap()
}

/// A running API and what a test needs to talk to it.
pub struct TestApp {
    pub t: TestDb,
    pub base: String,
    pub client: reqwest::Client,
    /// An operator key made through storage, as `master-bot apikey create --operator` does.
    pub operator: String,
    /// The Bot API server that getMe asks.
    pub sandbox: tg_sandbox::SandboxHandle,
    _stop: oneshot::Sender<()>,
}

/// An answer: status, headers and the JSON body (`Null` when empty).
#[derive(Debug)]
pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Value,
}

impl Answer {
    /// Asserts an RFC 9457 problem document with this status and code.
    pub fn assert_problem(&self, status: StatusCode, code: &str) {
        assert_eq!(self.status, status, "{:#}", self.body);
        assert_eq!(
            self.headers["content-type"], "application/problem+json",
            "{:#}",
            self.body
        );
        assert_eq!(self.body["status"], status.as_u16());
        assert_eq!(self.body["code"], code, "{:#}", self.body);
        assert!(self.body["type"].as_str().unwrap().ends_with(code));
        assert!(self.body["title"].is_string() && self.body["detail"].is_string());
    }

    /// The names of the invalid fields of a validation problem.
    pub fn fields(&self) -> Vec<String> {
        self.body["errors"]
            .as_array()
            .unwrap_or(&vec![])
            .iter()
            .map(|e| e["field"].as_str().unwrap().to_owned())
            .collect()
    }
}

impl TestApp {
    pub async fn spawn() -> Self {
        Self::spawn_with(RateLimit {
            burst: 10_000,
            per_second: 10_000,
        })
        .await
    }

    pub async fn spawn_with(limit: RateLimit) -> Self {
        Self::spawn_custom(limit, true, None).await
    }

    /// With or without a data key, and with the Bot API at `bot_api` instead of the sandbox.
    pub async fn spawn_custom(limit: RateLimit, data_key: bool, bot_api: Option<&str>) -> Self {
        let settings = ApiSettings {
            rate_limit: limit,
            // Tests send bad keys on purpose; the limit on them has tests of its own.
            auth_failures: RateLimit {
                burst: 10_000,
                per_second: 10_000,
            },
            ..ApiSettings::default()
        };
        Self::spawn_settings(settings, data_key, bot_api).await
    }

    /// With these settings (limits, trusted proxies).
    pub async fn spawn_settings(
        settings: ApiSettings,
        data_key: bool,
        bot_api: Option<&str>,
    ) -> Self {
        let t = TestDb::new().await;
        // The test database's own key: what the API seals, a test can open.
        let key = data_key.then(|| t.data_key.clone());
        let clock = Arc::new(ManualClock::new(monday_morning()));
        let sandbox = tg_sandbox::spawn(tg_sandbox::Config::default())
            .await
            .unwrap();
        let bot_api = BotApi::new(bot_api.unwrap_or(sandbox.url().as_str())).unwrap();
        let keys = PlatformKeys {
            data_key: key,
            ..PlatformKeys::default()
        };
        let state = ApiState::with(t.db.clone(), keys, clock, bot_api, settings);
        let app = master_bot::serve::app(&t.db, state);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let (stop, stopped) = oneshot::channel::<()>();
        tokio::spawn(telemetry::serve(listener, app, async {
            let _ = stopped.await;
        }));
        let (_, operator) = api_keys::create(t.db.pool(), Scope::Operator, "tests")
            .await
            .unwrap();
        Self {
            t,
            base,
            client: reqwest::Client::new(),
            operator: operator.expose_secret().to_owned(),
            sandbox,
            _stop: stop,
        }
    }

    /// A fresh key of one tenant.
    pub async fn tenant_key(&self, tenant: TenantId) -> String {
        let (_, key) = api_keys::create(self.t.db.pool(), Scope::Tenant(tenant), "tenant")
            .await
            .unwrap();
        key.expose_secret().to_owned()
    }

    /// Sends a request under `/api/v1`, with a key, a JSON body and an Idempotency-Key.
    pub async fn send(
        &self,
        method: Method,
        path: &str,
        key: Option<&str>,
        body: Option<&Value>,
        idempotency_key: Option<&str>,
    ) -> Answer {
        let mut req = self
            .client
            .request(method, format!("{}/api/v1{path}", self.base));
        if let Some(key) = key {
            req = req.bearer_auth(key);
        }
        if let Some(body) = body {
            req = req.json(body);
        }
        if let Some(idem) = idempotency_key {
            req = req.header("Idempotency-Key", idem);
        }
        let resp = req.send().await.unwrap();
        let status = resp.status();
        let headers = resp.headers().clone();
        let bytes = resp.bytes().await.unwrap();
        let body = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes)
                .unwrap_or_else(|_| panic!("not JSON: {}", String::from_utf8_lossy(&bytes)))
        };
        Answer {
            status,
            headers,
            body,
        }
    }

    pub async fn get(&self, path: &str, key: &str) -> Answer {
        self.send(Method::GET, path, Some(key), None, None).await
    }

    pub async fn post(&self, path: &str, key: &str, body: &Value) -> Answer {
        self.send(Method::POST, path, Some(key), Some(body), None)
            .await
    }

    /// How many audit lines with this action exist.
    pub async fn audited(&self, action: &str) -> i64 {
        sqlx::query_scalar("select count(*) from control.audit_log where action = $1")
            .bind(action)
            .fetch_one(self.t.db.pool())
            .await
            .unwrap()
    }
}
