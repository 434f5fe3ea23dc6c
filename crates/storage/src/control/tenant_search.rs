//! Finding tenants the way an operator asks for them: by id, by bot username or by a piece of
//! the name.

use booking_core::ids::TenantId;
use sqlx::PgPool;

use crate::{
    control::tenants::{self, TenantRecord},
    error::StorageError,
};

/// Tenants matching `query`, in id order, at most `limit`: the tenant with that id (`42` or
/// `#42`), the one whose bot is `@name` (with or without the `@`, any case), and those whose
/// name contains the text (any case). Matching is done with `strpos`, not `LIKE`, so `%` and
/// `_` in a query are plain characters.
pub async fn find(
    pool: &PgPool,
    query: &str,
    limit: i64,
) -> Result<Vec<TenantRecord>, StorageError> {
    let query = query.trim();
    if query.is_empty() {
        return Ok(Vec::new());
    }
    let id = query
        .trim_start_matches('#')
        .parse::<i64>()
        .ok()
        .filter(|id| *id > 0);
    let username = query.trim_start_matches('@');
    let ids: Vec<i64> = sqlx::query_scalar(
        "select tenant_id from control.tenants \
         where tenant_id = $1 \
            or lower(bot_username) = lower($2) \
            or strpos(lower(name), lower($3)) > 0 \
         order by tenant_id limit $4",
    )
    .bind(id)
    .bind(username)
    .bind(query)
    .bind(limit)
    .fetch_all(pool)
    .await?;
    let mut found = Vec::with_capacity(ids.len());
    for id in ids {
        if let Some(t) = tenants::get(pool, TenantId(id)).await? {
            found.push(t);
        }
    }
    Ok(found)
}

/// How many tenants there are.
pub async fn count(pool: &PgPool) -> Result<i64, StorageError> {
    Ok(sqlx::query_scalar("select count(*) from control.tenants")
        .fetch_one(pool)
        .await?)
}
