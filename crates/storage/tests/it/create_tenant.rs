//! `provision::create_tenant`: the one tenant-creation sequence.

use booking_core::{
    ids::TelegramUserId,
    locale::Locale,
    tenant::{TenantSchema, TenantStatus},
};
use secrecy::{ExposeSecret as _, SecretString};
use sqlx::{Connection as _, PgConnection};
use storage::{
    control::tenants,
    crypto::SealedAt,
    migrate,
    provision::{self, CreateTenant, CreateTenantError, TenantBot},
    tenant::admins::{self, AdminRole},
};
use test_support::TestDb;

const TOKEN: &str = "123456:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw";

fn barber(bot: Option<TenantBot>) -> CreateTenant {
    CreateTenant {
        name: "Barber".to_owned(),
        time_zone: chrono_tz::Europe::Berlin,
        locale: Locale::En,
        owner: Some(TelegramUserId(4242)),
        bot,
        actor: "operator:7".to_owned(),
    }
}

async fn count(t: &TestDb, sql: &'static str) -> i64 {
    sqlx::query_scalar(sql)
        .fetch_one(t.db.pool())
        .await
        .unwrap()
}

#[tokio::test]
async fn a_created_tenant_is_provisioned_with_sealed_secrets_its_owner_and_an_audit_line() {
    let t = TestDb::new().await;
    let bot = TenantBot {
        username: "barber_bot".to_owned(),
        token: SecretString::from(TOKEN),
    };
    let record = provision::create_tenant(&t.db, &t.data_key, None, &barber(Some(bot)))
        .await
        .unwrap();
    assert_eq!(record.status, TenantStatus::Active);
    assert_eq!(
        record.schema_version,
        Some(migrate::latest_tenant_version())
    );
    assert_eq!(record.bot_username.as_deref(), Some("barber_bot"));
    assert!(record.has_bot_token);
    assert_eq!(record.locale, Locale::En);

    // Both secrets are sealed with the data key, each for its own column of this row; the
    // password is the role's own.
    let (sealed_password, sealed_token): (Vec<u8>, Vec<u8>) = sqlx::query_as(
        "select db_password_enc, bot_token_enc from control.tenants where tenant_id = $1",
    )
    .bind(record.id.get())
    .fetch_one(t.db.pool())
    .await
    .unwrap();
    assert!(!String::from_utf8_lossy(&sealed_token).contains("AAHdq"));
    let at = SealedAt::TenantBotToken(record.id);
    assert_eq!(
        t.data_key.open(&sealed_token, at).unwrap().expose_secret(),
        TOKEN
    );
    assert!(
        t.data_key
            .open(&sealed_password, SealedAt::TenantBotToken(record.id))
            .is_err()
    );
    let secrets = tenants::secrets(t.db.pool(), &t.data_key, record.id)
        .await
        .unwrap();
    assert_eq!(secrets.bot_token.unwrap().expose_secret(), TOKEN);
    assert!(secrets.redis_password.is_none());
    let password = secrets.db_password.unwrap();
    let schema = TenantSchema::for_tenant(record.id);
    let url = t.tenant_url(t.db.tenant_role(&schema).as_str(), &password);
    PgConnection::connect(url.expose_secret())
        .await
        .unwrap()
        .close()
        .await
        .unwrap();

    // The schema knows the business and its owner.
    let mut tx = t.tx(record.id).await;
    let profile = storage::tenant::settings::profile(&mut tx).await.unwrap();
    assert_eq!(
        (profile.name.as_str(), profile.time_zone),
        ("Barber", chrono_tz::Europe::Berlin)
    );
    let owners = admins::list(&mut tx).await.unwrap();
    assert_eq!(
        owners
            .iter()
            .map(|a| (a.telegram_user_id, a.role))
            .collect::<Vec<_>>(),
        [(TelegramUserId(4242), AdminRole::Owner)]
    );
    tx.commit().await.unwrap();

    let (actor, details): (String, serde_json::Value) = sqlx::query_as(
        "select actor, details from control.audit_log \
         where action = 'tenant.create' and tenant_id = $1",
    )
    .bind(record.id.get())
    .fetch_one(t.db.pool())
    .await
    .unwrap();
    assert_eq!(actor, "operator:7");
    assert_eq!(details, serde_json::json!({ "bot_token_set": true }));
}

/// A bot another tenant has is refused before anything exists: no row, no schema, no audit.
#[tokio::test]
async fn a_bot_another_tenant_has_creates_nothing() {
    let t = TestDb::new().await;
    let first = provision::create_tenant(
        &t.db,
        &t.data_key,
        None,
        &barber(Some(TenantBot {
            username: "shared_bot".to_owned(),
            token: SecretString::from(TOKEN),
        })),
    )
    .await
    .unwrap();
    assert!(first.has_bot_token);
    let before = (
        count(&t, "select count(*) from control.tenants").await,
        count(&t, "select count(*) from control.audit_log").await,
        count(
            &t,
            "select count(*) from pg_namespace where nspname like 'tenant\\_%'",
        )
        .await,
    );

    let second = provision::create_tenant(
        &t.db,
        &t.data_key,
        None,
        &barber(Some(TenantBot {
            // The username index ignores case, as Telegram does.
            username: "Shared_Bot".to_owned(),
            token: SecretString::from(TOKEN),
        })),
    )
    .await;
    let Err(CreateTenantError::BotTaken(taken)) = second else {
        panic!("expected BotTaken, got {second:?}");
    };
    assert_eq!(taken.0, "Shared_Bot");
    let after = (
        count(&t, "select count(*) from control.tenants").await,
        count(&t, "select count(*) from control.audit_log").await,
        count(
            &t,
            "select count(*) from pg_namespace where nspname like 'tenant\\_%'",
        )
        .await,
    );
    assert_eq!(after, before);
    assert_eq!(before, (1, 1, 1));
}

#[test]
fn the_input_never_shows_a_token_in_debug() {
    let input = barber(Some(TenantBot {
        username: "barber_bot".to_owned(),
        token: SecretString::from(TOKEN),
    }));
    let shown = format!("{input:?}");
    assert!(shown.contains("barber_bot"), "{shown}");
    assert!(!shown.contains("AAHdq"), "{shown}");
}
