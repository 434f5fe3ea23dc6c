//! A shared bot host: one process serving several tenants, taken on and off while it runs
//! through its control API; each tenant's transactions under its own role (a tenant the host
//! was not granted is refused); one tenant stuck does not hold up another; reminders go out
//! once from a shared host as from a dedicated bot.

use std::{sync::Arc, time::Duration};

use booking_bot::host::{config::HostConfig, run};
use booking_core::{
    clock::{ManualClock, SharedClock},
    ids::TenantId,
};
use chrono::Utc;
use secrecy::{ExposeSecret as _, SecretString};
use serde_json::{Value, json};
use storage::host::{self, HostName};
use telemetry::{LogFormat, TelemetryArgs};
use test_support::{TestDb, salon};
use tg_sandbox::{BotInfo, SandboxClient, SandboxHandle, TestUser, chat::Chat};
use tokio::{net::TcpListener, sync::oneshot};

use crate::support::{REDIS, WAIT, first_data, unique_tenant_id};

const SECRET: &str = "host-secret-for-tests";

/// A database with tenants, a sandbox with a bot each, and a host serving none yet.
struct World {
    db: TestDb,
    tenants: Vec<(TenantId, BotInfo)>,
    _sandbox: SandboxHandle,
    client: SandboxClient,
    base: String,
    http: reqwest::Client,
    stop: Option<oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<anyhow::Result<()>>,
}

impl World {
    /// `n` tenants, the first `granted` of them granted to the host, updates by long polling.
    async fn start(n: usize, granted: usize, clock: SharedClock) -> Self {
        Self::start_with(n, granted, clock, false).await
    }

    /// As [`World::start`], updates by webhook when `webhooks`.
    async fn start_with(n: usize, granted: usize, clock: SharedClock, webhooks: bool) -> Self {
        let db = TestDb::new().await;
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "alter table control.tenants alter column tenant_id restart with {}",
            unique_tenant_id()
        )))
        .execute(db.db.pool())
        .await
        .unwrap();
        let sandbox = tg_sandbox::chat::test_sandbox().await;
        let client = sandbox.client();
        let name = HostName::parse("h1").unwrap();
        let password = SecretString::from("host-password".to_owned());
        let role = host::ensure_role(&db.db, &name, &password).await.unwrap();
        let mut tenants = Vec::new();
        for i in 0..n {
            let (tenant, _) = db
                .tenant(&format!("Salon {i}"), chrono_tz::Europe::Moscow)
                .await;
            let mut tx = db.tx(tenant.id).await;
            salon(&mut tx).await;
            tx.commit().await.unwrap();
            if i < granted {
                host::grant(&db.db, &name, tenant.id).await.unwrap();
            }
            let bot = client.create_bot(&format!("salon{i}_bot")).await.unwrap();
            tenants.push((tenant.id, bot));
        }
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let config = HostConfig {
            host_name: name.clone(),
            host_secret: SecretString::from(SECRET.to_owned()),
            database_url: db.tenant_url(role.as_str(), &password),
            pool_size: 4,
            redis_url: SecretString::from(REDIS.to_owned()),
            telegram_api_url: client.api_url().to_string(),
            webhook_url: webhooks.then(|| format!("{base}/").parse().unwrap()),
            http_addr: "127.0.0.1:0".parse().unwrap(),
            yookassa_api_url: booking_bot::refunds::api::DEFAULT_URL.to_owned(),
            clock_offset_secs: 0,
            telemetry: TelemetryArgs {
                log_format: LogFormat::Pretty,
                sentry_dsn: None,
            },
        };
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(run::run_with(
            config,
            listener,
            async move {
                let _ = stopped.await;
            },
            clock,
        ));
        Self {
            db,
            tenants,
            _sandbox: sandbox,
            client,
            base,
            http: reqwest::Client::new(),
            stop: Some(stop),
            task,
        }
    }

    async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        secret: &str,
        body: Option<Value>,
    ) -> (u16, Value) {
        let mut request = self
            .http
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(secret);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    /// Serves `tenant` as the deploy worker does: with its token and its own secrets key.
    async fn serve(&self, tenant: TenantId, token: &str) -> (u16, Value) {
        let key = self.db.data_key.tenant_secrets_key(tenant).to_base64();
        self.call(
            reqwest::Method::PUT,
            &format!("/host/tenants/{tenant}"),
            SECRET,
            Some(json!({ "bot_token": token, "secrets_key": key.expose_secret() })),
        )
        .await
    }

    async fn customer(&self, bot: &BotInfo, name: &str) -> (TestUser, Chat) {
        let user = self
            .client
            .create_user(tg_sandbox::NewUser::named(name).language("en"))
            .await
            .unwrap();
        let chat = Chat::new(&self.client, &bot.token, &user);
        (user, chat)
    }

    async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        tokio::time::timeout(WAIT, &mut self.task)
            .await
            .expect("the host stops in time")
            .unwrap()
            .unwrap();
    }
}

