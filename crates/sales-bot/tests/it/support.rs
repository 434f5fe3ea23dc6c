//! A running sales bot with its database, sandbox and fake YooKassa.

use std::{net::IpAddr, sync::Arc, time::Duration};

use booking_core::{
    Tz,
    clock::{ManualClock, SharedClock},
    ids::TelegramUserId,
    locale::Locale,
};
use chrono::Utc;
use sales_bot::{
    Config,
    app::Sales,
    checkout,
    yookassa::{RetryPolicy, model::Payment},
};
use secrecy::SecretString;
use storage::{
    control::{
        orders::{self, NewOrder, Order, OrderId},
        plans::{self, NewPlan, Plan},
    },
    crypto::DataKey,
};
use telemetry::{LogFormat, TelemetryArgs};
use test_support::{TestDb, yookassa::FakeYooKassa};
use tg_sandbox::{BotInfo, Chat, ChatMessage, SandboxClient, SandboxHandle};
use tokio::{net::TcpListener, sync::oneshot, task::JoinHandle};

pub const SHOP: &str = "100500";
pub const SECRET: &str = "test_SeCrEt_key_never_logged";
/// The address the fake sends "YooKassa's" notifications from; 127.0.0.1 is "a stranger".
pub const YOOKASSA_IP: &str = "127.0.0.2";
pub const WAIT: Duration = Duration::from_secs(15);

pub fn yookassa_ip() -> IpAddr {
    YOOKASSA_IP.parse().unwrap()
}

pub fn stranger_ip() -> IpAddr {
    "127.0.0.1".parse().unwrap()
}

/// Quick retries: the tests wait for outcomes, never for time.
pub fn fast_retry() -> RetryPolicy {
    RetryPolicy {
        attempts: 4,
        first_delay: Duration::from_millis(10),
        max_delay: Duration::from_millis(50),
    }
}

fn unique_bot_id() -> i64 {
    use std::sync::atomic::{AtomicI64, Ordering};
    static NEXT: AtomicI64 = AtomicI64::new(0);
    let micros = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_micros();
    let base = i64::try_from(micros % 1_000_000_000_000).unwrap();
    base * 10 + NEXT.fetch_add(1, Ordering::Relaxed) % 10 + 1_000
}

pub struct Harness {
    pub db: TestDb,
    pub fake: FakeYooKassa,
    pub _sandbox: SandboxHandle,
    pub client: SandboxClient,
    /// The sales bot's own account in the sandbox.
    pub bot: BotInfo,
    pub config: Config,
    pub clock: ManualClock,
    /// The same services the running bot has, for the test to drive passes and read state.
    pub sales: Sales,
    pub webhook_url: String,
    pub plan: Plan,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<anyhow::Result<()>>>,
}

impl Harness {
    pub async fn start() -> Self {
        Self::start_with(|_| {}).await
    }

    /// [`Harness::start`] with the configuration changed first.
    pub async fn start_with(change: impl FnOnce(&mut Config)) -> Self {
        let db = TestDb::new().await;
        let fake = FakeYooKassa::start(SHOP, SECRET).await;
        let sandbox = tg_sandbox::chat::test_sandbox().await;
        let client = sandbox.client();
        // A bot id no parallel test (nor an earlier run) uses: dialogues in the shared Redis
        // are keyed by it, and the sandbox numbers its users alike in every test.
        let bot = client
            .register_bot(
                &tg_sandbox::BotToken::new(format!(
                    "{}:{}",
                    unique_bot_id(),
                    "AAsalesbottokenforthetestsonly_0123"
                )),
                "platform_sales_bot",
            )
            .await
            .unwrap();
        let plan = plans::insert(
            db.db.pool(),
            &NewPlan {
                code: "month".into(),
                name: "Month".into(),
                price_minor: 199_000,
                currency: "RUB".into(),
                period_days: 30,
            },
        )
        .await
        .unwrap()
        .unwrap();
        let config = Config {
            bot_token: SecretString::from(bot.token.as_str().to_owned()),
            database_url: db.url(),
            redis_url: SecretString::from("redis://127.0.0.1:6379"),
            redis_acl: false,
            redis_admin_url: None,
            telegram_api_url: client.api_url().to_string(),
            http_addr: "127.0.0.1:0".parse().unwrap(),
            data_key: SecretString::from(DataKey::generate_base64()),
            yookassa_api_url: fake.api_url(),
            yookassa_shop_id: Some(SHOP.into()),
            yookassa_secret_key: Some(SecretString::from(SECRET)),
            yookassa_return_url: "https://t.me/platform_sales_bot".into(),
            yookassa_allowed_ips: YOOKASSA_IP.into(),
            trusted_proxies: String::new(),
            yookassa_test_shop: true,
            yookassa_save_method: true,
            receipt_vat_code: None,
            receipt_tax_system: None,
            demo_bot_url: Some("https://t.me/demo_salon_bot".into()),
            trial_days: 7,
            order_ttl_minutes: 60,
            // The running service's own passes stay out of the way; tests run passes.
            reconcile_secs: 3600,
            telemetry: TelemetryArgs {
                log_format: LogFormat::Pretty,
                sentry_dsn: None,
            },
        };
        let mut config = config;
        change(&mut config);
        let clock = ManualClock::new(Utc::now());
        let shared: SharedClock = Arc::new(clock.clone());
        let sales = sales_bot::sales_from(&config, shared, fast_retry()).unwrap();
        let mut harness = Self {
            db,
            fake,
            _sandbox: sandbox,
            client,
            bot,
            config,
            clock,
            sales,
            webhook_url: String::new(),
            plan,
            stop: None,
            task: None,
        };
        harness.launch().await;
        harness
    }

