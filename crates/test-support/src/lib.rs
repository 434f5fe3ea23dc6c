//! What integration tests share: a fresh database per test (real PostgreSQL, no mocks),
//! provisioned tenants and a small catalogue.
//!
//! The server comes from `TEST_DATABASE_URL` (default: the local trust-auth server as user
//! `postgres`). Each [`TestDb`] creates its own database and drops it, with the tenant roles
//! made for it, when dropped.

#![allow(clippy::expect_used, clippy::panic)] // a broken harness should stop the test loudly

/// Waiting for state written in the background.
pub mod eventually;
/// Stand-ins for the customer's payment flow: a service's deposit terms, a paid booking.
pub mod prepaid;
/// A fake YooKassa API for the sales bot's tests.
pub mod yookassa;

pub use eventually::{eventually, holds_within};

use booking_core::{
    Tz,
    catalogue::{Minutes, Price, ServiceTiming, Staff},
    ids::{ServiceId, TenantId},
    locale::Locale,
    schedule::{DayPlan, LocalRange, WeeklyHours},
};
use std::time::Duration;

use secrecy::SecretString;
use sqlx::{Connection, PgConnection};
use storage::{
    Db, TenantTx,
    control::tenants::{self, TenantRecord},
    crypto::DataKey,
    db::PoolSize,
    migrate,
    provision::{self, CreateTenant},
    tenant::{catalogue, schedule},
};

/// The server tests run against.
#[must_use]
pub fn server_url() -> String {
    std::env::var("TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned())
}

/// The Redis tests run against (`TEST_REDIS_URL`, default the local one). Other tests use it
/// at the same time: a test changes nothing but keys and ACL users of its own.
#[must_use]
pub fn redis_url() -> String {
    std::env::var("TEST_REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".to_owned())
}

/// Removes, when dropped, every Redis ACL user whose name starts with `prefix` (a test
/// database's name): the users a test made, even when it fails half-way.
pub struct RedisUsers {
    prefix: String,
}

impl RedisUsers {
    #[must_use]
    pub fn with_prefix(prefix: &str) -> Self {
        Self {
            prefix: format!("{prefix}_"),
        }
    }
}

impl Drop for RedisUsers {
    fn drop(&mut self) {
        // The blocking client: Drop runs outside async.
        let Ok(mut conn) = redis::Client::open(redis_url()).and_then(|c| c.get_connection()) else {
            return;
        };
        let users: Vec<String> = redis::cmd("ACL")
            .arg("USERS")
            .query(&mut conn)
            .unwrap_or_default();
        for user in users.iter().filter(|u| u.starts_with(&self.prefix)) {
            let _: redis::RedisResult<i64> =
                redis::cmd("ACL").arg("DELUSER").arg(user).query(&mut conn);
        }
    }
}

/// A database that exists for one test.
pub struct TestDb {
    pub db: Db,
    pub name: String,
    /// The data key [`TestDb::tenant`] seals its tenants' secrets with.
    pub data_key: DataKey,
    url: String,
}

impl TestDb {
    /// A new empty database with the control schema migrated.
    pub async fn new() -> Self {
        Self::with_pool(PoolSize(20)).await
    }

    pub async fn with_pool(size: PoolSize) -> Self {
        let name = format!("t_{}", &uuid::Uuid::new_v4().simple().to_string()[..12]);
        let mut admin = PgConnection::connect(&server_url())
            .await
            .expect("connect to the test server");
        sqlx::query(sqlx::AssertSqlSafe(format!("create database {name}")))
            .execute(&mut admin)
            .await
            .expect("create the test database");
        let url = with_database(&server_url(), &name);
        // Tests queue hundreds of transactions on purpose: let them wait for a connection.
        let db = Db::connect_lazy_with_timeout(
            &SecretString::from(url.clone()),
            size,
            Duration::from_secs(120),
        )
        .expect("test database url");
        db.ping().await.expect("connect to the test database");
        migrate::migrate_control(&db)
            .await
            .expect("migrate control");
        let data_key = DataKey::parse(&SecretString::from(DataKey::generate_base64()))
            .expect("a generated data key parses");
        Self {
            db,
            name,
            data_key,
            url,
        }
    }

    /// The connection URL of this database (as the platform user).
    #[must_use]
    pub fn url(&self) -> SecretString {
        SecretString::from(self.url.clone())
    }

    /// The URL a tenant's bot (or a bot host) would use: its own role and password.
    #[must_use]
    pub fn tenant_url(&self, role: &str, password: &SecretString) -> SecretString {
        self.db.url_as(role, password)
    }

    /// Creates and provisions a tenant as the platform does ([`provision::create_tenant`]);
    /// returns it with its role password.
    pub async fn tenant(&self, name: &str, zone: Tz) -> (TenantRecord, SecretString) {
        let record = provision::create_tenant(
            &self.db,
            &self.data_key,
            None,
            &CreateTenant {
                name: name.to_owned(),
                time_zone: zone,
                locale: Locale::Ru,
                owner: None,
                bot: None,
                actor: "test-support".to_owned(),
            },
        )
        .await
        .expect("create tenant");
        let password = tenants::secrets(self.db.pool(), &self.data_key, record.id)
            .await
            .expect("open the sealed password")
            .db_password
            .expect("a created tenant has a password");
        (record, password)
    }

    /// A transaction in the tenant's schema.
    pub async fn tx(&self, tenant: TenantId) -> TenantTx {
        self.db
            .tenant(&booking_core::tenant::TenantSchema::for_tenant(tenant))
            .await
            .expect("tenant transaction")
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let name = self.name.clone();
        // Drop runs outside async; a short-lived runtime on its own thread does the clean-up.
        let cleanup = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .ok()?;
            rt.block_on(async move {
                let mut admin = PgConnection::connect(&server_url()).await.ok()?;
                sqlx::query(sqlx::AssertSqlSafe(format!(
                    "drop database if exists {name} with (force)"
                )))
                .execute(&mut admin)
                .await
                .ok()?;
                let roles: Vec<String> =
                    sqlx::query_scalar("select rolname from pg_roles where rolname like $1")
                        .bind(format!("{name}\\_%"))
                        .fetch_all(&mut admin)
                        .await
                        .ok()?;
                for role in roles {
                    let _ = sqlx::query(sqlx::AssertSqlSafe(format!(
                        "drop role if exists \"{role}\""
                    )))
                    .execute(&mut admin)
                    .await;
                }
                Some(())
            })
        });
        let _ = cleanup.join();
    }
}

