//! Recurring visits from the confirm screen: "repeat" → every week or every two weeks → how
//! many visits → the plan (each date free, or why not and the nearest free time instead) →
//! book the free ones, or with the times instead, or go back. Nothing is booked before that
//! last press, and then all of it in one transaction: a time taken meanwhile fails the whole
//! series and shows a fresh plan.
//!
//! The series follows the held booking: its service and staff member, the same local time.

use crate::runtime::context::Cx;
use booking_core::{
    booking::{BookingRejection, BookingStatus},
    ids::BookingId,
    policy::Rules,
};
use bot_kit::Reply;
use chrono::{DateTime, Utc};
use storage::tenant::bookings::{
    self,
    model::{Booking, BookingRequest},
    series::{self, Every, First, Planned, Times, Verdict},
};
use teloxide::types::{InlineKeyboardButton, InlineKeyboardMarkup};

use super::{
    again::label,
    booking::confirm_screen,
    callback::CallbackData,
    common::{expired, names, rejected},
    context::Visit,
    keyboards::{button, to_menu},
    state::{SeriesDraft, State},
};
use crate::{
    error::{BotError, split},
    texts::{Key, Noun, Texts},
};

/// The customer's live hold `hold`, when it is the one on their confirm screen.
async fn held(cx: &Cx<'_, Visit>, hold: BookingId) -> Result<Option<Booking>, BotError> {
    if !matches!(cx.who.state, State::Confirming { hold: h, .. } if h == hold) {
        return Ok(None);
    }
    let now = cx.app.now();
    let mut tx = cx.tx().await?;
    let found = bookings::views::get(&mut tx, hold).await?;
    tx.commit().await?;
    Ok(found.filter(|b| {
        b.customer_id == cx.who.session.customer.id
            && b.status == BookingStatus::Held
            && b.hold_expires_at.is_some_and(|until| until > now)
            // Paid at booking: a hold at a time, never a series (see `invoice`).
            && !super::invoice::asks_money(cx, b)
    }))
}

/// Every occurrence is booked like the held one: the same service and staff member, by the
/// customer, under the customer's rules.
fn template(cx: &Cx<'_, Visit>, held: &Booking) -> BookingRequest {
    BookingRequest {
        customer: cx.who.session.customer.id,
        service: held.service_id,
        staff: Some(held.staff_id),
        start: held.start,
        source: held.source.clone(),
        actor: cx.actor(),
        rules: Rules::Customer,
    }
}

fn every_text(t: &Texts, every: Every) -> &str {
    if every == Every::TWO_WEEKS {
        t.get(Key::EveryTwoWeeks)
    } else {
        t.get(Key::EveryWeek)
    }
}

/// "Repeat": how often?
pub async fn ask_every(cx: &Cx<'_, Visit>, hold: BookingId) -> Result<Reply, BotError> {
    if held(cx, hold).await?.is_none() {
        return Ok(expired(cx));
    }
    let t = cx.texts();
    let kb = InlineKeyboardMarkup::new([
        vec![button(
            t.get(Key::BtnEveryWeek),
            CallbackData::SeriesTimes(hold, Every::WEEK),
        )],
        vec![button(
            t.get(Key::BtnEveryTwoWeeks),
            CallbackData::SeriesTimes(hold, Every::TWO_WEEKS),
        )],
        vec![button(
            t.get(Key::BtnBack),
            CallbackData::ConfirmAgain(hold),
        )],
    ]);
    Ok(Reply::screen(t.get(Key::SeriesEvery), kb))
}

/// How many visits in all.
pub async fn ask_times(
    cx: &Cx<'_, Visit>,
    hold: BookingId,
    every: Every,
) -> Result<Reply, BotError> {
    if held(cx, hold).await?.is_none() {
        return Ok(expired(cx));
    }
    let t = cx.texts();
    let counts: Vec<InlineKeyboardButton> = (Times::MIN..=Times::MAX)
        .filter_map(Times::new)
        .map(|n| {
            button(
                n.get().to_string(),
                CallbackData::SeriesPlan(hold, every, n),
            )
        })
        .collect();
    let mut rows: Vec<Vec<InlineKeyboardButton>> = counts.chunks(4).map(<[_]>::to_vec).collect();
    rows.push(vec![button(
        t.get(Key::BtnBack),
        CallbackData::SeriesEvery(hold),
    )]);
    let text = t.fill(Key::SeriesTimes, &[("every", every_text(t, every))]);
    Ok(Reply::screen(text, InlineKeyboardMarkup::new(rows)))
}

