use std::{str::FromStr, sync::Arc, time::Duration};

use booking_core::{ids::TenantId, tenant::TenantSchema};
use secrecy::{ExposeSecret, SecretString};
use sqlx::{
    Connection, PgConnection, Postgres, Transaction,
    postgres::{PgConnectOptions, PgPool, PgPoolOptions},
};

use crate::{
    error::StorageError,
    lease::{Lease, Warm},
    role::{RoleBase, TenantRole},
};

/// The database: a connection pool plus what is needed to scope work to one tenant.
///
/// Cheap to clone (the pool is reference-counted). Its `Debug` names the server, the database
/// and the user, never the password (`PgConnectOptions`' own `Debug` prints it).
#[derive(Clone)]
pub struct Db {
    pool: PgPool,
    /// The URL it was opened with (password included: never printed, see `Debug` below):
    /// [`Db::url_as`] keeps its every server setting.
    url: url::Url,
    options: PgConnectOptions,
    role_base: RoleBase,
    /// A bot host's pool: each tenant transaction also takes on the tenant's role.
    as_tenant_role: bool,
    /// A bot's pool (its own, or a bot host's) keeps the connections its work ended cleanly
    /// on, to lend again without sqlx's round trip ([`crate::lease`]).
    warm: Option<Arc<Warm>>,
    /// A tenant's own bot's pool: every connection was born in this schema (checked when it
    /// connected), so its transactions need no statement of their own to scope them.
    born_in: Option<TenantSchema>,
}

impl std::fmt::Debug for Db {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Db")
            .field("host", &self.options.get_host())
            .field("port", &self.options.get_port())
            .field("database", &self.options.get_database())
            .field("user", &self.options.get_username())
            .field("as_tenant_role", &self.as_tenant_role)
            .field("born_in", &self.born_in)
            .finish_non_exhaustive()
    }
}

/// Pool sizing for a process. The sum over all processes must stay below the server's
/// `max_connections` (100 by default).
#[derive(Copy, Clone, Debug)]
pub struct PoolSize(pub u32);

impl Default for PoolSize {
    fn default() -> Self {
        Self(10)
    }
}

impl Db {
    /// Connects now, failing if the database cannot be reached (CLIs, tests).
    pub async fn connect(url: &SecretString, size: PoolSize) -> Result<Self, StorageError> {
        let db = Self::connect_lazy(url, size)?;
        db.ping().await?;
        Ok(db)
    }

    /// Creates the pool without connecting, so a service starts (and reports "not ready")
    /// while the database is down, and recovers by itself when it comes back.
    pub fn connect_lazy(url: &SecretString, size: PoolSize) -> Result<Self, StorageError> {
        Self::connect_lazy_with_timeout(url, size, DEFAULT_ACQUIRE_TIMEOUT)
    }

    /// As [`Db::connect_lazy`], with another limit on how long a caller waits for a free
    /// connection (load tests and benchmarks queue far more work than there are connections).
    pub fn connect_lazy_with_timeout(
        url: &SecretString,
        size: PoolSize,
        acquire_timeout: Duration,
    ) -> Result<Self, StorageError> {
        let options =
            PgConnectOptions::from_str(url.expose_secret())?.application_name("booking-platform");
        let role_base = RoleBase::parse(&database_name(&options))?;
        let pool = pool_options(size, acquire_timeout).connect_lazy_with(options.clone());
        Ok(Self {
            pool,
            url: parse_url(url)?,
            options,
            role_base,
            as_tenant_role: false,
            warm: None,
            born_in: None,
        })
    }

    /// A bot host's pool: it logs in as the host's own role (a member of exactly the tenant
    /// roles it serves, with no rights of its own), and every [`Db::tenant`] transaction runs
    /// as that tenant's role (`SET LOCAL ROLE`) with its schema, so one tenant's transaction
    /// cannot reach another's rows and a tenant the host was not granted is refused. Idle
    /// connections close soon: a host of mostly idle tenants holds almost none.
    pub fn connect_as_host(url: &SecretString, size: PoolSize) -> Result<Self, StorageError> {
        let options =
            PgConnectOptions::from_str(url.expose_secret())?.application_name("booking-bot-host");
        let role_base = RoleBase::parse(&database_name(&options))?;
        let pool = bot_pool_options(size)
            .min_connections(0)
            .idle_timeout(HOST_IDLE_TIMEOUT)
            .connect_lazy_with(options.clone());
        Ok(Self {
            pool,
            url: parse_url(url)?,
            options,
            role_base,
            as_tenant_role: true,
            warm: Some(Arc::default()),
            born_in: None,
        })
    }