fn with_database(url: &str, db: &str) -> String {
    let (base, query) = url
        .split_once('?')
        .map_or((url, None), |(b, q)| (b, Some(q)));
    let base = base.rsplit_once('/').map_or(base, |(b, _)| b);
    match query {
        Some(q) => format!("{base}/{db}?{q}"),
        None => format!("{base}/{db}"),
    }
}

/// A small business: one service (60 min, price 1500), one staff member giving it, open
/// 09:00-18:00 with a 13:00-14:00 break, Monday to Saturday, the business's default plan.
pub struct Salon {
    pub haircut: ServiceId,
    pub anna: Staff,
}

pub async fn salon(tx: &mut TenantTx) -> Salon {
    let haircut = catalogue::create_service(
        tx,
        &catalogue::NewService {
            name: "Haircut".to_owned(),
            description: String::new(),
            timing: ServiceTiming::simple(Minutes::new(60)).expect("timing"),
            price: Price(150_000),
            sort_order: 0,
        },
    )
    .await
    .expect("service");
    let anna = catalogue::create_staff(tx, "Anna", &[haircut.id])
        .await
        .expect("staff");
    let day = DayPlan::new(
        vec![LocalRange::parse("09:00-18:00").expect("range")],
        vec![LocalRange::parse("13:00-14:00").expect("range")],
    )
    .expect("plan");
    schedule::set_weekly(tx, None, &WeeklyHours::uniform(&day, &[0, 1, 2, 3, 4, 5]))
        .await
        .expect("hours");
    Salon {
        haircut: haircut.id,
        anna,
    }
}
