//! Where customers come from: deep-link tags for analytics. `customers.source` keeps the
//! first tag (set by `customers::upsert`), `customers.last_source` the latest, which the
//! customer's next booking records as its own source.

use booking_core::ids::CustomerId;
use sqlx::Row;

use crate::{db::TenantTx, error::StorageError};

/// Records `tag` as the customer's latest source (and first, if they had none).
pub async fn record(
    tx: &mut TenantTx,
    customer: CustomerId,
    tag: &str,
) -> Result<(), StorageError> {
    sqlx::query(
        "update customers set last_source = $2, source = coalesce(source, $2) where customer_id = $1",
    )
    .bind(customer.get())
    .bind(tag)
    .execute(tx.conn())
    .await?;
    Ok(())
}

/// The customer's latest source tag, else their first.
pub async fn latest(
    tx: &mut TenantTx,
    customer: CustomerId,
) -> Result<Option<String>, StorageError> {
    let row = sqlx::query(
        "select coalesce(last_source, source) as tag from customers where customer_id = $1",
    )
    .bind(customer.get())
    .fetch_optional(tx.conn())
    .await?;
    Ok(match row {
        Some(r) => r.try_get("tag")?,
        None => None,
    })
}
