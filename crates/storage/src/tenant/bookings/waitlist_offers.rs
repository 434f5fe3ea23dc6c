//! Freed time offered to the waitlist: the one hook every path that frees time goes through
//! (a customer's cancel or move, an admin's, the API's, the automatic release, and a change of
//! the schedule that opens time: a block lifted, hours added, a day off taken back). The
//! booking service calls it in the change's transaction; the admin panel's schedule changes
//! call [`schedule_freed`] in theirs. Who gets the time is decided by the bookings exclusion
//! constraint when an offer is pressed, not here; an offer of a day that turns out to have no
//! free time after all is dropped when it is rendered.

use booking_core::ids::{CustomerId, StaffId};
use chrono::{DateTime, NaiveDate, Utc};

use super::model::Booking;
use crate::{
    db::TenantTx,
    error::StorageError,
    tenant::{outbox::message::Message, settings},
};

/// Time of `freed` (a booking being cancelled, or the old time of one being moved) is free
/// again: every customer waiting for that day, for a service its staff member gives (with that
/// staff member or anyone), is offered it. One offer per entry and freed time (dedupe key).
pub(super) async fn time_freed(
    tx: &mut TenantTx,
    freed: &Booking,
    now: DateTime<Utc>,
) -> Result<u64, StorageError> {
    if freed.start <= now {
        return Ok(0);
    }
    let zone = settings::profile(tx).await?.time_zone;
    let day = freed.start.with_timezone(&zone).date_naive();
    let freed_time = Freed {
        staff: Some(freed.staff_id),
        from: day,
        to: Some(day),
        // The customer who freed it is not offered their own time back.
        not_for: Some(freed.customer_id),
        cause: format!("{}:{}", freed.id, freed.start.timestamp()),
    };
    offer(tx, &freed_time, now).await
}

/// The schedule opened time for `staff` (`None`: everyone) on the local days `from..=to`
/// (`to` `None`: every day from `from` on, as a new weekly plan does). `cause` names the change
/// (`block:7`, `hours:<when>`), so that one change offers a day to an entry once.
pub async fn schedule_freed(
    tx: &mut TenantTx,
    staff: Option<StaffId>,
    from: NaiveDate,
    to: Option<NaiveDate>,
    cause: &str,
    now: DateTime<Utc>,
) -> Result<u64, StorageError> {
    let zone = settings::profile(tx).await?.time_zone;
    let today = now.with_timezone(&zone).date_naive();
    let freed = Freed {
        staff,
        from: from.max(today),
        to,
        not_for: None,
        cause: cause.to_owned(),
    };
    offer(tx, &freed, now).await
}

/// Time freed on some days for one staff member or everyone.
struct Freed {
    staff: Option<StaffId>,
    from: NaiveDate,
    to: Option<NaiveDate>,
    not_for: Option<CustomerId>,
    cause: String,
}

/// Queues a waitlist offer for every entry waiting for a day of `freed`, for a service the
/// freed staff member (or, when everyone's time was freed, the entry's own staff member or
/// anyone) gives.
async fn offer(tx: &mut TenantTx, freed: &Freed, now: DateTime<Utc>) -> Result<u64, StorageError> {
    if freed.to.is_some_and(|to| to < freed.from) {
        return Ok(0);
    }
    let kind = Message::WaitlistOffer {
        entry: booking_core::ids::WaitlistId(0),
    }
    .kind();
    let done = sqlx::query(
        "insert into outbox (kind, chat_id, payload, due_at, dedupe_key) \
         select $5, c.telegram_user_id, jsonb_build_object('entry', w.waitlist_id), $6, \
                'waitlist_offer:' || w.waitlist_id || ':' || $7 \
         from waitlist w join customers c using (customer_id) \
         where w.status = 'waiting' and w.day >= $1 and ($2::date is null or w.day <= $2) \
           and (w.staff_id is null or $3::bigint is null or w.staff_id = $3) \
           and c.telegram_user_id > 0 and c.blocked_bot_at is null \
           and w.customer_id is distinct from $4 \
           and exists (select 1 from staff_services ss where ss.service_id = w.service_id \
                         and ss.staff_id = coalesce($3, w.staff_id, ss.staff_id)) \
         order by w.created_at, w.waitlist_id \
         on conflict (dedupe_key) do nothing",
    )
    .bind(freed.from)
    .bind(freed.to)
    .bind(freed.staff.map(StaffId::get))
    .bind(freed.not_for.map(CustomerId::get))
    .bind(kind)
    .bind(now)
    .bind(&freed.cause)
    .execute(tx.conn())
    .await?;
    Ok(done.rows_affected())
}