/// /start of an English speaker: the menu (and the offer to share a phone number, read and
/// left).
async fn menu(chat: &Chat) -> tg_sandbox::ChatMessage {
    chat.command("/start").await;
    let menu = chat.next().await;
    assert!(menu.text().contains("how can we help"), "{}", menu.text());
    let phone = chat.next().await;
    assert!(phone.text().contains("phone"), "{}", phone.text());
    menu
}

#[tokio::test]
async fn a_host_takes_tenants_on_and_off_while_it_runs() {
    let clock: SharedClock = Arc::new(booking_core::clock::SystemClock);
    let world = World::start(3, 2, clock).await;
    let [(a, a_bot), (b, b_bot), (c, c_bot)] = &world.tenants[..] else {
        unreachable!()
    };

    // The worker's key or nothing.
    let (status, _) = world
        .call(reqwest::Method::GET, "/host/tenants", "wrong", None)
        .await;
    assert_eq!(status, 401);
    let (status, listed) = world
        .call(reqwest::Method::GET, "/host/tenants", SECRET, None)
        .await;
    assert_eq!((status, listed), (200, json!([])));

    // Two tenants taken on; each answers its own customers, with its own name.
    assert_eq!(world.serve(*a, a_bot.token.as_str()).await.0, 200);
    assert_eq!(world.serve(*b, b_bot.token.as_str()).await.0, 200);
    let (_, alice) = world.customer(a_bot, "Alice").await;
    let (_, bob) = world.customer(b_bot, "Bob").await;
    assert!(menu(&alice).await.text().contains("Salon 0"));
    assert!(menu(&bob).await.text().contains("Salon 1"));
    // The same token again changes nothing.
    let (status, again) = world.serve(*a, a_bot.token.as_str()).await;
    assert_eq!(status, 200);
    assert_eq!(again["state"], "running");

    // A tenant whose role the host was not granted: PostgreSQL refuses, the API says so.
    let (status, refused) = world.serve(*c, c_bot.token.as_str()).await;
    assert_eq!(status, 409, "{refused}");
    let (_, carol) = world.customer(c_bot, "Carol").await;
    carol.command("/start").await;
    assert!(carol.try_next().await.is_none(), "nobody serves C");

    // A new token for A: the new bot answers, the old one is let go.
    let a2 = world.client.create_bot("salon0_new_bot").await.unwrap();
    assert_eq!(world.serve(*a, a2.token.as_str()).await.0, 200);
    let (_, alice2) = world.customer(&a2, "Alice").await;
    assert!(menu(&alice2).await.text().contains("Salon 0"));
    alice.command("/help").await;
    assert!(
        alice.try_next().await.is_none(),
        "the old token is no longer served"
    );

    // A taken off; B unaffected.
    let (status, _) = world
        .call(
            reqwest::Method::DELETE,
            &format!("/host/tenants/{a}"),
            SECRET,
            None,
        )
        .await;
    assert_eq!(status, 204);
    alice2.command("/help").await;
    assert!(alice2.try_next().await.is_none(), "A is no longer served");
    bob.command("/help").await;
    assert!(!bob.next().await.text().is_empty());
    let (_, listed) = world
        .call(reqwest::Method::GET, "/host/tenants", SECRET, None)
        .await;
    let ids: Vec<i64> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["tenant_id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, [b.get()]);
    world.stop().await;
}

#[tokio::test]
async fn one_tenant_stuck_does_not_hold_up_another() {
    let clock: SharedClock = Arc::new(booking_core::clock::SystemClock);
    let world = World::start(2, 2, clock).await;
    let [(a, a_bot), (b, b_bot)] = &world.tenants[..] else {
        unreachable!()
    };
    world.serve(*a, a_bot.token.as_str()).await;
    world.serve(*b, b_bot.token.as_str()).await;
    let (_, alice) = world.customer(a_bot, "Alice").await;
    let (_, bob) = world.customer(b_bot, "Bob").await;
    menu(&alice).await;
    menu(&bob).await;

    // Tenant A's customers are locked: every update of A waits on its database (its settings
    // are held in memory, so they would not do).
    let mut blocker = world.db.tx(*a).await;
    sqlx::query("lock table customers in access exclusive mode")
        .execute(blocker.conn())
        .await
        .unwrap();
    alice.command("/help").await;
    // B answers at once meanwhile.
    let started = std::time::Instant::now();
    bob.command("/help").await;
    let answer = bob.next().await;
    assert!(!answer.text().is_empty());
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "B waited for A: {:?}",
        started.elapsed()
    );
    // A's update gives up at the tenant roles' lock_timeout: Alice is asked to retry rather
    // than left waiting, and what she asked for is answered once the lock is gone.
    let told = alice.next().await;
    assert!(
        told.text().contains("temporarily unavailable"),
        "{}",
        told.text()
    );
    blocker.rollback().await.unwrap();
    alice.command("/help").await;
    let help = alice.next().await;
    assert!(
        !help.text().is_empty() && !help.text().contains("temporarily unavailable"),
        "A carries on: {}",
        help.text()
    );
    world.stop().await;
}

