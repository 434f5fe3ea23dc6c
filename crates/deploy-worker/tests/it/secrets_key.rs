//! Each tenant's bot is given its own secrets key, as it is given its token: the key in its
//! container's secrets opens what was sealed for that tenant, and nothing of another's.

use deploy_worker::spec::{self, Secrets};
use secrecy::{ExposeSecret as _, SecretString};
use storage::{
    control::{tenant_admin, tenants},
    crypto::tenant_secrets::{TenantSealedAt, TenantSecretsKey},
};
use test_support::TestDb;

use crate::support::defaults;

#[tokio::test]
async fn a_dedicated_bot_gets_its_own_tenants_secrets_key_and_never_shows_it() {
    let t = TestDb::new().await;
    let pool = t.db.pool();
    let mut ids = Vec::new();
    for name in ["Salon", "Other"] {
        let (record, password) = t.tenant(name, chrono_tz::Europe::Moscow).await;
        tenants::set_db_password(pool, &t.data_key, record.id, &password)
            .await
            .unwrap();
        let token = SecretString::from(format!("{}:token", record.id));
        let username = format!("salon{}_bot", record.id);
        tenant_admin::set_bot(pool, &t.data_key, record.id, &token, &username)
            .await
            .unwrap()
            .unwrap();
        ids.push(record.id);
    }
    let (salon, other) = (ids[0], ids[1]);
    let record = tenants::get(pool, salon).await.unwrap().unwrap();
    let secrets = Secrets::open(&t.db, &t.data_key, salon, false)
        .await
        .unwrap();
    let built = spec::build(&defaults("it-keys"), &t.db, &record, &secrets);

    let given = built
        .secrets
        .iter()
        .find(|(name, _)| name == "TENANT_SECRETS_KEY")
        .map(|(_, value)| value.clone())
        .expect("the bot's container has no TENANT_SECRETS_KEY");
    let key = TenantSecretsKey::parse(&given).unwrap();
    let token = SecretString::from("381764678:TEST:100500".to_owned());
    let sealed_for_salon = t
        .data_key
        .tenant_secrets_key(salon)
        .seal(&token, TenantSealedAt::ProviderToken);
    assert_eq!(
        key.open(&sealed_for_salon, TenantSealedAt::ProviderToken)
            .unwrap()
            .expose_secret(),
        "381764678:TEST:100500"
    );
    let sealed_for_other = t
        .data_key
        .tenant_secrets_key(other)
        .seal(&token, TenantSealedAt::ProviderToken);
    assert!(
        key.open(&sealed_for_other, TenantSealedAt::ProviderToken)
            .is_err()
    );

    let shown = format!("{built:?}");
    assert!(shown.contains("TENANT_SECRETS_KEY"), "{shown}");
    assert!(!shown.contains(given.expose_secret()), "{shown}");
    let leaked = format!("a bot printed {}", given.expose_secret());
    assert_eq!(secrets.redact(&leaked), "a bot printed [redacted]");
}
