//! A provisioned tenant with a small salon, a sandbox, and the bot under test.

use std::{
    sync::{
        Arc,
        atomic::{AtomicI64, Ordering},
    },
    time::Duration,
};

use booking_bot::config::Config;
use booking_core::{
    booking::Actor,
    clock::{SharedClock, SystemClock},
    ids::TelegramUserId,
    policy::Rules,
};
use booking_core::{ids::TenantId, tenant::TenantSchema};
use chrono::Utc;
use secrecy::SecretString;
use storage::control::tenants::TenantRecord;
use storage::tenant::{
    bookings::{
        self,
        model::{Booking, BookingRequest},
        service,
    },
    customers,
};
use telemetry::{LogFormat, TelemetryArgs};
use test_support::{Salon, TestDb, salon};
use tg_sandbox::{
    BotInfo, CallbackAnswer, Chat, ChatMessage, NewUser, SandboxClient, SandboxHandle, TestUser,
    chat::nth_data,
};
use tokio::{net::TcpListener, sync::oneshot, task::JoinHandle};

/// Waiting for what the bot writes in the background (the database), which no chat event
/// announces.
pub use test_support::eventually;

pub const WAIT: Duration = Duration::from_secs(15);
pub const REDIS: &str = "redis://127.0.0.1:6379";

pub struct TestBot {
    pub db: TestDb,
    pub tenant: TenantRecord,
    pub salon: Salon,
    pub _sandbox: SandboxHandle,
    pub client: SandboxClient,
    pub info: BotInfo,
    pub config: Config,
    /// What the bot reads "now" from; tests that move time replace it before launching.
    pub clock: SharedClock,
    running: Option<Running>,
}

struct Running {
    stop: oneshot::Sender<()>,
    task: JoinHandle<anyhow::Result<()>>,
}

/// Tenant ids that no other test (nor an earlier run) uses, so the tenant-prefixed Redis keys
/// of parallel tests never meet.
pub fn unique_tenant_id() -> i64 {
    static NEXT: AtomicI64 = AtomicI64::new(0);
    let micros = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_micros();
    let base = i64::try_from(micros % 1_000_000_000_000).unwrap();
    base * 10 + NEXT.fetch_add(1, Ordering::Relaxed) % 10 + 1_000
}

impl TestBot {
    /// Everything set up and the bot running.
    pub async fn start() -> Self {
        let mut bot = Self::prepare(REDIS).await;
        bot.launch().await;
        bot
    }

