//! What customers tell the business about their visits, read back for it: the "I'll be there"
//! confirmation and the rating with its comment on a booking's card, the ratings of a period
//! for analytics, and the owners told of a low rating.

use booking_core::{ids::BookingId, time::Interval};
use chrono::{DateTime, Duration, Utc};
use sqlx::Row;

use crate::{db::TenantTx, error::StorageError};

/// A rating this low is the owners' to hear of.
pub const LOW_RATING: u8 = 2;

/// How long a low rating waits for its comment before the owners are told without one.
const COMMENT_WAIT: Duration = Duration::minutes(10);

/// What the customer said about one booking.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Feedback {
    /// When the customer pressed "I'll be there" on a reminder.
    pub confirmed_at: Option<DateTime<Utc>>,
    pub rating: Option<u8>,
    pub comment: Option<String>,
}

pub async fn of_booking(tx: &mut TenantTx, id: BookingId) -> Result<Feedback, StorageError> {
    let row = sqlx::query(
        "select customer_confirmed_at, rating, rating_comment from bookings where booking_id = $1",
    )
    .bind(id.get())
    .fetch_optional(tx.conn())
    .await?;
    let Some(r) = row else {
        return Ok(Feedback::default());
    };
    Ok(Feedback {
        confirmed_at: r.try_get("customer_confirmed_at")?,
        rating: rating(r.try_get("rating")?),
        comment: r
            .try_get::<Option<String>, _>("rating_comment")?
            .filter(|c| !c.trim().is_empty()),
    })
}

/// A stored rating; the column's check keeps it within 1 to 5.
fn rating(stored: Option<i16>) -> Option<u8> {
    stored.and_then(|r| u8::try_from(r).ok())
}

/// One rated visit with its comment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Comment {
    pub booking: BookingId,
    pub start: DateTime<Utc>,
    pub rating: u8,
    pub comment: String,
    pub service: String,
    pub staff: String,
}

/// The ratings of visits that started within a window.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Ratings {
    /// How many visits got each rating, 1 to 5.
    pub spread: [i64; 5],
    /// The latest comments, newest first.
    pub comments: Vec<Comment>,
}

impl Ratings {
    #[must_use]
    pub fn count(&self) -> i64 {
        self.spread.iter().sum()
    }

    /// The mean rating, `None` with no ratings.
    #[must_use]
    #[expect(
        clippy::cast_precision_loss,
        reason = "counts of ratings are far below 2^52"
    )]
    pub fn average(&self) -> Option<f64> {
        let count = self.count();
        let sum: i64 = self
            .spread
            .iter()
            .zip(1_i64..)
            .map(|(n, rating)| n * rating)
            .sum();
        (count > 0).then(|| sum as f64 / count as f64)
    }
}

/// The ratings of visits within `window`, with up to `latest` comments.
pub async fn ratings(
    tx: &mut TenantTx,
    window: Interval,
    latest: i64,
) -> Result<Ratings, StorageError> {
    let mut out = Ratings::default();
    let rows = sqlx::query(
        "select rating, count(*) as n from bookings \
         where rating is not null and starts_at >= $1 and starts_at < $2 group by rating",
    )
    .bind(window.start)
    .bind(window.end)
    .fetch_all(tx.conn())
    .await?;
    for r in &rows {
        if let Some(index) =
            rating(r.try_get("rating")?).and_then(|v| usize::from(v).checked_sub(1))
            && let Some(slot) = out.spread.get_mut(index)
        {
            *slot = r.try_get("n")?;
        }
    }
    let rows = sqlx::query(
        "select b.booking_id, b.starts_at, b.rating, b.rating_comment, s.name as service, \
                st.name as staff \
         from bookings b join services s using (service_id) join staff st using (staff_id) \
         where b.rating is not null and btrim(coalesce(b.rating_comment, '')) <> '' \
           and b.starts_at >= $1 and b.starts_at < $2 \
         order by b.starts_at desc limit $3",
    )
    .bind(window.start)
    .bind(window.end)
    .bind(latest)
    .fetch_all(tx.conn())
    .await?;
    for r in &rows {
        let Some(value) = rating(r.try_get("rating")?) else {
            continue;
        };
        out.comments.push(Comment {
            booking: BookingId(r.try_get("booking_id")?),
            start: r.try_get("starts_at")?,
            rating: value,
            comment: r.try_get("rating_comment")?,
            service: r.try_get("service")?,
            staff: r.try_get("staff")?,
        });
    }
    Ok(out)
}

/// A low rating was given: each owner is told once, when the comment comes (see
/// [`comment_given`]) or after [`COMMENT_WAIT`] without one. The message is rendered when
/// it is sent, so it carries the comment as it is then.
pub async fn low_rating(
    tx: &mut TenantTx,
    id: BookingId,
    now: DateTime<Utc>,
) -> Result<u64, StorageError> {
    let done = sqlx::query(
        "insert into outbox (kind, booking_id, chat_id, payload, due_at, dedupe_key) \
         select 'low_rating', $1, telegram_user_id, '{}', $2, \
                'low_rating:' || $1 || ':' || telegram_user_id \
         from admins where role = 'owner' \
         on conflict (dedupe_key) do nothing",
    )
    .bind(id.get())
    .bind(now + COMMENT_WAIT)
    .execute(tx.conn())
    .await?;
    Ok(done.rows_affected())
}

/// The comment of a rating was saved: a low rating's waiting messages go out now. They are
/// queued anew rather than moved, so the insert wakes the dispatcher like any other.
pub async fn comment_given(
    tx: &mut TenantTx,
    id: BookingId,
    now: DateTime<Utc>,
) -> Result<(), StorageError> {
    sqlx::query(
        "with waiting as ( \
             update outbox set cancelled_at = $2 \
             where booking_id = $1 and kind = 'low_rating' and sent_at is null \
               and cancelled_at is null \
             returning chat_id) \
         insert into outbox (kind, booking_id, chat_id, payload, due_at, dedupe_key) \
         select 'low_rating', $1, chat_id, '{}', $2, \
                'low_rating:' || $1 || ':' || chat_id || ':commented' \
         from waiting \
         on conflict (dedupe_key) do nothing",
    )
    .bind(id.get())
    .bind(now)
    .execute(tx.conn())
    .await?;
    Ok(())
}
