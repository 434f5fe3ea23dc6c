//! The whole platform as separate processes, as an operator runs it on one machine: tg-sandbox,
//! the master, the sales bot and the deploy worker, a fake YooKassa, and tenant bots in
//! containers on the podman engine, made from the booking-bot binary this build produced.

use booking_core::schedule::{DayPlan, LocalRange, WeeklyHours};
use deploy_worker::{
    image,
    runtime::{ContainerRuntime as _, docker::DockerRuntime},
    spec::LABEL_PLATFORM,
};
use secrecy::ExposeSecret as _;
use storage::{
    control::plans::{self, NewPlan},
    crypto::DataKey,
    tenant::schedule,
};
use system_tests::{Service, binary, chat};
use test_support::{TestDb, yookassa::FakeYooKassa};
use tg_sandbox::{BotInfo, BotToken, NewUser, SandboxClient};

pub const SHOP_ID: &str = "506751";
pub const SHOP_SECRET: &str = "test_journey_secret";
/// YooKassa's notifications come from here in the test (the whole 127.0.0.0/8 is loopback).
pub const YOOKASSA_SOURCE: &str = "127.0.0.2";
/// The tenant image these tests run, made once per test run from this build's binaries under
/// one tag (the previous run's image, untagged by the import, is pruned).
const IMAGE: &str = "localhost/booking-bot-journey";
const TAG: &str = "current";
static IMPORTED: tokio::sync::OnceCell<()> = tokio::sync::OnceCell::const_new();

/// Fields drop in order: the processes stop before the database they use is dropped.
pub struct Platform {
    pub worker: Service,
    pub sales: Service,
    _master: Service,
    _sandbox: Service,
    pub client: SandboxClient,
    pub sales_token: BotToken,
    pub yookassa: FakeYooKassa,
    pub db: TestDb,
    pub data_key: DataKey,
    /// This run's label: its tenant containers carry it, and only they are cleaned up.
    pub label: String,
    runtime: DockerRuntime,
}

fn docker_host() -> String {
    std::env::var("DOCKER_HOST").unwrap_or_else(|_| "unix:///run/podman/podman.sock".to_owned())
}

impl Platform {
    pub async fn start() -> Self {
        let db = TestDb::new().await;
        plans::insert(db.db.pool(), &month_plan())
            .await
            .unwrap()
            .unwrap();
        let url = db.url().expose_secret().to_owned();
        let data_key = DataKey::generate_base64();
        let run = uuid::Uuid::new_v4().simple().to_string()[..10].to_owned();
        let label = format!("journey-{run}");

        let sales_token = format!("7{}:sales-{run}", &run_digits(&run));
        let sandbox = Service::start(
            "tg-sandbox",
            &[],
            &[("SANDBOX_BOTS", format!("journey_sales_bot={sales_token}"))],
        )
        .await;
        let client = SandboxClient::new(&sandbox.base).unwrap();
        let api = client.api_url().to_string();

        let yookassa = FakeYooKassa::start(SHOP_ID, SHOP_SECRET).await;

        let runtime = DockerRuntime::connect(&docker_host()).unwrap();
        runtime.ping().await.unwrap_or_else(|e| {
            panic!("no container engine ({e}): run scripts/podman.sh, as scripts/test.sh does")
        });
        IMPORTED
            .get_or_init(|| async {
                let tar = image::rootfs_tar(&[
                    (binary("booking-bot"), "booking-bot"),
                    (binary("healthcheck"), "healthcheck"),
                ])
                .unwrap();
                runtime
                    .import_rootfs(
                        &format!("{IMAGE}:{TAG}"),
                        tar,
                        r#"["/usr/local/bin/booking-bot"]"#,
                    )
                    .await
                    .unwrap();
                // Images of earlier runs still used by a container stay; that is fine.
                let _ = runtime.prune_untagged_images().await;
            })
            .await;

        let common = [
            ("DATABASE_URL", url.clone()),
            ("DATA_KEY", data_key.clone()),
            ("TELEGRAM_API_URL", api.clone()),
        ];
        let master = Service::start("master-bot", &["serve"], &common).await;
        let mut sales_env = common.to_vec();
        sales_env.extend([
            ("BOT_TOKEN", sales_token.clone()),
            ("YOOKASSA_API_URL", yookassa.api_url()),
            ("YOOKASSA_SHOP_ID", SHOP_ID.to_owned()),
            ("YOOKASSA_SECRET_KEY", SHOP_SECRET.to_owned()),
            ("YOOKASSA_ALLOWED_IPS", format!("{YOOKASSA_SOURCE}/32")),
            ("PAYMENTS_RECONCILE_SECS", "2".to_owned()),
            // The fake is a test shop, as YooKassa's sandbox shops are.
            ("YOOKASSA_TEST_SHOP", "true".to_owned()),
        ]);
        let sales = Service::start("sales-bot", &[], &sales_env).await;
        let mut worker_env = common.to_vec();
        worker_env.extend([
            ("DOCKER_HOST", docker_host()),
            ("TENANT_IMAGE", IMAGE.to_owned()),
            ("TENANT_IMAGE_TAG", TAG.to_owned()),
            ("TENANT_TELEGRAM_API_URL", api.clone()),
            ("TENANT_PLATFORM_LABEL", label.clone()),
            ("TENANT_HEALTH_GRACE_SECS", "2".to_owned()),
            ("TENANT_MEMORY_MB", "128".to_owned()),
            // The bots reach this machine's PostgreSQL and Redis on its loopback.
            ("TENANT_NETWORK", "host".to_owned()),
            ("RECONCILE_INTERVAL_SECS", "5".to_owned()),
        ]);
        let worker = Service::start("deploy-worker", &[], &worker_env).await;

        Self {
            worker,
            sales,
            _master: master,
            _sandbox: sandbox,
            client,
            sales_token: BotToken::new(sales_token),
            yookassa,
            db,
            data_key: DataKey::parse(&secrecy::SecretString::from(data_key)).unwrap(),
            label,
            runtime,
        }
    }

