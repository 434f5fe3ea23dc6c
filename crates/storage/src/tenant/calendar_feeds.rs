//! Private iCalendar feeds: a random token per staff member (and one for the business), stored
//! as a hash, and the bookings a feed shows.
//!
//! A token names its tenant in the clear (`<tenant id>-<secret>`): the master must know which
//! schema to open before it can look the secret up, and it opens it as that tenant's role, so
//! a token can only ever reach its own tenant's rows.

use std::{fmt, str::FromStr};

use booking_core::{
    booking::BookingStatus,
    ids::{BookingId, StaffId, TenantId},
};
use chrono::{DateTime, Duration, Utc};
use rand::Rng as _;
use sha2::{Digest, Sha256};
use sqlx::Row;

use crate::{db::TenantTx, error::StorageError};

/// Lowercase letters and digits: safe in a URL path and easy to copy.
const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
/// 40 characters of 36: about 206 bits.
const SECRET_LEN: usize = 40;

/// Whose bookings a feed shows.
#[derive(Copy, Clone, Eq, PartialEq, Debug)]
pub enum FeedOwner {
    /// Every staff member's.
    Business,
    Staff(StaffId),
}

impl FeedOwner {
    fn staff(self) -> Option<i64> {
        match self {
            Self::Business => None,
            Self::Staff(id) => Some(id.get()),
        }
    }
}

/// A feed's token, `<tenant id>-<secret>`. Its `Debug` hides the secret.
#[derive(Clone, Eq, PartialEq)]
pub struct FeedToken {
    tenant: TenantId,
    secret: String,
}

impl FeedToken {
    fn generate(tenant: TenantId) -> Self {
        let mut rng = rand::rng();
        let secret = (0..SECRET_LEN)
            .map(|_| char::from(ALPHABET[rng.random_range(0..ALPHABET.len())]))
            .collect();
        Self { tenant, secret }
    }

    /// The tenant whose schema holds the feed.
    #[must_use]
    pub const fn tenant(&self) -> TenantId {
        self.tenant
    }

    fn hash(&self) -> [u8; 32] {
        Sha256::digest(self.secret.as_bytes()).into()
    }
}

impl fmt::Debug for FeedToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "FeedToken({}-…)", self.tenant)
    }
}

/// The token as it goes in the link: shown once, to the admin who made it.
impl fmt::Display for FeedToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.tenant, self.secret)
    }
}

/// Not a feed token (the client only ever hears "not found").
#[derive(Copy, Clone, Eq, PartialEq, Debug, thiserror::Error)]
#[error("not a calendar feed token")]
pub struct MalformedToken;

impl FromStr for FeedToken {
    type Err = MalformedToken;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (tenant, secret) = s.split_once('-').ok_or(MalformedToken)?;
        let tenant = tenant
            .parse::<i64>()
            .ok()
            .filter(|t| *t > 0)
            .ok_or(MalformedToken)?;
        let well_formed =
            secret.len() == SECRET_LEN && secret.bytes().all(|b| ALPHABET.contains(&b));
        if !well_formed {
            return Err(MalformedToken);
        }
        Ok(Self {
            tenant: TenantId(tenant),
            secret: secret.to_owned(),
        })
    }
}

/// A new link for `owner`, revoking the one it had: the old link stops working at once.
pub async fn issue(
    tx: &mut TenantTx,
    tenant: TenantId,
    owner: FeedOwner,
    now: DateTime<Utc>,
) -> Result<FeedToken, StorageError> {
    revoke(tx, owner, now).await?;
    let token = FeedToken::generate(tenant);
    sqlx::query(
        "insert into calendar_feeds (staff_id, secret_sha256, created_at) values ($1, $2, $3)",
    )
    .bind(owner.staff())
    .bind(token.hash().to_vec())
    .bind(now)
    .execute(tx.conn())
    .await?;
    Ok(token)
}

/// Revokes `owner`'s live link; whether there was one.
pub async fn revoke(
    tx: &mut TenantTx,
    owner: FeedOwner,
    now: DateTime<Utc>,
) -> Result<bool, StorageError> {
    let done = sqlx::query(
        "update calendar_feeds set revoked_at = $2 \
          where staff_id is not distinct from $1 and revoked_at is null",
    )
    .bind(owner.staff())
    .bind(now)
    .execute(tx.conn())
    .await?;
    Ok(done.rows_affected() > 0)
}

/// When `owner`'s live link was made, if it has one.
pub async fn live_since(
    tx: &mut TenantTx,
    owner: FeedOwner,
) -> Result<Option<DateTime<Utc>>, StorageError> {
    Ok(sqlx::query_scalar(
        "select created_at from calendar_feeds \
          where staff_id is not distinct from $1 and revoked_at is null",
    )
    .bind(owner.staff())
    .fetch_optional(tx.conn())
    .await?)
}

