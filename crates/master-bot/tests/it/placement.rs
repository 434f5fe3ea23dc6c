//! Where a tenant's bot runs, as operators set it: a plan's placement, the per-tenant
//! override through `PATCH /tenants/{id}` (422 on anything but dedicated, shared or null;
//! a reconcile job and an audit line), the status showing it, and the operator bot's button
//! taking the same path.

use reqwest::{Method, StatusCode};
use serde_json::json;
use storage::control::{
    placement::{self, Placement},
    subscriptions::{self, SubscriptionStatus},
    tenants,
};

use crate::{TestApp, monday_morning, operator_support::OpBot};

#[tokio::test]
async fn the_placement_override_is_validated_queued_audited_and_shown() {
    let app = TestApp::spawn().await;
    let (tenant, _) = app.t.tenant("Salon", chrono_tz::Europe::Moscow).await;
    let path = format!("/tenants/{}", tenant.id);
    let patch = |body: serde_json::Value| {
        let (app, path) = (&app, &path);
        async move {
            app.send(Method::PATCH, path, Some(&app.operator), Some(&body), None)
                .await
        }
    };
    for bad in [
        json!("both"),
        json!("Shared"),
        json!(""),
        json!(7),
        json!(["shared"]),
    ] {
        let answer = patch(json!({ "placement": bad })).await;
        answer.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    }
    // A bad placement beside good fields changes none of them.
    let mixed = patch(json!({ "name": "Renamed", "placement": "host" })).await;
    assert_eq!(mixed.fields(), ["placement"]);
    let unchanged = tenants::get(app.t.db.pool(), tenant.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (unchanged.name.as_str(), unchanged.placement),
        ("Salon", None)
    );
    assert_eq!(app.audited("tenant.placement").await, 0);

    let shared = patch(json!({ "placement": "shared" })).await;
    assert_eq!(shared.status, StatusCode::OK, "{:#}", shared.body);
    assert_eq!(shared.body["placement"], "shared");
    let jobs: i64 = sqlx::query_scalar(
        "select count(*) from control.jobs where kind = 'reconcile_tenant' and status = 'queued' \
         and payload->>'tenant_id' = $1::text",
    )
    .bind(tenant.id.get())
    .fetch_one(app.t.db.pool())
    .await
    .unwrap();
    assert_eq!(jobs, 1, "the deploy worker is asked to move the bot");
    let status = app.get(&format!("{path}/status"), &app.operator).await;
    assert_eq!(status.body["placement"], "shared", "{:#}", status.body);
    assert_eq!(status.body["host"], serde_json::Value::Null);

    // Null follows the plan again; absent leaves it.
    let cleared = patch(json!({ "placement": null })).await;
    assert_eq!(cleared.body["placement"], serde_json::Value::Null);
    let renamed = patch(json!({ "name": "Salon Two" })).await;
    assert_eq!(renamed.body["placement"], serde_json::Value::Null);
    assert_eq!(app.audited("tenant.placement").await, 2);
    let details: serde_json::Value = sqlx::query_scalar(
        "select details from control.audit_log where action = 'tenant.placement' \
         order by audit_id",
    )
    .fetch_all(app.t.db.pool())
    .await
    .unwrap()
    .into_iter()
    .next()
    .unwrap();
    assert_eq!(details, json!({ "placement": "shared" }));

    app.send(
        Method::PATCH,
        "/tenants/999999",
        Some(&app.operator),
        Some(&json!({ "placement": "shared" })),
        None,
    )
    .await
    .assert_problem(StatusCode::NOT_FOUND, "not_found");
}

