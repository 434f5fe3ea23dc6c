//! Helpers for the admin-panel tests: admins by role, another staff member, bookings made
//! straight in the database, and reading back what the panel changed.

use booking_core::{
    booking::BookingStatus,
    catalogue::Staff,
    ids::{BookingId, CustomerId, StaffId, TelegramUserId},
};
use chrono::{DateTime, Duration, Utc};
use sqlx::Row as _;
use storage::tenant::{
    admins::{self, AdminRole},
    bookings::{self, model::Booking},
    catalogue,
    customers::{self, TelegramProfile},
};
use tg_sandbox::{CallbackAnswer, ChatMessage, TestUser};

use crate::support::TestBot;

pub fn tid(user: &TestUser) -> TelegramUserId {
    TelegramUserId(i64::try_from(user.id.0).unwrap())
}

/// A Telegram user made an admin with `role`.
pub async fn admin(bot: &TestBot, name: &str, role: AdminRole) -> TestUser {
    admin_speaking(bot, name, role, "en").await
}

/// A Telegram user whose Telegram speaks `language`, made an admin with `role`.
pub async fn admin_speaking(
    bot: &TestBot,
    name: &str,
    role: AdminRole,
    language: &str,
) -> TestUser {
    let user = bot.user(name, language).await;
    let mut tx = bot.db.tx(bot.tenant_id()).await;
    admins::upsert(&mut tx, tid(&user), role, name, None)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    user
}

/// `/admin` and the panel it opens.
pub async fn panel(bot: &TestBot, user: &TestUser) -> ChatMessage {
    bot.command(user, "/admin").await;
    let menu = bot.next(user).await;
    assert!(menu.text().contains("Admin panel"), "{}", menu.text());
    menu
}

/// A second staff member giving the salon's haircut, on the business's hours.
pub async fn boris(bot: &TestBot) -> Staff {
    let mut tx = bot.db.tx(bot.tenant_id()).await;
    let boris = catalogue::create_staff(&mut tx, "Boris", &[bot.salon.haircut])
        .await
        .unwrap();
    tx.commit().await.unwrap();
    boris
}

