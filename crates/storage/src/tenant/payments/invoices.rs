//! Invoices for held bookings (table `invoices`): issued when a customer confirms a service
//! that asks for money, found again by their random payload, paid once, void when the hold
//! lapses or is given up.

use std::fmt;

use booking_core::{
    ids::BookingId,
    payment::{Due, PaidKind},
};
use chrono::{DateTime, Duration, Utc};
use rand::Rng as _;
use sqlx::{Row as _, postgres::PgRow};

use crate::{db::TenantTx, error::StorageError};

/// An invoice's row id.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct InvoiceId(pub i64);

/// The random name an invoice goes by in Telegram (`invoice_payload`): unguessable, so a
/// payload the bot did not issue, or another tenant's, matches nothing.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Payload(String);

/// Characters of a payload: URL-safe, as the table's check allows.
const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
/// 32 characters of 64: 192 bits.
const PAYLOAD_LEN: usize = 32;

impl Payload {
    fn generate() -> Self {
        let mut rng = rand::rng();
        Self(
            (0..PAYLOAD_LEN)
                .map(|_| char::from(ALPHABET[rng.random_range(0..ALPHABET.len())]))
                .collect(),
        )
    }

    /// A payload as Telegram gives it back; `None` when it cannot be one of ours (its shape
    /// is checked before any query).
    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        let fits = (16..=64).contains(&s.len())
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        fits.then(|| Self(s.to_owned()))
    }

    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Payload {
    // Only its beginning: enough to find it in the table, not enough to pay with.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Payload({}…)", self.0.get(..6).unwrap_or_default())
    }
}

/// Where an invoice stands.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Status {
    /// Waiting for its payment.
    Open,
    /// Paid for its booking.
    Paid,
    /// Its hold lapsed or was given up, or a newer invoice replaced it.
    Void,
}

impl Status {
    fn parse(s: &str) -> Result<Self, StorageError> {
        match s {
            "open" => Ok(Self::Open),
            "paid" => Ok(Self::Paid),
            "void" => Ok(Self::Void),
            other => Err(StorageError::Corrupt(format!("invoice status {other:?}"))),
        }
    }
}

/// An invoice, as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Invoice {
    pub id: InvoiceId,
    pub booking: BookingId,
    pub payload: Payload,
    pub kind: PaidKind,
    pub amount_minor: i64,
    pub currency: String,
    pub expires_at: DateTime<Utc>,
    pub status: Status,
    pub message_id: Option<i64>,
    pub created_at: DateTime<Utc>,
}

impl Invoice {
    /// How long the hold waits for this invoice's payment (the service's payment timeout
    /// when it was issued).
    #[must_use]
    pub fn timeout(&self) -> Duration {
        self.expires_at - self.created_at
    }
}

const COLUMNS: &str = "invoice_id, booking_id, payload, kind, amount_minor, currency, \
    expires_at, status, message_id, created_at";

fn from_row(row: &PgRow) -> Result<Invoice, StorageError> {
    let kind: String = row.try_get("kind")?;
    let status: String = row.try_get("status")?;
    Ok(Invoice {
        id: InvoiceId(row.try_get("invoice_id")?),
        booking: BookingId(row.try_get("booking_id")?),
        payload: Payload(row.try_get("payload")?),
        kind: PaidKind::parse(&kind)
            .ok_or_else(|| StorageError::Corrupt(format!("invoice kind {kind:?}")))?,
        amount_minor: row.try_get("amount_minor")?,
        currency: row.try_get("currency")?,
        expires_at: row.try_get("expires_at")?,
        status: Status::parse(&status)?,
        message_id: row.try_get("message_id")?,
        created_at: row.try_get("created_at")?,
    })
}

/// Issues an invoice for the held `booking`, due by `expires_at`; an open invoice the booking
/// had (Confirm pressed twice) is void from now on, so only the newest can be paid.
pub async fn issue(
    tx: &mut TenantTx,
    booking: BookingId,
    due: Due,
    currency: &str,
    expires_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<Invoice, StorageError> {
    void_open(tx, booking, None).await?;
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "insert into invoices (booking_id, payload, kind, amount_minor, currency, expires_at, \
             created_at) \
         values ($1, $2, $3, $4, $5, $6, $7) returning {COLUMNS}"
    )))
    .bind(booking.0)
    .bind(Payload::generate().0)
    .bind(due.kind.as_str())
    .bind(due.amount_minor)
    .bind(currency)
    .bind(expires_at)
    .bind(now)
    .fetch_one(tx.conn())
    .await?;
    from_row(&row)
}

/// Notes the invoice's message in the customer's chat.
pub async fn set_message(
    tx: &mut TenantTx,
    id: InvoiceId,
    message_id: i64,
) -> Result<(), StorageError> {
    sqlx::query("update invoices set message_id = $2 where invoice_id = $1")
        .bind(id.0)
        .bind(message_id)
        .execute(tx.conn())
        .await?;
    Ok(())
}

/// The invoice named by `payload`, locked until the transaction ends, so the checks and
/// payments of one invoice queue.
pub async fn by_payload(
    tx: &mut TenantTx,
    payload: &Payload,
) -> Result<Option<Invoice>, StorageError> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "select {COLUMNS} from invoices where payload = $1 for update"
    )))
    .bind(payload.as_str())
    .fetch_optional(tx.conn())
    .await?;
    row.as_ref().map(from_row).transpose()
}

/// Opens `id` again until `expires_at` (its hold was held again); any other open invoice of
/// its booking goes void.
pub async fn reopen(
    tx: &mut TenantTx,
    invoice: &Invoice,
    expires_at: DateTime<Utc>,
) -> Result<(), StorageError> {
    void_open(tx, invoice.booking, Some(invoice.id)).await?;
    sqlx::query("update invoices set status = 'open', expires_at = $2 where invoice_id = $1")
        .bind(invoice.id.0)
        .bind(expires_at)
        .execute(tx.conn())
        .await?;
    Ok(())
}

/// Marks `id` paid; every other open invoice of its booking goes void.
pub async fn mark_paid(tx: &mut TenantTx, invoice: &Invoice) -> Result<(), StorageError> {
    void_open(tx, invoice.booking, Some(invoice.id)).await?;
    sqlx::query("update invoices set status = 'paid' where invoice_id = $1")
        .bind(invoice.id.0)
        .execute(tx.conn())
        .await?;
    Ok(())
}

/// Voids `id` (its payment could not be applied).
pub async fn void(tx: &mut TenantTx, id: InvoiceId) -> Result<(), StorageError> {
    sqlx::query("update invoices set status = 'void' where invoice_id = $1 and status = 'open'")
        .bind(id.0)
        .execute(tx.conn())
        .await?;
    Ok(())
}

/// Voids the open invoices of `booking`, but `except`.
async fn void_open(
    tx: &mut TenantTx,
    booking: BookingId,
    except: Option<InvoiceId>,
) -> Result<(), StorageError> {
    sqlx::query(
        "update invoices set status = 'void' \
         where booking_id = $1 and status = 'open' and invoice_id is distinct from $2",
    )
    .bind(booking.0)
    .bind(except.map(|i| i.0))
    .execute(tx.conn())
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payloads_are_random_url_safe_and_checked() {
        let a = Payload::generate();
        assert_eq!(a.as_str().len(), PAYLOAD_LEN);
        assert_eq!(Payload::parse(a.as_str()), Some(a.clone()));
        assert_ne!(a, Payload::generate());
        assert_eq!(Payload::parse("short"), None);
        assert_eq!(Payload::parse("order-1; drop table invoices --"), None);
        assert!(!format!("{a:?}").contains(a.as_str()));
    }
}
