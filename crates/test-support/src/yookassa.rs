//! A fake YooKassa API v3 for tests: the parts the platform uses, with the real shapes and
//! rules (see `../shared/reference/yookassa.md`), and a control surface for the test.
//!
//! YooKassa surface (HTTP, under `/v3`): `POST /payments`, `GET /payments/{id}`,
//! `GET /payments`, `POST /payments/{id}/capture`, `POST /payments/{id}/cancel`,
//! `POST /refunds`, `GET /refunds/{id}`. Basic auth (401 `invalid_credentials`), JSON only on
//! POST (415), the Idempotence-Key rules (missing or over 64 characters: 400; same key and
//! same request: the first answer again; same key, another request: 400 with `parameter:
//! "Idempotence-Key"`), request checks (amount, description, metadata, receipt), and the
//! status machine (`succeeded` and `canceled` are final; capture and cancel only from
//! `waiting_for_capture`; refunds only of `succeeded` payments, capped by the amount).
//!
//! Test control (Rust methods on [`FakeYooKassa`], never part of the HTTP surface): pay or
//! cancel a payment as the buyer would, script the outcome of charges of a saved method,
//! inject faults (a 500 after the payment was made, a 500 before, a 202, a 429), tamper with a
//! payment, and send notifications to a URL from a chosen source address.

#![allow(clippy::expect_used)] // a poisoned lock in a test double should stop the test

use std::{
    collections::{BTreeMap, HashMap, VecDeque},
    net::{IpAddr, SocketAddr},
    sync::{Arc, Mutex, MutexGuard},
};

use axum::{
    Json, Router,
    body::Bytes,
    extract::{Path, Query, State},
    http::{HeaderMap, StatusCode, header},
    response::{IntoResponse, Response},
    routing::{get, post},
};
use base64::Engine as _;
use chrono::{SecondsFormat, Utc};
use serde_json::{Value, json};
use tokio::{net::TcpListener, task::JoinHandle};

/// A fault the next matching request meets.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Fault {
    /// The request is carried out (the payment IS made and stored under its key), but the
    /// answer is 500: the client cannot know what happened.
    Error500Applied,
    /// 500 and nothing is done.
    Error500NotApplied,
    /// 202 "still processing", nothing done yet.
    Accepted202,
    /// 429 with `retry_after` (milliseconds) in the body.
    TooManyRequests429,
}

/// How a charge of a saved payment method ends.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ChargeOutcome {
    Succeeded,
    /// Canceled with this `cancellation_details.reason` (`insufficient_funds`, ...).
    Canceled(String),
}

/// One request as the fake received it.
#[derive(Clone, Debug)]
pub struct Received {
    pub method: &'static str,
    pub path: String,
    pub idempotence_key: Option<String>,
    pub body: Value,
    /// The answer's HTTP status.
    pub status: u16,
}

#[derive(Default)]
struct Inner {
    payments: BTreeMap<String, Value>,
    refunds: BTreeMap<String, Value>,
    /// Creation order of payments, newest last.
    order: Vec<String>,
    /// Idempotence key → (the request it was first used for, the stored answer).
    keys: HashMap<String, (String, u16, Value)>,
    faults: VecDeque<Fault>,
    /// GETs still to answer with a 500.
    failing_gets: u32,
    charges: VecDeque<ChargeOutcome>,
    received: Vec<Received>,
}

#[derive(Clone)]
struct Shared {
    shop_id: String,
    secret_key: String,
    test: bool,
    base: String,
    inner: Arc<Mutex<Inner>>,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().expect("fake YooKassa state")
    }
}

/// A running fake YooKassa; stopped when dropped.
pub struct FakeYooKassa {
    shared: Shared,
    addr: SocketAddr,
    task: JoinHandle<()>,
}

impl Drop for FakeYooKassa {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl FakeYooKassa {
    /// A shop with this id and secret key, serving on a free loopback port. Its payments are
    /// test-shop payments (`"test": true`), as a real test shop's are.
    pub async fn start(shop_id: &str, secret_key: &str) -> Self {
        Self::start_on("127.0.0.1:0", shop_id, secret_key).await
    }

