//! Helpers shared by the tests.

use std::time::Duration;

use serde_json::Value;
use teloxide::Bot;
use tg_sandbox::{BotInfo, Config, FloodLimits, NewUser, SandboxClient, SandboxHandle, TestUser};

/// Generous upper bound for waits; tests normally finish far sooner.
pub const WAIT: Duration = Duration::from_secs(10);

/// A sandbox with flood limits off, so tests that are not about them never see a 429.
pub async fn start() -> (SandboxHandle, SandboxClient) {
    start_with(Config {
        flood: FloodLimits::off(),
        ..Config::default()
    })
    .await
}

/// A sandbox with the given settings.
pub async fn start_with(config: Config) -> (SandboxHandle, SandboxClient) {
    let handle = tg_sandbox::spawn(config).await.unwrap();
    let client = handle.client();
    (handle, client)
}

/// A sandbox with one bot and one user who has started it.
pub struct World {
    pub handle: SandboxHandle,
    pub client: SandboxClient,
    pub bot_info: BotInfo,
    pub user: TestUser,
}

impl World {
    pub async fn new() -> Self {
        let (handle, client) = start().await;
        Self::with(handle, client).await
    }

    pub async fn with(handle: SandboxHandle, client: SandboxClient) -> Self {
        let bot_info = client.create_bot("test_bot").await.unwrap();
        let user = client
            .create_user(NewUser::named("Alice").language("en"))
            .await
            .unwrap();
        // Bots may only write to users who wrote first, as in Telegram.
        client
            .send_command(&bot_info.token, user.id, "/start")
            .await
            .unwrap();
        Self {
            handle,
            client,
            bot_info,
            user,
        }
    }

    /// A teloxide bot talking to this sandbox.
    pub fn bot(&self) -> Bot {
        teloxide_bot(&self.client, &self.bot_info)
    }

    /// A raw Bot API call.
    pub async fn call(&self, method: &str, body: Value) -> (u16, Value) {
        raw_call(&self.client, self.bot_info.token.as_str(), method, body).await
    }
}

/// A teloxide `Bot` pointed at the sandbox.
pub fn teloxide_bot(client: &SandboxClient, bot: &BotInfo) -> Bot {
    Bot::new(bot.token.as_str()).set_api_url(client.api_url())
}

/// POSTs a JSON body to `/bot<token>/<method>` and returns the status and JSON answer.
pub async fn raw_call(
    client: &SandboxClient,
    token: &str,
    method: &str,
    body: Value,
) -> (u16, Value) {
    let url = client
        .api_url()
        .join(&format!("./bot{token}/{method}"))
        .unwrap();
    let response = reqwest::Client::new()
        .post(url)
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap())
}

/// The `result` array of a getUpdates answer.
pub fn updates(answer: &Value) -> Vec<Value> {
    assert_eq!(answer["ok"], true, "{answer}");
    answer["result"].as_array().unwrap().clone()
}

/// Asserts an answer has Telegram's error shape and returns its description.
pub fn assert_tg_error(status: u16, answer: &Value, code: u16) -> String {
    assert_eq!(status, code, "{answer}");
    assert_eq!(answer["ok"], false, "{answer}");
    assert_eq!(answer["error_code"], code, "{answer}");
    answer["description"].as_str().unwrap().to_owned()
}

/// Long-polls getUpdates (acknowledging as it goes) until `count` updates arrived.
pub async fn drain_updates(client: &SandboxClient, token: &str, count: usize) -> Vec<Value> {
    let deadline = tokio::time::Instant::now() + WAIT;
    let mut seen = Vec::new();
    let mut offset = 0_i64;
    while seen.len() < count {
        assert!(
            tokio::time::Instant::now() < deadline,
            "only {} of {count} updates arrived",
            seen.len()
        );
        let (status, answer) = raw_call(
            client,
            token,
            "getUpdates",
            serde_json::json!({"offset": offset, "timeout": 1}),
        )
        .await;
        assert_eq!(status, 200, "{answer}");
        for update in updates(&answer) {
            offset = update["update_id"].as_i64().unwrap() + 1;
            seen.push(update);
        }
    }
    // Acknowledge the last batch too.
    raw_call(
        client,
        token,
        "getUpdates",
        serde_json::json!({"offset": offset, "timeout": 0}),
    )
    .await;
    seen
}

/// Parses updates with teloxide and fails on any it could not understand.
pub fn parse_updates(values: &[Value]) -> Vec<teloxide::types::Update> {
    values
        .iter()
        .map(|v| {
            // From text, as teloxide reads the wire (its Update parser is not meant for `Value`s).
            let update: teloxide::types::Update = serde_json::from_str(&v.to_string()).unwrap();
            assert!(
                !matches!(update.kind, teloxide::types::UpdateKind::Error(_)),
                "teloxide could not parse {v}"
            );
            update
        })
        .collect()
}