#[tokio::test]
async fn a_reminder_from_a_shared_host_arrives_once_and_on_time() {
    let clock = ManualClock::new(Utc::now());
    let shared: SharedClock = Arc::new(clock.clone());
    let world = World::start(2, 2, shared).await;
    let [(a, a_bot), (b, b_bot)] = &world.tenants[..] else {
        unreachable!()
    };
    // Two tenants served; A's customer books.
    world.serve(*a, a_bot.token.as_str()).await;
    world.serve(*b, b_bot.token.as_str()).await;
    let (_, alice) = world.customer(a_bot, "Alice").await;
    let menu = menu(&alice).await;
    let (_, services) = alice.press(&menu, "Book").await;
    let (_, staff) = alice.press(&services, "Haircut").await;
    let (_, calendar) = alice.press(&staff, "Anna").await;
    let (_, month) = alice.press(&calendar, "▶").await;
    let day = first_data(&month, "v1:d:");
    let (_, times) = alice.press_data(&month, &day).await;
    let time = first_data(&times, "v1:t:");
    let (_, confirm) = alice.press_data(&times, &time).await;
    let (_, booked) = alice.press(&confirm, "Confirm").await;
    assert!(
        booked.text().contains("You are booked"),
        "{}",
        booked.text()
    );

    // A day before the visit, the reminder comes, once.
    let secs: i64 = time[5..].parse().unwrap();
    let start = chrono::DateTime::from_timestamp(secs, 0).unwrap();
    clock.set(start - chrono::Duration::hours(24) + chrono::Duration::minutes(1));
    let reminder = alice
        .wait_for("Reminder", WAIT)
        .await
        .expect("the reminder arrives");
    assert!(reminder.text().contains("Haircut"), "{}", reminder.text());
    tokio::time::sleep(Duration::from_secs(2)).await;
    let copies = alice
        .history()
        .await
        .iter()
        .filter(|m| m.text().contains("Reminder"))
        .count();
    assert_eq!(copies, 1);

    world.stop().await;
}

