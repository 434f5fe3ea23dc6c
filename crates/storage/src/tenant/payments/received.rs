//! Payments received (`successful_payment`, table `payments`): recorded once per Telegram
//! charge id, applied to their booking, or recorded as late or duplicate and given back.

use booking_core::ids::BookingId;
use sqlx::{Row as _, postgres::PgRow};

use crate::{db::TenantTx, error::StorageError};

/// A payment's row id.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PaymentId(pub i64);

/// What became of a payment received.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// It paid for its booking.
    Applied,
    /// Its booking could no longer be made; it is given back.
    Late,
    /// Its invoice was already paid; it is given back.
    Duplicate,
}

impl Outcome {
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Applied => "applied",
            Self::Late => "late",
            Self::Duplicate => "duplicate",
        }
    }

    fn parse(s: &str) -> Result<Self, StorageError> {
        match s {
            "applied" => Ok(Self::Applied),
            "late" => Ok(Self::Late),
            "duplicate" => Ok(Self::Duplicate),
            other => Err(StorageError::Corrupt(format!("payment outcome {other:?}"))),
        }
    }
}

/// A payment received, as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Payment {
    pub id: PaymentId,
    pub invoice_id: i64,
    pub booking: BookingId,
    pub amount_minor: i64,
    pub currency: String,
    /// YooKassa's payment id (Telegram's `provider_payment_charge_id`).
    pub provider_charge_id: String,
    pub outcome: Outcome,
    pub kept_minor: i64,
    pub refunded_minor: i64,
}

pub(crate) const COLUMNS: &str = "payment_id, invoice_id, booking_id, amount_minor, currency, \
    provider_charge_id, outcome, kept_minor, refunded_minor";

pub(crate) fn from_row(row: &PgRow) -> Result<Payment, StorageError> {
    Ok(Payment {
        id: PaymentId(row.try_get("payment_id")?),
        invoice_id: row.try_get("invoice_id")?,
        booking: BookingId(row.try_get("booking_id")?),
        amount_minor: row.try_get("amount_minor")?,
        currency: row.try_get("currency")?,
        provider_charge_id: row.try_get("provider_charge_id")?,
        outcome: Outcome::parse(row.try_get("outcome")?)?,
        kept_minor: row.try_get("kept_minor")?,
        refunded_minor: row.try_get("refunded_minor")?,
    })
}

/// The payment that paid for `booking`, if one did (locked until the transaction ends, so
/// two settlements of one payment queue).
pub async fn applied(
    tx: &mut TenantTx,
    booking: BookingId,
) -> Result<Option<Payment>, StorageError> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "select {COLUMNS} from payments where booking_id = $1 and outcome = 'applied' for update"
    )))
    .bind(booking.0)
    .fetch_optional(tx.conn())
    .await?;
    row.as_ref().map(from_row).transpose()
}

/// Records how a payment was settled: `keep_minor` kept by the business, `refund_minor` given
/// back (or being given back). Refused if the two exceed what was paid.
pub async fn settle(
    tx: &mut TenantTx,
    payment: PaymentId,
    keep_minor: i64,
    refund_minor: i64,
) -> Result<(), StorageError> {
    let done = sqlx::query(
        "update payments set kept_minor = $2, refunded_minor = $3 \
         where payment_id = $1 and $2 >= 0 and $3 >= 0 and $2 + $3 <= amount_minor",
    )
    .bind(payment.0)
    .bind(keep_minor)
    .bind(refund_minor)
    .execute(tx.conn())
    .await?;
    if done.rows_affected() == 0 {
        return Err(StorageError::Refused(format!(
            "payment {} cannot be settled as {keep_minor} kept and {refund_minor} refunded",
            payment.0
        )));
    }
    Ok(())
}

/// A `successful_payment` to record.
#[derive(Clone, Debug)]
pub struct NewPayment<'a> {
    pub invoice: super::invoices::InvoiceId,
    pub booking: BookingId,
    /// Telegram's `telegram_payment_charge_id`: unique, so a payment is recorded once.
    pub telegram_charge_id: &'a str,
    /// Telegram's `provider_payment_charge_id` (YooKassa's payment id).
    pub provider_charge_id: &'a str,
    pub amount_minor: i64,
    pub currency: &'a str,
    pub outcome: Outcome,
    pub received_at: chrono::DateTime<chrono::Utc>,
}

/// Records a payment once: `None` when its Telegram charge id is already recorded (a
/// duplicate update), which changes nothing.
pub async fn record(
    tx: &mut TenantTx,
    p: &NewPayment<'_>,
) -> Result<Option<Payment>, StorageError> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "insert into payments (invoice_id, booking_id, telegram_charge_id, provider_charge_id, \
             amount_minor, currency, outcome, received_at) \
         values ($1, $2, $3, $4, $5, $6, $7, $8) \
         on conflict (telegram_charge_id) do nothing returning {COLUMNS}"
    )))
    .bind(p.invoice.0)
    .bind(p.booking.0)
    .bind(p.telegram_charge_id)
    .bind(p.provider_charge_id)
    .bind(p.amount_minor)
    .bind(p.currency)
    .bind(p.outcome.as_str())
    .bind(p.received_at)
    .fetch_optional(tx.conn())
    .await?;
    row.as_ref().map(from_row).transpose()
}

/// The payment recorded under Telegram's charge id, if any.
pub async fn by_charge(
    tx: &mut TenantTx,
    telegram_charge_id: &str,
) -> Result<Option<Payment>, StorageError> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "select {COLUMNS} from payments where telegram_charge_id = $1"
    )))
    .bind(telegram_charge_id)
    .fetch_optional(tx.conn())
    .await?;
    row.as_ref().map(from_row).transpose()
}
