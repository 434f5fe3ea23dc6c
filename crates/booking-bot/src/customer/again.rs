//! One-tap "again": a past visit's service with the same staff member, offered as concrete
//! free times (the visit's weekday and time of day first), each one tap from the confirm
//! screen. The offer buttons carry service, staff member and start themselves, so they work
//! from any message however old (the post-visit message, a next-visit nudge): the press is
//! checked like any other hold (service active, staff member gives it, policy).

use crate::runtime::context::Cx;
use booking_core::{
    Tz,
    booking::BookingRejection,
    ids::{BookingId, ServiceId, StaffId},
};
use bot_kit::Reply;
use chrono::{DateTime, Datelike, Duration, Timelike, Utc};
use storage::{
    BookingError, TenantTx,
    tenant::{bookings, catalogue, repeat_visits},
};
use teloxide::types::{InlineKeyboardButton, InlineKeyboardMarkup};

use super::{
    booking,
    callback::{CallbackData, MenuItem},
    common::{names, rejected},
    context::Visit,
    keyboards::{self, button},
};
use crate::{
    error::BotError,
    texts::{Key, Texts},
};

/// How far ahead offers look: past that, the calendar is the better tool.
pub const LOOK_AHEAD_DAYS: i64 = 28;
/// How many times the "again" screen offers.
const AGAIN_OFFERED: usize = 4;
/// "The same time of day": within this many minutes of the visit's start.
const SAME_TIME: i64 = 60;

/// Free starts with `staff` for `service` in the coming weeks, soonest first; none when the
/// service or staff member is no longer bookable.
pub async fn free_starts(
    tx: &mut TenantTx,
    service: ServiceId,
    staff: StaffId,
    zone: Tz,
    now: DateTime<Utc>,
) -> Result<Vec<DateTime<Utc>>, BotError> {
    let today = now.with_timezone(&zone).date_naive();
    match bookings::slots::free(
        tx,
        service,
        Some(staff),
        today,
        today + Duration::days(LOOK_AHEAD_DAYS),
        now,
    )
    .await
    {
        Ok(slots) => Ok(slots.into_iter().map(|s| s.start).collect()),
        Err(BookingError::Rejected(_)) => Ok(Vec::new()),
        Err(BookingError::Storage(e)) => Err(e.into()),
    }
}

/// Up to `count` of `starts` most like `like` (local to `zone`), shown in time order: first the
/// same weekday at about the same time, then the same weekday or about the same time, then
/// the rest; within a tier the closest time of day, then the soonest.
#[must_use]
pub fn most_like(
    starts: &[DateTime<Utc>],
    like: DateTime<Utc>,
    zone: Tz,
    count: usize,
) -> Vec<DateTime<Utc>> {
    let like = like.with_timezone(&zone);
    let minute_of_day = |h: u32, m: u32| i64::from(h) * 60 + i64::from(m);
    let target = minute_of_day(like.hour(), like.minute());
    let mut ranked: Vec<(u8, i64, DateTime<Utc>)> = starts
        .iter()
        .map(|s| {
            let local = s.with_timezone(&zone);
            let same_day = local.weekday() == like.weekday();
            let off = (minute_of_day(local.hour(), local.minute()) - target).abs();
            let same_time = off <= SAME_TIME;
            let tier = match (same_day, same_time) {
                (true, true) => 0,
                (true, false) | (false, true) => 1,
                (false, false) => 2,
            };
            (tier, off, *s)
        })
        .collect();
    ranked.sort();
    let mut chosen: Vec<DateTime<Utc>> = ranked.into_iter().take(count).map(|(.., s)| s).collect();
    chosen.sort();
    chosen
}

/// A button label for a start: "Tu 14.04 10:00".
#[must_use]
pub fn label(t: &Texts, start: DateTime<Utc>, zone: Tz) -> String {
    let local = start.with_timezone(&zone);
    let weekday = t.weekdays()[local.weekday().num_days_from_monday() as usize];
    format!("{weekday} {}", local.format("%d.%m %H:%M"))
}

/// One button per offered start, two to a row.
#[must_use]
pub fn offer_rows(
    t: &Texts,
    service: ServiceId,
    staff: StaffId,
    starts: &[DateTime<Utc>],
    zone: Tz,
) -> Vec<Vec<InlineKeyboardButton>> {
    starts
        .chunks(2)
        .map(|pair| {
            pair.iter()
                .map(|s| {
                    button(
                        label(t, *s, zone),
                        CallbackData::Offer {
                            service,
                            staff,
                            start: *s,
                        },
                    )
                })
                .collect()
        })
        .collect()
}

