//! Shared bot hosts (`control.bot_hosts`) and which tenant is assigned to which
//! (`control.tenants.bot_host_id`): the deploy worker's record of where shared tenants run.
//!
//! An assignment is chosen and written in one transaction under an advisory lock, so two
//! reconciliations at once (one worker's concurrent jobs, or two workers) never both take a
//! host's last place, and never both make a new host for lack of one.

use booking_core::ids::{BotHostId, TenantId};
use chrono::{DateTime, Utc};
use sqlx::{PgExecutor, PgPool, Row as _, postgres::PgRow};

use crate::{error::StorageError, host::HostName};

/// The advisory lock that serialises assignments (an arbitrary constant of this table).
const ASSIGN_LOCK: i64 = 0x626f_745f_686f_7374; // "bot_host"

/// A shared bot host as recorded. Its secrets are read apart ([`sealed_secrets`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BotHost {
    pub id: BotHostId,
    pub name: HostName,
    /// Its number: `shared<ordinal>`, and its port on the host network.
    pub ordinal: i32,
    pub capacity: i32,
    /// Since when it has had no tenant assigned, if it has none.
    pub idle_since: Option<DateTime<Utc>>,
}

/// A host with the number of tenants assigned to it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HostLoad {
    pub host: BotHost,
    pub assigned: i64,
}

impl HostLoad {
    fn has_room(&self) -> bool {
        self.assigned < i64::from(self.host.capacity)
    }
}

/// The sealed secrets of a host: its database role's password and its control API's bearer.
pub struct SealedHostSecrets {
    pub db_password: Vec<u8>,
    pub secret: Vec<u8>,
}

/// A host to create when every host is full.
pub struct NewHost {
    pub capacity: i32,
    pub secrets: SealedHostSecrets,
}

/// Where the choice put a tenant.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Assignment {
    pub host: BotHost,
    /// The host it was assigned to before, if another.
    pub previous: Option<BotHostId>,
    /// Whether the host was made for it.
    pub created: bool,
}

/// What [`choose`] decided.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Choice {
    /// The tenant's current host, which has room for it.
    Keep(BotHostId),
    /// Another host with room: the least loaded, the lowest number among equals.
    Move(BotHostId),
    /// Every host is full: a new one.
    New,
}

/// The host for a tenant now on `current` (counted in that host's load), among `hosts`: keep
/// the current one while it is within its capacity, else the least loaded with room, else a
/// new one.
#[must_use]
pub fn choose(current: Option<BotHostId>, hosts: &[HostLoad]) -> Choice {
    if let Some(here) = hosts.iter().find(|h| Some(h.host.id) == current)
        && here.assigned <= i64::from(here.host.capacity)
    {
        return Choice::Keep(here.host.id);
    }
    hosts
        .iter()
        .filter(|h| Some(h.host.id) != current && h.has_room())
        .min_by_key(|h| (h.assigned, h.host.ordinal))
        .map_or(Choice::New, |h| Choice::Move(h.host.id))
}

const COLUMNS: &str = "h.bot_host_id, h.name, h.ordinal, h.capacity, h.idle_since";

fn from_row(row: &PgRow) -> Result<BotHost, StorageError> {
    let name: String = row.try_get("name")?;
    Ok(BotHost {
        id: BotHostId(row.try_get("bot_host_id")?),
        name: HostName::parse(&name)
            .map_err(|_| StorageError::Corrupt(format!("bot host name {name:?}")))?,
        ordinal: row.try_get("ordinal")?,
        capacity: row.try_get("capacity")?,
        idle_since: row.try_get("idle_since")?,
    })
}

/// Every host with its load, by number.
pub async fn loads<'e>(executor: impl PgExecutor<'e>) -> Result<Vec<HostLoad>, StorageError> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "select {COLUMNS}, (select count(*) from control.tenants t \
                              where t.bot_host_id = h.bot_host_id) as assigned \
         from control.bot_hosts h order by h.ordinal"
    )))
    .fetch_all(executor)
    .await?;
    rows.iter()
        .map(|row| {
            Ok(HostLoad {
                host: from_row(row)?,
                assigned: row.try_get("assigned")?,
            })
        })
        .collect()
}

