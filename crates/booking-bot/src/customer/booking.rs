//! Book: service → staff member or anyone → month calendar → free times → hold → confirm.
//!
//! Every step re-checks on the server what its button asks for: the service and staff member
//! exist and go together, the day has free time, the time passes the policy (the hold runs
//! `check_start`), and the booking to confirm is the customer's own.

use crate::runtime::context::Cx;
use booking_core::{
    booking::BookingRejection,
    catalogue::Service,
    ids::{BookingId, ServiceId, StaffId},
    policy::Rules,
};
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use storage::{
    TenantTx,
    tenant::{
        bookings::{self, model::BookingRequest, service},
        brought_back::{self, BroughtBy},
        sources,
    },
};

use super::{
    calendar::{calendar, first_of, last_day, nearest, today},
    common::{booking_screen, expired, local, names, rejected, titled},
    context::Visit,
};
use crate::{
    customer::callback::CallbackData,
    customer::keyboards,
    customer::state::State,
    error::{BotError, split},
    texts::{Key, Noun},
};
use bot_kit::Reply;

/// Step 1: the services.
pub async fn services(cx: &Cx<'_, Visit>) -> Result<Reply, BotError> {
    let t = cx.texts();
    cx.release_held().await?;
    // Only what someone gives: a service with no staff could only be refused a step later.
    let services: Vec<Service> = cx
        .who
        .session
        .config()
        .bookable_services()
        .cloned()
        .collect();
    cx.set_state(State::Idle).await?;
    if services.is_empty() {
        return Ok(Reply::screen(t.get(Key::NoServices), keyboards::to_menu(t)));
    }
    Ok(Reply::screen(
        t.get(Key::ChooseService),
        keyboards::services(t, &services, cx.who.session.profile.currency),
    ))
}

/// Step 2: who gives it.
pub async fn service_chosen(cx: &Cx<'_, Visit>, service: ServiceId) -> Result<Reply, BotError> {
    // A deep link chose the staff member: straight to their calendar (if they give it).
    if let State::ChoosingService { staff } = cx.who.state {
        let chosen = cx.with_state(State::ChoosingStaff { service });
        return staff_chosen(&chosen, Some(staff)).await;
    }
    let t = cx.texts();
    let config = cx.who.session.config();
    let Some(found) = config.service(service).filter(|s| s.active) else {
        return Ok(rejected(cx, &BookingRejection::ServiceUnavailable));
    };
    let staff = config.staff_for_service(service);
    cx.release_held().await?;
    if staff.is_empty() {
        return Ok(rejected(cx, &BookingRejection::StaffUnavailable));
    }
    cx.set_state(State::ChoosingStaff { service }).await?;
    Ok(Reply::screen(
        t.fill(Key::ChooseStaff, &[("service", &titled(found))]),
        keyboards::staff(t, &staff),
    ))
}

/// Step 3: the calendar of the current month.
pub async fn staff_chosen(cx: &Cx<'_, Visit>, staff: Option<StaffId>) -> Result<Reply, BotError> {
    let service = match cx.who.state {
        State::ChoosingStaff { service } => service,
        _ => match cx.who.state.draft() {
            Some((service, _)) => service,
            None => return Ok(expired(cx)),
        },
    };
    if let Some(wanted) = staff {
        let givers = cx.who.session.config().staff_for_service(service);
        if !givers.iter().any(|s| s.id == wanted) {
            return Ok(rejected(cx, &BookingRejection::StaffUnavailable));
        }
    }
    cx.release_held().await?;
    let today = today(cx);
    let this_month = (today.year(), today.month());
    let screen = cx
        .read(|mut reads| {
            Box::pin(async move {
                let screen =
                    calendar(cx, &mut reads, service, staff, this_month, Key::ChooseDay).await;
                (reads, screen)
            })
        })
        .await?;
    cx.set_state(State::ChoosingTime {
        service,
        staff,
        from: None,
    })
    .await?;
    Ok(screen)
}

/// "Again" on a past visit: the same service with the same staff member (or anyone, if they
/// no longer give it), straight to the calendar; `from` the kind of message it came from.
pub async fn again(
    cx: &Cx<'_, Visit>,
    id: BookingId,
    from: Option<BroughtBy>,
) -> Result<Reply, BotError> {
    let mut tx = cx.tx().await?;
    let Some(visit) = bookings::views::get(&mut tx, id)
        .await?
        .filter(|b| b.customer_id == cx.who.session.customer.id)
    else {
        return Ok(rejected(cx, &BookingRejection::NotFound));
    };
    let service = visit.service_id;
    let config = cx.who.session.config();
    if config.service(service).is_none_or(|s| !s.active) {
        return Ok(rejected(cx, &BookingRejection::ServiceUnavailable));
    }
    let givers = config.staff_for_service(service);
    let staff = givers
        .iter()
        .any(|s| s.id == visit.staff_id)
        .then_some(visit.staff_id);
    cx.release_hold(&mut tx).await?;
    let today = today(cx);
    let screen = calendar(
        cx,
        &mut tx,
        service,
        staff,
        (today.year(), today.month()),
        Key::ChooseDay,
    )
    .await?;
    tx.commit().await?;
    cx.set_state(State::ChoosingTime {
        service,
        staff,
        from,
    })
    .await?;
    Ok(screen)
}

