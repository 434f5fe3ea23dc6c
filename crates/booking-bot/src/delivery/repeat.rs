//! The next-visit nudge and the win-back, decided when they fall due: dropped if the customer
//! booked again meanwhile, stopped these messages, or the business switched the kind off;
//! otherwise the three nearest free times with the same staff member, each one tap from the
//! confirm screen, with "other time", "not now" and "stop these messages".

use booking_core::booking::BookingStatus;
use chrono::{DateTime, Utc};
use storage::{
    TenantTx,
    tenant::{
        bookings::model::Booking,
        brought_back::BroughtBy,
        catalogue,
        outbox::Claimed,
        repeat_visits::{self, WinBackKind},
    },
};
use teloxide::types::{InlineKeyboardMarkup, ReplyMarkup};

use super::{
    Rendered, chat,
    recipient::{Recipient, booking_of, fields, fill, visit_over},
};
use crate::{
    customer::{again, callback::CallbackData, keyboards::button},
    error::BotError,
    texts::Key,
};
use bot_kit::Outgoing;

/// How many times a nudge or win-back offers.
pub const OFFERED: usize = 3;

/// A service's repeat interval after a visit.
pub(super) async fn nudge(
    tx: &mut TenantTx,
    to: &Recipient,
    m: &Claimed,
    now: DateTime<Utc>,
) -> Result<Rendered, BotError> {
    let Some(b) = booking_of(tx, m).await? else {
        return Ok(Rendered::Drop("no booking".into()));
    };
    if !visit_over(&b, now) {
        return Ok(Rendered::Drop("no visit to follow".into()));
    }
    if repeat_visits::interval_of(tx, b.service_id)
        .await?
        .is_none()
    {
        return Ok(Rendered::Drop("the service no longer repeats".into()));
    }
    offer(tx, to, m, &b, Key::Nudge, now).await
}

/// Days after a no-show or the customer's cancellation.
pub(super) async fn win_back(
    tx: &mut TenantTx,
    to: &Recipient,
    m: &Claimed,
    after: WinBackKind,
    now: DateTime<Utc>,
) -> Result<Rendered, BotError> {
    let Some(b) = booking_of(tx, m).await? else {
        return Ok(Rendered::Drop("no booking".into()));
    };
    let (status, key) = match after {
        WinBackKind::NoShow => (BookingStatus::NoShow, Key::WinBackNoShow),
        WinBackKind::Cancelled => (BookingStatus::Cancelled, Key::WinBackCancelled),
    };
    if b.status != status {
        return Ok(Rendered::Drop("the visit's outcome changed".into()));
    }
    if repeat_visits::win_back_settings(tx)
        .await?
        .days(after)
        .is_none()
    {
        return Ok(Rendered::Drop("switched off by the business".into()));
    }
    offer(tx, to, m, &b, key, now).await
}

async fn offer(
    tx: &mut TenantTx,
    to: &Recipient,
    m: &Claimed,
    b: &Booking,
    key: Key,
    now: DateTime<Utc>,
) -> Result<Rendered, BotError> {
    if !repeat_visits::may_send(tx, b.customer_id, now).await? {
        return Ok(Rendered::Drop(
            "booked again, or stopped these messages".into(),
        ));
    }
    let zone = to.profile.time_zone;
    let gives = catalogue::staff_for_service(tx, b.service_id)
        .await?
        .iter()
        .any(|s| s.id == b.staff_id);
    let starts: Vec<DateTime<Utc>> = if gives {
        again::free_starts(tx, b.service_id, b.staff_id, zone, now)
            .await?
            .into_iter()
            .take(OFFERED)
            .collect()
    } else {
        Vec::new()
    };
    let f = fields(tx, to, b).await?;
    let t = &to.texts;
    let mut text = fill(t, key, &f);
    text.push_str("\n\n");
    if starts.is_empty() {
        text.push_str(t.get(Key::RepeatNoTimes));
    } else {
        text.push_str(&t.fill(Key::RepeatTimes, &[("zone", zone.name())]));
    }
    let from = Some(if key == Key::Nudge {
        BroughtBy::Nudge
    } else {
        BroughtBy::WinBack
    });
    let mut rows = again::offer_rows(t, b.service_id, b.staff_id, &starts, zone, from);
    rows.push(vec![button(
        t.get(Key::BtnOtherTime),
        CallbackData::AgainCalendar(b.id, from),
    )]);
    rows.push(vec![
        button(t.get(Key::BtnNotNow), CallbackData::RepeatNotNow),
        button(t.get(Key::BtnStopRepeat), CallbackData::RepeatStop),
    ]);
    Ok(Rendered::Send(Outgoing {
        chat: chat(m.chat_id),
        text,
        markup: Some(ReplyMarkup::InlineKeyboard(InlineKeyboardMarkup::new(rows))),
    }))
}