/// A customer who wrote to the bot (so the bot may write to them).
pub async fn customer(bot: &TestBot, user: &TestUser) -> CustomerId {
    let mut tx = bot.db.tx(bot.tenant_id()).await;
    let c = customers::upsert(
        &mut tx,
        &TelegramProfile {
            telegram_user_id: tid(user),
            first_name: user.first_name.clone(),
            last_name: None,
            username: None,
        },
        None,
        Utc::now(),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    c.id
}

/// A confirmed booking with `staff` in the first free slot from `days` days ahead.
pub async fn booking_with(
    bot: &TestBot,
    customer: CustomerId,
    staff: StaffId,
    days: i64,
) -> Booking {
    let mut tx = bot.db.tx(bot.tenant_id()).await;
    let today = Utc::now().date_naive();
    let slot = bookings::slots::free(
        &mut tx,
        bot.salon.haircut,
        Some(staff),
        today + Duration::days(days),
        today + Duration::days(days + 7),
        Utc::now(),
    )
    .await
    .unwrap()[0];
    tx.commit().await.unwrap();
    // Written directly, as `booking_at` does: a seeded booking is not a change anyone is told
    // of (the booking service would tell the business's admins, and the tests read their chats).
    let id = booking_at(bot, customer, staff, slot.start).await;
    get(bot, id).await
}

/// A confirmed booking written directly (any time, even past), for outcomes and today's views.
pub async fn booking_at(
    bot: &TestBot,
    customer: CustomerId,
    staff: StaffId,
    start: DateTime<Utc>,
) -> BookingId {
    let mut tx = bot.db.tx(bot.tenant_id()).await;
    let end = start + Duration::minutes(60);
    let id: i64 = sqlx::query_scalar(
        "with b as ( \
             insert into bookings (customer_id, service_id, staff_id, starts_at, ends_at, occupied, \
                 status, price_minor) \
             values ($1, $2, $3, $4, $5, tstzrange($4, $5, '[)'), 'confirmed', 150000) \
             returning booking_id, status, starts_at), \
         h as ( \
             insert into booking_history (booking_id, actor_kind, action, new_status, new_starts_at) \
             select booking_id, 'system', 'create', status, starts_at from b) \
         select booking_id from b",
    )
    .bind(customer.get())
    .bind(bot.salon.haircut.get())
    .bind(staff.get())
    .bind(start)
    .bind(end)
    .fetch_one(tx.conn())
    .await
    .unwrap();
    tx.commit().await.unwrap();
    BookingId(id)
}

pub async fn status(bot: &TestBot, id: BookingId) -> BookingStatus {
    let mut tx = bot.db.tx(bot.tenant_id()).await;
    let b = bookings::views::get(&mut tx, id).await.unwrap().unwrap();
    tx.commit().await.unwrap();
    b.status
}

pub async fn get(bot: &TestBot, id: BookingId) -> Booking {
    let mut tx = bot.db.tx(bot.tenant_id()).await;
    let b = bookings::views::get(&mut tx, id).await.unwrap().unwrap();
    tx.commit().await.unwrap();
    b
}

/// `(actor, action, target)` of every audit entry an admin made, oldest first (bookings the
/// tests seed are made by the platform and audited without an actor).
pub async fn audit(bot: &TestBot) -> Vec<(i64, String, String)> {
    let mut tx = bot.db.tx(bot.tenant_id()).await;
    let rows = sqlx::query(
        "select actor_id, action, coalesce(target, '') as target from audit_log \
         where actor_id is not null order by audit_id",
    )
    .fetch_all(tx.conn())
    .await
    .unwrap();
    tx.commit().await.unwrap();
    rows.iter()
        .map(|r| (r.get("actor_id"), r.get("action"), r.get("target")))
        .collect()
}

/// `(chat, payload)` of every queued notice (written verbatim, or about a booking's change for
/// its customer), oldest first.
pub async fn notices(bot: &TestBot) -> Vec<(i64, serde_json::Value)> {
    let mut tx = bot.db.tx(bot.tenant_id()).await;
    let rows =
        sqlx::query("select chat_id, payload from outbox where kind in ('notice', 'customer_notice') order by outbox_id")
            .fetch_all(tx.conn())
            .await
            .unwrap();
    tx.commit().await.unwrap();
    rows.iter()
        .map(|r| (r.get("chat_id"), r.get("payload")))
        .collect()
}

/// The refusal every unauthorised press gets.
pub fn is_refusal(answer: &CallbackAnswer) -> bool {
    answer.text.as_deref().is_some_and(|t| t.starts_with("⛔"))
}

/// The bot's latest message to `user` (edits applied).
pub async fn latest(bot: &TestBot, user: &TestUser) -> ChatMessage {
    bot.client
        .chat(&bot.info.token, user.id)
        .await
        .unwrap()
        .into_iter()
        .rev()
        .find(ChatMessage::is_from_bot)
        .unwrap()
}

/// Types `text` to the bot and returns its next message.
pub async fn say(bot: &TestBot, user: &TestUser, text: &str) -> ChatMessage {
    bot.client
        .send_text(&bot.info.token, user.id, text)
        .await
        .unwrap();
    bot.next(user).await
}

/// The CSV document the bot sent next: its file name and records (header first), parsed with
/// the csv crate after the byte-order mark.
pub async fn csv_document(bot: &TestBot, user: &TestUser) -> (String, Vec<Vec<String>>) {
    let message = bot.next(user).await;
    let file = message
        .document
        .clone()
        .unwrap_or_else(|| panic!("no document in {message:?}"));
    let bytes = bot.client.download(&file).await.unwrap();
    let body = bytes
        .strip_prefix(b"\xEF\xBB\xBF".as_slice())
        .expect("UTF-8 BOM");
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(body);
    let records = reader
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect();
    (file.file_name.unwrap_or_default(), records)
}

/// A bot against a sandbox that enforces Telegram's flood limits (429 when exceeded), as the
/// live Bot API does; the usual sandbox has them off.
pub async fn flood_limited_bot() -> TestBot {
    let mut bot = TestBot::prepare(crate::support::REDIS).await;
    let sandbox = tg_sandbox::spawn(tg_sandbox::Config {
        flood: tg_sandbox::FloodLimits::telegram(),
        max_long_poll: std::time::Duration::from_secs(1),
        ..tg_sandbox::Config::default()
    })
    .await
    .unwrap();
    let client = sandbox.client();
    let info = client.create_bot("salon_bot").await.unwrap();
    bot.config.bot_token = secrecy::SecretString::from(info.token.as_str().to_owned());
    bot.config.telegram_api_url = client.api_url().to_string();
    bot._sandbox = sandbox;
    bot.client = client;
    bot.info = info;
    bot.launch().await;
    bot
}

/// `n` Telegram users who wrote to the bot once and are its customers.
pub async fn customers_n(bot: &TestBot, n: usize) -> Vec<TestUser> {
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let user = bot.user(&format!("Guest{i}"), "en").await;
        customer(bot, &user).await;
        // Writing once lets the bot write back (the refusal is their one reply).
        bot.command(&user, "/admin").await;
        out.push(user);
    }
    for user in &out {
        assert!(bot.next(user).await.text().starts_with("⛔"));
    }
    out
}
