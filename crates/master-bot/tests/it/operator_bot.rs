//! The operator bot through tg-sandbox: the allowlist, list, find, details, deploy, stop,
//! restart, extend and alerts.

use chrono::Duration;
use storage::control::{
    alerts::{self, AlertKind, NewAlert},
    subscriptions::{self, SubscriptionStatus},
    tenant_admin,
    tenants::{self, DesiredState},
};

use crate::{monday_morning, operator_support::OpBot};

const REFUSED: &str = "This bot is for the platform's operators only.";

#[tokio::test]
async fn a_stranger_gets_only_a_refusal_for_every_command_and_forged_button() {
    let bot = OpBot::start().await;
    let tenant = bot.tenant("Barber").await;
    let id = tenant.id;
    for text in [
        "/start",
        "/tenants",
        "/find Barber",
        &format!("/tenant {id}"),
        "/stats",
        "Barber",
    ] {
        let answer = bot.stranger.ask(text).await;
        assert_eq!(answer.text(), REFUSED, "{text}");
        assert!(answer.buttons().is_empty(), "{text}");
    }
    // Buttons an operator would have, pressed by the stranger.
    let forged = bot
        .stranger
        .forged_buttons(&[
            format!("o1:d:{id}"),
            format!("o1:s:{id}"),
            format!("o1:r:{id}"),
            format!("o1:X:{id}:30"),
            format!("o1:t:{id}"),
            "o1:l:0".to_owned(),
            "o1:st".to_owned(),
        ])
        .await;
    for (_, data) in forged.buttons() {
        let (answer, after) = bot.stranger.press_data(&forged, &data).await;
        assert_eq!(answer.text.as_deref(), Some(REFUSED), "{data}");
        assert_eq!(after.text(), "forged", "{data}: the message is left alone");
    }
    // Nothing happened, and the stranger got nothing else.
    let after = tenants::get(bot.t.db.pool(), id).await.unwrap().unwrap();
    assert_eq!(after.desired_state, DesiredState::Stopped);
    let sql = "select count(*) from control.jobs where payload->>'tenant_id' = $1::text";
    assert_eq!(bot.count(sql, id).await, 0);
    let sql = "select count(*) from control.audit_log where tenant_id = $1";
    assert_eq!(bot.count(sql, id).await, 0);
    let chat = bot.stranger.history().await;
    let from_bot: Vec<&str> = chat
        .iter()
        .filter(|m| m.is_from_bot() && m.text() != "forged")
        .map(|m| m.text())
        .collect();
    assert_eq!(from_bot, vec![REFUSED; 6]);

    // In the stranger's own language.
    let russian = bot
        .client
        .create_user(tg_sandbox::NewUser::named("Борис").language("ru"))
        .await
        .unwrap();
    let answer = bot.chat_of(&russian).ask("/tenants").await;
    assert_eq!(answer.text(), "Этот бот только для операторов платформы.");
}

