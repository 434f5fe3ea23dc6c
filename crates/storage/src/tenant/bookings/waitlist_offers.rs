//! Freed time offered to the waitlist: the one hook every path that frees time goes through
//! (a customer's cancel or move, an admin's, the API's, the automatic release), because the
//! booking service calls it in the change's transaction. Who gets the time is decided by the
//! bookings exclusion constraint when an offer is pressed, not here.

use chrono::{DateTime, Utc};

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
    let kind = Message::WaitlistOffer {
        entry: booking_core::ids::WaitlistId(0),
    }
    .kind();
    let done = sqlx::query(
        "insert into outbox (kind, chat_id, payload, due_at, dedupe_key) \
         select $4, c.telegram_user_id, jsonb_build_object('entry', w.waitlist_id), $5, \
                'waitlist_offer:' || w.waitlist_id || ':' || $6 || ':' || $7 \
         from waitlist w join customers c using (customer_id) \
         where w.status = 'waiting' and w.day = $1 and (w.staff_id is null or w.staff_id = $2) \
           and c.telegram_user_id > 0 and c.blocked_bot_at is null and w.customer_id <> $3 \
           and exists (select 1 from staff_services ss where ss.staff_id = $2 and ss.service_id = w.service_id) \
         order by w.created_at, w.waitlist_id \
         on conflict (dedupe_key) do nothing",
    )
    .bind(day)
    .bind(freed.staff_id.get())
    .bind(freed.customer_id.get())
    .bind(kind)
    .bind(now)
    .bind(freed.id.get())
    .bind(freed.start.timestamp())
    .execute(tx.conn())
    .await?;
    Ok(done.rows_affected())
}