/// "Again" on a past visit (or the post-visit message): the times most like it, or the
/// calendar when none are free soon.
pub async fn offer(cx: &Cx<'_, Visit>, id: BookingId) -> Result<Reply, BotError> {
    let t = cx.texts();
    let zone = cx.who.session.profile.time_zone;
    let mut tx = cx.tx().await?;
    let Some(visit) = bookings::views::get(&mut tx, id)
        .await?
        .filter(|b| b.customer_id == cx.who.session.customer.id)
    else {
        return Ok(rejected(cx, &BookingRejection::NotFound));
    };
    let gives = catalogue::staff_for_service(&mut tx, visit.service_id)
        .await?
        .iter()
        .any(|s| s.id == visit.staff_id);
    let starts = if gives {
        free_starts(
            &mut tx,
            visit.service_id,
            visit.staff_id,
            zone,
            cx.app.now(),
        )
        .await?
    } else {
        Vec::new()
    };
    if starts.is_empty() {
        tx.commit().await?;
        // Nothing soon with them (or they no longer give it): the calendar, with anyone.
        return booking::again(cx, id).await;
    }
    let (service, staff) = names(cx, visit.service_id, visit.staff_id);
    tx.commit().await?;
    let chosen = most_like(&starts, visit.start, zone, AGAIN_OFFERED);
    let mut rows = offer_rows(t, visit.service_id, visit.staff_id, &chosen, zone);
    rows.push(vec![button(
        t.get(Key::BtnOtherTime),
        CallbackData::AgainCalendar(id),
    )]);
    rows.push(vec![button(
        t.get(Key::BtnMenu),
        CallbackData::Menu(MenuItem::Main),
    )]);
    let text = t.fill(
        Key::AgainTimes,
        &[
            ("service", &service),
            ("staff", &staff),
            ("zone", zone.name()),
        ],
    );
    Ok(Reply::screen(text, InlineKeyboardMarkup::new(rows)))
}

/// An offered time pressed: held, and the confirm screen, as if it had been picked in the
/// calendar.
pub async fn take(
    cx: &Cx<'_, Visit>,
    service: ServiceId,
    staff: StaffId,
    start: DateTime<Utc>,
) -> Result<Reply, BotError> {
    booking::hold(cx, service, Some(staff), start).await
}

/// "Not now" on a nudge or win-back: the offer goes, the way to book stays.
pub fn not_now(cx: &Cx<'_, Visit>) -> Result<Reply, BotError> {
    let t = cx.texts();
    Ok(Reply::screen(
        t.get(Key::RepeatNotNowDone),
        keyboards::to_menu(t),
    ))
}

/// "Stop these messages": no nudge or win-back again (those scheduled are cancelled).
pub async fn stop(cx: &Cx<'_, Visit>) -> Result<Reply, BotError> {
    let t = cx.texts();
    let mut tx = cx.tx().await?;
    repeat_visits::stop(&mut tx, cx.who.session.customer.id, cx.app.now()).await?;
    tx.commit().await?;
    Ok(Reply::screen(
        t.get(Key::RepeatStopped),
        keyboards::to_menu(t),
    ))
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone as _;

    use super::*;

    const ZONE: Tz = chrono_tz::Europe::Moscow;

    fn at(day: u32, hour: u32) -> DateTime<Utc> {
        ZONE.with_ymd_and_hms(2026, 6, day, hour, 0, 0)
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn the_same_weekday_and_time_come_first_then_either_then_the_rest() {
        // The visit: Tuesday 2 June, 10:00 in Moscow.
        let like = at(2, 10);
        let starts = [
            at(3, 10),  // Wednesday, same time
            at(4, 15),  // Thursday, other time
            at(9, 16),  // Tuesday, other time
            at(9, 10),  // Tuesday, same time
            at(16, 11), // Tuesday, 11:00 (within the hour)
        ];
        assert_eq!(
            most_like(&starts, like, ZONE, 3),
            [at(3, 10), at(9, 10), at(16, 11)]
        );
        assert_eq!(most_like(&starts, like, ZONE, 1), [at(9, 10)]);
        assert_eq!(most_like(&starts, like, ZONE, 9).len(), starts.len());
        assert!(most_like(&[], like, ZONE, 3).is_empty());
    }
}
