//! The calendar and time screens shared by booking, rescheduling and "again".

use crate::runtime::context::Cx;
use booking_core::{
    booking::BookingRejection,
    ids::{ServiceId, StaffId},
};
use chrono::{Datelike, Duration, Months, NaiveDate};
use storage::{
    Scoped,
    tenant::{bookings, waitlist},
};

use super::{
    common::{expired, rejected},
    context::Visit,
};
use crate::{
    customer::callback::{CallbackData, MenuItem},
    customer::keyboards::{self, Calendar},
    error::{BotError, split},
    texts::Key,
};
use bot_kit::Reply;

/// How many free times to offer when the chosen one was taken.
const NEAREST: usize = 8;
/// How far ahead to look for them.
const NEAREST_DAYS: i64 = 14;

/// "This time was taken" with the nearest free times from `date` on.
pub(super) async fn nearest(
    cx: &Cx<'_, Visit>,
    tx: &mut impl Scoped,
    service: ServiceId,
    staff: Option<StaffId>,
    date: NaiveDate,
) -> Result<Reply, BotError> {
    let t = cx.texts();
    let from = date.max(today(cx));
    let to = from + Duration::days(NEAREST_DAYS);
    let config = cx.who.session.config();
    let mut slots =
        split(bookings::slots::free_in(tx, config, service, staff, from, to, cx.app.now()).await)?
            .unwrap_or_default();
    slots.truncate(NEAREST);
    let mut text = t.rejection(&BookingRejection::SlotTaken);
    text.push('\n');
    text.push_str(t.get(if slots.is_empty() {
        Key::NoTimes
    } else {
        Key::NearestTimes
    }));
    let back = keyboards::button(t.get(Key::BtnBack), CallbackData::Menu(MenuItem::Book));
    let keyboard = keyboards::times(&slots, cx.who.session.profile.time_zone, true, back);
    Ok(Reply::screen(text, keyboard).with_toast(t.rejection(&BookingRejection::SlotTaken)))
}

pub(super) async fn calendar(
    cx: &Cx<'_, Visit>,
    tx: &mut impl Scoped,
    service: ServiceId,
    staff: Option<StaffId>,
    (year, month): (i32, u32),
    heading: Key,
) -> Result<Reply, BotError> {
    let t = cx.texts();
    let (today, last) = (today(cx), last_day(cx));
    let Some(first) = NaiveDate::from_ymd_opt(year, month, 1) else {
        return Ok(expired(cx));
    };
    let month_end = first
        .checked_add_months(Months::new(1))
        .and_then(|d| d.pred_opt())
        .unwrap_or(first);
    let (from, to) = (first.max(today), month_end.min(last));
    let config = cx.who.session.config();
    let now = cx.app.now();
    let Some(found) = config.service(service) else {
        return Ok(rejected(cx, &BookingRejection::ServiceUnavailable));
    };
    let bookable = if from <= to {
        match split(
            bookings::slots::bookable_dates_in(tx, config, service, staff, from, to, now).await,
        )? {
            Ok(dates) => dates,
            Err(r) => return Ok(rejected(cx, &r)),
        }
    } else {
        Vec::new()
    };
    // Full days offer their waitlist, when booking (a move keeps to the free days).
    let full = if from <= to && heading == Key::ChooseDay {
        let full =
            waitlist::full_days_in(tx, config, service, staff, from, to, now, &bookable).await;
        split(full)?.unwrap_or_default()
    } else {
        Vec::new()
    };
    let prev = first
        .checked_sub_months(Months::new(1))
        .filter(|p| *p >= first_of(today));
    let next = first
        .checked_add_months(Months::new(1))
        .filter(|n| *n <= last);
    let mut text = t.fill(heading, &[("service", &super::common::titled(found))]);
    if bookable.is_empty() {
        text.push('\n');
        text.push_str(t.get(Key::NoDays));
    }
    if !full.is_empty() {
        text.push('\n');
        text.push_str(t.get(Key::WaitlistHint));
    }
    let grid = Calendar {
        year,
        month,
        bookable: &bookable,
        full: &full,
        prev: prev.map(|d| (d.year(), d.month())),
        next: next.map(|d| (d.year(), d.month())),
    };
    Ok(Reply::screen(text, keyboards::calendar(t, &grid)))
}

/// Today in the tenant's zone.
pub(super) fn today(cx: &Cx<'_, Visit>) -> NaiveDate {
    cx.app
        .now()
        .with_timezone(&cx.who.session.profile.time_zone)
        .date_naive()
}

/// The last day customers may book (the horizon counts today as day 0).
pub(super) fn last_day(cx: &Cx<'_, Visit>) -> NaiveDate {
    today(cx) + Duration::days(i64::from(cx.who.session.profile.policy.horizon_days))
}

pub(super) fn first_of(d: NaiveDate) -> NaiveDate {
    d.with_day(1).unwrap_or(d)
}
