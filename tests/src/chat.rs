//! People in tg-sandbox talking to a bot that runs as a real process: the presses a customer
//! makes, with the waiting a person would do when the bot asks them to try again.

#![allow(clippy::unwrap_used)] // a harness: a failure should stop the test loudly

use std::time::{Duration, Instant};

use crate::Service;
use booking_core::tenant::TenantSchema;
use secrecy::ExposeSecret as _;
use storage::control::tenants::TenantRecord;
use test_support::{TestDb, salon};
use tg_sandbox::{
    BotInfo, BotToken, CallbackAnswer, ChatMessage, FloodLimits, NewUser, SandboxClient,
    SandboxHandle, TestUser,
};

pub const WAIT: Duration = Duration::from_secs(20);
/// How long a customer keeps retrying while the bot says it is temporarily unavailable.
pub const PATIENCE: Duration = Duration::from_secs(90);

/// A tenant with the test salon, a sandbox, and the tenant's bot as a process.
pub struct World {
    /// First, so it is dropped (killed) before the database it uses is.
    pub bot: Service,
    pub db: TestDb,
    pub tenant: TenantRecord,
    /// Keeps the sandbox serving for as long as the world lives.
    _sandbox: SandboxHandle,
    pub client: SandboxClient,
    pub info: BotInfo,
}

impl World {
    pub async fn start() -> Self {
        let db = TestDb::new().await;
        let (tenant, password) = db.tenant("Salon", chrono_tz::Europe::Moscow).await;
        let mut tx = db.tx(tenant.id).await;
        salon(&mut tx).await;
        tx.commit().await.unwrap();
        let sandbox = tg_sandbox::spawn(tg_sandbox::Config {
            flood: FloodLimits::off(),
            max_long_poll: Duration::from_secs(1),
            ..tg_sandbox::Config::default()
        })
        .await
        .unwrap();
        let client = sandbox.client();
        let info = client.create_bot("salon_bot").await.unwrap();
        let role = db.db.tenant_role(&TenantSchema::for_tenant(tenant.id));
        let env = [
            ("TENANT_ID", tenant.id.to_string()),
            ("BOT_TOKEN", info.token.as_str().to_owned()),
            (
                "DATABASE_URL",
                db.tenant_url(role.as_str(), &password)
                    .expose_secret()
                    .to_owned(),
            ),
            ("REDIS_URL", "redis://127.0.0.1:6379".to_owned()),
            ("TELEGRAM_API_URL", client.api_url().to_string()),
        ];
        let bot = Service::start("booking-bot", &[], &env).await;
        Self {
            db,
            tenant,
            _sandbox: sandbox,
            client,
            info,
            bot,
        }
    }

    pub async fn customer(&self, name: &str) -> Chat {
        let user = self
            .client
            .create_user(NewUser::named(name).language("en"))
            .await
            .unwrap();
        Chat::new(&self.client, &self.info.token, &user)
    }
}

/// One person's private chat with the bot.
pub struct Chat {
    client: SandboxClient,
    token: BotToken,
    pub user: TestUser,
    /// How long to wait for each answer of the bot.
    wait: Duration,
}

impl Chat {
    /// `user`'s chat with the bot whose token is `token`.
    #[must_use]
    pub fn new(client: &SandboxClient, token: &BotToken, user: &TestUser) -> Self {
        Self {
            client: client.clone(),
            token: token.clone(),
            user: user.clone(),
            wait: WAIT,
        }
    }

    /// The same chat, waiting up to `wait` for each answer (a load may queue answers behind
    /// Telegram's limit of about 30 new messages a second).
    #[must_use]
    pub fn patient(mut self, wait: Duration) -> Self {
        self.wait = wait;
        self
    }

    pub fn telegram_id(&self) -> i64 {
        i64::try_from(self.user.id.0).unwrap()
    }

    pub async fn command(&self, text: &str) {
        self.client
            .send_command(&self.token, self.user.id, text)
            .await
            .unwrap();
    }

    /// Types and sends a plain message.
    pub async fn say(&self, text: &str) {
        self.client
            .send_text(&self.token, self.user.id, text)
            .await
            .unwrap();
    }

    /// Every message of this chat so far, the user's and the bot's.
    pub async fn history(&self) -> Vec<ChatMessage> {
        self.client.chat(&self.token, self.user.id).await.unwrap()
    }

    /// Waits up to `timeout` for the bot's next message whose text contains `part`, skipping
    /// others; `None` if none came.
    pub async fn wait_for(&self, part: &str, timeout: Duration) -> Option<ChatMessage> {
        let started = Instant::now();
        while started.elapsed() < timeout {
            if let Some(m) = self.try_next().await
                && m.text().contains(part)
            {
                return Some(m);
            }
        }
        None
    }

