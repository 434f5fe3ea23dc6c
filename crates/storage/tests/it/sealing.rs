//! Sealed values bound to their column and row, and the one-time reseal of older values.

use base64::{Engine as _, engine::general_purpose::STANDARD};
use chacha20poly1305::{
    XChaCha20Poly1305, XNonce,
    aead::{Aead, KeyInit},
};
use secrecy::{ExposeSecret as _, SecretString};
use storage::{
    StorageError,
    control::tenants,
    crypto::{DataKey, reseal},
};
use test_support::TestDb;

/// `value` sealed the way the platform sealed before bindings: no associated data.
fn sealed_unbound(key_base64: &str, value: &str) -> Vec<u8> {
    let key: [u8; 32] = STANDARD.decode(key_base64).unwrap().try_into().unwrap();
    let cipher = XChaCha20Poly1305::new(&key.into());
    let nonce = [7_u8; 24];
    let mut out = nonce.to_vec();
    out.extend(
        cipher
            .encrypt(XNonce::from_slice(&nonce), value.as_bytes())
            .unwrap(),
    );
    out
}

async fn set_column(t: &TestDb, column: &str, tenant: i64, value: &[u8]) {
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "update control.tenants set {column} = $2 where tenant_id = $1"
    )))
    .bind(tenant)
    .bind(value)
    .execute(t.db.pool())
    .await
    .unwrap();
}

async fn column(t: &TestDb, column: &str, tenant: i64) -> Vec<u8> {
    sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "select {column} from control.tenants where tenant_id = $1"
    )))
    .bind(tenant)
    .fetch_one(t.db.pool())
    .await
    .unwrap()
}

/// Someone who can write the table but has no key cannot move a secret where it would be
/// used as another: copied to another row or another column, it does not open.
#[tokio::test]
async fn a_sealed_value_copied_to_another_row_or_column_does_not_open() {
    let t = TestDb::new().await;
    let (a, a_password) = t.tenant("A", chrono_tz::Europe::Moscow).await;
    let (b, _) = t.tenant("B", chrono_tz::Europe::Moscow).await;

    // A's database password, as B's database password.
    let a_sealed = column(&t, "db_password_enc", a.id.get()).await;
    set_column(&t, "db_password_enc", b.id.get(), &a_sealed).await;
    let err = tenants::secrets(t.db.pool(), &t.data_key, b.id)
        .await
        .unwrap_err();
    assert!(matches!(err, StorageError::Unseal), "{err:?}");

    // A's database password, as A's own bot token.
    set_column(&t, "bot_token_enc", a.id.get(), &a_sealed).await;
    assert!(matches!(
        tenants::secrets(t.db.pool(), &t.data_key, a.id).await,
        Err(StorageError::Unseal)
    ));

    // Where it belongs, it still opens.
    sqlx::query("update control.tenants set bot_token_enc = null where tenant_id = $1")
        .bind(a.id.get())
        .execute(t.db.pool())
        .await
        .unwrap();
    let secrets = tenants::secrets(t.db.pool(), &t.data_key, a.id)
        .await
        .unwrap();
    assert_eq!(
        secrets.db_password.unwrap().expose_secret(),
        a_password.expose_secret()
    );
}

/// Values from before bindings are bound once, then never opened unbound again.
#[tokio::test]
async fn the_reseal_binds_old_values_once_and_then_refuses_unbound_ones() {
    let t = TestDb::new().await;
    let key_base64 = DataKey::generate_base64();
    let key = DataKey::parse(&SecretString::from(key_base64.clone())).unwrap();
    let (a, _) = t.tenant("A", chrono_tz::Europe::Moscow).await;
    let (b, _) = t.tenant("B", chrono_tz::Europe::Moscow).await;
    // As an older version left them: unbound, under this key.
    set_column(
        &t,
        "db_password_enc",
        a.id.get(),
        &sealed_unbound(&key_base64, "pw-a"),
    )
    .await;
    set_column(
        &t,
        "bot_token_enc",
        a.id.get(),
        &sealed_unbound(&key_base64, "1:token-a"),
    )
    .await;
    set_column(
        &t,
        "db_password_enc",
        b.id.get(),
        &sealed_unbound(&key_base64, "pw-b"),
    )
    .await;
    assert!(tenants::secrets(t.db.pool(), &key, a.id).await.is_err());

    // Another key: refused, with nothing changed and the step not marked done.
    let wrong = DataKey::parse(&SecretString::from(DataKey::generate_base64())).unwrap();
    let err = reseal::bind_all(t.db.pool(), &wrong).await.unwrap_err();
    assert!(
        err.to_string().contains("opens neither bound nor unbound"),
        "{err}"
    );
    assert!(tenants::secrets(t.db.pool(), &key, a.id).await.is_err());

    let report = reseal::bind_all(t.db.pool(), &key).await.unwrap();
    assert_eq!((report.resealed, report.done_before), (3, false));
    let a_secrets = tenants::secrets(t.db.pool(), &key, a.id).await.unwrap();
    assert_eq!(a_secrets.db_password.unwrap().expose_secret(), "pw-a");
    assert_eq!(a_secrets.bot_token.unwrap().expose_secret(), "1:token-a");
    let b_secrets = tenants::secrets(t.db.pool(), &key, b.id).await.unwrap();
    assert_eq!(b_secrets.db_password.unwrap().expose_secret(), "pw-b");

    // Done: an unbound value written back later opens nowhere, the reseal included.
    set_column(
        &t,
        "db_password_enc",
        b.id.get(),
        &sealed_unbound(&key_base64, "pw-planted"),
    )
    .await;
    let again = reseal::bind_all(t.db.pool(), &key).await.unwrap();
    assert!(again.done_before);
    assert!(matches!(
        tenants::secrets(t.db.pool(), &key, b.id).await,
        Err(StorageError::Unseal)
    ));
}

/// A new database has nothing to bind: the step only marks itself done.
#[tokio::test]
async fn on_a_new_platform_the_reseal_finds_everything_bound() {
    let t = TestDb::new().await;
    t.tenant("A", chrono_tz::Europe::Moscow).await;
    let report = reseal::bind_all(t.db.pool(), &t.data_key).await.unwrap();
    assert_eq!(
        (report.resealed, report.bound, report.done_before),
        (0, 1, false)
    );
}

#[test]
fn a_new_order_does_not_show_its_bot_token_in_debug() {
    let new = storage::control::orders::NewOrder {
        telegram_user: booking_core::ids::TelegramUserId(1),
        plan: booking_core::ids::PlanId(1),
        business_name: "Salon".to_owned(),
        time_zone: chrono_tz::Europe::Moscow,
        locale: booking_core::locale::Locale::Ru,
        bot_username: "salon_bot".to_owned(),
        bot_token: SecretString::from("123:secret-token"),
        amount_minor: 100,
        currency: "RUB".to_owned(),
        receipt_email: None,
        expires_at: chrono::Utc::now(),
    };
    let shown = format!("{new:?}");
    assert!(
        shown.contains("salon_bot") && !shown.contains("secret-token"),
        "{shown}"
    );
}