#[tokio::test]
async fn operators_list_tenants_page_by_page_find_them_and_read_details() {
    let bot = OpBot::start().await;
    let mut all = Vec::new();
    for i in 1..=10 {
        all.push(bot.tenant(&format!("Salon {i:02}")).await);
    }
    let barber = bot.tenant("Barber Shop").await;
    let token = secrecy::SecretString::from("123:barber");
    tenant_admin::set_bot(
        bot.t.db.pool(),
        &bot.t.data_key,
        barber.id,
        &token,
        "barber_bot",
    )
    .await
    .unwrap()
    .unwrap();

    let page = bot.operator.ask("/tenants").await;
    assert!(page.text().contains("Salon 01") && page.text().contains("Salon 08"));
    assert!(!page.text().contains("Salon 09"), "{}", page.text());
    let (_, page2) = bot.operator.press(&page, "Next ›").await;
    assert!(page2.text().contains("Salon 09") && page2.text().contains("Barber Shop"));
    assert!(!page2.text().contains("Salon 01"));
    assert!(page2.button_data("Next ›").is_none());
    let (_, first) = bot.operator.press(&page2, "« First").await;
    assert!(first.text().contains("Salon 01"));

    for query in [
        "/find barber",
        "/find @barber_bot",
        "BARBER_BOT",
        &format!("/find #{}", barber.id),
    ] {
        let found = bot.operator.ask(query).await;
        assert!(
            found.text().contains("Barber Shop"),
            "{query}: {}",
            found.text()
        );
        assert!(!found.text().contains("Salon"), "{query}: {}", found.text());
    }
    let none = bot.operator.ask("/find 100%_nothing").await;
    assert!(none.text().contains("Nothing found"), "{}", none.text());

    subscriptions::start(
        bot.t.db.pool(),
        barber.id,
        None,
        SubscriptionStatus::Active,
        monday_morning() + Duration::days(30),
    )
    .await
    .unwrap();
    let card = bot.operator.ask(&format!("/tenant {}", barber.id)).await;
    let text = card.text();
    for part in [
        "Barber Shop",
        "@barber_bot",
        "Desired: stopped",
        "Actual: unknown",
        "Subscription: active until 2026-07-01 05:00 UTC",
    ] {
        assert!(text.contains(part), "{part} in {text}");
    }
    // From the list to the same card.
    let (_, page2) = bot.operator.press(&first, "Next ›").await;
    let (_, card2) = bot
        .operator
        .press(&page2, &format!("#{} Barber Shop", barber.id))
        .await;
    assert!(card2.text().contains("@barber_bot"));

    let missing = bot.operator.ask("/tenant 999999").await;
    assert_eq!(missing.text(), "No such tenant.");
    // Payments: two this month (the clock's), one in May that does not count.
    for (id, amount, at) in [
        ("p-june-1", 150_000, "2026-06-01 01:00Z"),
        ("p-june-2", 49_950, "2026-06-01 04:59Z"),
        ("p-may", 990_000, "2026-05-31 23:59Z"),
    ] {
        sqlx::query(
            "insert into control.payments (payment_id, tenant_id, status, amount_minor, currency, created_at) \
             values ($1, $2, 'succeeded', $3, 'RUB', $4::timestamptz)",
        )
        .bind(id)
        .bind(barber.id.get())
        .bind(amount)
        .bind(at)
        .execute(bot.t.db.pool())
        .await
        .unwrap();
    }
    let stats = bot.operator.ask("/stats").await;
    assert!(
        stats
            .text()
            .contains("Payments this month: 1999.50 RUB (2)"),
        "{}",
        stats.text()
    );
    assert!(
        stats.text().contains("provisioning: 11"),
        "{}",
        stats.text()
    );
    assert!(stats.text().contains("active: 1"), "{}", stats.text());
}

#[tokio::test]
async fn deploy_stop_and_restart_queue_jobs_and_are_audited_as_the_operator() {
    let bot = OpBot::start().await;
    let tenant = bot.tenant("Barber").await;
    let id = tenant.id;
    let card = bot.operator.ask(&format!("/tenant {id}")).await;

    let (answer, _) = bot.operator.press(&card, "Restart").await;
    assert_eq!(
        answer.text.as_deref(),
        Some("The bot is meant to be stopped: deploy it first.")
    );

    let (answer, card) = bot.operator.press(&card, "Deploy").await;
    assert_eq!(answer.text.as_deref(), Some("Deploy queued."));
    assert!(card.text().contains("Desired: running"), "{}", card.text());
    let record = tenants::get(bot.t.db.pool(), id).await.unwrap().unwrap();
    assert_eq!(record.desired_state, DesiredState::Running);
    let jobs = "select count(*) from control.jobs where kind = 'reconcile_tenant' \
                and payload->>'tenant_id' = $1::text";
    assert_eq!(bot.count(jobs, id).await, 1);

    let (answer, card) = bot.operator.press(&card, "Restart").await;
    assert_eq!(answer.text.as_deref(), Some("Restart queued."));
    let restarts = "select count(*) from control.jobs where kind = 'restart_tenant' \
                    and payload->>'tenant_id' = $1::text";
    assert_eq!(bot.count(restarts, id).await, 1);

    let (answer, card) = bot.operator.press(&card, "Stop").await;
    assert_eq!(answer.text.as_deref(), Some("Stop queued."));
    assert!(card.text().contains("Desired: stopped"));

    let actors: Vec<(String, String)> = sqlx::query_as(
        "select actor, action from control.audit_log where tenant_id = $1 order by audit_id",
    )
    .bind(id.get())
    .fetch_all(bot.t.db.pool())
    .await
    .unwrap();
    let me = bot.operator_actor();
    assert_eq!(
        actors,
        vec![
            (me.clone(), "tenant.update".to_owned()),
            (me.clone(), "tenant.restart".to_owned()),
            (me, "tenant.update".to_owned()),
        ]
    );
    // A button of a tenant that does not exist changes nothing.
    let forged = bot
        .operator
        .forged_buttons(&["o1:d:999999".to_owned()])
        .await;
    let (answer, _) = bot.operator.press_data(&forged, "o1:d:999999").await;
    assert_eq!(answer.text.as_deref(), Some("No such tenant."));
}