/// ◀ / ▶ in the calendar.
pub async fn month(cx: &Cx<'_, Visit>, year: i32, month: u32) -> Result<Reply, BotError> {
    let Some((service, staff)) = cx.who.state.draft() else {
        return Ok(expired(cx));
    };
    let (first, last) = (first_of(today(cx)), first_of(last_day(cx)));
    let wanted = NaiveDate::from_ymd_opt(year, month, 1);
    if wanted.is_none_or(|w| w < first || w > last) {
        return Ok(expired(cx));
    }
    let heading = if matches!(cx.who.state, State::Rescheduling { .. }) {
        Key::ChooseNewDay
    } else {
        Key::ChooseDay
    };
    cx.read(|mut reads| {
        Box::pin(async move {
            let screen = calendar(cx, &mut reads, service, staff, (year, month), heading).await;
            (reads, screen)
        })
    })
    .await
}

/// Step 4: the free times of a day.
pub async fn day(cx: &Cx<'_, Visit>, date: NaiveDate) -> Result<Reply, BotError> {
    let t = cx.texts();
    let Some((service, staff)) = cx.who.state.draft() else {
        return Ok(expired(cx));
    };
    let config = cx.who.session.config();
    let Some(found) = config.service(service) else {
        return Ok(rejected(cx, &BookingRejection::ServiceUnavailable));
    };
    cx.release_held().await?;
    let now = cx.app.now();
    let slots = cx
        .read(|mut reads| {
            Box::pin(async move {
                let free =
                    bookings::slots::free_in(&mut reads, config, service, staff, date, date, now)
                        .await;
                (reads, split(free))
            })
        })
        .await?;
    // Rescheduling keeps its state; a new booking drops a hold it may have had.
    if !matches!(cx.who.state, State::Rescheduling { .. }) {
        cx.set_state(State::ChoosingTime {
            service,
            staff,
            from: cx.who.state.brought_by(),
        })
        .await?;
    }
    let slots = match slots {
        Ok(slots) => slots,
        Err(r) => return Ok(rejected(cx, &r)),
    };
    if slots.is_empty() {
        return Ok(Reply::alert(t.get(Key::NoTimes)));
    }
    let zone = cx.who.session.profile.time_zone;
    let free = t.count(Noun::FreeTime, slots.len() as u64);
    let mut text = t.fill(
        Key::ChooseTime,
        &[
            ("service", &found.name),
            ("date", &t.date(date)),
            ("zone", &t.zone(zone)),
            ("free", &free),
        ],
    );
    // A class shows how many seats each of its times still has.
    for slot in &slots {
        if let Some(left) = slot.seats_left {
            let time = slot.start.with_timezone(&zone).format("%H:%M").to_string();
            let seats = t.count(Noun::Seat, u64::from(left));
            text.push('\n');
            text.push_str(&t.fill(Key::SeatsLeft, &[("time", &time), ("seats", &seats)]));
        }
    }
    let back = keyboards::button(
        t.get(Key::BtnBack),
        CallbackData::Month {
            year: date.year(),
            month: date.month(),
        },
    );
    Ok(Reply::screen(
        text,
        keyboards::times(&slots, zone, false, back),
    ))
}

/// Step 5: hold the time and show the confirm screen; a taken time offers the nearest ones.
pub async fn time(cx: &Cx<'_, Visit>, start: DateTime<Utc>) -> Result<Reply, BotError> {
    if let State::Rescheduling { booking, .. } = cx.who.state {
        return super::reschedule::confirm_screen(cx, booking, start).await;
    }
    let Some((service, staff)) = cx.who.state.draft() else {
        return Ok(expired(cx));
    };
    hold(cx, service, staff, start, cx.who.state.brought_by()).await
}

