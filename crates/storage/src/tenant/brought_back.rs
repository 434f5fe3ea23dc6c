//! Which of the business's messages brought a booking back, and how many each kind brought per
//! month. A booking is attributed to the message whose button it was made from (the button
//! carries the kind; the booking's hold records it in `bookings.brought_by`).

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::Row;

use booking_core::ids::BookingId;

use crate::{db::TenantTx, error::StorageError};

/// A kind of message that offers the customer another visit (serialised by its code).
#[derive(
    Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum BroughtBy {
    /// The next-visit nudge, a service's interval after a visit.
    Nudge,
    /// The win-back after a no-show or the customer's own cancellation.
    WinBack,
    /// The post-visit message's "book again" offer.
    Again,
}

impl BroughtBy {
    pub const ALL: [Self; 3] = [Self::Nudge, Self::WinBack, Self::Again];

    /// As stored in `bookings.brought_by`.
    #[must_use]
    pub const fn code(self) -> &'static str {
        match self {
            Self::Nudge => "nudge",
            Self::WinBack => "win_back",
            Self::Again => "again",
        }
    }

    /// The outbox kind of the message, which counts the messages sent.
    const fn message_kind(self) -> &'static str {
        match self {
            Self::Nudge => "nudge",
            Self::WinBack => "win_back",
            Self::Again => "follow_up",
        }
    }

    #[must_use]
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == code)
    }

    /// One letter, for button data.
    #[must_use]
    pub const fn letter(self) -> char {
        match self {
            Self::Nudge => 'n',
            Self::WinBack => 'w',
            Self::Again => 'a',
        }
    }

    #[must_use]
    pub fn from_letter(s: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|k| s.len() == 1 && s.starts_with(k.letter()))
    }
}

/// Records that `booking` (just held or booked) was made from a message of kind `by`.
pub async fn mark(
    tx: &mut TenantTx,
    booking: BookingId,
    by: BroughtBy,
) -> Result<(), StorageError> {
    sqlx::query("update bookings set brought_by = $2 where booking_id = $1")
        .bind(booking.get())
        .bind(by.code())
        .execute(tx.conn())
        .await?;
    Ok(())
}

/// One month's figures for one kind of message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MonthRow {
    /// The first day of the month, in the business's zone.
    pub month: NaiveDate,
    pub kind: BroughtBy,
    /// Messages of the kind sent that month.
    pub sent: i64,
    /// Bookings made that month from a message of the kind: booked, whatever became of them
    /// since (a hold given back or lapsed is not a booking).
    pub booked: i64,
}

/// Per month since `from` (in the business's `zone`), per kind: messages sent and bookings
/// they brought back; only months and kinds with any, oldest month first.
pub async fn per_month(
    tx: &mut TenantTx,
    zone: &str,
    from: DateTime<Utc>,
) -> Result<Vec<MonthRow>, StorageError> {
    let kinds: Vec<&str> = BroughtBy::ALL.iter().map(|k| k.code()).collect();
    let messages: Vec<&str> = BroughtBy::ALL.iter().map(|k| k.message_kind()).collect();
    let rows = sqlx::query(
        "with k as (select * from unnest($3::text[], $4::text[]) as k(kind, message)), \
         sent as ( \
             select date_trunc('month', o.sent_at at time zone $1)::date as month, k.kind, count(*) as n \
               from outbox o join k on k.message = o.kind \
              where o.sent_at >= $2 group by 1, 2), \
         booked as ( \
             select date_trunc('month', c.at at time zone $1)::date as month, c.kind, count(*) as n \
               from (select b.booking_id, b.brought_by as kind, min(h.at) as at \
                       from bookings b join booking_history h \
                         on h.booking_id = b.booking_id and h.new_status = 'confirmed' \
                      where b.brought_by is not null group by 1, 2) c \
              where c.at >= $2 group by 1, 2) \
         select coalesce(s.month, b.month) as month, coalesce(s.kind, b.kind) as kind, \
                coalesce(s.n, 0) as sent, coalesce(b.n, 0) as booked \
           from sent s full join booked b on b.month = s.month and b.kind = s.kind \
          order by 1, 2",
    )
    .bind(zone)
    .bind(from)
    .bind(&kinds)
    .bind(&messages)
    .fetch_all(tx.conn())
    .await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let code: String = r.try_get("kind")?;
        let kind = BroughtBy::from_code(&code)
            .ok_or_else(|| StorageError::Corrupt(format!("brought_by {code}")))?;
        out.push(MonthRow {
            month: r.try_get("month")?,
            kind,
            sent: r.try_get("sent")?,
            booked: r.try_get("booked")?,
        });
    }
    out.sort_by_key(|r| (r.month, r.kind));
    Ok(out)
}