/// The Bot API's `getWebhookInfo` of `bot`, as the sandbox answers it.
async fn webhook_of(world: &World, bot: &BotInfo) -> String {
    let url = format!(
        "{}bot{}/getWebhookInfo",
        world.client.api_url(),
        bot.token.as_str()
    );
    let info: Value = world
        .http
        .get(url)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    info["result"]["url"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test]
async fn by_webhook_each_tenant_has_its_path_and_secret() {
    let clock: SharedClock = Arc::new(booking_core::clock::SystemClock);
    let world = World::start_with(2, 2, clock, true).await;
    let [(a, a_bot), (b, b_bot)] = &world.tenants[..] else {
        unreachable!()
    };
    world.serve(*a, a_bot.token.as_str()).await;
    world.serve(*b, b_bot.token.as_str()).await;
    // The host told Telegram where each tenant's updates go.
    let a_hook = format!("{}/telegram/{a}", world.base);
    let deadline = std::time::Instant::now() + WAIT;
    while webhook_of(&world, a_bot).await != a_hook {
        assert!(std::time::Instant::now() < deadline, "no webhook for A");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let (_, alice) = world.customer(a_bot, "Alice").await;
    let (_, bob) = world.customer(b_bot, "Bob").await;
    assert!(menu(&alice).await.text().contains("Salon 0"));
    assert!(menu(&bob).await.text().contains("Salon 1"));

    // Without the tenant's secret, or for a tenant not served, nothing is taken.
    let update = json!({ "update_id": 1, "message": { "message_id": 1, "date": 0,
        "chat": { "id": 5, "type": "private", "first_name": "X" },
        "from": { "id": 5, "is_bot": false, "first_name": "X" }, "text": "/start" } });
    for (path, secret, status) in [
        (format!("/telegram/{a}"), "wrong", 401),
        (format!("/telegram/{a}"), "", 401),
        ("/telegram/999999".to_owned(), "wrong", 404),
    ] {
        let response = world
            .http
            .post(format!("{}{path}", world.base))
            .header("X-Telegram-Bot-Api-Secret-Token", secret)
            .json(&update)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), status, "{path} {secret:?}");
    }

    // Taken off: the webhook is deleted, so Telegram keeps A's updates for the next host.
    world
        .call(
            reqwest::Method::DELETE,
            &format!("/host/tenants/{a}"),
            SECRET,
            None,
        )
        .await;
    assert_eq!(webhook_of(&world, a_bot).await, "");
    bob.command("/help").await;
    assert!(!bob.next().await.text().is_empty(), "B is still served");
    world.stop().await;
}

/// A hosted tenant is given its own secrets key with its token: its owner sets the payment
/// token in the panel, and what is stored opens with that tenant's key (as the operator API
/// derives it). A key that is not one is refused.
#[tokio::test]
async fn a_hosted_tenant_seals_its_payment_token_with_its_own_key() {
    let clock: SharedClock = Arc::new(booking_core::clock::SystemClock);
    let world = World::start(1, 1, clock).await;
    let (a, a_bot) = &world.tenants[0];
    let (status, body) = world
        .call(
            reqwest::Method::PUT,
            &format!("/host/tenants/{a}"),
            SECRET,
            Some(json!({ "bot_token": a_bot.token.as_str(), "secrets_key": "short" })),
        )
        .await;
    assert_eq!(status, 422, "{body}");
    assert!(!body.to_string().contains("short"), "{body}");
    assert_eq!(world.serve(*a, a_bot.token.as_str()).await.0, 200);

    let (owner, chat) = world.customer(a_bot, "Olga").await;
    let mut tx = world.db.tx(*a).await;
    storage::tenant::admins::upsert(
        &mut tx,
        booking_core::ids::TelegramUserId(i64::try_from(owner.id.0).unwrap()),
        storage::tenant::admins::AdminRole::Owner,
        "Olga",
        None,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    chat.command("/admin").await;
    let panel = chat.next().await;
    let (_, setup) = chat.press(&panel, "Setup").await;
    let (_, account) = chat.press(&setup, "Taking payments").await;
    let (_, _ask) = chat.press(&account, "Set the token").await;
    chat.say("381764678:TEST:100500").await;
    let saved = chat.next().await;
    assert!(
        saved.text().contains("The token is saved"),
        "{}",
        saved.text()
    );

    let mut tx = world.db.tx(*a).await;
    let sealed: Vec<u8> = sqlx::query_scalar("select provider_token_enc from payment_settings")
        .fetch_one(tx.conn())
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let opened = world
        .db
        .data_key
        .tenant_secrets_key(*a)
        .open(
            &sealed,
            storage::crypto::tenant_secrets::TenantSealedAt::ProviderToken,
        )
        .unwrap();
    assert_eq!(opened.expose_secret(), "381764678:TEST:100500");
    world.stop().await;
}