    async fn launch(&mut self) {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        self.webhook_url = format!(
            "http://{}{}",
            listener.local_addr().unwrap(),
            sales_bot::webhook::PATH
        );
        let (stop, stopped) = oneshot::channel::<()>();
        let clock: SharedClock = Arc::new(self.clock.clone());
        self.task = Some(tokio::spawn(sales_bot::run_with(
            self.config.clone(),
            listener,
            async move {
                let _ = stopped.await;
            },
            clock,
            fast_retry(),
        )));
        self.stop = Some(stop);
    }

    /// A buyer's order for a new tenant with a bot registered in the sandbox.
    pub async fn order(&self, buyer: i64, bot_username: &str) -> Order {
        let bot = self.client.create_bot(bot_username).await.unwrap();
        let token = SecretString::from(bot.token.as_str().to_owned());
        orders::insert(
            self.db.db.pool(),
            &self.sales.data_key,
            &NewOrder {
                telegram_user: TelegramUserId(buyer),
                plan: self.plan.id,
                business_name: format!("Salon of {buyer}"),
                time_zone: Tz::Europe__Moscow,
                locale: Locale::En,
                bot_username: bot.username.clone(),
                bot_token: token,
                amount_minor: self.plan.price_minor,
                currency: self.plan.currency.clone(),
                receipt_email: None,
                expires_at: self.clock_now() + chrono::Duration::minutes(60),
            },
            self.clock_now(),
        )
        .await
        .unwrap()
        .unwrap()
    }

    pub fn clock_now(&self) -> chrono::DateTime<Utc> {
        use booking_core::clock::Clock as _;
        self.clock.now()
    }

    /// An order with its YooKassa payment made.
    pub async fn ordered_and_created(&self, buyer: i64, bot_username: &str) -> (Order, Payment) {
        let order = self.order(buyer, bot_username).await;
        let payment = checkout::ensure_payment(&self.sales, &order).await.unwrap();
        let order = self.reload(order.id).await;
        (order, payment)
    }

    pub async fn reload(&self, id: OrderId) -> Order {
        orders::get(self.db.db.pool(), id).await.unwrap().unwrap()
    }

    pub async fn count(&self, sql: &str) -> i64 {
        sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_owned()))
            .fetch_one(self.db.db.pool())
            .await
            .unwrap()
    }

    /// How many tenants, subscriptions, payment alerts and deploy jobs exist.
    pub async fn activations(&self) -> (i64, i64, i64, i64) {
        (
            self.count("select count(*) from control.tenants").await,
            self.count("select count(*) from control.subscriptions")
                .await,
            self.count(
                "select count(*) from control.operator_alerts where kind = 'payment_received'",
            )
            .await,
            self.count("select count(*) from control.jobs where kind = 'reconcile_tenant'")
                .await,
        )
    }

    /// Waits for the service to end by itself (no stop is sent), and says how it ended.
    pub async fn ended(mut self) -> anyhow::Result<()> {
        let task = self.task.take().expect("the service runs");
        tokio::time::timeout(WAIT, task)
            .await
            .expect("the sales bot ends by itself")
            .unwrap()
    }

    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            tokio::time::timeout(WAIT, task)
                .await
                .expect("the sales bot stops in time")
                .unwrap()
                .unwrap();
        }
    }
}

/// A Telegram user talking to the sales bot through the sandbox.
pub struct Buyer {
    pub chat: Chat,
}

impl Harness {
    pub async fn buyer(&self, name: &str) -> Buyer {
        let user = self
            .client
            .create_user(tg_sandbox::NewUser::named(name).language("en"))
            .await
            .unwrap();
        Buyer {
            chat: Chat::new(&self.client, &self.bot.token, &user).patient(WAIT),
        }
    }
}

impl Buyer {
    pub fn id(&self) -> i64 {
        self.chat.telegram_id()
    }

    pub async fn say(&self, text: &str) {
        self.chat.say(text).await;
    }

    /// The bot's next new message to this buyer.
    pub async fn next(&self) -> ChatMessage {
        self.chat.next().await
    }

    /// Presses the button labelled `label` on `message`; returns the bot's next message (the
    /// sales bot answers a press below, as a conversation moves on).
    pub async fn press(&self, message: &ChatMessage, label: &str) -> ChatMessage {
        self.chat.press_for_reply(message, label).await
    }

    /// Presses a button with any data and waits until the press is answered.
    pub async fn press_data(&self, message: &ChatMessage, data: &str) {
        self.chat.press_answer(message, data).await;
    }

    /// A message "from the bot" with buttons carrying any data: how a forged button reaches
    /// the bot (the sandbox, like Telegram, only lets users press buttons that exist).
    pub async fn forged_buttons(&self, data: &[String]) -> ChatMessage {
        self.chat.forged_buttons(data).await
    }
}