/// The host `id`, if it exists.
pub async fn get(pool: &PgPool, id: BotHostId) -> Result<Option<BotHost>, StorageError> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "select {COLUMNS} from control.bot_hosts h where h.bot_host_id = $1"
    )))
    .bind(id.get())
    .fetch_optional(pool)
    .await?;
    row.as_ref().map(from_row).transpose()
}

/// The host named `name`, if it exists.
pub async fn by_name(pool: &PgPool, name: &HostName) -> Result<Option<BotHost>, StorageError> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "select {COLUMNS} from control.bot_hosts h where h.name = $1"
    )))
    .bind(name.as_str())
    .fetch_optional(pool)
    .await?;
    row.as_ref().map(from_row).transpose()
}

/// The sealed secrets of host `id`.
pub async fn sealed_secrets(
    pool: &PgPool,
    id: BotHostId,
) -> Result<SealedHostSecrets, StorageError> {
    let row = sqlx::query(
        "select db_password_enc, secret_enc from control.bot_hosts where bot_host_id = $1",
    )
    .bind(id.get())
    .fetch_optional(pool)
    .await?
    .ok_or_else(|| StorageError::Corrupt(format!("no bot host {id}")))?;
    Ok(SealedHostSecrets {
        db_password: row.try_get("db_password_enc")?,
        secret: row.try_get("secret_enc")?,
    })
}

/// The tenants assigned to host `id`, by id.
pub async fn tenants_of(pool: &PgPool, id: BotHostId) -> Result<Vec<TenantId>, StorageError> {
    let ids: Vec<i64> = sqlx::query_scalar(
        "select tenant_id from control.tenants where bot_host_id = $1 order by tenant_id",
    )
    .bind(id.get())
    .fetch_all(pool)
    .await?;
    Ok(ids.into_iter().map(TenantId).collect())
}

/// Chooses `tenant`'s host ([`choose`]) and records it; `new_host` makes the secrets of a
/// host to create when all are full, given its ordinal (what they are sealed for:
/// `SealedAt::HostDbPassword`, `SealedAt::HostSecret`). `None` if there is no such tenant.
pub async fn assign(
    pool: &PgPool,
    tenant: TenantId,
    new_host: impl FnOnce(i32) -> NewHost,
) -> Result<Option<Assignment>, StorageError> {
    let mut tx = pool.begin().await?;
    sqlx::query("select pg_advisory_xact_lock($1)")
        .bind(ASSIGN_LOCK)
        .execute(&mut *tx)
        .await?;
    let current: Option<Option<i64>> = sqlx::query_scalar(
        "select bot_host_id from control.tenants where tenant_id = $1 for update",
    )
    .bind(tenant.get())
    .fetch_optional(&mut *tx)
    .await?;
    let Some(current) = current.map(|c| c.map(BotHostId)) else {
        return Ok(None);
    };
    let hosts = loads(&mut *tx).await?;
    let (host, created) = match choose(current, &hosts) {
        Choice::Keep(id) | Choice::Move(id) => {
            let host = hosts
                .into_iter()
                .find(|h| h.host.id == id)
                .map(|h| h.host)
                .ok_or_else(|| StorageError::Corrupt(format!("bot host {id} vanished")))?;
            (host, false)
        }
        Choice::New => {
            let ordinal = hosts.iter().map(|h| h.host.ordinal).max().unwrap_or(0) + 1;
            let new = new_host(ordinal);
            let row = sqlx::query(
                "insert into control.bot_hosts (name, ordinal, capacity, db_password_enc, secret_enc) \
                 values ($1, $2, $3, $4, $5) \
                 returning bot_host_id, name, ordinal, capacity, idle_since",
            )
            .bind(format!("shared{ordinal}"))
            .bind(ordinal)
            .bind(new.capacity.max(1))
            .bind(&new.secrets.db_password)
            .bind(&new.secrets.secret)
            .fetch_one(&mut *tx)
            .await?;
            (from_row(&row)?, true)
        }
    };
    if current != Some(host.id) {
        sqlx::query("update control.tenants set bot_host_id = $2 where tenant_id = $1")
            .bind(tenant.get())
            .bind(host.id.get())
            .execute(&mut *tx)
            .await?;
    }
    // A host that has a tenant again is no longer idle.
    sqlx::query("update control.bot_hosts set idle_since = null where bot_host_id = $1 and idle_since is not null")
        .bind(host.id.get())
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(Some(Assignment {
        previous: current.filter(|c| *c != host.id),
        host,
        created,
    }))
}