    /// As [`FakeYooKassa::start`], on `addr`: for a platform in containers, which reach the
    /// test's machine at an address of its own, not its loopback.
    pub async fn start_on(addr: &str, shop_id: &str, secret_key: &str) -> Self {
        let listener = TcpListener::bind(addr)
            .await
            .expect("bind the fake YooKassa");
        let addr = listener.local_addr().expect("local address");
        let shared = Shared {
            shop_id: shop_id.to_owned(),
            secret_key: secret_key.to_owned(),
            test: true,
            base: format!("http://{addr}"),
            inner: Arc::default(),
        };
        let app = Router::new()
            .route("/v3/payments", post(create_payment).get(list_payments))
            .route("/v3/payments/{id}", get(get_payment))
            .route("/v3/payments/{id}/capture", post(capture))
            .route("/v3/payments/{id}/cancel", post(cancel))
            .route("/v3/refunds", post(create_refund))
            .route("/v3/refunds/{id}", get(get_refund))
            .with_state(shared.clone());
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Self { shared, addr, task }
    }

    /// The API base, as the client is configured with it (`http://127.0.0.1:<port>/v3`).
    #[must_use]
    pub fn api_url(&self) -> String {
        format!("http://{}/v3", self.addr)
    }

    /// The next request that can fail this way (a POST) meets `fault`; faults queue up.
    pub fn fail_next(&self, fault: Fault) {
        self.shared.lock().faults.push_back(fault);
    }

    /// The next `n` GETs of a payment or refund answer 500 (YooKassa having a bad minute).
    pub fn fail_next_gets(&self, n: u32) {
        self.shared.lock().failing_gets = n;
    }

    /// The outcome of the next charge of a saved payment method (default: succeeded).
    pub fn next_charge(&self, outcome: ChargeOutcome) {
        self.shared.lock().charges.push_back(outcome);
    }

    /// 24 hours pass for the idempotence keys: YooKassa forgets them, and a request with an old
    /// key is processed as new (a second payment, if the client resent a create).
    pub fn expire_keys(&self) {
        self.shared.lock().keys.clear();
    }

    /// Every payment, oldest first.
    #[must_use]
    pub fn payments(&self) -> Vec<Value> {
        let inner = self.shared.lock();
        inner
            .order
            .iter()
            .filter_map(|id| inner.payments.get(id).cloned())
            .collect()
    }

    #[must_use]
    pub fn payment(&self, id: &str) -> Option<Value> {
        self.shared.lock().payments.get(id).cloned()
    }

    /// A payment a buyer made through Telegram Payments with this shop's provider token:
    /// YooKassa holds it as a `succeeded` payment of `kopecks`, and Telegram hands its id to the
    /// bot as `provider_payment_charge_id` (the id refunds name). Returns the id.
    pub fn paid_in_telegram(&self, kopecks: i64, currency: &str) -> String {
        let id = uuid::Uuid::new_v4().to_string();
        self.paid_in_telegram_as(&id, kopecks, currency);
        id
    }

    /// [`Self::paid_in_telegram`] under the id Telegram gave the bot (the sandbox's
    /// `provider_payment_charge_id`), as YooKassa and Telegram share one payment id.
    pub fn paid_in_telegram_as(&self, id: &str, kopecks: i64, currency: &str) {
        let mut payment = json!({
            "id": id,
            "status": "pending",
            "paid": false,
            "amount": { "value": format_kopecks(kopecks), "currency": currency },
            "created_at": now(),
            "metadata": {},
            "recipient": { "account_id": self.shared.shop_id, "gateway_id": "100700" },
            "refundable": false,
            "test": self.shared.test,
        });
        settle_paid(&mut payment, true, &self.shared.shop_id);
        let mut inner = self.shared.lock();
        inner.payments.insert(id.to_owned(), payment);
        inner.order.push(id.to_owned());
    }

