//! My bookings: the upcoming visits, and cancelling one after a confirmation step; the days
//! the customer waits for, each of which they may stop waiting for.

use crate::runtime::context::Cx;
use booking_core::{
    booking::BookingStatus,
    ids::{BookingId, WaitlistId},
};
use storage::tenant::{
    bookings::{
        self, series,
        service::{self, Caller, Cancellation},
    },
    catalogue, waitlist_views,
};

use super::context::Visit;
use crate::{
    customer::keyboards,
    error::{BotError, split},
    texts::{Key, Noun},
};
use bot_kit::{Notice, Reply};

/// How many upcoming bookings the list shows.
const LIMIT: i64 = 10;

/// The upcoming bookings, each with a Cancel button, then the days the customer waits for,
/// each with "stop waiting"; `headline` goes first (e.g. "Cancelled").
pub async fn list(cx: &Cx<'_, Visit>, headline: Option<&str>) -> Result<Reply, BotError> {
    let t = cx.texts();
    let now = cx.app.now();
    let zone = cx.who.session.profile.time_zone;
    let mut tx = cx.tx().await?;
    let upcoming =
        bookings::views::for_customer(&mut tx, cx.who.session.customer.id, true, now, LIMIT)
            .await?;
    let today = now.with_timezone(&zone).date_naive();
    let waiting =
        waitlist_views::for_customer(&mut tx, cx.who.session.customer.id, today, LIMIT).await?;
    tx.commit().await?;
    let mut text = headline.map(|h| format!("{h}\n\n")).unwrap_or_default();
    if upcoming.is_empty() {
        text.push_str(t.get(Key::NoBookings));
    } else {
        let count = t.count(Noun::Booking, upcoming.len() as u64);
        text.push_str(&t.fill(Key::MyBookingsTitle, &[("count", &count)]));
        let zone = cx.who.session.profile.time_zone;
        for (i, b) in upcoming.iter().enumerate() {
            let local = b.booking.start.with_timezone(&zone);
            text.push('\n');
            text.push_str(&t.fill(
                Key::BookingLine,
                &[
                    ("n", &(i + 1).to_string()),
                    ("service", &b.service_name),
                    ("date", &t.date(local.date_naive())),
                    ("time", &local.format("%H:%M").to_string()),
                    ("staff", &b.staff_name),
                ],
            ));
        }
    }
    if !waiting.is_empty() {
        text.push_str("\n\n");
        text.push_str(t.get(Key::MyWaitlistTitle));
    }
    for (i, w) in waiting.iter().enumerate() {
        let n = (i + 1).to_string();
        let date = t.date(w.day);
        let mut fill = vec![
            ("n", n.as_str()),
            ("service", w.service_name.as_str()),
            ("date", date.as_str()),
        ];
        let key = match &w.staff_name {
            Some(staff) => {
                fill.push(("staff", staff.as_str()));
                Key::MyWaitlistLine
            }
            None => Key::MyWaitlistLineAnyone,
        };
        text.push('\n');
        text.push_str(&t.fill(key, &fill));
    }
    Ok(Reply::screen(
        text,
        keyboards::my_bookings(t, &upcoming, &waiting),
    ))
}

/// "Stop waiting": only the customer's own entry that still waits (storage checks both); a
/// forged or stale button is told it is out of date and changes nothing.
pub async fn leave_waitlist(cx: &Cx<'_, Visit>, id: WaitlistId) -> Result<Reply, BotError> {
    let t = cx.texts();
    let mut tx = cx.tx().await?;
    let left = waitlist_views::leave(&mut tx, id, cx.who.session.customer.id).await?;
    tx.commit().await?;
    let Some(day) = left else {
        return Ok(Reply::alert(t.get(Key::WaitlistLeaveGone)));
    };
    let done = t.fill(Key::WaitlistLeft, &[("date", &t.date(day))]);
    let mut reply = list(cx, Some(done.as_str())).await?;
    reply.notice = Some(Notice::Toast(done));
    Ok(reply)
}

/// Past visits (and cancelled ones), latest first, each with "again".
pub async fn past(cx: &Cx<'_, Visit>) -> Result<Reply, BotError> {
    let t = cx.texts();
    let mut tx = cx.tx().await?;
    let visits = bookings::views::for_customer(
        &mut tx,
        cx.who.session.customer.id,
        false,
        cx.app.now(),
        LIMIT,
    )
    .await?;
    tx.commit().await?;
    let mut text = String::new();
    if visits.is_empty() {
        text.push_str(t.get(Key::NoPast));
    } else {
        text.push_str(t.get(Key::PastTitle));
        let zone = cx.who.session.profile.time_zone;
        for (i, b) in visits.iter().enumerate() {
            let local = b.booking.start.with_timezone(&zone);
            text.push('\n');
            text.push_str(&t.fill(
                Key::PastLine,
                &[
                    ("n", &(i + 1).to_string()),
                    ("service", &b.service_name),
                    ("date", &t.date(local.date_naive())),
                    ("time", &local.format("%H:%M").to_string()),
                    ("staff", &b.staff_name),
                    ("status", t.visit_status(b.booking.status)),
                ],
            ));
        }
    }
    Ok(Reply::screen(text, keyboards::past_visits(t, &visits)))
}

