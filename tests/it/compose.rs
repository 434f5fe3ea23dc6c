//! The paid-to-booked journey against the shipped `docker-compose.yml`, brought up by
//! `scripts/compose.sh`: PostgreSQL, Redis, the master, the sales bot and the deploy worker in
//! containers made from the platform's image, the tenant's bot started by that worker as a
//! container of the same image. This test is the journey's driver: it plays the buyer, YooKassa
//! (the fake, on an address the containers reach) and the customers, through tg-sandbox.
//!
//! Ignored in the ordinary run: only the script brings the stack up, and it runs this test with
//! the stack's addresses in `COMPOSE_*` variables.

use std::time::Duration;

use booking_core::ids::TenantId;
use secrecy::SecretString;
use storage::{Db, control::plans, db::PoolSize};
use system_tests::chat;
use test_support::yookassa::FakeYooKassa;
use tg_sandbox::{BotToken, NewUser, SandboxClient};

use crate::platform;

/// From a paid order to the buyer told their bot is live: provisioning, a container started
/// and health-checked by the worker in the stack, and the sales bot's next pass.
const DEPLOY: Duration = Duration::from_secs(180);

fn var(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| panic!("{name} is set by scripts/compose.sh"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the compose stack: run scripts/compose.sh"]
async fn the_compose_stack_sells_provisions_and_books() {
    // The stack's database, reached at its container's address (compose publishes no port
    // for it): the plan the sales bot sells, and later the salon the owner would set up.
    let db = Db::connect_lazy_with_timeout(
        &SecretString::from(var("COMPOSE_DATABASE_URL")),
        PoolSize(2),
        Duration::from_secs(30),
    )
    .unwrap();
    let _ = plans::insert(db.pool(), &platform::month_plan())
        .await
        .unwrap();
    let client = SandboxClient::new(&var("COMPOSE_SANDBOX_URL")).unwrap();
    let sales_token = BotToken::new(var("COMPOSE_SALES_TOKEN"));
    let yookassa = FakeYooKassa::start_on(
        &var("COMPOSE_YOOKASSA_ADDR"),
        &var("COMPOSE_SHOP_ID"),
        &var("COMPOSE_SHOP_SECRET"),
    )
    .await;

    // A stranger buys the monthly plan for a bot of her own and pays on YooKassa's page;
    // YooKassa notifies the sales bot's webhook, published by compose on this host.
    let bot_username = var("COMPOSE_BOT_USERNAME");
    let (sales, their_bot, payment_id) =
        platform::buy(&client, &sales_token, &yookassa, "Olga", &bot_username).await;
    let olga = sales.user.clone();
    yookassa.pay(&payment_id);
    let webhook = format!("{}/yookassa/notifications", var("COMPOSE_SALES_URL"));
    let source = "127.0.0.1".parse().unwrap();
    let status = yookassa
        .notify(&webhook, "payment.succeeded", &payment_id, source)
        .await;
    assert_eq!(status, 200, "the webhook took YooKassa's notification");
    assert!(sales.wait_for("Payment received", DEPLOY).await.is_some());
    println!("PASS compose: the sales bot took the order and the payment");

    // Provisioned, deployed by the worker in the stack, and announced to the buyer.
    sales
        .wait_for(&format!("https://t.me/{bot_username}"), DEPLOY)
        .await
        .expect("the buyer is told the bot is live");
    let tenant = TenantId(
        sqlx::query_scalar("select tenant_id from control.tenants where bot_username = $1")
            .bind(&bot_username)
            .fetch_one(db.pool())
            .await
            .unwrap(),
    );
    println!(
        "PASS compose: tenant {} provisioned and its bot live",
        tenant.0
    );

    // Olga sets up her salon (as the admin panel would): Anna, a haircut, open every day.
    let mut tx = db
        .tenant(&booking_core::tenant::TenantSchema::for_tenant(tenant))
        .await
        .unwrap();
    platform::open_salon(&mut tx, "09:00-18:00").await;
    tx.commit().await.unwrap();

    // Her bot, a container the worker started, answers her /admin and a customer's booking.
    let olga_admin = chat::open(&client, &their_bot.token, &olga);
    olga_admin.command("/admin").await;
    let panel = olga_admin.next().await;
    assert!(panel.text().contains("Admin panel"), "{}", panel.text());
    let carl_user = client
        .create_user(NewUser::named("Carl").language("en"))
        .await
        .unwrap();
    let carl = chat::open(&client, &their_bot.token, &carl_user);
    let mut calendar = platform::haircut_with_anna(&carl).await;
    // The first day with free times (a calendar's days are `v1:d:<date>` buttons), in this
    // month or, on its last evening, the next.
    let first_day = |m: &tg_sandbox::ChatMessage| {
        m.buttons()
            .into_iter()
            .map(|(_, data)| data)
            .find(|data| data.starts_with("v1:d:"))
    };
    if first_day(&calendar).is_none() {
        (_, calendar) = carl.press(&calendar, "▶").await;
    }
    let day = first_day(&calendar).expect("a day with free times");
    let (_, times) = carl.press_data(&calendar, &day).await;
    let (label, _) = times
        .buttons()
        .into_iter()
        .find(|(label, _)| label.contains(':'))
        .expect("a free time");
    let (_, confirm) = carl.press(&times, &label).await;
    let (_, done) = carl.press(&confirm, "Confirm").await;
    assert!(done.text().contains("You are booked"), "{}", done.text());
    let notice = olga_admin
        .wait_for("New booking", Duration::from_secs(30))
        .await
        .expect("the owner is told of the booking");
    assert!(notice.text().contains("Carl"), "{}", notice.text());
    println!("PASS compose: a customer booked through the tenant's bot and the owner was told");
}