    /// Every refund made, in the order of their ids (use `payment_id` to tell them apart).
    #[must_use]
    pub fn refunds(&self) -> Vec<Value> {
        self.shared.lock().refunds.values().map(public).collect()
    }

    /// Every request received so far.
    #[must_use]
    pub fn received(&self) -> Vec<Received> {
        self.shared.lock().received.clone()
    }

    /// The buyer pays on the confirmation page: a pending payment becomes `succeeded` (or
    /// `waiting_for_capture` when it was made with `capture: false`), and a method asked to be
    /// saved is saved. Returns the payment after the change; `None` for an unknown id.
    pub fn pay(&self, id: &str) -> Option<Value> {
        let mut inner = self.shared.lock();
        let payment = inner.payments.get_mut(id)?;
        if payment["status"] == "pending" {
            let capture = payment["_capture"].as_bool().unwrap_or(false);
            settle_paid(payment, capture, &self.shared.shop_id);
        }
        Some(public(payment))
    }

    /// The payment is canceled with `reason` (the buyer gave up, the term ran out...). Only
    /// a pending or waiting payment changes.
    pub fn cancel(&self, id: &str, reason: &str) -> Option<Value> {
        let mut inner = self.shared.lock();
        let payment = inner.payments.get_mut(id)?;
        if payment["status"] == "pending" || payment["status"] == "waiting_for_capture" {
            mark_canceled(payment, "yoo_money", reason);
        }
        Some(public(payment))
    }

    /// Changes a stored payment by hand (a test that needs YooKassa to say something odd,
    /// such as another amount than the order's).
    pub fn tamper(&self, id: &str, change: impl FnOnce(&mut Value)) {
        if let Some(payment) = self.shared.lock().payments.get_mut(id) {
            change(payment);
        }
    }

    /// Sends the notification of `event` with the payment (or refund) `id` as it is now, to
    /// `url`, from `source` (any 127.0.0.0/8 address is local on Linux). Returns the status
    /// the receiver answered.
    pub async fn notify(&self, url: &str, event: &str, id: &str, source: IpAddr) -> u16 {
        let object = {
            let inner = self.shared.lock();
            inner
                .payments
                .get(id)
                .or_else(|| inner.refunds.get(id))
                .map(public)
        };
        let object = object.unwrap_or_else(|| json!({ "id": id }));
        self.notify_raw(
            url,
            &json!({ "type": "notification", "event": event, "object": object }),
            source,
        )
        .await
    }

    /// Sends the notification like YooKassa does: again after each answer other than 200,
    /// with the pauses given (YooKassa's own run from 10 s to a day; tests compress them).
    /// Returns every status received.
    pub async fn notify_until_delivered(
        &self,
        url: &str,
        event: &str,
        id: &str,
        source: IpAddr,
        pauses: &[std::time::Duration],
    ) -> Vec<u16> {
        let mut statuses = vec![self.notify(url, event, id, source).await];
        for pause in pauses {
            if statuses.last() == Some(&200) {
                break;
            }
            tokio::time::sleep(*pause).await;
            statuses.push(self.notify(url, event, id, source).await);
        }
        statuses
    }

    /// Sends any body as a notification (a forged one, too).
    pub async fn notify_raw(&self, url: &str, body: &Value, source: IpAddr) -> u16 {
        let client = reqwest::Client::builder()
            .local_address(source)
            .build()
            .expect("notification client");
        // YooKassa sends no signature header; nor does the fake.
        client
            .post(url)
            .json(body)
            .send()
            .await
            .map(|r| r.status().as_u16())
            .expect("the notification reaches the receiver")
    }
}

/// The object as YooKassa shows it: without the fake's own `_` fields.
fn public(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .filter(|(k, _)| !k.starts_with('_'))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        ),
        other => other.clone(),
    }
}

fn now() -> String {
    Utc::now().to_rfc3339_opts(SecondsFormat::Millis, true)
}