/// "Cancel this booking?" — only for the customer's own confirmed, upcoming booking, and only
/// before the cut-off (whose reason is shown otherwise).
pub async fn ask(cx: &Cx<'_, Visit>, id: BookingId) -> Result<Reply, BotError> {
    let t = cx.texts();
    let now = cx.app.now();
    let mut tx = cx.tx().await?;
    let booking = bookings::views::get(&mut tx, id).await?.filter(|b| {
        b.customer_id == cx.who.session.customer.id && b.status == BookingStatus::Confirmed
    });
    let Some(booking) = booking else {
        return Ok(Reply::alert(
            t.rejection(&booking_core::booking::BookingRejection::NotFound),
        ));
    };
    let profile = &cx.who.session.profile;
    let mut warning = None;
    if let Err(r) = profile.policy.check_cancel(booking.start, now) {
        let late =
            super::money::late_cancel(&mut tx, t, &profile.policy, profile.currency, &booking, now)
                .await?;
        match late {
            super::money::LateCancel::Allowed(w) => warning = w,
            super::money::LateCancel::Refused => return Ok(Reply::alert(t.rejection(&r))),
        }
    }
    let service = catalogue::service(&mut tx, booking.service_id)
        .await?
        .map(|s| s.name)
        .unwrap_or_default();
    // Of a series: this one and those after it (this one included).
    let rest = match booking.series_id {
        Some(series) => series::rest_of(&mut tx, series, booking.start).await?.len(),
        None => 0,
    };
    tx.commit().await?;
    let local = booking
        .start
        .with_timezone(&cx.who.session.profile.time_zone);
    let mut text = t.fill(
        Key::CancelAsk,
        &[
            ("service", &service),
            ("date", &t.date(local.date_naive())),
            ("time", &local.format("%H:%M").to_string()),
        ],
    );
    if let Some(warning) = warning {
        text.push_str("\n\n");
        text.push_str(&warning);
    }
    if rest > 1 {
        let after = t.count(Noun::Booking, rest as u64 - 1);
        text.push_str("\n\n");
        text.push_str(&t.fill(Key::SeriesCancelNote, &[("count", &after)]));
        return Ok(Reply::screen(
            text,
            keyboards::cancel_series_ask(t, id, rest),
        ));
    }
    Ok(Reply::screen(text, keyboards::cancel_ask(t, id)))
}

/// "Cancel this and the rest": this booking and the later ones of its series, in one
/// transaction under customer rules (each checked by storage: ownership, the cut-off).
pub async fn cancel_rest(cx: &Cx<'_, Visit>, id: BookingId) -> Result<Reply, BotError> {
    let t = cx.texts();
    let now = cx.app.now();
    let by = Caller::customer(cx.actor(), cx.who.session.customer.id);
    let mut tx = cx.tx().await?;
    let booking = bookings::views::get(&mut tx, id).await?.filter(|b| {
        b.customer_id == cx.who.session.customer.id && b.status == BookingStatus::Confirmed
    });
    let Some(series) = booking.as_ref().and_then(|b| b.series_id) else {
        return Ok(Reply::alert(
            t.rejection(&booking_core::booking::BookingRejection::NotFound),
        ));
    };
    let from = booking.map_or(now, |b| b.start);
    let ids = series::rest_of(&mut tx, series, from).await?;
    for &one in &ids {
        let result = service::cancel(&mut tx, one, &by, Cancellation::default(), now).await;
        if let Err(r) = split(result)? {
            tx.rollback().await?;
            return Ok(Reply::alert(t.rejection(&r)));
        }
    }
    tx.commit().await?;
    let done = t.fill(
        Key::SeriesCancelled,
        &[("count", &t.count(Noun::Booking, ids.len() as u64))],
    );
    let mut reply = list(cx, Some(done.as_str())).await?;
    reply.notice = Some(Notice::Toast(done.clone()));
    Ok(reply)
}

/// Cancels under customer rules: ownership and the cut-off are checked again by storage.
pub async fn cancel(cx: &Cx<'_, Visit>, id: BookingId) -> Result<Reply, BotError> {
    let t = cx.texts();
    let mut tx = cx.tx().await?;
    let result = service::cancel(
        &mut tx,
        id,
        &Caller::customer(cx.actor(), cx.who.session.customer.id),
        Cancellation::default(),
        cx.app.now(),
    )
    .await;
    match split(result)? {
        Ok(_) => {
            // METHOD:CANCEL with the visit's UID: a calendar that imported it removes it.
            let file = super::calendar_file::attachment(cx, &mut tx, id).await?;
            let profile = &cx.who.session.profile;
            let money =
                super::money::settled(&mut tx, t, &profile.policy, profile.currency, id).await?;
            tx.commit().await?;
            let said = match money {
                Some(money) => format!("{}\n{money}", t.get(Key::Cancelled)),
                None => t.get(Key::Cancelled).to_owned(),
            };
            let mut reply = list(cx, Some(said.as_str())).await?;
            reply.notice = Some(Notice::Toast(t.get(Key::Cancelled).to_owned()));
            Ok(match file {
                Some(file) => reply.file(file),
                None => reply,
            })
        }
        Err(r) => Ok(Reply::alert(t.rejection(&r))),
    }
}
