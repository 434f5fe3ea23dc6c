//! People in tg-sandbox talking to a bot that runs as a real process: the salon world, and the
//! presses a customer of it makes, with the waiting a person would do when the bot asks them
//! to try again. The chat itself is tg-sandbox's [`Chat`].

#![allow(clippy::unwrap_used)] // a harness: a failure should stop the test loudly

use std::time::Duration;

use crate::Service;
use booking_core::tenant::TenantSchema;
use secrecy::ExposeSecret as _;
use storage::control::tenants::TenantRecord;
use test_support::{TestDb, salon};
use tg_sandbox::{
    BotInfo, BotToken, CallbackAnswer, ChatMessage, NewUser, SandboxClient, SandboxHandle, TestUser,
};
pub use tg_sandbox::{Chat, chat::nth_data};

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
        let sandbox = tg_sandbox::chat::test_sandbox().await;
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
        open(&self.client, &self.info.token, &user)
    }
}

/// `user`'s chat with the bot whose token is `token`, waiting up to [`WAIT`] for each answer
/// (a bot process, started cold, answers slower than one in the test's process).
#[must_use]
pub fn open(client: &SandboxClient, token: &BotToken, user: &TestUser) -> Chat {
    Chat::new(client, token, user).patient(WAIT)
}

/// /start from an English Telegram (not asked the language), skipping the phone request: the
/// main menu.
pub async fn menu(chat: &Chat) -> ChatMessage {
    chat.command("/start").await;
    let menu = chat.next().await;
    assert!(menu.text().contains("how can we help"), "{}", menu.text());
    let ask = chat.next().await;
    assert!(ask.text().contains("phone number"), "{}", ask.text());
    menu
}

/// From the menu to next month's calendar for the salon's haircut with Anna.
pub async fn next_month(chat: &Chat, menu: &ChatMessage) -> ChatMessage {
    let (_, services) = chat.press(menu, "Book").await;
    let (_, staff) = chat.press(&services, "Haircut").await;
    let (_, calendar) = chat.press(&staff, "Anna").await;
    assert!(
        calendar.text().contains("Choose a day"),
        "{}",
        calendar.text()
    );
    let (_, month) = chat.press(&calendar, "▶").await;
    month
}

/// Presses `label` again and again while the bot asks to try later (an outage), as a patient
/// person would; returns the first answer that is not such a request.
pub async fn press_patiently(
    chat: &Chat,
    message: &ChatMessage,
    label: &str,
) -> (CallbackAnswer, ChatMessage) {
    chat.press_until(message, label, PATIENCE, asks_to_retry)
        .await
}

/// Whether the bot answered "temporarily unavailable, try again in a minute".
pub fn asks_to_retry(answer: &CallbackAnswer) -> bool {
    answer
        .text
        .as_deref()
        .is_some_and(|t| t.contains("try again in a minute"))
}