#[tokio::test]
async fn an_extension_waits_for_confirmation_and_refuses_forged_days() {
    let bot = OpBot::start().await;
    let tenant = bot.tenant("Barber").await;
    let id = tenant.id;
    let end = monday_morning() + Duration::days(2);
    subscriptions::start(bot.t.db.pool(), id, None, SubscriptionStatus::Trial, end)
        .await
        .unwrap();
    let card = bot.operator.ask(&format!("/tenant {id}")).await;
    let (_, confirm) = bot.operator.press(&card, "+30 d").await;
    assert!(
        confirm.text().contains("by 30 days") && confirm.text().contains("2026-06-03"),
        "{}",
        confirm.text()
    );
    let sub = |db: &test_support::TestDb| {
        let pool = db.db.pool().clone();
        async move {
            let mut conn = pool.acquire().await.unwrap();
            subscriptions::get(&mut conn, id).await.unwrap().unwrap()
        }
    };
    assert_eq!(
        sub(&bot.t).await.current_period_end,
        end,
        "not before confirming"
    );

    let (_, back) = bot.operator.press(&confirm, "Cancel").await;
    assert!(back.text().contains("Subscription: trial"));
    assert_eq!(sub(&bot.t).await.current_period_end, end);

    let (_, confirm) = bot.operator.press(&back, "+30 d").await;
    let (answer, card) = bot.operator.press(&confirm, "Confirm").await;
    assert_eq!(
        answer.text.as_deref(),
        Some("Extended until 2026-07-03 05:00 UTC.")
    );
    assert!(
        card.text().contains("Subscription: active"),
        "{}",
        card.text()
    );
    let after = sub(&bot.t).await;
    assert_eq!(after.current_period_end, end + Duration::days(30));
    assert_eq!(after.status, SubscriptionStatus::Active);
    let sql = "select count(*) from control.audit_log where tenant_id = $1 \
               and action = 'subscription.extend' and actor = 'telegram:' || $2::text";
    let n: i64 = sqlx::query_scalar(sql)
        .bind(id.get())
        .bind(bot.operator.user.id.0.to_string())
        .fetch_one(bot.t.db.pool())
        .await
        .unwrap();
    assert_eq!(n, 1);

    // Days no button offers are refused before anything is looked up.
    let data = format!("o1:X:{id}:1000");
    let forged = bot
        .operator
        .forged_buttons(std::slice::from_ref(&data))
        .await;
    let (answer, _) = bot.operator.press_data(&forged, &data).await;
    assert_eq!(
        answer.text.as_deref(),
        Some("This button is outdated; open the menu again.")
    );
    assert_eq!(after, sub(&bot.t).await);
}

#[tokio::test]
async fn alerts_reach_the_operator_once_even_across_a_restart() {
    let mut bot = OpBot::start().await;
    let tenant = bot.tenant("Barber").await;
    // Telegram lets a bot write only to users who started it.
    let menu = bot.operator.ask("/start").await;
    assert!(menu.text().contains("Operator menu"));
    let pool = bot.t.db.pool().clone();
    let raise = |message: &'static str, key: &'static str| {
        let pool = pool.clone();
        async move {
            alerts::raise(
                &pool,
                &NewAlert {
                    kind: AlertKind::DeploymentFailed,
                    tenant: Some(tenant.id),
                    message: message.to_owned(),
                    dedupe_key: Some(key.to_owned()),
                },
            )
            .await
            .unwrap()
        }
    };
    assert!(raise("deployment 1 failed: health check", "d:1").await);
    let first = bot.operator.next().await;
    assert!(
        first.text().starts_with("⚠️ Deployment failed")
            && first.text().contains("deployment 1 failed"),
        "{}",
        first.text()
    );
    bot.stop().await;
    bot.launch();
    assert!(
        !raise("deployment 1 failed: health check", "d:1").await,
        "deduplicated"
    );
    assert!(raise("deployment 2 failed: image missing", "d:2").await);
    let second = bot.operator.next().await;
    assert!(
        second.text().contains("deployment 2 failed"),
        "{}",
        second.text()
    );
    let texts: Vec<String> = bot
        .operator
        .history()
        .await
        .iter()
        .map(|m| m.text().to_owned())
        .collect();
    assert_eq!(
        texts.iter().filter(|t| t.contains("deployment 1")).count(),
        1,
        "{texts:?}"
    );
    // The latest alerts on demand, newest first, from the menu too.
    let list = bot.operator.ask("/alerts").await;
    let text = list.text();
    let (two, one) = (
        text.find("deployment 2 failed").unwrap(),
        text.find("deployment 1 failed").unwrap(),
    );
    assert!(two < one, "{text}");
    let menu = bot.operator.ask("/start").await;
    let (_, from_menu) = bot.operator.press(&menu, "Alerts").await;
    assert_eq!(from_menu.text(), text);
    // A pass finishes before the bot stops, so both alerts are marked sent by then.
    bot.stop().await;
    let unsent: i64 =
        sqlx::query_scalar("select count(*) from control.operator_alerts where sent_at is null")
            .fetch_one(bot.t.db.pool())
            .await
            .unwrap();
    assert_eq!(unsent, 0);
    // The operator who never started the bot cannot be written to: recorded, not retried.
    let deliveries: Vec<(i64, String)> = sqlx::query_as(
        "select operator_id, outcome from control.operator_alert_deliveries \
         order by alert_id, outcome",
    )
    .fetch_all(bot.t.db.pool())
    .await
    .unwrap();
    let (me, idle) = (
        i64::try_from(bot.operator.user.id.0).unwrap(),
        i64::try_from(bot.idle_operator.id.0).unwrap(),
    );
    assert_eq!(
        deliveries,
        [
            (idle, "refused".to_owned()),
            (me, "sent".to_owned()),
            (idle, "refused".to_owned()),
            (me, "sent".to_owned()),
        ]
    );
}