/// The owner of the live feed `token` opens, if any. The caller has opened `tx` in the
/// token's tenant.
pub async fn owner_of(
    tx: &mut TenantTx,
    token: &FeedToken,
) -> Result<Option<FeedOwner>, StorageError> {
    let row: Option<Option<i64>> = sqlx::query_scalar(
        "select staff_id from calendar_feeds where secret_sha256 = $1 and revoked_at is null",
    )
    .bind(token.hash().to_vec())
    .fetch_optional(tx.conn())
    .await?;
    Ok(row.map(|staff| staff.map_or(FeedOwner::Business, |s| FeedOwner::Staff(StaffId(s)))))
}

/// One booking as a feed shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FeedEntry {
    pub booking: BookingId,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub status: BookingStatus,
    /// How many times the booking changed since it was made: the event's `SEQUENCE`, so a
    /// calendar takes a moved or cancelled visit over the copy it has.
    pub revision: u32,
    pub changed_at: DateTime<Utc>,
    pub service_name: String,
    pub staff_name: String,
    pub customer_name: String,
}

/// How far back a feed reaches: calendars keep what they already have.
pub const FEED_PAST: Duration = Duration::days(60);
/// How far ahead: longer than any booking horizon.
pub const FEED_AHEAD: Duration = Duration::days(400);

/// The bookings `owner`'s feed shows around `now`: every booking that was ever confirmed
/// (holds that lapsed never were), cancelled ones included so calendars remove them.
pub async fn entries(
    tx: &mut TenantTx,
    owner: FeedOwner,
    now: DateTime<Utc>,
) -> Result<Vec<FeedEntry>, StorageError> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "{ENTRY_SELECT} where ($1::bigint is null or b.staff_id = $1) \
            and b.status in ('confirmed', 'completed', 'no_show', 'cancelled') \
            and b.starts_at >= $2 and b.starts_at < $3 \
          order by b.starts_at, b.booking_id"
    )))
    .bind(owner.staff())
    .bind(now - FEED_PAST)
    .bind(now + FEED_AHEAD)
    .fetch_all(tx.conn())
    .await?;
    rows.iter().map(entry_from).collect()
}

/// One booking as a calendar shows it (the customer's "add to calendar" file), whatever its
/// status.
pub async fn entry(
    tx: &mut TenantTx,
    booking: BookingId,
) -> Result<Option<FeedEntry>, StorageError> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "{ENTRY_SELECT} where b.booking_id = $1"
    )))
    .bind(booking.get())
    .fetch_optional(tx.conn())
    .await?;
    row.as_ref().map(entry_from).transpose()
}

const ENTRY_SELECT: &str = "select b.booking_id, b.starts_at, b.ends_at, b.status, b.updated_at, \
        s.name as service_name, st.name as staff_name, \
        trim(c.first_name || ' ' || coalesce(c.last_name, '')) as customer_name, \
        (select count(*) from booking_history h where h.booking_id = b.booking_id) as changes \
   from bookings b \
   join services s using (service_id) \
   join staff st using (staff_id) \
   join customers c using (customer_id)";

fn entry_from(row: &sqlx::postgres::PgRow) -> Result<FeedEntry, StorageError> {
    let status: String = row.try_get("status")?;
    let changes: i64 = row.try_get("changes")?;
    Ok(FeedEntry {
        booking: BookingId(row.try_get("booking_id")?),
        start: row.try_get("starts_at")?,
        end: row.try_get("ends_at")?,
        status: status.parse().map_err(StorageError::Corrupt)?,
        // The first history line is the booking itself: revision 0.
        revision: u32::try_from(changes.saturating_sub(1)).unwrap_or(u32::MAX),
        changed_at: row.try_get("updated_at")?,
        service_name: row.try_get("service_name")?,
        staff_name: row.try_get("staff_name")?,
        customer_name: row.try_get("customer_name")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_round_trip_and_hide_their_secret() {
        let token = FeedToken::generate(TenantId(42));
        let text = token.to_string();
        assert!(text.starts_with("42-"));
        assert_eq!(text.parse::<FeedToken>(), Ok(token.clone()));
        assert!(!format!("{token:?}").contains(&token.secret));
    }

    #[test]
    fn malformed_tokens_are_refused() {
        let good = "a".repeat(SECRET_LEN);
        for bad in [
            String::new(),
            good.clone(),
            format!("0-{good}"),
            format!("-1-{good}"),
            format!("x-{good}"),
            format!("7-{}", &good[1..]),
            format!("7-{}A", &good[1..]),
            format!("7-{good}.ics"),
        ] {
            assert!(bad.parse::<FeedToken>().is_err(), "{bad:?}");
        }
    }
}