    /// A pool whose every connection is born scoped to one tenant's schema (pattern 1 of the
    /// design): used by a tenant's own bot, which connects as the tenant's role.
    pub fn connect_as_tenant(
        url: &SecretString,
        schema: &TenantSchema,
        size: PoolSize,
    ) -> Result<Self, StorageError> {
        let options = PgConnectOptions::from_str(url.expose_secret())?
            .application_name(&format!("booking-bot-{schema}"))
            .options([("search_path", schema.as_str())]);
        let role_base = RoleBase::parse(&database_name(&options))?;
        let expected = schema.as_str().to_owned();
        let pool = bot_pool_options(size)
            .after_connect(move |conn, _meta| {
                let expected = expected.clone();
                Box::pin(async move {
                    // Fail closed: a pooler that silently dropped the startup option must not
                    // leave us on some other schema.
                    let actual: Option<String> = sqlx::query_scalar("select current_schema()")
                        .fetch_one(&mut *conn)
                        .await?;
                    if actual.as_deref() == Some(expected.as_str()) {
                        Ok(())
                    } else {
                        Err(sqlx::Error::Configuration(
                            format!("search_path is {actual:?}, expected {expected}").into(),
                        ))
                    }
                })
            })
            .connect_lazy_with(options.clone());
        Ok(Self {
            pool,
            url: parse_url(url)?,
            options,
            role_base,
            as_tenant_role: false,
            warm: Some(Arc::default()),
            born_in: Some(schema.clone()),
        })
    }

    /// The shared pool, for control-plane queries (always schema-qualified).
    #[must_use]
    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    /// Opens a transaction scoped to `schema`: `search_path` is set with `set_config(.., true)`,
    /// so it ends with the transaction whatever happens (commit, rollback, a dropped future),
    /// and `current_schema()` is checked before the caller gets the transaction.
    pub async fn tenant(&self, schema: &TenantSchema) -> Result<TenantTx, StorageError> {
        self.scoped(schema, self.as_tenant_role).await
    }

    /// As [`Db::tenant`], and always as the tenant's own role (`SET LOCAL ROLE`), whatever this
    /// pool logs in as: for a cross-tenant process serving a request that names its tenant
    /// itself (a calendar feed's token), so that the database, not only the code, keeps the
    /// request inside that tenant's schema. The login role must be allowed to take on the
    /// tenant's role (a superuser, or a member of it).
    pub async fn tenant_as_its_role(
        &self,
        schema: &TenantSchema,
    ) -> Result<TenantTx, StorageError> {
        self.scoped(schema, true).await
    }

    /// A connection of this pool: one kept warm when there is one ([`crate::lease`]).
    pub(crate) async fn lease(&self) -> Result<Lease, sqlx::Error> {
        match &self.warm {
            Some(warm) => warm.lease(&self.pool).await,
            None => Ok(Lease::plain(self.pool.acquire().await?)),
        }
    }

    /// `BEGIN` on a pooled connection (see [`Db::on_a_live_connection`]).
    async fn begin(&self) -> Result<Lease, StorageError> {
        Ok(self
            .on_a_live_connection(|| async {
                let mut lease = self.lease().await?;
                lease.begin().await?;
                Ok(lease)
            })
            .await?)
    }

    /// Runs `op` on the pool until it does not fail for a dead connection. A bot's pool does
    /// not ping a connection before each use (a round trip a press would pay every time);
    /// instead a connection found dead by `op` (the server restarted) is closed by the pool
    /// and `op` tried again on the next, up to one more time than the pool has connections,
    /// so a restart costs no press an error.
    async fn on_a_live_connection<T, F, Fut>(&self, mut op: F) -> Result<T, sqlx::Error>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T, sqlx::Error>>,
    {
        let mut attempts = self.attempts_on_live_connections();
        loop {
            match op().await {
                Err(e) if attempts > 1 && is_dead_connection(&e) => attempts -= 1,
                other => return other,
            }
        }
    }

    /// How many times work that found a dead connection is tried: once more than the pool
    /// has connections, so that even every connection found dead costs it no error.
    pub(crate) fn attempts_on_live_connections(&self) -> u32 {
        self.pool.options().get_max_connections() + 1
    }