fn settle_paid(payment: &mut Value, capture: bool, shop: &str) {
    payment["paid"] = json!(true);
    if capture {
        payment["status"] = json!("succeeded");
        payment["captured_at"] = json!(now());
        payment["refundable"] = json!(true);
        payment["income_amount"] = payment["amount"].clone();
    } else {
        payment["status"] = json!("waiting_for_capture");
        payment["expires_at"] = json!(
            (Utc::now() + chrono::Duration::days(7)).to_rfc3339_opts(SecondsFormat::Millis, true)
        );
    }
    let saved = payment["_save"].as_bool().unwrap_or(false);
    let id = payment["id"].clone();
    if payment.get("payment_method").is_none() {
        payment["payment_method"] = json!({
            "type": "bank_card", "id": id, "saved": saved, "title": "Bank card *4444",
            "card": {"first6": "555555", "last4": "4444", "expiry_month": "07",
                     "expiry_year": "2030", "card_type": "MasterCard"}
        });
    }
    payment["recipient"]["account_id"] = json!(shop);
}

fn mark_canceled(payment: &mut Value, party: &str, reason: &str) {
    payment["status"] = json!("canceled");
    payment["paid"] = json!(false);
    payment["refundable"] = json!(false);
    payment["cancellation_details"] = json!({ "party": party, "reason": reason });
}

fn error(status: StatusCode, code: &str, parameter: Option<&str>, description: &str) -> Response {
    let mut body = json!({
        "type": "error",
        "id": uuid::Uuid::new_v4().to_string(),
        "code": code,
        "description": description,
    });
    if let Some(p) = parameter {
        body["parameter"] = json!(p);
    }
    (status, Json(body)).into_response()
}

fn take_failing_get(shared: &Shared) -> bool {
    let mut inner = shared.lock();
    if inner.failing_gets > 0 {
        inner.failing_gets -= 1;
        true
    } else {
        false
    }
}

fn authorised(shared: &Shared, headers: &HeaderMap) -> bool {
    let expected = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD
            .encode(format!("{}:{}", shared.shop_id, shared.secret_key))
    );
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v == expected)
}

/// What every POST goes through: auth, content type, the key, faults, and replays.
/// `apply` makes the object and its answer.
fn post_with_key(
    shared: &Shared,
    headers: &HeaderMap,
    path: &str,
    body: &Bytes,
    apply: impl FnOnce(&mut Inner, &Value) -> (StatusCode, Value),
) -> Response {
    let key = headers
        .get("Idempotence-Key")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let parsed: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    let response = post_checked(shared, headers, path, body, &parsed, key.as_deref(), apply);
    shared.lock().received.push(Received {
        method: "POST",
        path: path.to_owned(),
        idempotence_key: key,
        body: parsed,
        status: response.status().as_u16(),
    });
    response
}