#[tokio::test]
async fn a_plan_sets_its_tenants_placement_unless_overridden() {
    let app = TestApp::spawn().await;
    let create = |body: serde_json::Value| {
        let app = &app;
        async move {
            app.send(
                Method::POST,
                "/plans",
                Some(&app.operator),
                Some(&body),
                None,
            )
            .await
        }
    };
    let plan = json!({ "code": "small", "name": "Small", "price_minor": 100, "period_days": 30 });
    let mut bad = plan.clone();
    bad["placement"] = json!("cloud");
    assert_eq!(create(bad).await.fields(), ["placement"]);
    let plain = create(plan).await;
    assert_eq!(plain.status, StatusCode::CREATED, "{:#}", plain.body);
    assert_eq!(plain.body["placement"], "dedicated");
    let shared = create(json!({
        "code": "crowd", "name": "Crowd", "price_minor": 50, "period_days": 30,
        "placement": "shared"
    }))
    .await;
    assert_eq!(shared.body["placement"], "shared", "{:#}", shared.body);

    let (tenant, _) = app.t.tenant("Salon", chrono_tz::Europe::Moscow).await;
    let plan_id = storage::control::plans::list(app.t.db.pool(), true)
        .await
        .unwrap()
        .into_iter()
        .find(|p| p.code == "crowd")
        .unwrap()
        .id;
    subscriptions::start(
        app.t.db.pool(),
        tenant.id,
        Some(plan_id),
        SubscriptionStatus::Active,
        monday_morning(),
    )
    .await
    .unwrap();
    let status = format!("/tenants/{}/status", tenant.id);
    assert_eq!(
        app.get(&status, &app.operator).await.body["placement"],
        "shared"
    );
    placement::set_override(app.t.db.pool(), tenant.id, Some(Placement::Dedicated))
        .await
        .unwrap();
    assert_eq!(
        app.get(&status, &app.operator).await.body["placement"],
        "dedicated"
    );
}

#[tokio::test]
async fn the_operator_bots_button_moves_a_tenant_through_the_same_action() {
    let bot = OpBot::start().await;
    let tenant = bot.tenant("Barber").await;
    let id = tenant.id;
    let card = bot.operator.ask(&format!("/tenant {id}")).await;
    assert!(
        card.text()
            .contains("Runs: its own container, as the plan says"),
        "{}",
        card.text()
    );

    let (answer, card) = bot.operator.press(&card, "To shared host").await;
    assert_eq!(
        answer.text.as_deref(),
        Some("Placement changed; the deploy worker moves the bot.")
    );
    assert!(
        card.text()
            .contains("Runs: a shared bot host, operator's choice"),
        "{}",
        card.text()
    );
    let record = tenants::get(bot.t.db.pool(), id).await.unwrap().unwrap();
    assert_eq!(record.placement, Some(Placement::Shared));
    let jobs = "select count(*) from control.jobs where kind = 'reconcile_tenant' \
                and payload->>'tenant_id' = $1::text";
    assert_eq!(bot.count(jobs, id).await, 1);

    // Back to the plan's; the audit names the operator each time.
    let (_, card) = bot.operator.press(&card, "As the plan says").await;
    assert!(card.text().contains("as the plan says"), "{}", card.text());
    let record = tenants::get(bot.t.db.pool(), id).await.unwrap().unwrap();
    assert_eq!(record.placement, None);
    let audited = "select count(*) from control.audit_log where action = 'tenant.placement' \
                   and tenant_id = $1 and actor like 'telegram:%'";
    let n: i64 = sqlx::query_scalar(audited)
        .bind(id.get())
        .fetch_one(bot.t.db.pool())
        .await
        .unwrap();
    assert_eq!(n, 2);
    // A forged button for a tenant that does not exist changes nothing.
    let forged = bot
        .operator
        .forged_buttons(&["o1:p:999999:s".to_owned()])
        .await;
    let (answer, _) = bot.operator.press_data(&forged, "o1:p:999999:s").await;
    assert_eq!(answer.text.as_deref(), Some("No such tenant."));
}

/// The tenant's currency through `PATCH /tenants/{id}`: an ISO 4217 code the bots can show
/// (422 on anything else, nothing changed), kept in the tenant's own schema for its bot.
#[tokio::test]
async fn the_currency_is_a_supported_code_kept_in_the_tenants_schema() {
    let app = TestApp::spawn().await;
    let (tenant, _) = app.t.tenant("Salon", chrono_tz::Europe::Moscow).await;
    let path = format!("/tenants/{}", tenant.id);
    let currency = || async {
        let mut tx = app.t.tx(tenant.id).await;
        let c = storage::tenant::settings::profile(&mut tx)
            .await
            .unwrap()
            .currency;
        tx.commit().await.unwrap();
        c.code()
    };
    assert_eq!(currency().await, "RUB");
    for bad in [json!("XYZ"), json!("₽"), json!(""), json!(643)] {
        let answer = app
            .send(
                Method::PATCH,
                &path,
                Some(&app.operator),
                Some(&json!({ "currency": bad })),
                None,
            )
            .await;
        answer.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    }
    assert_eq!(currency().await, "RUB");
    let answer = app
        .send(
            Method::PATCH,
            &path,
            Some(&app.operator),
            Some(&json!({ "currency": "gel" })),
            None,
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{:#}", answer.body);
    assert_eq!(currency().await, "GEL");
}