    /// Everything set up, the bot not started yet.
    pub async fn prepare(redis_url: &str) -> Self {
        let db = TestDb::new().await;
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "alter table control.tenants alter column tenant_id restart with {}",
            unique_tenant_id()
        )))
        .execute(db.db.pool())
        .await
        .unwrap();
        let (tenant, password) = db.tenant("Salon", chrono_tz::Europe::Moscow).await;
        let mut tx = db.tx(tenant.id).await;
        let salon = salon(&mut tx).await;
        tx.commit().await.unwrap();

        let sandbox = tg_sandbox::chat::test_sandbox().await;
        let client = sandbox.client();
        let info = client.create_bot("salon_bot").await.unwrap();
        let role = db.db.tenant_role(&TenantSchema::for_tenant(tenant.id));
        let config = Config {
            tenant_id: tenant.id,
            bot_token: SecretString::from(info.token.as_str().to_owned()),
            database_url: db.tenant_url(role.as_str(), &password),
            redis_url: SecretString::from(redis_url.to_owned()),
            telegram_api_url: client.api_url().to_string(),
            http_addr: "127.0.0.1:0".parse().unwrap(),
            clock_offset_secs: 0,
            calendar_feed_url: Some("https://platform.test".to_owned()),
            // A key of its own, as the deploy worker derives one, so tests can seal secrets.
            tenant_secrets_key: Some(
                storage::crypto::DataKey::parse(&SecretString::from(
                    storage::crypto::DataKey::generate_base64(),
                ))
                .unwrap()
                .tenant_secrets_key(tenant.id)
                .to_base64(),
            ),
            // Tests that make refunds point it at a fake YooKassa.
            yookassa_api_url: booking_bot::refunds::api::DEFAULT_URL.to_owned(),
            telemetry: TelemetryArgs {
                log_format: LogFormat::Pretty,
                sentry_dsn: None,
            },
        };
        Self {
            db,
            tenant,
            salon,
            _sandbox: sandbox,
            client,
            info,
            config,
            clock: Arc::new(SystemClock),
            running: None,
        }
    }

    pub fn tenant_id(&self) -> TenantId {
        self.tenant.id
    }

    /// Starts the bot through `booking_bot::run`, as the binary does.
    pub async fn launch(&mut self) {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let (stop, stopped) = oneshot::channel::<()>();
        let config = self.config.clone();
        let task = tokio::spawn(booking_bot::run_with(
            config,
            listener,
            async move {
                let _ = stopped.await;
            },
            Arc::clone(&self.clock),
        ));
        self.running = Some(Running { stop, task });
    }

    /// Stops the bot and waits until it has.
    pub async fn stop(&mut self) {
        let running = self.running.take().expect("the bot runs");
        let _ = running.stop.send(());
        tokio::time::timeout(WAIT, running.task)
            .await
            .expect("the bot stops in time")
            .unwrap()
            .unwrap();
    }

    pub async fn user(&self, name: &str, language: &str) -> TestUser {
        self.client
            .create_user(NewUser::named(name).language(language))
            .await
            .unwrap()
    }

    /// `user`'s chat with the bot.
    pub fn chat(&self, user: &TestUser) -> Chat {
        Chat::new(&self.client, &self.info.token, user).patient(WAIT)
    }

    pub async fn command(&self, user: &TestUser, text: &str) {
        self.chat(user).command(text).await;
    }

    /// The bot's next new message to `user`.
    pub async fn next(&self, user: &TestUser) -> ChatMessage {
        self.chat(user).next().await
    }

    /// Presses the button labelled `label` and returns the answer and the message after it.
    pub async fn press(
        &self,
        user: &TestUser,
        message: &ChatMessage,
        label: &str,
    ) -> (CallbackAnswer, ChatMessage) {
        self.chat(user).press(message, label).await
    }

    /// Presses a button with any data (a forged one, too).
    pub async fn press_data(
        &self,
        user: &TestUser,
        message: &ChatMessage,
        data: &str,
    ) -> (CallbackAnswer, ChatMessage) {
        self.chat(user).press_data(message, data).await
    }

    /// A message "from the bot" whose buttons carry any data we like: how a forged or stale
    /// button reaches the bot.
    pub async fn forged_buttons(&self, user: &TestUser, data: &[String]) -> ChatMessage {
        self.chat(user).forged_buttons(data).await
    }

    /// /start of a user whose Telegram speaks English: the main menu message, no question.
    pub async fn menu(&self, user: &TestUser) -> ChatMessage {
        self.command(user, "/start").await;
        let menu = self.next(user).await;
        assert!(menu.text().contains("how can we help"), "{}", menu.text());
        // A first visit is offered to share a phone number; these tests skip it.
        let ask = self.next(user).await;
        assert!(
            ask.text().contains("share your phone number"),
            "{}",
            ask.text()
        );
        menu
    }

    /// From the menu to the calendar: Book, the salon's haircut, Anna.
    pub async fn calendar(&self, user: &TestUser, menu: &ChatMessage) -> ChatMessage {
        let (_, services) = self.press(user, menu, "Book").await;
        let (_, staff) = self.press(user, &services, "Haircut").await;
        let (_, calendar) = self.press(user, &staff, "Anna").await;
        assert!(
            calendar.text().contains("Choose a day"),
            "{}",
            calendar.text()
        );
        calendar
    }
}

/// The data of the first button whose data starts with `prefix`.
pub fn first_data(message: &ChatMessage, prefix: &str) -> String {
    nth_data(message, prefix, 0)
}

/// A confirmed booking of `user`'s next week.
pub async fn booked(bot: &TestBot, user: &TestUser) -> Booking {
    let mut tx = bot.db.tx(bot.tenant_id()).await;
    let customer =
        customers::by_telegram(&mut tx, TelegramUserId(i64::try_from(user.id.0).unwrap()))
            .await
            .unwrap()
            .unwrap();
    let today = Utc::now().date_naive();
    let slot = bookings::slots::free(
        &mut tx,
        bot.salon.haircut,
        None,
        today + chrono::Duration::days(7),
        today + chrono::Duration::days(14),
        Utc::now(),
    )
    .await
    .unwrap()[0];
    let request = BookingRequest {
        customer: customer.id,
        service: bot.salon.haircut,
        staff: None,
        start: slot.start,
        source: None,
        actor: Actor::Customer(customer.telegram_user_id),
        rules: Rules::Customer,
    };
    let booking = service::book(&mut tx, &request, Utc::now())
        .await
        .unwrap()
        .booking;
    tx.commit().await.unwrap();
    booking
}

/// The Telegram id of a sandbox user, as storage keys customers.
pub fn telegram(user: &TestUser) -> TelegramUserId {
    TelegramUserId(i64::try_from(user.id.0).unwrap())
}
