//! Tenant roles in PostgreSQL: SCRAM verifiers computed here, the right to connect to this
//! database alone, per-role limits, and the URL a tenant's bot gets.

use std::str::FromStr as _;

use booking_core::{ids::TenantId, tenant::TenantSchema};
use secrecy::{ExposeSecret as _, SecretString};
use sqlx::{
    Connection as _, PgConnection,
    postgres::{PgConnectOptions, PgSslMode},
};
use storage::{Db, crypto::scram::ScramVerifier, db::PoolSize};
use test_support::TestDb;

async fn stored_password(t: &TestDb, role: &str) -> String {
    sqlx::query_scalar("select rolpassword from pg_authid where rolname = $1")
        .bind(role)
        .fetch_one(t.db.pool())
        .await
        .unwrap()
}

#[tokio::test]
async fn a_tenant_role_has_a_scram_verifier_of_its_password_and_can_log_in() {
    let t = TestDb::new().await;
    let (a, password) = t.tenant("A", chrono_tz::Europe::Moscow).await;
    let role = t.db.tenant_role(&TenantSchema::for_tenant(a.id));
    let stored = stored_password(&t, role.as_str()).await;
    assert!(stored.starts_with("SCRAM-SHA-256$4096:"), "{stored}");
    // What PostgreSQL checks at login under scram-sha-256 (this server trusts loopback, so
    // the login below cannot prove the password by itself).
    assert!(ScramVerifier::matches(&stored, &password));
    assert!(!ScramVerifier::matches(
        &stored,
        &SecretString::from("another")
    ));
    let url = t.db.tenant_database_url(a.id, &password);
    PgConnection::connect(url.expose_secret())
        .await
        .unwrap()
        .close()
        .await
        .unwrap();
}

/// Only the platform's roles connect, and nobody but the platform makes temporary tables; each
/// tenant role runs with lock and statement timeouts.
#[tokio::test]
async fn public_may_not_connect_and_tenant_roles_have_limits() {
    let t = TestDb::new().await;
    let (a, _) = t.tenant("A", chrono_tz::Europe::Moscow).await;
    let role = t.db.tenant_role(&TenantSchema::for_tenant(a.id));
    // Some other role of the cluster (dropped with the test database's roles).
    let outsider = format!("{}_outsider", t.name);
    sqlx::query(sqlx::AssertSqlSafe(format!("create role {outsider} login")))
        .execute(t.db.pool())
        .await
        .unwrap();
    let may = |who: String, what: &'static str| {
        let pool = t.db.pool().clone();
        async move {
            sqlx::query_scalar::<_, bool>(
                "select has_database_privilege($1, current_database(), $2)",
            )
            .bind(who)
            .bind(what)
            .fetch_one(&pool)
            .await
            .unwrap()
        }
    };
    assert!(!may(outsider.clone(), "CONNECT").await);
    assert!(!may(outsider, "TEMPORARY").await);
    assert!(may(role.as_str().to_owned(), "CONNECT").await);
    assert!(!may(role.as_str().to_owned(), "TEMPORARY").await);

    let config: Vec<String> = sqlx::query_scalar(
        "select unnest(setconfig) from pg_db_role_setting s join pg_roles r on r.oid = s.setrole \
         where r.rolname = $1 and s.setdatabase = 0",
    )
    .bind(role.as_str())
    .fetch_all(t.db.pool())
    .await
    .unwrap();
    for expected in ["lock_timeout=5s", "statement_timeout=30s"] {
        assert!(
            config.iter().any(|c| c == expected),
            "{expected} in {config:?}"
        );
    }
}