fn post_checked(
    shared: &Shared,
    headers: &HeaderMap,
    path: &str,
    body: &Bytes,
    parsed: &Value,
    key: Option<&str>,
    apply: impl FnOnce(&mut Inner, &Value) -> (StatusCode, Value),
) -> Response {
    if !authorised(shared, headers) {
        return error(
            StatusCode::UNAUTHORIZED,
            "invalid_credentials",
            None,
            "Login and password are invalid",
        );
    }
    let json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if !json {
        return StatusCode::UNSUPPORTED_MEDIA_TYPE.into_response();
    }
    let Some(key) = key.filter(|k| !k.is_empty()) else {
        return error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            Some("Idempotence-Key"),
            "Idempotence key is empty",
        );
    };
    if key.chars().count() > 64 {
        return error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            Some("Idempotence-Key"),
            "Idempotence key is too long",
        );
    }
    if parsed.is_null() {
        return error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            None,
            "Request body is not valid JSON",
        );
    }
    let fingerprint = format!("POST {path} {}", String::from_utf8_lossy(body));
    let mut inner = shared.lock();
    if let Some((first, status, answer)) = inner.keys.get(key) {
        if *first != fingerprint {
            return error(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                Some("Idempotence-Key"),
                "Idempotence key duplicated",
            );
        }
        let (status, answer) = (*status, answer.clone());
        // A replay also meets a queued fault that says "not applied": YooKassa may 500 again.
        if inner.faults.front() == Some(&Fault::Error500NotApplied) {
            inner.faults.pop_front();
            return error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal_server_error",
                None,
                "Internal server error",
            );
        }
        return (
            StatusCode::from_u16(status).unwrap_or(StatusCode::OK),
            Json(answer),
        )
            .into_response();
    }
    let fault = inner.faults.pop_front();
    match fault {
        Some(Fault::Error500NotApplied) => {
            return error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal_server_error",
                None,
                "Internal server error",
            );
        }
        Some(Fault::Accepted202) => {
            return (
                StatusCode::ACCEPTED,
                Json(json!({"type": "processing", "retry_after": 10})),
            )
                .into_response();
        }
        Some(Fault::TooManyRequests429) => {
            let mut body = json!({
                "type": "error", "id": uuid::Uuid::new_v4().to_string(),
                "code": "too_many_requests", "description": "Too many requests",
            });
            body["retry_after"] = json!(10);
            return (StatusCode::TOO_MANY_REQUESTS, Json(body)).into_response();
        }
        Some(Fault::Error500Applied) | None => {}
    }
    let (status, answer) = apply(&mut inner, parsed);
    // Only a definite answer is kept under the key; a 4xx too (a resend gets the same 4xx).
    inner.keys.insert(
        key.to_owned(),
        (fingerprint, status.as_u16(), answer.clone()),
    );
    if fault == Some(Fault::Error500Applied) {
        return error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal_server_error",
            None,
            "Internal server error",
        );
    }
    (status, Json(answer)).into_response()
}

fn invalid(parameter: &str, description: &str) -> (StatusCode, Value) {
    (
        StatusCode::BAD_REQUEST,
        json!({
            "type": "error", "id": uuid::Uuid::new_v4().to_string(),
            "code": "invalid_request", "parameter": parameter, "description": description,
        }),
    )
}

/// An amount in kopecks, if `value` is a positive decimal with at most two places.
fn kopecks(amount: &Value) -> Option<i64> {
    let value = amount.get("value")?.as_str()?;
    let (units, cents) = value.split_once('.').unwrap_or((value, ""));
    if units.is_empty() || !units.bytes().all(|b| b.is_ascii_digit()) || cents.len() > 2 {
        return None;
    }
    if !cents.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let cents: i64 = format!("{cents:0<2}").parse().ok()?;
    units
        .parse::<i64>()
        .ok()?
        .checked_mul(100)?
        .checked_add(cents)
}

fn format_kopecks(k: i64) -> String {
    format!("{}.{:02}", k / 100, k % 100)
}

fn check_payment_request(body: &Value) -> Result<i64, (StatusCode, Value)> {
    let amount = body
        .get("amount")
        .ok_or_else(|| invalid("amount", "Amount is required"))?;
    let total = kopecks(amount)
        .filter(|k| *k > 0)
        .ok_or_else(|| invalid("amount.value", "Invalid amount value"))?;
    let currency = amount["currency"].as_str().unwrap_or_default();
    if currency.len() != 3 || !currency.bytes().all(|b| b.is_ascii_uppercase()) {
        return Err(invalid("amount.currency", "Invalid currency"));
    }
    if body["description"]
        .as_str()
        .is_some_and(|d| d.chars().count() > 128)
    {
        return Err(invalid("description", "Description is too long"));
    }
    if let Some(metadata) = body.get("metadata").and_then(Value::as_object) {
        let bad = metadata.len() > 16
            || metadata.iter().any(|(k, v)| {
                k.chars().count() > 32 || v.as_str().is_none_or(|v| v.chars().count() > 512)
            });
        if bad {
            return Err(invalid("metadata", "Invalid metadata"));
        }
    }
    if let Some(confirmation) = body.get("confirmation")
        && (confirmation["type"] != "redirect" || confirmation["return_url"].as_str().is_none())
    {
        return Err(invalid("confirmation", "Invalid confirmation"));
    }
    if let Some(receipt) = body.get("receipt") {
        let customer = &receipt["customer"];
        if customer["email"].as_str().is_none() && customer["phone"].as_str().is_none() {
            return Err(invalid(
                "receipt.customer",
                "Both email and phone values are empty in receipt",
            ));
        }
        let items = receipt["items"].as_array().cloned().unwrap_or_default();
        if items.is_empty() {
            return Err(invalid("receipt.items", "Receipt items are empty"));
        }
        let mut sum = 0i64;
        for item in &items {
            let vat = item["vat_code"].as_u64().unwrap_or(0);
            if !(1..=12).contains(&vat) {
                return Err(invalid("receipt.items.vat_code", "Invalid vat_code"));
            }
            let price = kopecks(&item["amount"])
                .ok_or_else(|| invalid("receipt.items.amount", "Invalid item amount"))?;
            let quantity = item["quantity"]
                .as_str()
                .and_then(|q| kopecks(&json!({ "value": q })))
                .ok_or_else(|| invalid("receipt.items.quantity", "Invalid quantity"))?;
            sum += price * quantity / 100;
        }
        if sum != total {
            return Err(invalid(
                "receipt.items",
                "Sum of receipt items does not match the payment amount",
            ));
        }
    }
    Ok(total)
}