    /// The bot's next new message in this chat.
    pub async fn next(&self) -> ChatMessage {
        self.client
            .next_bot_message(&self.token, self.user.id, self.wait)
            .await
            .unwrap()
    }

    /// The bot's next new message, or `None` when none came within the wait.
    pub async fn try_next(&self) -> Option<ChatMessage> {
        self.client
            .next_bot_message(&self.token, self.user.id, self.wait)
            .await
            .ok()
    }

    /// Presses a button; `None` when the bot did not answer within the wait.
    pub async fn try_press_data(
        &self,
        message: &ChatMessage,
        data: &str,
    ) -> Option<(CallbackAnswer, ChatMessage)> {
        let query = self
            .client
            .press_button(&self.token, self.user.id, message.message_id, data)
            .await
            .ok()?;
        let answer = self
            .client
            .wait_callback_answer(&self.token, &query, self.wait)
            .await
            .ok()?;
        Some((answer, self.current(message).await))
    }

    /// The message as the chat shows it now (after edits).
    pub async fn current(&self, message: &ChatMessage) -> ChatMessage {
        self.client
            .chat(&self.token, self.user.id)
            .await
            .unwrap()
            .into_iter()
            .find(|m| m.message_id == message.message_id)
            .unwrap()
    }

    /// Presses the button labelled `label`.
    pub async fn press(&self, message: &ChatMessage, label: &str) -> (CallbackAnswer, ChatMessage) {
        let data = message
            .button_data(label)
            .unwrap_or_else(|| panic!("no button {label:?} in {:?}", message.buttons()));
        self.press_data(message, &data).await
    }

    /// Presses `label` on a bot that answers presses with a new message (the sales bot), and
    /// returns that message.
    pub async fn press_for_reply(&self, message: &ChatMessage, label: &str) -> ChatMessage {
        self.press(message, label).await;
        self.next().await
    }

    /// Presses a button by its data; returns the answer and the message after it.
    pub async fn press_data(
        &self,
        message: &ChatMessage,
        data: &str,
    ) -> (CallbackAnswer, ChatMessage) {
        let query = self
            .client
            .press_button(&self.token, self.user.id, message.message_id, data)
            .await
            .unwrap();
        let answer = self
            .client
            .wait_callback_answer(&self.token, &query, self.wait)
            .await
            .unwrap();
        (answer, self.current(message).await)
    }

    /// Presses `label` again and again while the bot asks to try later (an outage), as a
    /// patient person would; returns the first answer that is not such a request.
    pub async fn press_patiently(
        &self,
        message: &ChatMessage,
        label: &str,
    ) -> (CallbackAnswer, ChatMessage) {
        let started = Instant::now();
        loop {
            let (answer, after) = self.press(message, label).await;
            if !asks_to_retry(&answer) {
                return (answer, after);
            }
            assert!(
                started.elapsed() < PATIENCE,
                "still asked to retry after {PATIENCE:?}"
            );
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
    }

    /// /start in English, skipping the phone request: the main menu.
    pub async fn menu(&self) -> ChatMessage {
        self.command("/start").await;
        let choice = self.next().await;
        let (_, menu) = self.press(&choice, "English").await;
        assert!(menu.text().contains("how can we help"), "{}", menu.text());
        let ask = self.next().await;
        assert!(ask.text().contains("phone number"), "{}", ask.text());
        menu
    }

    /// From the menu to next month's calendar for the salon's haircut with Anna.
    pub async fn next_month(&self, menu: &ChatMessage) -> ChatMessage {
        let (_, services) = self.press(menu, "Book").await;
        let (_, staff) = self.press(&services, "Haircut").await;
        let (_, calendar) = self.press(&staff, "Anna").await;
        assert!(
            calendar.text().contains("Choose a day"),
            "{}",
            calendar.text()
        );
        let (_, month) = self.press(&calendar, "▶").await;
        month
    }
}

/// Whether the bot answered "temporarily unavailable, try again in a minute".
pub fn asks_to_retry(answer: &CallbackAnswer) -> bool {
    answer
        .text
        .as_deref()
        .is_some_and(|t| t.contains("try again in a minute"))
}

/// The data of the `n`-th button whose data starts with `prefix`.
pub fn nth_data(message: &ChatMessage, prefix: &str, n: usize) -> String {
    message
        .buttons()
        .into_iter()
        .map(|(_, data)| data)
        .filter(|d| d.starts_with(prefix))
        .nth(n)
        .unwrap_or_else(|| panic!("no {prefix} button #{n} in {:?}", message.buttons()))
}
