//! Idempotency keys of the operator API's creates (`control.idempotency_keys`).

use sqlx::{PgPool, Row};

use crate::{control::api_keys::ApiKeyId, error::StorageError};

/// What a request with an Idempotency-Key finds.
#[derive(Clone, Debug, PartialEq)]
pub enum Claim {
    /// First time: run the request, then [`complete`] (or [`release`] on failure).
    Fresh,
    /// Done before with the same request: answer this again.
    Replay {
        status: u16,
        body: serde_json::Value,
    },
    /// The same key came with a different request.
    Mismatch,
    /// The first request with this key has not finished yet.
    InProgress,
}

/// How long a reservation without a response blocks retries. A request whose client went away
/// is dropped mid-way and never completes nor releases its key; after this long a retry of the
/// same request takes the reservation over.
const ABANDONED_AFTER_SECS: f64 = 60.0;

/// Reserves `key` for this API key and request, or reports what an earlier request left.
pub async fn claim(
    pool: &PgPool,
    api_key: ApiKeyId,
    key: &str,
    request_hash: &[u8; 32],
) -> Result<Claim, StorageError> {
    let inserted = sqlx::query(
        "insert into control.idempotency_keys (api_key_id, idempotency_key, request_hash) \
         values ($1, $2, $3) on conflict do nothing",
    )
    .bind(api_key.get())
    .bind(key)
    .bind(request_hash.as_slice())
    .execute(pool)
    .await?;
    if inserted.rows_affected() == 1 {
        // Old answers are kept a day, far beyond any client's retry window.
        sqlx::query(
            "delete from control.idempotency_keys where created_at < now() - interval '1 day'",
        )
        .execute(pool)
        .await?;
        return Ok(Claim::Fresh);
    }
    let taken_over = sqlx::query(
        "update control.idempotency_keys set created_at = now() \
         where api_key_id = $1 and idempotency_key = $2 and request_hash = $3 \
           and response_status is null and created_at < now() - make_interval(secs => $4)",
    )
    .bind(api_key.get())
    .bind(key)
    .bind(request_hash.as_slice())
    .bind(ABANDONED_AFTER_SECS)
    .execute(pool)
    .await?;
    if taken_over.rows_affected() == 1 {
        return Ok(Claim::Fresh);
    }
    let row = sqlx::query(
        "select request_hash, response_status, response_body from control.idempotency_keys \
         where api_key_id = $1 and idempotency_key = $2",
    )
    .bind(api_key.get())
    .bind(key)
    .fetch_optional(pool)
    .await?;
    // Released between our insert and select: the earlier request failed; the caller retries.
    let Some(row) = row else {
        return Ok(Claim::InProgress);
    };
    let stored: Vec<u8> = row.try_get("request_hash")?;
    if stored.as_slice() != request_hash.as_slice() {
        return Ok(Claim::Mismatch);
    }
    let status: Option<i16> = row.try_get("response_status")?;
    let body: Option<serde_json::Value> = row.try_get("response_body")?;
    Ok(match (status, body) {
        (Some(status), Some(body)) => Claim::Replay {
            status: u16::try_from(status).unwrap_or(500),
            body,
        },
        _ => Claim::InProgress,
    })
}

/// Stores the response of the request that claimed `key`.
pub async fn complete(
    pool: &PgPool,
    api_key: ApiKeyId,
    key: &str,
    status: u16,
    body: &serde_json::Value,
) -> Result<(), StorageError> {
    sqlx::query(
        "update control.idempotency_keys set response_status = $3, response_body = $4 \
         where api_key_id = $1 and idempotency_key = $2",
    )
    .bind(api_key.get())
    .bind(key)
    .bind(i16::try_from(status).unwrap_or(500))
    .bind(body)
    .execute(pool)
    .await?;
    Ok(())
}

/// Frees `key` after a failed request, so that a retry runs again.
pub async fn release(pool: &PgPool, api_key: ApiKeyId, key: &str) -> Result<(), StorageError> {
    sqlx::query(
        "delete from control.idempotency_keys \
         where api_key_id = $1 and idempotency_key = $2 and response_status is null",
    )
    .bind(api_key.get())
    .bind(key)
    .execute(pool)
    .await?;
    Ok(())
}