async fn create_payment(State(shared): State<Shared>, headers: HeaderMap, body: Bytes) -> Response {
    let shop = shared.shop_id.clone();
    let test = shared.test;
    let base = shared.base.clone();
    post_with_key(
        &shared,
        &headers,
        "/v3/payments",
        &body,
        move |inner, body| {
            let total = match check_payment_request(body) {
                Ok(total) => total,
                Err(e) => return e,
            };
            let id = uuid::Uuid::new_v4().to_string();
            let mut payment = json!({
                "id": id,
                "status": "pending",
                "paid": false,
                "amount": { "value": format_kopecks(total), "currency": body["amount"]["currency"] },
                "created_at": now(),
                "metadata": body.get("metadata").cloned().unwrap_or_else(|| json!({})),
                "recipient": { "account_id": shop, "gateway_id": "100700" },
                "refundable": false,
                "test": test,
                "_capture": body["capture"].as_bool().unwrap_or(false),
                "_save": body["save_payment_method"].as_bool().unwrap_or(false),
            });
            if let Some(d) = body.get("description") {
                payment["description"] = d.clone();
            }
            if let Some(method) = body["payment_method_id"].as_str() {
                // A charge of a saved method: no buyer, settled at once.
                payment["payment_method"] = json!({
                    "type": "bank_card", "id": method, "saved": true, "title": "Bank card *4444"
                });
                match inner
                    .charges
                    .pop_front()
                    .unwrap_or(ChargeOutcome::Succeeded)
                {
                    ChargeOutcome::Succeeded => {
                        let capture = payment["_capture"].as_bool().unwrap_or(false);
                        settle_paid(&mut payment, capture, &shop);
                    }
                    ChargeOutcome::Canceled(reason) => {
                        mark_canceled(&mut payment, "yoo_money", &reason);
                    }
                }
            } else if let Some(confirmation) = body.get("confirmation") {
                payment["confirmation"] = json!({
                    "type": "redirect",
                    "confirmation_url": format!("{base}/payment-confirm?orderId={id}"),
                    "return_url": confirmation["return_url"],
                });
            }
            inner.order.push(id.clone());
            inner.payments.insert(id, payment.clone());
            (StatusCode::OK, public(&payment))
        },
    )
}

async fn get_payment(
    State(shared): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    if !authorised(&shared, &headers) {
        return error(
            StatusCode::UNAUTHORIZED,
            "invalid_credentials",
            None,
            "Login and password are invalid",
        );
    }
    if take_failing_get(&shared) {
        return error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal_server_error",
            None,
            "Internal server error",
        );
    }
    let found = shared.lock().payments.get(&id).map(public);
    match found {
        Some(p) => Json(p).into_response(),
        None => error(
            StatusCode::NOT_FOUND,
            "not_found",
            None,
            "Payment not found",
        ),
    }
}