/// Holds `start` for the service (and staff member) and shows the confirm screen; a taken time
/// offers the nearest ones. Whatever the customer held before is let go. `from`: the kind of
/// message the customer came from, recorded on the hold (and so on the booking).
pub async fn hold(
    cx: &Cx<'_, Visit>,
    service: ServiceId,
    staff: Option<StaffId>,
    start: DateTime<Utc>,
    from: Option<BroughtBy>,
) -> Result<Reply, BotError> {
    let now = cx.app.now();
    let mut tx = cx.tx().await?;
    cx.release_hold(&mut tx).await?;
    let request = BookingRequest {
        customer: cx.who.session.customer.id,
        service,
        staff,
        start,
        source: sources::latest(&mut tx, cx.who.session.customer.id).await?,
        actor: cx.actor(),
        rules: Rules::Customer,
    };
    match split(service::hold(&mut tx, &request, now).await)? {
        Ok(change) => {
            let held = change.booking;
            if let Some(from) = from {
                brought_back::mark(&mut tx, held.id, from).await?;
            }
            let screen = confirm_screen(cx, &mut tx, held.id).await?;
            tx.commit().await?;
            cx.set_state(State::Confirming {
                service,
                staff,
                hold: held.id,
                series: None,
            })
            .await?;
            Ok(screen)
        }
        Err(BookingRejection::SlotTaken) => {
            let date = start
                .with_timezone(&cx.who.session.profile.time_zone)
                .date_naive();
            let screen = nearest(cx, &mut tx, service, staff, date).await?;
            tx.commit().await?;
            cx.set_state(State::ChoosingTime {
                service,
                staff,
                from,
            })
            .await?;
            Ok(screen)
        }
        Err(BookingRejection::ClassFull) => {
            tx.commit().await?;
            let date = start
                .with_timezone(&cx.who.session.profile.time_zone)
                .date_naive();
            let choosing = State::ChoosingTime {
                service,
                staff,
                from,
            };
            cx.set_state(choosing.clone()).await?;
            super::waitlist::class_full(&cx.with_state(choosing), date).await
        }
        Err(r) => Ok(rejected(cx, &r)),
    }
}

/// Step 6: confirm the hold. Only the customer's own hold is found. A service that asks for
/// money first keeps the hold and sends an invoice instead (see [`super::invoice`]).
pub async fn confirm(cx: &Cx<'_, Visit>, id: BookingId) -> Result<Reply, BotError> {
    if let Some(asked) = super::invoice::ask(cx, id).await? {
        return Ok(asked);
    }
    let customer = cx.who.session.customer.id;
    let mut tx = cx.tx().await?;
    match split(service::confirm(&mut tx, id, customer, cx.actor(), cx.app.now()).await)? {
        Ok(change) => {
            let screen = booking_screen(cx, Key::Booked, &change.booking);
            let screen = super::calendar_file::with_button(cx, screen, change.booking.id);
            tx.commit().await?;
            cx.set_state(State::Idle).await?;
            Ok(screen)
        }
        Err(BookingRejection::SlotTaken) => {
            tx.rollback().await?;
            taken(cx, id).await
        }
        Err(r) => Ok(rejected(cx, &r)),
    }
}

/// The hold's time was taken after it lapsed: the nearest free times on its day.
pub(super) async fn taken(cx: &Cx<'_, Visit>, id: BookingId) -> Result<Reply, BotError> {
    let mut tx = cx.tx().await?;
    let Some(held) = bookings::views::get(&mut tx, id).await? else {
        return Ok(expired(cx));
    };
    let date = held
        .start
        .with_timezone(&cx.who.session.profile.time_zone)
        .date_naive();
    let staff = cx.who.state.draft().and_then(|(_, staff)| staff);
    let screen = nearest(cx, &mut tx, held.service_id, staff, date).await?;
    tx.commit().await?;
    cx.set_state(State::ChoosingTime {
        service: held.service_id,
        staff,
        from: None,
    })
    .await?;
    Ok(screen)
}

pub(super) async fn confirm_screen(
    cx: &Cx<'_, Visit>,
    tx: &mut TenantTx,
    hold: BookingId,
) -> Result<Reply, BotError> {
    let t = cx.texts();
    let Some(held) = bookings::views::get(tx, hold).await? else {
        return Ok(expired(cx));
    };
    let (service, staff) = names(cx, held.service_id, held.staff_id);
    let (date, time) = local(cx, held.start);
    let text = t.fill(
        Key::ConfirmScreen,
        &[
            ("service", &service),
            ("staff", &staff),
            ("date", &date),
            ("time", &time),
            ("zone", &t.zone(cx.who.session.profile.time_zone)),
            (
                "price",
                &t.price(held.price, cx.who.session.profile.currency),
            ),
            ("hold", &t.duration(cx.who.session.profile.policy.hold)),
        ],
    );
    let pay = super::invoice::confirm_note(cx, &held);
    let text = match &pay {
        Some(note) => format!("{text}\n{note}"),
        None => text,
    };
    let day = held
        .start
        .with_timezone(&cx.who.session.profile.time_zone)
        .date_naive();
    // A series is booked without payment, so a service that asks for money offers none.
    let series = pay.is_none();
    Ok(Reply::screen(
        text,
        keyboards::confirm(t, hold, day, series),
    ))
}