/// Clears `tenant`'s assignment (it is dedicated, stopped, or gone from every host).
pub async fn unassign(pool: &PgPool, tenant: TenantId) -> Result<(), StorageError> {
    sqlx::query(
        "update control.tenants set bot_host_id = null \
         where tenant_id = $1 and bot_host_id is not null",
    )
    .bind(tenant.get())
    .execute(pool)
    .await?;
    Ok(())
}

/// Records that host `id` has no tenant (keeping an earlier start of its idleness) and
/// returns since when, by the database's clock; `None` (and nothing written) if it has a
/// tenant again.
pub async fn note_idle(
    pool: &PgPool,
    id: BotHostId,
) -> Result<Option<DateTime<Utc>>, StorageError> {
    Ok(sqlx::query_scalar(
        "update control.bot_hosts h set idle_since = coalesce(h.idle_since, now()) \
         where h.bot_host_id = $1 \
           and not exists (select 1 from control.tenants t where t.bot_host_id = h.bot_host_id) \
         returning h.idle_since",
    )
    .bind(id.get())
    .fetch_optional(pool)
    .await?)
}

/// Seconds since `at`, by the database's clock (the same clock as [`note_idle`]).
pub async fn seconds_since(pool: &PgPool, at: DateTime<Utc>) -> Result<i64, StorageError> {
    Ok(
        sqlx::query_scalar("select floor(extract(epoch from now() - $1))::bigint")
            .bind(at)
            .fetch_one(pool)
            .await?,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(id: i64, capacity: i32, assigned: i64) -> HostLoad {
        HostLoad {
            host: BotHost {
                id: BotHostId(id),
                name: HostName::parse(&format!("shared{id}")).unwrap(),
                ordinal: i32::try_from(id).unwrap(),
                capacity,
                idle_since: None,
            },
            assigned,
        }
    }

    #[test]
    fn a_tenant_stays_on_its_host_while_the_host_is_within_capacity() {
        let hosts = [load(1, 2, 2), load(2, 2, 0)];
        assert_eq!(
            choose(Some(BotHostId(1)), &hosts),
            Choice::Keep(BotHostId(1))
        );
        // Capacity lowered below the load: this tenant moves.
        let over = [load(1, 1, 2), load(2, 2, 0)];
        assert_eq!(
            choose(Some(BotHostId(1)), &over),
            Choice::Move(BotHostId(2))
        );
    }

    #[test]
    fn a_new_tenant_goes_to_the_least_loaded_host_with_room() {
        let hosts = [load(1, 3, 2), load(2, 3, 1), load(3, 3, 1), load(4, 1, 0)];
        assert_eq!(choose(None, &hosts), Choice::Move(BotHostId(4)));
        let hosts = [load(1, 3, 2), load(2, 3, 1), load(3, 3, 1)];
        assert_eq!(choose(None, &hosts), Choice::Move(BotHostId(2)));
    }

    #[test]
    fn when_every_host_is_full_a_new_one_is_made() {
        assert_eq!(choose(None, &[]), Choice::New);
        assert_eq!(choose(None, &[load(1, 1, 1), load(2, 2, 2)]), Choice::New);
        // A current host that vanished counts as none.
        assert_eq!(choose(Some(BotHostId(9)), &[load(1, 1, 1)]), Choice::New);
    }
}