/// The plan: every date tried through the booking service in a transaction that is rolled
/// back, then shown with the ways on.
pub async fn plan(
    cx: &Cx<'_, Visit>,
    hold: BookingId,
    every: Every,
    times: Times,
) -> Result<Reply, BotError> {
    plan_with(cx, hold, every, times, None).await
}

async fn plan_with(
    cx: &Cx<'_, Visit>,
    hold: BookingId,
    every: Every,
    times: Times,
    headline: Option<Key>,
) -> Result<Reply, BotError> {
    let Some(held) = held(cx, hold).await? else {
        return Ok(expired(cx));
    };
    let zone = cx.who.session.profile.time_zone;
    let later = series::later_starts(held.start, zone, every, times);
    let mut tx = cx.tx().await?;
    let planned = series::plan(&mut tx, &template(cx, &held), &later, zone, cx.app.now()).await?;
    // Only a trial: nothing of it is kept.
    tx.rollback().await?;

    let draft = SeriesDraft {
        every,
        times,
        free: planned
            .iter()
            .filter(|p| p.verdict == Verdict::Free)
            .map(|p| p.wanted)
            .collect(),
        instead: planned
            .iter()
            .filter_map(|p| match p.verdict {
                Verdict::Taken { instead, .. } => instead,
                Verdict::Free => None,
            })
            .collect(),
    };
    let text = plan_text(cx, &held, &draft, &planned, headline);
    let kb = plan_keyboard(cx.texts(), hold, &draft, planned.len());
    cx.set_state(State::Confirming {
        service: held.service_id,
        staff: cx.who.state.draft().and_then(|(_, staff)| staff),
        hold,
        series: Some(draft),
    })
    .await?;
    Ok(Reply::screen(text, kb))
}

fn plan_text(
    cx: &Cx<'_, Visit>,
    held: &Booking,
    draft: &SeriesDraft,
    planned: &[Planned],
    headline: Option<Key>,
) -> String {
    let t = cx.texts();
    let zone = cx.who.session.profile.time_zone;
    let (service, staff) = names(cx, held.service_id, held.staff_id);
    let mut text = headline
        .map(|k| format!("{}\n\n", t.get(k)))
        .unwrap_or_default();
    text.push_str(&t.fill(
        Key::SeriesPlan,
        &[
            ("service", &service),
            ("staff", &staff),
            ("every", every_text(t, draft.every)),
            (
                "count",
                &t.count(Noun::Booking, u64::from(draft.times.get())),
            ),
            ("zone", &t.zone(zone)),
        ],
    ));
    // The held visit is the first of the series, and free.
    let held_free = Verdict::Free;
    let first = std::iter::once((held.start, &held_free));
    let rest = planned.iter().map(|p| (p.wanted, &p.verdict));
    for (i, (wanted, verdict)) in first.chain(rest).enumerate() {
        let n = (i + 1).to_string();
        let when = label(t, wanted, zone);
        text.push('\n');
        text.push_str(&match verdict {
            Verdict::Free => t.fill(Key::SeriesLineFree, &[("n", &n), ("when", &when)]),
            Verdict::Taken { why, instead: None } => {
                let mut line = t.fill(
                    Key::SeriesLineTaken,
                    &[("n", &n), ("when", &when), ("why", &t.rejection(why))],
                );
                if series::curable(why) {
                    line.push(' ');
                    line.push_str(t.get(Key::SeriesNothingNear));
                }
                line
            }
            Verdict::Taken {
                why,
                instead: Some(instead),
            } => t.fill(
                Key::SeriesLineInstead,
                &[
                    ("n", &n),
                    ("when", &when),
                    ("why", &t.rejection(why)),
                    ("instead", &label(t, *instead, zone)),
                ],
            ),
        });
    }
    text.push_str("\n\n");
    let all_free = draft.free.len() == planned.len();
    text.push_str(t.get(if all_free {
        Key::SeriesAllFree
    } else {
        Key::SeriesSomeTaken
    }));
    text
}