    /// Whether this pool's connections were born in `schema` under its role (a tenant's own
    /// bot), so that nothing needs to scope them.
    pub(crate) fn born_in_role_of(&self, schema: &TenantSchema) -> bool {
        !self.as_tenant_role && self.born_in.as_ref() == Some(schema)
    }

    async fn scoped(&self, schema: &TenantSchema, as_role: bool) -> Result<TenantTx, StorageError> {
        let mut lease = self.begin().await?;
        if !as_role && self.born_in_role_of(schema) {
            // A tenant's own bot: its role may use no other schema, and the connection's
            // search_path was checked when it connected and is never set again.
            return Ok(TenantTx {
                lease,
                schema: schema.clone(),
                booking_changes: Vec::new(),
            });
        }
        let actual: Option<String> = if as_role {
            // `set_config('role', .., true)` is `SET LOCAL ROLE`: PostgreSQL checks the host's
            // membership, and the role ends with the transaction like the search_path.
            sqlx::query_scalar(
                "select current_schema() from \
                   (select set_config('role', $2, true), set_config('search_path', $1, true)) s",
            )
            .bind(schema.as_str())
            .bind(self.tenant_role(schema).as_str())
            .fetch_one(lease.conn())
            .await?
        } else {
            sqlx::query_scalar(
                "select current_schema() from (select set_config('search_path', $1, true)) s",
            )
            .bind(schema.as_str())
            .fetch_one(lease.conn())
            .await?
        };
        if actual.as_deref() != Some(schema.as_str()) {
            return Err(StorageError::WrongSchema {
                expected: schema.as_str().to_owned(),
                actual,
            });
        }
        Ok(TenantTx {
            lease,
            schema: schema.clone(),
            booking_changes: Vec::new(),
        })
    }

    /// The prefix of this database's role names.
    #[must_use]
    pub fn role_base(&self) -> &RoleBase {
        &self.role_base
    }

    /// The role a tenant's bot logs in as.
    #[must_use]
    pub fn tenant_role(&self, schema: &TenantSchema) -> TenantRole {
        TenantRole::new(&self.role_base, schema)
    }

    /// A standalone connection whose `search_path` is `schema` from the start, for migrations.
    pub(crate) async fn connect_scoped(&self, schema: &str) -> Result<PgConnection, StorageError> {
        let options = self.options.clone().options([("search_path", schema)]);
        Ok(PgConnection::connect_with(&options).await?)
    }

    /// The same server and database with another user and password (a tenant's role).
    #[must_use]
    pub fn options_for(&self, role: &TenantRole, password: &SecretString) -> PgConnectOptions {
        self.options
            .clone()
            .username(role.as_str())
            .password(password.expose_secret())
    }

    /// The URL a tenant's own bot connects with: this server and database, with their TLS
    /// settings (`sslmode`, `sslrootcert`), as the tenant's role (see [`Db::url_as`]). The
    /// deploy worker puts it in the bot's environment; a `sslrootcert` file must exist at the
    /// same path in the bot's container.
    #[must_use]
    pub fn tenant_database_url(&self, tenant: TenantId, password: &SecretString) -> SecretString {
        let role = self.tenant_role(&TenantSchema::for_tenant(tenant));
        self.url_as(role.as_str(), password)
    }

    /// The URL this database was opened with, as another role: every setting of the server
    /// connection is kept (host or socket, port, database, `sslmode`, `sslrootcert`, ...),
    /// except what belongs to the platform's own login: its user and password, its client
    /// certificate (`sslcert`, `sslkey`: the platform's identity, not the role's), and its
    /// session `options` and `application_name`.
    #[must_use]
    pub fn url_as(&self, role: &str, password: &SecretString) -> SecretString {
        const PLATFORM_ONLY: [&str; 6] = [
            "user",
            "password",
            "sslcert",
            "sslkey",
            "options",
            "application_name",
        ];
        let mut url = self.url.clone();
        let kept: Vec<(String, String)> = url
            .query_pairs()
            .filter(|(k, _)| !PLATFORM_ONLY.contains(&k.as_ref()))
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        url.set_query(None);
        let in_authority = url.set_username(role).is_ok()
            && url.set_password(Some(password.expose_secret())).is_ok();
        if !kept.is_empty() || !in_authority {
            let mut query = url.query_pairs_mut();
            query.extend_pairs(kept);
            if !in_authority {
                // A socket URL (`postgres:///db?host=/run/postgresql`) has no authority part.
                query
                    .append_pair("user", role)
                    .append_pair("password", password.expose_secret());
            }
        }
        SecretString::from(String::from(url))
    }

