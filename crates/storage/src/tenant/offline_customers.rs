//! Customers who phoned in: booked by staff, with a name and phone but no Telegram account.

use booking_core::ids::CustomerId;
use sqlx::Row;

use crate::{db::TenantTx, error::StorageError};

/// The customer with this phone number (a Telegram customer who shared it, or an earlier
/// phone-in), or a new phone-only customer under a negative id (see migration 0003).
pub async fn find_or_create(
    tx: &mut TenantTx,
    name: &str,
    phone: &str,
) -> Result<CustomerId, StorageError> {
    let existing = sqlx::query(
        "select customer_id from customers where phone = $1 \
         order by (telegram_user_id > 0) desc, customer_id limit 1",
    )
    .bind(phone)
    .fetch_optional(tx.conn())
    .await?;
    if let Some(row) = existing {
        return Ok(CustomerId(row.try_get("customer_id")?));
    }
    let id: i64 = sqlx::query_scalar(
        "insert into customers (telegram_user_id, first_name, phone) \
         values (-nextval('offline_customer_seq'), $1, $2) returning customer_id",
    )
    .bind(name)
    .bind(phone)
    .fetch_one(tx.conn())
    .await?;
    Ok(CustomerId(id))
}