    /// The sales bot's YooKassa webhook.
    pub fn webhook_url(&self) -> String {
        format!("{}/yookassa/notifications", self.sales.base)
    }

    /// A stranger in the sales bot, from /start to the Pay button for the monthly plan with a
    /// new bot called `bot_username`; returns their chat, the bot and the YooKassa payment id.
    pub async fn buy(&self, name: &str, bot_username: &str) -> (chat::Chat, BotInfo, String) {
        buy(
            &self.client,
            &self.sales_token,
            &self.yookassa,
            name,
            bot_username,
        )
        .await
    }

    /// YooKassa's notification of `payment`, from YooKassa's address; the webhook's status.
    pub async fn notify_paid(&self, payment: &str) -> u16 {
        let source = YOOKASSA_SOURCE.parse().unwrap();
        self.yookassa
            .notify(&self.webhook_url(), "payment.succeeded", payment, source)
            .await
    }

    /// A count from the control schema.
    pub async fn count(&self, sql: &'static str) -> i64 {
        sqlx::query_scalar(sql)
            .fetch_one(self.db.db.pool())
            .await
            .unwrap()
    }

    /// This run's tenant containers.
    pub async fn containers(&self) -> Vec<deploy_worker::runtime::ContainerInfo> {
        self.runtime
            .list(&[(LABEL_PLATFORM, self.label.as_str())])
            .await
            .unwrap()
    }
}

impl Drop for Platform {
    /// Removes this run's tenant containers, which would otherwise outlive the test (the
    /// engine keeps them running). Drop cannot await: a short-lived runtime on its own thread
    /// does it, as `TestDb` does for its database.
    fn drop(&mut self) {
        let runtime = self.runtime.clone();
        let label = self.label.clone();
        let cleanup = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .ok()?;
            rt.block_on(async move {
                for c in runtime
                    .list(&[(LABEL_PLATFORM, label.as_str())])
                    .await
                    .ok()?
                {
                    let _ = runtime.remove(&c.id).await;
                }
                Some(())
            })
        });
        let _ = cleanup.join();
    }
}

/// The plan the journeys buy: "Month", 990 ₽ for 30 days.
pub fn month_plan() -> NewPlan {
    NewPlan {
        code: "month".to_owned(),
        name: "Month".to_owned(),
        price_minor: 99_000,
        currency: "RUB".to_owned(),
        period_days: 30,
    }
}

/// The salon the journeys' owner sets up (as the admin panel would): Anna, a haircut, open
/// every day during `hours` ("09:00-18:00").
pub async fn open_salon(tx: &mut storage::TenantTx, hours: &str) {
    test_support::salon(tx).await;
    let day = DayPlan::new(vec![LocalRange::parse(hours).unwrap()], vec![]).unwrap();
    schedule::set_weekly(
        tx,
        None,
        &WeeklyHours::uniform(&day, &[0, 1, 2, 3, 4, 5, 6]),
    )
    .await
    .unwrap();
}

/// A customer of [`open_salon`] from the menu to Anna's calendar for a haircut.
pub async fn haircut_with_anna(customer: &chat::Chat) -> tg_sandbox::ChatMessage {
    let menu = chat::menu(customer).await;
    let (_, services) = customer.press(&menu, "Book").await;
    let (_, staff) = customer.press(&services, "Haircut").await;
    let (_, calendar) = customer.press(&staff, "Anna").await;
    calendar
}

/// A stranger in the sales bot `sales_token`, from /start to the Pay button for the monthly
/// plan ("Month") with a new bot called `bot_username`; returns their chat, the bot and the
/// YooKassa payment id.
pub async fn buy(
    client: &SandboxClient,
    sales_token: &BotToken,
    yookassa: &FakeYooKassa,
    name: &str,
    bot_username: &str,
) -> (chat::Chat, BotInfo, String) {
    let user = client
        .create_user(NewUser::named(name).language("en"))
        .await
        .unwrap();
    let sales = chat::open(client, sales_token, &user);
    sales.command("/start").await;
    let menu = sales.next().await;
    let plans = sales.press_for_reply(&menu, "Plans").await;
    assert!(plans.text().contains("Month"), "{}", plans.text());
    let ask_name = sales.press_for_reply(&plans, "Buy \"Month\"").await;
    assert!(
        ask_name.text().contains("business called"),
        "{}",
        ask_name.text()
    );
    sales.say(&format!("{name}'s Salon")).await;
    let ask_zone = sales.next().await;
    let ask_token = sales.press_for_reply(&ask_zone, "Москва").await;
    assert!(
        ask_token.text().contains("@BotFather"),
        "{}",
        ask_token.text()
    );
    // They make their bot with BotFather (here: the sandbox) and hand over its token.
    let bot = client.create_bot(bot_username).await.unwrap();
    sales.say(bot.token.as_str()).await;
    let pay = sales.next().await;
    assert!(pay.button("Pay").is_some(), "{:?}", pay.buttons());
    let payment = yookassa.payments().last().unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    (sales, bot, payment)
}

/// Digits for a bot token's id part, from the run id.
fn run_digits(run: &str) -> String {
    run.bytes()
        .take(8)
        .map(|b| char::from(b'0' + b % 10))
        .collect()
}
