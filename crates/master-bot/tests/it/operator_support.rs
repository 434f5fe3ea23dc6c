//! The operator bot under test: a fresh database, an in-process tg-sandbox, an operator and a
//! stranger, and the bot started through `operator_bot::run` as `serve` starts it.

use std::{sync::Arc, time::Duration};

use booking_core::{Tz, clock::ManualClock, ids::TenantId, locale::Locale};
use bot_kit::TokenRejected;
use master_bot::operator_bot::{self, OperatorBotConfig, allowlist::OperatorIds};
use secrecy::SecretString;
use storage::control::tenants::{self, NewTenant, TenantRecord};
use telemetry::Shutdown;
use test_support::TestDb;
use tg_sandbox::{BotInfo, Chat, NewUser, SandboxClient, SandboxHandle, TestUser};
use tokio::task::JoinHandle;

use crate::monday_morning;

pub const WAIT: Duration = Duration::from_secs(15);

pub struct OpBot {
    pub t: TestDb,
    pub clock: ManualClock,
    pub _sandbox: SandboxHandle,
    pub client: SandboxClient,
    pub info: BotInfo,
    pub operator: Chat,
    pub stranger: Chat,
    /// On the allowlist, but never started the bot: Telegram refuses messages to them.
    pub idle_operator: TestUser,
    /// Seals tenants' bot tokens (`/token`).
    pub data_key: storage::crypto::DataKey,
    running: Option<(Shutdown, JoinHandle<Result<(), TokenRejected>>)>,
}

impl OpBot {
    pub async fn start() -> Self {
        let t = TestDb::new().await;
        let sandbox = tg_sandbox::chat::test_sandbox().await;
        let client = sandbox.client();
        let info = client.create_bot("ops_bot").await.unwrap();
        let chat = |user: &TestUser| Chat::new(&client, &info.token, user).patient(WAIT);
        let operator = chat(
            &client
                .create_user(NewUser::named("Olga").language("en"))
                .await
                .unwrap(),
        );
        let stranger = chat(
            &client
                .create_user(NewUser::named("Mallory").language("en"))
                .await
                .unwrap(),
        );
        let idle_operator = client
            .create_user(NewUser::named("Ivan").language("ru"))
            .await
            .unwrap();
        let mut bot = Self {
            t,
            clock: ManualClock::new(monday_morning()),
            _sandbox: sandbox,
            client,
            info,
            operator,
            stranger,
            idle_operator,
            data_key: storage::crypto::DataKey::parse(&SecretString::from(
                storage::crypto::DataKey::generate_base64(),
            ))
            .unwrap(),
            running: None,
        };
        bot.launch();
        bot
    }

    /// The bot's configuration: the two operators on the allowlist.
    pub fn config(&self) -> OperatorBotConfig {
        OperatorBotConfig {
            token: SecretString::from(self.info.token.as_str().to_owned()),
            api_url: self.client.api_url(),
            allowlist: OperatorIds::new([
                i64::try_from(self.operator.user.id.0).unwrap(),
                i64::try_from(self.idle_operator.id.0).unwrap(),
            ]),
            alert_interval: Duration::from_millis(100),
        }
    }

    pub fn launch(&mut self) {
        let stop = Shutdown::new();
        let task = tokio::spawn(operator_bot::run(
            self.config(),
            self.t.db.clone(),
            Arc::new(self.clock.clone()),
            (
                Some(self.data_key.clone()),
                master_bot::bot_api::BotApi::new(self.client.api_url().as_str()).unwrap(),
            ),
            stop.clone(),
        ));
        self.running = Some((stop, task));
    }

    /// Stops the bot and waits until it has.
    pub async fn stop(&mut self) {
        let (stop, task) = self.running.take().expect("the bot runs");
        stop.trigger();
        tokio::time::timeout(WAIT, task)
            .await
            .expect("the bot stops in time")
            .unwrap()
            .unwrap();
    }

    /// `user`'s chat with the bot.
    pub fn chat_of(&self, user: &TestUser) -> Chat {
        Chat::new(&self.client, &self.info.token, user).patient(WAIT)
    }

    /// A tenant row (not provisioned: the bot only reads `control`).
    pub async fn tenant(&self, name: &str) -> TenantRecord {
        tenants::insert(
            self.t.db.pool(),
            &NewTenant {
                name: name.to_owned(),
                time_zone: Tz::Europe__Moscow,
                locale: Locale::En,
                owner_telegram_id: None,
            },
        )
        .await
        .unwrap()
    }

    pub async fn count(&self, sql: &str, tenant: TenantId) -> i64 {
        sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_owned()))
            .bind(tenant.get())
            .fetch_one(self.t.db.pool())
            .await
            .unwrap()
    }

    pub fn operator_actor(&self) -> String {
        format!("telegram:{}", self.operator.user.id.0)
    }
}