async fn list_payments(
    State(shared): State<Shared>,
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    if !authorised(&shared, &headers) {
        return error(
            StatusCode::UNAUTHORIZED,
            "invalid_credentials",
            None,
            "Login and password are invalid",
        );
    }
    let inner = shared.lock();
    // Newest first, one page (the fake never needs a cursor).
    let items: Vec<Value> = inner
        .order
        .iter()
        .rev()
        .filter_map(|id| inner.payments.get(id))
        .filter(|p| {
            query
                .get("status")
                .is_none_or(|s| p["status"] == s.as_str())
        })
        .map(public)
        .collect();
    Json(json!({ "type": "list", "items": items })).into_response()
}

async fn capture(
    State(shared): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let shop = shared.shop_id.clone();
    let path = format!("/v3/payments/{id}/capture");
    post_with_key(&shared, &headers, &path, &body, move |inner, _| {
        let Some(payment) = inner.payments.get_mut(&id) else {
            return (
                StatusCode::NOT_FOUND,
                json!({"type": "error", "code": "not_found", "description": "Payment not found"}),
            );
        };
        if payment["status"] != "waiting_for_capture" {
            return invalid("status", "Payment is not waiting for capture");
        }
        settle_paid(payment, true, &shop);
        (StatusCode::OK, public(payment))
    })
}

async fn cancel(
    State(shared): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let path = format!("/v3/payments/{id}/cancel");
    post_with_key(&shared, &headers, &path, &body, move |inner, _| {
        let Some(payment) = inner.payments.get_mut(&id) else {
            return (
                StatusCode::NOT_FOUND,
                json!({"type": "error", "code": "not_found", "description": "Payment not found"}),
            );
        };
        if payment["status"] != "waiting_for_capture" {
            return invalid(
                "status",
                "Only a payment waiting for capture can be canceled",
            );
        }
        mark_canceled(payment, "merchant", "canceled_by_merchant");
        (StatusCode::OK, public(payment))
    })
}

async fn create_refund(State(shared): State<Shared>, headers: HeaderMap, body: Bytes) -> Response {
    post_with_key(
        &shared,
        &headers,
        "/v3/refunds",
        &body,
        move |inner, body| {
            let Some(payment_id) = body["payment_id"].as_str() else {
                return invalid("payment_id", "Payment id is required");
            };
            let Some(amount) = kopecks(&body["amount"]).filter(|k| *k > 0) else {
                return invalid("amount.value", "Invalid amount value");
            };
            let Some(payment) = inner.payments.get_mut(payment_id) else {
                return invalid("payment_id", "Payment not found");
            };
            if payment["status"] != "succeeded" {
                return invalid("payment_id", "Only a succeeded payment can be refunded");
            }
            let paid = kopecks(&payment["amount"]).unwrap_or(0);
            let refunded = payment
                .get("refunded_amount")
                .and_then(kopecks)
                .unwrap_or(0);
            if refunded + amount > paid {
                return invalid("amount.value", "Refund amount exceeds the payment amount");
            }
            let currency = payment["amount"]["currency"].clone();
            payment["refunded_amount"] =
                json!({ "value": format_kopecks(refunded + amount), "currency": currency });
            let id = uuid::Uuid::new_v4().to_string();
            let refund = json!({
                "id": id,
                "payment_id": payment_id,
                "status": "succeeded",
                "amount": { "value": format_kopecks(amount), "currency": currency },
                "created_at": now(),
            });
            inner.refunds.insert(id, refund.clone());
            (StatusCode::OK, refund)
        },
    )
}

async fn get_refund(
    State(shared): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    if !authorised(&shared, &headers) {
        return error(
            StatusCode::UNAUTHORIZED,
            "invalid_credentials",
            None,
            "Login and password are invalid",
        );
    }
    if take_failing_get(&shared) {
        return error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal_server_error",
            None,
            "Internal server error",
        );
    }
    let found = shared.lock().refunds.get(&id).cloned();
    match found {
        Some(r) => Json(r).into_response(),
        None => error(StatusCode::NOT_FOUND, "not_found", None, "Refund not found"),
    }
}