fn plan_keyboard(
    t: &Texts,
    hold: BookingId,
    draft: &SeriesDraft,
    later: usize,
) -> InlineKeyboardMarkup {
    // The held first visit counts in every choice.
    let free = (draft.free.len() + 1).to_string();
    let mut rows = Vec::new();
    if draft.free.len() == later {
        rows.push(vec![button(
            t.fill(Key::BtnSeriesAll, &[("n", &free)]),
            CallbackData::SeriesBook(hold, false),
        )]);
    } else {
        rows.push(vec![button(
            t.fill(Key::BtnSeriesFree, &[("n", &free)]),
            CallbackData::SeriesBook(hold, false),
        )]);
        if !draft.instead.is_empty() {
            let with = (draft.free.len() + draft.instead.len() + 1).to_string();
            rows.push(vec![button(
                t.fill(Key::BtnSeriesInstead, &[("n", &with)]),
                CallbackData::SeriesBook(hold, true),
            )]);
        }
    }
    rows.push(vec![button(
        t.get(Key::BtnBack),
        CallbackData::ConfirmAgain(hold),
    )]);
    InlineKeyboardMarkup::new(rows)
}

/// Books the plan the customer was shown, all of it or nothing; a time taken since (or a
/// policy that now refuses) shows the plan afresh.
pub async fn book(cx: &Cx<'_, Visit>, hold: BookingId, instead: bool) -> Result<Reply, BotError> {
    let draft = match &cx.who.state {
        State::Confirming {
            hold: h,
            series: Some(draft),
            ..
        } if *h == hold => draft.clone(),
        _ => return Ok(expired(cx)),
    };
    let Some(held) = held(cx, hold).await? else {
        return Ok(expired(cx));
    };
    let mut later = draft.free.clone();
    if instead {
        later.extend(draft.instead.iter().copied());
    }
    later.sort_unstable();
    later.dedup();
    let now = cx.app.now();
    let mut tx = cx.tx().await?;
    let template = template(cx, &held);
    match split(series::book(&mut tx, First::Hold(hold), &template, &later, now).await)? {
        Ok(changes) => {
            tx.commit().await?;
            cx.set_state(State::Idle).await?;
            let starts: Vec<DateTime<Utc>> = changes.iter().map(|c| c.booking.start).collect();
            Ok(booked_screen(cx, &held, &starts))
        }
        Err(r) if changed_meanwhile(&r) => {
            tx.rollback().await?;
            plan_with(cx, hold, draft.every, draft.times, Some(Key::SeriesChanged)).await
        }
        Err(r) => {
            tx.rollback().await?;
            Ok(rejected(cx, &r))
        }
    }
}

/// A refusal that a fresh plan explains (a time taken or closed since, the limit reached from
/// elsewhere), rather than one that ends the series (the hold gone, the service withdrawn).
const fn changed_meanwhile(r: &BookingRejection) -> bool {
    matches!(
        r,
        BookingRejection::SlotTaken
            | BookingRejection::LimitReached { .. }
            | BookingRejection::Blocked
            | BookingRejection::OutsideWorkingHours
            | BookingRejection::TooSoon { .. }
            | BookingRejection::BeyondHorizon { .. }
    )
}

fn booked_screen(cx: &Cx<'_, Visit>, held: &Booking, starts: &[DateTime<Utc>]) -> Reply {
    let t = cx.texts();
    let zone = cx.who.session.profile.time_zone;
    let (service, staff) = names(cx, held.service_id, held.staff_id);
    let mut text = t.fill(
        Key::SeriesBooked,
        &[
            ("service", &service),
            ("staff", &staff),
            ("count", &t.count(Noun::Booking, starts.len() as u64)),
            ("zone", &t.zone(zone)),
        ],
    );
    for start in starts {
        text.push_str("\n• ");
        text.push_str(&label(t, *start, zone));
    }
    Reply::screen(text, to_menu(t))
}

/// "Back" from the series screens: the confirm screen of the hold, as it was.
pub async fn back(cx: &Cx<'_, Visit>, hold: BookingId) -> Result<Reply, BotError> {
    let Some(held) = held(cx, hold).await? else {
        return Ok(expired(cx));
    };
    let mut tx = cx.tx().await?;
    let screen = confirm_screen(cx, &mut tx, hold).await?;
    tx.commit().await?;
    cx.set_state(State::Confirming {
        service: held.service_id,
        staff: cx.who.state.draft().and_then(|(_, staff)| staff),
        hold,
        series: None,
    })
    .await?;
    Ok(screen)
}
