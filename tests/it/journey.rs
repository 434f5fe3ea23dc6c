//! The paid-to-booked journey, every part a real process: a stranger buys a plan from the
//! sales bot, YooKassa (the fake) notifies, the subscription activates, the tenant is
//! provisioned, the deploy worker starts the tenant's bot in a container on the podman engine,
//! a customer books through that bot, the owner sees the booking in /admin, another customer
//! joins the full day's waitlist, time moves (the bot restarted on an injected clock) and the
//! reminder arrives once, the first customer cancels, and the waiting one is offered the freed
//! time and takes it.

use std::time::Duration;

use booking_core::{catalogue::Minutes, ids::TenantId};
use chrono::{Days, Utc};
use deploy_worker::runtime::RunState;
use storage::{
    control::subscriptions::{self, SubscriptionStatus},
    tenant::settings,
};
use system_tests::chat;
use tg_sandbox::NewUser;

use crate::platform::{self, Platform};

const ZONE: chrono_tz::Tz = chrono_tz::Europe::Moscow;
/// From a paid order to the buyer told their bot is live: provisioning, a container started
/// and health-checked on podman, and the sales bot's next pass.
const DEPLOY: Duration = Duration::from_secs(120);
/// The salon's one reminder, before the visit; the cancel cut-off (two hours) is shorter, so
/// Carl can still cancel once the reminder came.
const REMINDER: Minutes = Minutes::new(180);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stranger_buys_a_plan_and_customers_book_through_the_new_bot() {
    let mut p = Platform::start().await;
    // A stranger finds the sales bot and buys the monthly plan for a bot of her own.
    let (sales, their_bot, payment_id) = p.buy("Olga", "journey_salon_bot").await;
    let olga = sales.user.clone();

    // She pays on YooKassa's page; YooKassa notifies the webhook from its own address.
    p.yookassa.pay(&payment_id);
    assert_eq!(p.notify_paid(&payment_id).await, 200);
    assert!(sales.wait_for("Payment received", DEPLOY).await.is_some());

    // The tenant exists, paid up, and its bot is live in a container.
    let live = sales
        .wait_for("https://t.me/journey_salon_bot", DEPLOY)
        .await
        .expect("the buyer is told the bot is live");
    let tenant: TenantId = TenantId(
        sqlx::query_scalar(
            "select tenant_id from control.tenants where bot_username = 'journey_salon_bot'",
        )
        .fetch_one(p.db.db.pool())
        .await
        .unwrap(),
    );
    let mut conn = p.db.db.pool().acquire().await.unwrap();
    let sub = subscriptions::get(&mut conn, tenant)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(sub.status, SubscriptionStatus::Active);
    drop(conn);
    let containers = p.containers().await;
    assert_eq!(containers.len(), 1, "{containers:?} ({})", live.text());
    assert_eq!(containers[0].state, RunState::Running);

    // Olga sets up her salon (as the admin panel would): Anna, a haircut, open every day.
    let start = tomorrow_at_nine();
    let mut tx = p.db.tx(tenant).await;
    // One visit a day (09:00-10:00): Carl's booking fills tomorrow, and Dina has to wait.
    platform::open_salon(&mut tx, "09:00-10:00").await;
    // One reminder, three hours before the visit (at least six hours away now: the visit is
    // tomorrow at nine). Time moves for the bot further down.
    let mut policy = settings::profile(&mut tx).await.unwrap().policy;
    policy.reminder_offsets = vec![REMINDER];
    settings::set_policy(&mut tx, &policy).await.unwrap();
    tx.commit().await.unwrap();

    // Olga opens her new bot's admin panel (a bot may only write to people who wrote to it).
    let olga_admin = chat::open(&p.client, &their_bot.token, &olga);
    olga_admin.command("/admin").await;
    let panel = olga_admin.next().await;
    assert!(panel.text().contains("Admin panel"), "{}", panel.text());

    // A customer books tomorrow at nine through the new bot.
    let carl_user = p
        .client
        .create_user(NewUser::named("Carl").language("en"))
        .await
        .unwrap();
    let carl = chat::open(&p.client, &their_bot.token, &carl_user);
    let mut calendar = platform::haircut_with_anna(&carl).await;
    let wanted = format!("v1:d:{}", start.with_timezone(&ZONE).format("%Y%m%d"));
    if !calendar.buttons().iter().any(|(_, data)| *data == wanted) {
        (_, calendar) = carl.press(&calendar, "▶").await;
    }
    let (_, times) = carl.press_data(&calendar, &wanted).await;
    let (_, confirm) = carl.press(&times, "09:00").await;
    let (_, done) = carl.press(&confirm, "Confirm").await;
    assert!(done.text().contains("You are booked"), "{}", done.text());

    // Olga, the owner, is told of it, and sees it in /admin.
    let notice = olga_admin
        .wait_for("New booking", Duration::from_secs(30))
        .await
        .expect("the owner is told of the booking");
    assert!(notice.text().contains("Carl"), "{}", notice.text());
    let (_, tomorrow) = olga_admin.press(&panel, "Tomorrow").await;
    assert!(
        tomorrow.text().contains("09:00") && tomorrow.text().contains("Carl"),
        "{}",
        tomorrow.text()
    );

    // Tomorrow is full now: Dina joins its waitlist.
    let dina_user = p
        .client
        .create_user(NewUser::named("Dina").language("en"))
        .await
        .unwrap();
    let dina = chat::open(&p.client, &their_bot.token, &dina_user);
    let mut calendar = platform::haircut_with_anna(&dina).await;
    let full = format!("{}🔔", start.with_timezone(&ZONE).format("%-d"));
    if calendar.button_data(&full).is_none() {
        (_, calendar) = dina.press(&calendar, "▶").await;
    }
    let (_, ask) = dina.press(&calendar, &full).await;
    let (_, joined) = dina.press(&ask, "🔔 Join the waitlist").await;
    assert!(
        joined.text().starts_with("You are on the waitlist"),
        "{}",
        joined.text()
    );

    // Time moves: the deploy worker restarts with the tenants' clock set to just past the
    // reminder's moment, which changes the bot's spec, so it replaces the bot's container
    // with one running on the injected clock. The reminder was planned before the restart and
    // arrives after it, once.
    assert!(
        carl.history()
            .await
            .iter()
            .all(|m| !m.text().contains("Reminder"))
    );
    let before = p.containers().await;
    let offset = (start - REMINDER.duration() + chrono::Duration::seconds(5)) - Utc::now();
    p.worker
        .set_env("TENANT_CLOCK_OFFSET_SECS", offset.num_seconds().to_string());
    p.worker.restart().await;
    let reminder = carl
        .wait_for("Reminder", DEPLOY)
        .await
        .expect("the reminder arrives on the bot's moved clock");
    assert!(reminder.text().contains("Haircut"), "{}", reminder.text());
    tokio::time::sleep(Duration::from_secs(3)).await;
    let reminders = carl
        .history()
        .await
        .iter()
        .filter(|m| m.is_from_bot() && m.text().contains("Reminder"))
        .count();
    assert_eq!(reminders, 1);
    let after = p.containers().await;
    assert_eq!(after.len(), 1, "{after:?}");
    assert_ne!(after[0].id, before[0].id, "the bot was replaced");

    // Carl cancels.
    carl.command("/my").await;
    let mine = carl.next().await;
    let (_, ask) = carl.press(&mine, "Cancel #1").await;
    let (answer, _) = carl.press(&ask, "Yes, cancel").await;
    assert_eq!(answer.text.as_deref(), Some("The booking is cancelled."));

    // Dina is offered the freed time and takes it.
    let offer = dina
        .wait_for("Time has freed up", Duration::from_secs(30))
        .await
        .expect("the waiting customer is offered the freed time");
    let (_, booked) = dina.press(&offer, "09:00").await;
    assert!(
        booked.text().contains("You are booked"),
        "{}",
        booked.text()
    );
    let mut tx = p.db.tx(tenant).await;
    let statuses: Vec<String> =
        sqlx::query_scalar("select status from bookings order by booking_id")
            .fetch_all(tx.conn())
            .await
            .unwrap();
    assert_eq!(statuses, ["cancelled", "confirmed"]);
}

/// Tomorrow 09:00 in the salon's zone.
fn tomorrow_at_nine() -> chrono::DateTime<Utc> {
    let date = Utc::now()
        .with_timezone(&ZONE)
        .date_naive()
        .checked_add_days(Days::new(1))
        .unwrap();
    date.and_hms_opt(9, 0, 0)
        .unwrap()
        .and_local_timezone(ZONE)
        .single()
        .unwrap()
        .with_timezone(&Utc)
}
