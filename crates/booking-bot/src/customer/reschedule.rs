//! Moving a confirmed booking: My bookings → Move → the same calendar and times → "Move?" →
//! moved in one statement by storage (either it moves, or nothing changes).

use crate::runtime::context::Cx;
use booking_core::{
    booking::{BookingRejection, BookingStatus},
    ids::BookingId,
};
use chrono::{DateTime, Datelike, Utc};
use storage::tenant::bookings::{
    self,
    service::{self, Caller},
};

use super::{
    calendar::{calendar, nearest, today},
    common::{booking_screen, expired, local, names, rejected},
    context::Visit,
};
use crate::{
    customer::keyboards,
    customer::state::State,
    error::{BotError, split},
    texts::Key,
};
use bot_kit::Reply;

/// Move: only the customer's own confirmed booking, before the reschedule cut-off.
pub async fn ask(cx: &Cx<'_, Visit>, id: BookingId) -> Result<Reply, BotError> {
    let mut tx = cx.tx().await?;
    let booking = bookings::views::get(&mut tx, id).await?.filter(|b| {
        b.customer_id == cx.who.session.customer.id && b.status == BookingStatus::Confirmed
    });
    let Some(booking) = booking else {
        return Ok(rejected(cx, &BookingRejection::NotFound));
    };
    if let Err(r) = cx
        .who
        .session
        .profile
        .policy
        .check_reschedule(booking.start, cx.app.now())
    {
        return Ok(rejected(cx, &r));
    }
    cx.release_hold(&mut tx).await?;
    let today = today(cx);
    let screen = calendar(
        cx,
        &mut tx,
        booking.service_id,
        Some(booking.staff_id),
        (today.year(), today.month()),
        Key::ChooseNewDay,
    )
    .await?;
    tx.commit().await?;
    cx.set_state(State::Rescheduling {
        booking: id,
        service: booking.service_id,
        staff: booking.staff_id,
    })
    .await?;
    Ok(screen)
}

/// "Move … from … to …?" for a time picked in the calendar.
pub async fn confirm_screen(
    cx: &Cx<'_, Visit>,
    id: BookingId,
    start: DateTime<Utc>,
) -> Result<Reply, BotError> {
    let t = cx.texts();
    let mut tx = cx.tx().await?;
    let Some(booking) = bookings::views::get(&mut tx, id)
        .await?
        .filter(|b| b.customer_id == cx.who.session.customer.id)
    else {
        return Ok(rejected(cx, &BookingRejection::NotFound));
    };
    let (service, _) = names(cx, booking.service_id, booking.staff_id);
    tx.commit().await?;
    let (old_date, old_time) = local(cx, booking.start);
    let (date, time) = local(cx, start);
    let zone = cx.who.session.profile.time_zone;
    let text = t.fill(
        Key::MoveAsk,
        &[
            ("service", &service),
            ("old_date", &old_date),
            ("old_time", &old_time),
            ("date", &date),
            ("time", &time),
            ("zone", &t.zone(zone)),
        ],
    );
    let day = start.with_timezone(&zone).date_naive();
    Ok(Reply::screen(text, keyboards::move_to(t, start, day)))
}

/// Moves the booking in the dialogue state; storage re-checks ownership, the cut-off and the
/// new time.
pub async fn move_to(cx: &Cx<'_, Visit>, start: DateTime<Utc>) -> Result<Reply, BotError> {
    let State::Rescheduling {
        booking,
        service,
        staff,
    } = cx.who.state
    else {
        return Ok(expired(cx));
    };
    let mut tx = cx.tx().await?;
    let result = service::reschedule(
        &mut tx,
        booking,
        &Caller::customer(cx.actor(), cx.who.session.customer.id),
        start,
        cx.app.now(),
    )
    .await;
    match split(result)? {
        Ok(change) => {
            let screen = booking_screen(cx, Key::Moved, &change.booking);
            tx.commit().await?;
            cx.set_state(State::Idle).await?;
            Ok(screen)
        }
        Err(BookingRejection::SlotTaken) => {
            tx.rollback().await?;
            let mut tx = cx.tx().await?;
            let date = start
                .with_timezone(&cx.who.session.profile.time_zone)
                .date_naive();
            let screen = nearest(cx, &mut tx, service, Some(staff), date).await?;
            tx.commit().await?;
            Ok(screen)
        }
        Err(r) => Ok(rejected(cx, &r)),
    }
}