    /// The connection options this database was opened with.
    #[must_use]
    pub fn options(&self) -> &PgConnectOptions {
        &self.options
    }

    /// Whether the database answers a trivial query.
    pub async fn ping(&self) -> Result<(), StorageError> {
        self.on_a_live_connection(|| sqlx::query("select 1").execute(&self.pool))
            .await?;
        Ok(())
    }
}

/// How long a bot host keeps an unused connection: its tenants are mostly idle.
const HOST_IDLE_TIMEOUT: Duration = Duration::from_secs(30);

/// Long enough for a burst of bookings to queue for a connection, short enough that a dead
/// database turns into "try again in a minute" quickly.
const DEFAULT_ACQUIRE_TIMEOUT: Duration = Duration::from_secs(10);

/// The URL `PgConnectOptions` accepted, kept as written.
fn parse_url(url: &SecretString) -> Result<url::Url, StorageError> {
    url::Url::parse(url.expose_secret()).map_err(|_| {
        StorageError::Refused("the database URL is not a URL (postgres://...)".to_owned())
    })
}

fn pool_options(size: PoolSize, acquire_timeout: Duration) -> PgPoolOptions {
    PgPoolOptions::new()
        .max_connections(size.0)
        .acquire_timeout(acquire_timeout)
        .idle_timeout(Duration::from_secs(300))
}

/// A bot's pool (its own, or a bot host's): every use of it goes through [`Db::begin`] or
/// [`Db::ping`], which find a dead connection by using it, so none is pinged before each use.
/// (A server that does not answer at all still ends in the acquire timeout, not retried.)
fn bot_pool_options(size: PoolSize) -> PgPoolOptions {
    pool_options(size, DEFAULT_ACQUIRE_TIMEOUT).test_before_acquire(false)
}

/// The connection, not the statement, failed: the server closed it (restart, idle kill) or
/// the socket broke. A pooled connection in that state is closed by sqlx, not returned.
pub(crate) fn is_dead_connection(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Io(_) | sqlx::Error::Protocol(_) => true,
        // 57P01 admin_shutdown, 57P02 crash_shutdown: the server ends this backend.
        sqlx::Error::Database(d) => matches!(d.code().as_deref(), Some("57P01" | "57P02")),
        _ => false,
    }
}

fn database_name(options: &PgConnectOptions) -> String {
    options
        .get_database()
        .or_else(|| Some(options.get_username()))
        .unwrap_or_default()
        .to_owned()
}

/// A transaction scoped to one tenant's schema. Tenant repositories take `&mut TenantTx`.
///
/// Dropping it without [`TenantTx::commit`] rolls everything back.
#[derive(Debug)]
pub struct TenantTx {
    /// Inside `BEGIN`; dropped, it rolls back ([`Lease`]'s `Drop`).
    lease: Lease,
    schema: TenantSchema,
    /// Booking changes made in this transaction, as `(change, actor kind)`: counted in the
    /// `booking_changes_total` metric when it commits, so a rolled-back change never is.
    booking_changes: Vec<(&'static str, &'static str)>,
}

impl TenantTx {
    #[must_use]
    pub fn schema(&self) -> &TenantSchema {
        &self.schema
    }

    /// The connection, for running statements.
    pub fn conn(&mut self) -> &mut PgConnection {
        self.lease.conn()
    }

    /// A savepoint inside this transaction: lets one statement fail (a taken slot) without
    /// aborting the whole transaction.
    pub async fn savepoint(&mut self) -> Result<Transaction<'_, Postgres>, sqlx::Error> {
        self.lease.conn().begin().await
    }

    /// Counts a change of a booking once this transaction commits (the booking service's
    /// consequences call it). Labels are bounded: no tenant, no id.
    pub(crate) fn count_booking_change(&mut self, change: &'static str, actor: &'static str) {
        self.booking_changes.push((change, actor));
    }

    pub async fn commit(self) -> Result<(), StorageError> {
        self.lease.commit().await?;
        for (change, actor) in self.booking_changes {
            metrics::counter!("booking_changes_total", "change" => change, "actor" => actor)
                .increment(1);
        }
        Ok(())
    }

    pub async fn rollback(self) -> Result<(), StorageError> {
        self.lease.rollback().await?;
        Ok(())
    }
}
