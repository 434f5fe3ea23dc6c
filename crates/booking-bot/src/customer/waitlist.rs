//! The waitlist: a full day in the calendar offers it; a customer joins; when time frees up
//! the outbox offers it, and the first to press an offered time gets it (the bookings
//! exclusion constraint decides). Whoever presses later is told it was taken and offered the
//! nearest free times.

use crate::runtime::context::Cx;
use booking_core::{
    booking::BookingRejection,
    ids::{StaffId, WaitlistId},
};
use chrono::{DateTime, NaiveDate, Utc};
use storage::tenant::{
    bookings::service,
    catalogue,
    waitlist::{self, EntryStatus},
};

use super::{
    calendar::nearest,
    common::{booking_screen, expired, rejected},
    context::Visit,
};
use crate::{
    customer::keyboards,
    customer::state::State,
    error::{BotError, split},
    texts::Key,
};
use bot_kit::Reply;

/// The service and staff choice of a booking in progress (not a move).
fn draft(cx: &Cx<'_, Visit>) -> Option<(booking_core::ids::ServiceId, Option<StaffId>)> {
    match cx.who.state {
        State::ChoosingTime { service, staff } | State::Confirming { service, staff, .. } => {
            Some((service, staff))
        }
        _ => None,
    }
}

/// A 🔔 day: "no free time — join the waitlist?", after checking the day really is full.
pub async fn ask(cx: &Cx<'_, Visit>, day: NaiveDate) -> Result<Reply, BotError> {
    let t = cx.texts();
    let Some((service, staff)) = draft(cx) else {
        return Ok(expired(cx));
    };
    let mut tx = cx.tx().await?;
    let full = split(waitlist::full_days(&mut tx, service, staff, day, day, cx.app.now()).await)?;
    let Some(found) = catalogue::service(&mut tx, service).await? else {
        return Ok(rejected(cx, &BookingRejection::ServiceUnavailable));
    };
    tx.commit().await?;
    match full {
        Ok(days) if days.contains(&day) => {}
        // Time freed up meanwhile (or the day is not one to wait for): the calendar says more.
        Ok(_) => return Ok(expired(cx)),
        Err(r) => return Ok(rejected(cx, &r)),
    }
    let text = t.fill(
        Key::WaitlistAsk,
        &[("service", &found.name), ("date", &t.date(day))],
    );
    Ok(Reply::screen(text, keyboards::join_waitlist(t, day)))
}

/// Joins the day's waitlist; the day is checked to be full again (a forged date is refused).
pub async fn join(cx: &Cx<'_, Visit>, day: NaiveDate) -> Result<Reply, BotError> {
    let t = cx.texts();
    let Some((service, staff)) = draft(cx) else {
        return Ok(expired(cx));
    };
    let mut tx = cx.tx().await?;
    match split(waitlist::full_days(&mut tx, service, staff, day, day, cx.app.now()).await)? {
        Ok(days) if days.contains(&day) => {}
        Ok(_) => return Ok(expired(cx)),
        Err(r) => return Ok(rejected(cx, &r)),
    }
    waitlist::join(&mut tx, cx.who.session.customer.id, service, staff, day).await?;
    tx.commit().await?;
    cx.set_state(State::Idle).await?;
    let text = t.fill(Key::WaitlistJoined, &[("date", &t.date(day))]);
    Ok(Reply::screen(text, keyboards::to_menu(t)))
}

/// An offered time pressed: booked if it is still free, else the nearest free times.
pub async fn take(
    cx: &Cx<'_, Visit>,
    id: WaitlistId,
    start: DateTime<Utc>,
) -> Result<Reply, BotError> {
    let t = cx.texts();
    let now = cx.app.now();
    let mut tx = cx.tx().await?;
    let entry = waitlist::get(&mut tx, id).await?.filter(|e| {
        e.customer_id == cx.who.session.customer.id && e.status == EntryStatus::Waiting
    });
    let zone = cx.who.session.profile.time_zone;
    let Some(entry) = entry.filter(|e| start.with_timezone(&zone).date_naive() == e.day) else {
        return Ok(Reply::alert(t.get(Key::WaitlistOfferGone)));
    };
    let source = cx.who.session.customer.source.clone();
    match split(service::take_offer(&mut tx, &entry, start, cx.actor(), source, now).await)? {
        Ok(change) => {
            let screen = booking_screen(cx, Key::Booked, &change.booking);
            tx.commit().await?;
            cx.set_state(State::Idle).await?;
            Ok(screen)
        }
        Err(BookingRejection::SlotTaken) => {
            let screen = nearest(cx, &mut tx, entry.service_id, entry.staff_id, entry.day).await?;
            tx.commit().await?;
            cx.set_state(State::ChoosingTime {
                service: entry.service_id,
                staff: entry.staff_id,
            })
            .await?;
            Ok(screen)
        }
        Err(r) => Ok(rejected(cx, &r)),
    }
}