/// With every statement logged (`log_statement = all`, parameters included), provisioning
/// logs the verifier and never the password. Reads the server's log; skipped where it cannot.
#[tokio::test]
async fn a_server_logging_every_statement_never_sees_a_role_password() {
    let t = TestDb::new().await;
    let log: Option<String> = sqlx::query_scalar("select pg_current_logfile()")
        .fetch_one(t.db.pool())
        .await
        .unwrap();
    let log = std::env::var("TEST_POSTGRES_LOG")
        .ok()
        .or(log)
        .unwrap_or_else(|| "/var/log/postgresql/postgresql-15-main.log".to_owned());
    let size: Option<i64> = sqlx::query_scalar("select (pg_stat_file($1, true)).size")
        .bind(&log)
        .fetch_one(t.db.pool())
        .await
        .ok()
        .flatten();
    let Some(start) = size else {
        eprintln!("skipped: the server's log {log} cannot be read (set TEST_POSTGRES_LOG)");
        return;
    };
    // New sessions of this test's own database log everything; nothing else changes.
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "alter database {} set log_statement = 'all'",
        t.name
    )))
    .execute(t.db.pool())
    .await
    .unwrap();
    let logged = Db::connect(&t.url(), PoolSize(2)).await.unwrap();
    let host = storage::host::HostName::parse("h1").unwrap();
    let password = SecretString::from("HostPassw0rdNeverLogged".to_owned());
    storage::host::ensure_role(&logged, &host, &password)
        .await
        .unwrap();
    let role = logged.host_role(&host);
    logged.pool().close().await;

    let written: String =
        sqlx::query_scalar("select pg_read_file($1, $2, (pg_stat_file($1)).size - $2)")
            .bind(&log)
            .bind(start)
            .fetch_one(t.db.pool())
            .await
            .unwrap();
    assert!(
        written.contains(role.as_str()) && written.contains("SCRAM-SHA-256$"),
        "the statements were not logged where expected"
    );
    assert!(!written.contains(password.expose_secret()));
}

/// The bot's URL keeps the TLS settings the platform connects with.
#[tokio::test]
async fn the_tenant_url_keeps_sslmode_and_the_root_certificate() {
    let platform = SecretString::from(
        "postgres://booking:platform-pw@db.internal:6432/booking?sslmode=verify-full\
         &sslrootcert=/etc/ssl/pg-ca.pem&sslcert=/etc/ssl/platform.crt&sslkey=/etc/ssl/platform.key"
            .to_owned(),
    );
    let db = Db::connect_lazy(&platform, PoolSize(1)).unwrap();
    let url = db.tenant_database_url(TenantId(42), &SecretString::from("tenant-pw".to_owned()));
    let url = url.expose_secret();
    assert!(
        url.contains("sslrootcert=%2Fetc%2Fssl%2Fpg-ca.pem"),
        "{url}"
    );
    assert!(url.starts_with("postgres://booking_tenant_42:tenant-pw@db.internal:6432/booking?"));
    assert!(!url.contains("platform-pw") && !url.contains("sslkey") && !url.contains("sslcert"));
    let options = PgConnectOptions::from_str(url).unwrap();
    assert!(matches!(options.get_ssl_mode(), PgSslMode::VerifyFull));
    assert_eq!(options.get_username(), "booking_tenant_42");
    assert_eq!(
        (
            options.get_host(),
            options.get_port(),
            options.get_database()
        ),
        ("db.internal", 6432, Some("booking"))
    );
    assert!(!format!("{db:?}").contains("platform-pw"));

    // A socket URL has no place for a user: it goes in the query.
    let socket = SecretString::from("postgres:///booking?host=/run/postgresql".to_owned());
    let db = Db::connect_lazy(&socket, PoolSize(1)).unwrap();
    let url = db.tenant_database_url(TenantId(7), &SecretString::from("pw".to_owned()));
    let options = PgConnectOptions::from_str(url.expose_secret()).unwrap();
    assert_eq!(options.get_username(), "booking_tenant_7");
    assert_eq!(
        options
            .get_socket()
            .map(|p| p.display().to_string())
            .as_deref(),
        Some("/run/postgresql")
    );
}
