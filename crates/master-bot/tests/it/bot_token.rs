//! Replacing a tenant's bot token, through the REST API and the operator bot (one action):
//! checked with getMe against the sandbox, sealed, audited without the token, and a reconcile
//! job for the deploy worker, which replaces a running bot with one on the new token.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::{TestApp, operator_support::OpBot};

const OLD: &str = "123456:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw";
const NEW: &str = "654321:ZZHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw";
const OTHER: &str = "777777:YYHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw";

async fn sealed(app: &TestApp, id: i64) -> Vec<u8> {
    sqlx::query_scalar("select bot_token_enc from control.tenants where tenant_id = $1")
        .bind(id)
        .fetch_one(app.t.db.pool())
        .await
        .unwrap()
}

async fn pending_reconciles(app: &TestApp, id: i64) -> i64 {
    sqlx::query_scalar(
        "select count(*) from control.jobs where kind = 'reconcile_tenant' \
         and (payload->>'tenant_id')::bigint = $1 and status = 'queued'",
    )
    .bind(id)
    .fetch_one(app.t.db.pool())
    .await
    .unwrap()
}

#[tokio::test]
async fn a_leaked_token_is_replaced_checked_sealed_audited_and_the_bot_restarted() {
    let app = &TestApp::spawn().await;
    let sandbox = app.sandbox.client();
    sandbox
        .register_bot(&OLD.into(), "salon_bot")
        .await
        .unwrap();
    sandbox
        .register_bot(&NEW.into(), "salon_new_bot")
        .await
        .unwrap();
    sandbox
        .register_bot(&OTHER.into(), "other_bot")
        .await
        .unwrap();
    let create = |name: &str, token: &str| {
        let body = json!({ "name": name, "time_zone": "Europe/Moscow", "bot_token": token });
        async move { app.post("/tenants", &app.operator, &body).await }
    };
    let created = create("Salon", OLD).await;
    assert_eq!(created.status, StatusCode::CREATED, "{:#}", created.body);
    let id = created.body["id"].as_i64().unwrap();
    assert_eq!(
        create("Other", OTHER).await.status,
        StatusCode::CREATED,
        "a second tenant"
    );
    let running = app
        .send(
            Method::PATCH,
            &format!("/tenants/{id}"),
            Some(&app.operator),
            Some(&json!({ "desired_state": "running" })),
            None,
        )
        .await;
    assert_eq!(running.status, StatusCode::OK, "{:#}", running.body);
    let before = sealed(app, id).await;
    // The deploy worker has done what the PATCH asked: nothing is pending.
    sqlx::query("update control.jobs set status = 'done'")
        .execute(app.t.db.pool())
        .await
        .unwrap();
    let put = |token: &str| {
        let body = json!({ "bot_token": token });
        async move {
            app.send(
                Method::PUT,
                &format!("/tenants/{id}/bot-token"),
                Some(&app.operator),
                Some(&body),
                None,
            )
            .await
        }
    };

    // Refused before anything changes: not a token, a token of no bot, another tenant's bot.
    let malformed = put("leaked-if-echoed").await;
    malformed.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    assert_eq!(malformed.fields(), ["bot_token"]);
    assert!(!malformed.body.to_string().contains("leaked-if-echoed"));
    let unknown = put("999:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw").await;
    unknown.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    put(OTHER)
        .await
        .assert_problem(StatusCode::CONFLICT, "bot_in_use");
    assert_eq!(sealed(app, id).await, before);
    assert_eq!(pending_reconciles(app, id).await, 0);
    assert_eq!(app.audited("tenant.bot_token").await, 0);

    // The new token: stored sealed (never in clear, never answered), the new bot's name,
    // audited without the token, and a reconcile job for the deploy worker.
    let replaced = put(NEW).await;
    assert_eq!(replaced.status, StatusCode::OK, "{:#}", replaced.body);
    assert_eq!(replaced.body["bot_username"], "salon_new_bot");
    assert_eq!(replaced.body["has_bot_token"], true);
    assert!(!replaced.body.to_string().contains("ZZHdq"));
    let after = sealed(app, id).await;
    assert_ne!(after, before);
    assert!(!String::from_utf8_lossy(&after).contains("ZZHdq"));
    let audit: serde_json::Value = sqlx::query_scalar(
        "select details from control.audit_log where action = 'tenant.bot_token'",
    )
    .fetch_one(app.t.db.pool())
    .await
    .unwrap();
    assert_eq!(audit, json!({ "from": "salon_bot", "to": "salon_new_bot" }));
    assert_eq!(
        pending_reconciles(app, id).await,
        1,
        "the deploy worker is asked to replace the bot"
    );

    // A tenant key may not; another tenant's id is not found.
    let tenant_key = app.tenant_key(booking_core::ids::TenantId(id)).await;
    let forbidden = app
        .send(
            Method::PUT,
            &format!("/tenants/{id}/bot-token"),
            Some(&tenant_key),
            Some(&json!({ "bot_token": NEW })),
            None,
        )
        .await;
    // Operator endpoints do not exist for a tenant's key.
    assert_eq!(
        forbidden.status,
        StatusCode::NOT_FOUND,
        "{:#}",
        forbidden.body
    );
    let missing = app
        .send(
            Method::PUT,
            "/tenants/999999/bot-token",
            Some(&app.operator),
            Some(&json!({ "bot_token": NEW })),
            None,
        )
        .await;
    missing.assert_problem(StatusCode::NOT_FOUND, "not_found");
}

/// `/token <id> <token>` in the operator bot: the same action; the message with the token is
/// deleted from the chat, and the answer never repeats it.
#[tokio::test]
async fn an_operator_replaces_a_token_in_the_bot_and_the_token_leaves_the_chat() {
    let bot = OpBot::start().await;
    let tenant = bot.tenant("Barber").await;
    bot.client
        .register_bot(&NEW.into(), "barber_new_bot")
        .await
        .unwrap();

    bot.operator.say("/token 999999").await;
    let usage = bot.operator.next().await;
    assert!(
        usage.text().contains("/token <tenant id>"),
        "{}",
        usage.text()
    );

    bot.operator
        .say(&format!(
            "/token {} 999:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw",
            tenant.id
        ))
        .await;
    let refused = bot.operator.next().await;
    assert!(
        refused.text().contains("does not accept this token"),
        "{}",
        refused.text()
    );

    bot.operator
        .say(&format!("/token {} {NEW}", tenant.id))
        .await;
    let done = bot.operator.next().await;
    assert!(
        done.text().contains("Token replaced") && done.text().contains("@barber_new_bot"),
        "{}",
        done.text()
    );
    let chat = bot.operator.history().await;
    assert!(
        chat.iter().all(|m| !m.text().contains("ZZHdq")),
        "the token stays in the chat: {chat:?}"
    );
    let username: Option<String> =
        sqlx::query_scalar("select bot_username from control.tenants where tenant_id = $1")
            .bind(tenant.id.get())
            .fetch_one(bot.t.db.pool())
            .await
            .unwrap();
    assert_eq!(username.as_deref(), Some("barber_new_bot"));
    let actor: String =
        sqlx::query_scalar("select actor from control.audit_log where action = 'tenant.bot_token'")
            .fetch_one(bot.t.db.pool())
            .await
            .unwrap();
    assert_eq!(
        actor,
        format!("telegram:{}", bot.operator.telegram_id()),
        "audited as the operator"
    );
}
