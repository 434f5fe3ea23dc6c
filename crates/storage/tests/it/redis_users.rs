//! Per-tenant Redis users against the real Redis: each tenant's bot reaches its own keys only,
//! with the commands `Kv` sends and no others. The users are named after the test's own
//! database and removed when the test ends (`RedisUsers`); nothing else of the shared Redis
//! is touched.

use booking_core::{ids::TenantId, locale::Locale, tenant::TenantStatus};
use redis::AsyncCommands as _;
use secrecy::{ExposeSecret as _, SecretString};
use storage::{
    StorageError,
    control::tenants::{self, DesiredState},
    kv::{Kv, TenantKey},
    provision::{self, CreateTenant},
    redis_acl::{self, RedisAcl, RedisUser},
};
use test_support::{RedisUsers, TestDb, redis_url};

async fn tenant(t: &TestDb, acl: &RedisAcl, name: &str) -> TenantId {
    provision::create_tenant(
        &t.db,
        &t.data_key,
        Some(acl),
        &CreateTenant {
            name: name.to_owned(),
            time_zone: chrono_tz::Europe::Moscow,
            locale: Locale::Ru,
            owner: None,
            bot: None,
            actor: "test".to_owned(),
        },
    )
    .await
    .unwrap()
    .id
}

/// A connection as tenant `id`'s own Redis user, as its bot gets it.
async fn as_tenant(t: &TestDb, id: TenantId) -> Kv {
    let password = tenants::secrets(t.db.pool(), &t.data_key, id)
        .await
        .unwrap()
        .redis_password
        .unwrap();
    let url =
        redis_acl::url_with_user(&redis_url(), &RedisUser::tenant(&t.db, id), &password).unwrap();
    Kv::new(url.expose_secret()).unwrap()
}

fn refused(result: Result<impl std::fmt::Debug, StorageError>) -> bool {
    matches!(&result, Err(StorageError::Redis(e)) if e.to_string().to_lowercase().contains("noperm"))
}

async fn raw<T: redis::FromRedisValue>(kv: &Kv, cmd: &redis::Cmd) -> Result<T, StorageError> {
    let mut conn = kv.conn().await?;
    Ok(cmd.query_async(&mut conn).await?)
}

#[tokio::test]
async fn a_tenant_user_reaches_its_own_keys_with_the_bot_commands_only() {
    let t = TestDb::new().await;
    let _users = RedisUsers::with_prefix(&t.name);
    let acl = RedisAcl::new(&SecretString::from(redis_url())).unwrap();
    let (a, b) = (tenant(&t, &acl, "A").await, tenant(&t, &acl, "B").await);
    let (kv_a, kv_b) = (as_tenant(&t, a).await, as_tenant(&t, b).await);

    // Everything the bot does through Kv works on its own keys.
    let own = TenantKey::new(a, "dlg", format!("{}-1", t.name));
    kv_a.ping().await.unwrap();
    kv_a.set(&own, "state", 60).await.unwrap();
    assert_eq!(kv_a.get(&own).await.unwrap().as_deref(), Some("state"));
    kv_a.delete(&own).await.unwrap();
    let counter = TenantKey::new(a, "rl", format!("{}-1", t.name));
    assert_eq!(kv_a.hit(&counter, 5, 60).await.unwrap(), (true, 1));
    kv_a.delete(&counter).await.unwrap();

    // B's keys are out of reach, both ways.
    let theirs = TenantKey::new(b, "dlg", format!("{}-1", t.name));
    kv_b.set(&theirs, "b's state", 60).await.unwrap();
    assert!(refused(kv_a.get(&theirs).await));
    assert!(refused(kv_a.set(&theirs, "overwritten", 60).await));
    assert!(refused(kv_a.delete(&theirs).await));
    assert!(refused(kv_b.get(&own).await));
    assert_eq!(
        kv_b.get(&theirs).await.unwrap().as_deref(),
        Some("b's state")
    );
    kv_b.delete(&theirs).await.unwrap();

    // Server-wide commands are refused.
    assert!(refused(raw::<()>(&kv_a, &redis::cmd("FLUSHALL")).await));
    assert!(refused(
        raw::<Vec<String>>(&kv_a, redis::cmd("KEYS").arg("*")).await
    ));
    assert!(refused(
        raw::<Vec<String>>(&kv_a, redis::cmd("CONFIG").arg("GET").arg("*")).await
    ));
    assert!(refused(
        raw::<Vec<String>>(&kv_a, redis::cmd("ACL").arg("LIST")).await
    ));

    // Someone else's password does not log in as A.
    let stolen = tenants::secrets(t.db.pool(), &t.data_key, b)
        .await
        .unwrap()
        .redis_password
        .unwrap();
    let url =
        redis_acl::url_with_user(&redis_url(), &RedisUser::tenant(&t.db, a), &stolen).unwrap();
    assert!(Kv::new(url.expose_secret()).unwrap().ping().await.is_err());
}

#[tokio::test]
async fn deprovisioning_removes_the_user_and_sync_restores_what_redis_lost() {
    let t = TestDb::new().await;
    let _users = RedisUsers::with_prefix(&t.name);
    let acl = RedisAcl::new(&SecretString::from(redis_url())).unwrap();
    let (a, b) = (tenant(&t, &acl, "A").await, tenant(&t, &acl, "B").await);
    let user_a = RedisUser::tenant(&t.db, a);
    let names = acl.user_names().await.unwrap();
    assert!(names.contains(&user_a.to_string()));

    // Redis lost A's user (a restart without an ACL file), and still has one of a tenant
    // that is gone: sync repairs both, and makes the sales bot's user.
    acl.delete_user(&user_a).await.unwrap();
    let ghost = RedisUser::tenant(&t.db, TenantId(9999));
    acl.set_user(&ghost, &SecretString::from("x".to_owned()))
        .await
        .unwrap();
    let sales_password = SecretString::from("sales-pw".to_owned());
    let report = redis_acl::sync(&t.db, &t.data_key, &acl, Some(&sales_password))
        .await
        .unwrap();
    assert_eq!(report.tenants, 2);
    assert_eq!(report.removed, vec![ghost.to_string()]);
    as_tenant(&t, a).await.ping().await.unwrap();

    // The sales bot's user has the sales keys and no tenant's.
    let sales =
        redis_acl::url_with_user(&redis_url(), &RedisUser::sales(&t.db), &sales_password).unwrap();
    let sales = Kv::new(sales.expose_secret()).unwrap();
    let mut conn = sales.conn().await.unwrap();
    let key = format!("sales:{}:dlg:1", t.name);
    let () = conn.set_ex(&key, "step", 60).await.unwrap();
    let () = conn.del(&key).await.unwrap();
    assert!(refused(sales.get(&TenantKey::new(a, "dlg", 1)).await));

    // Deprovisioning B removes its user.
    tenants::set_status(t.db.pool(), b, TenantStatus::Suspended)
        .await
        .unwrap();
    tenants::set_desired_state(t.db.pool(), b, DesiredState::Stopped)
        .await
        .unwrap();
    let schema = booking_core::tenant::TenantSchema::for_tenant(b);
    provision::deprovision_tenant(&t.db, Some(&acl), b, &schema)
        .await
        .unwrap();
    let names = acl.user_names().await.unwrap();
    assert!(!names.contains(&RedisUser::tenant(&t.db, b).to_string()));
    assert!(names.contains(&user_a.to_string()));
}