/// `serve` runs the operator bot beside the API, and stops both on shutdown.
#[tokio::test]
async fn serve_runs_the_operator_bot_beside_the_api() {
    let mut bot = OpBot::start().await;
    // This test's bot is the one `serve` starts.
    bot.stop().await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let background = master_bot::serve::Background {
        operator_bot: Some(bot.config()),
        monitor: master_bot::monitor::MonitorConfig::default(),
    };
    let serving = tokio::spawn(master_bot::serve::run(
        bot.t.db.clone(),
        master_bot::api::state::PlatformKeys::default(),
        master_bot::bot_api::BotApi::new(bot.client.api_url().as_str()).unwrap(),
        master_bot::api::state::ApiSettings::default(),
        listener,
        background,
        async move {
            let _ = stopped.await;
        },
    ));
    let menu = bot.operator.ask("/start").await;
    assert!(menu.text().contains("Operator menu"), "{}", menu.text());
    let health = reqwest::get(format!("http://{addr}/health")).await.unwrap();
    assert!(health.status().is_success());
    let _ = stop.send(());
    tokio::time::timeout(crate::operator_support::WAIT, serving)
        .await
        .expect("serve stops in time")
        .unwrap()
        .unwrap();
}

/// A token the Bot API rejects ends the operator bot with the typed error naming
/// `OPERATOR_BOT_TOKEN` (never the token), and with it `serve`, so the process exits non-zero
/// saying why.
#[tokio::test]
async fn a_rejected_token_ends_the_operator_bot_and_serve() {
    let mut bot = OpBot::start().await;
    bot.stop().await;
    let mut config = bot.config();
    config.token = secrecy::SecretString::from("424242:never-registered");
    let said = "OPERATOR_BOT_TOKEN was rejected by the Bot API (Unauthorized): check the token \
                from BotFather";

    let alone = master_bot::operator_bot::run(
        config.clone(),
        bot.t.db.clone(),
        std::sync::Arc::new(bot.clock.clone()),
        (
            None,
            master_bot::bot_api::BotApi::new(bot.client.api_url().as_str()).unwrap(),
        ),
        telemetry::Shutdown::new(),
    );
    let rejected = tokio::time::timeout(crate::operator_support::WAIT, alone)
        .await
        .expect("the bot ends by itself")
        .unwrap_err();
    assert_eq!(rejected.to_string(), said);

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let serving = master_bot::serve::run(
        bot.t.db.clone(),
        master_bot::api::state::PlatformKeys::default(),
        master_bot::bot_api::BotApi::new(bot.client.api_url().as_str()).unwrap(),
        master_bot::api::state::ApiSettings::default(),
        listener,
        master_bot::serve::Background {
            operator_bot: Some(config),
            monitor: master_bot::monitor::MonitorConfig::default(),
        },
        std::future::pending(),
    );
    let failed = tokio::time::timeout(crate::operator_support::WAIT, serving)
        .await
        .expect("serve ends by itself")
        .unwrap_err();
    assert_eq!(format!("{failed:#}"), said);
}
