//! The operator API changes bookings through the same booking service as the bot: a booking,
//! a move and a cancellation made through `/api/v1` reach the customer and the business's
//! owner in Telegram (tg-sandbox), sent by the tenant's real bot process from its outbox.

use std::time::Duration;

use booking_core::ids::TelegramUserId;
use chrono::{Days, Utc};
use secrecy::ExposeSecret as _;
use serde_json::{Value, json};
use storage::{
    control::api_keys::{self, Scope},
    crypto::DataKey,
    tenant::admins::{self, AdminRole},
};
use system_tests::{Service, chat::World};

const WAIT: Duration = Duration::from_secs(20);

#[tokio::test]
async fn api_bookings_moves_and_cancellations_reach_the_customer_and_the_owner() {
    let world = World::start().await;
    // The owner and the customer have both written to the bot, so it may write to them.
    let olga = world.customer("Olga").await;
    olga.command("/start").await;
    // The menu (her Telegram speaks English: no language question) and the phone request.
    let _ = olga.next().await;
    let _ = olga.next().await;
    let alice = world.customer("Alice").await;
    alice.command("/start").await;
    let _menu = alice.next().await;
    let mut tx = world.db.tx(world.tenant.id).await;
    admins::upsert(
        &mut tx,
        TelegramUserId(olga.telegram_id()),
        AdminRole::Owner,
        "Olga",
        None,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();

    let (_, key) = api_keys::create(world.db.db.pool(), Scope::Tenant(world.tenant.id), "site")
        .await
        .unwrap();
    let master = Service::start(
        "master-bot",
        &["serve"],
        &[
            ("DATABASE_URL", world.db.url().expose_secret().to_owned()),
            ("DATA_KEY", DataKey::generate_base64()),
        ],
    )
    .await;
    let api = format!("{}/api/v1/tenants/{}", master.base, world.tenant.id);
    let http = reqwest::Client::new();
    let call = |method: reqwest::Method, url: String, body: Option<Value>| {
        let mut request = http.request(method, url).bearer_auth(key.expose_secret());
        if let Some(body) = body {
            request = request.json(&body);
        }
        async move {
            let response = request.send().await.unwrap();
            let status = response.status().as_u16();
            (
                status,
                response.json::<Value>().await.unwrap_or(Value::Null),
            )
        }
    };

    let (_, services) = call(reqwest::Method::GET, format!("{api}/services"), None).await;
    let service = services[0]["id"].as_i64().unwrap();
    let from = Utc::now().date_naive() + Days::new(7);
    let to = from + Days::new(7);
    let (status, slots) = call(
        reqwest::Method::GET,
        format!("{api}/slots?service_id={service}&from={from}&to={to}"),
        None,
    )
    .await;
    assert_eq!(status, 200, "{slots}");
    let (first, second) = (&slots[0], &slots[1]);

    // Booked through the API: Alice is told, and so is the owner, with the card one press away.
    let (status, booked) = call(
        reqwest::Method::POST,
        format!("{api}/bookings"),
        Some(json!({
            "service_id": service,
            "staff_id": first["staff_id"],
            "start": first["start"],
            "customer": { "telegram_user_id": alice.telegram_id(), "first_name": "Alice" },
        })),
    )
    .await;
    assert_eq!(status, 201, "{booked}");
    let id = booked["id"].as_i64().unwrap();
    let told = alice.wait_for("You are booked", WAIT).await;
    assert!(told.is_some(), "{:?}", alice.history().await);
    let owner_told = olga.wait_for("Haircut", WAIT).await.unwrap();
    assert!(
        owner_told
            .buttons()
            .iter()
            .any(|(label, data)| label.contains("📋")
                && data.starts_with("a1:")
                && data.ends_with(&format!(":{id}"))),
        "{:?}",
        owner_told.buttons()
    );

    // Moved through the API.
    let (status, moved) = call(
        reqwest::Method::PATCH,
        format!("{api}/bookings/{id}"),
        Some(json!({ "start": second["start"] })),
    )
    .await;
    assert_eq!(status, 200, "{moved}");
    assert!(alice.wait_for("was moved", WAIT).await.is_some());
    assert!(olga.wait_for("→", WAIT).await.is_some());

    // Cancelled through the API, with a reason the customer reads.
    let (status, cancelled) = call(
        reqwest::Method::DELETE,
        format!("{api}/bookings/{id}?reason=the%20salon%20is%20closed"),
        None,
    )
    .await;
    assert_eq!(status, 200, "{cancelled}");
    let notice = alice.wait_for("the salon is closed", WAIT).await.unwrap();
    assert!(notice.text().contains("cancel"), "{}", notice.text());
    assert!(
        olga.wait_for("the salon is closed", WAIT).await.is_some(),
        "the owner hears of it too"
    );
}
