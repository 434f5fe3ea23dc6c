//! The notices a change of a booking causes, rendered when they are sent: to the customer
//! (what the business did to their visit) and to the business's admins (what happened to a
//! booking of a staff member they follow, with a button that opens its card).

use booking_core::{
    booking::Actor,
    change::ChangeKind,
    ids::{BookingId, ServiceId},
};
use chrono::{DateTime, Duration, Utc};
use storage::{
    TenantTx,
    tenant::{
        bookings,
        customers::{self, Customer},
        feedback,
        outbox::Claimed,
        payments::refunds,
    },
};
use teloxide::types::{ChatId, InlineKeyboardButton, InlineKeyboardMarkup, ReplyMarkup};

use super::{
    Rendered, chat,
    recipient::{Recipient, booking_of, fields, fill},
};
use crate::{
    admin::callback::AdminAction,
    customer::callback::{CallbackData, MenuItem},
    customer::keyboards,
    customer::state::Dlg,
    customer::state::State,
    error::{BotError, split},
    runtime::app::App,
    texts::Key,
};
use bot_kit::Outgoing;

/// How many nearest free times a customer whose visit was cancelled is offered.
const NEAREST: usize = 3;
/// How far ahead they are looked for.
const SEARCH_DAYS: i64 = 14;

/// To the customer. A cancellation offers the nearest free times of the same service as
/// one-press buttons (the customer codec's `Time`, with the customer's dialogue set to
/// choosing a time for that service), plus "other times".
pub(super) async fn customer(
    app: &App,
    tx: &mut TenantTx,
    to: &Recipient,
    m: &Claimed,
    change: &ChangeKind,
    now: DateTime<Utc>,
) -> Result<Rendered, BotError> {
    let Some(b) = booking_of(tx, m).await? else {
        return Ok(Rendered::Drop("no booking".into()));
    };
    let t = &to.texts;
    let mut f = fields(tx, to, &b).await?;
    let mut rows: Vec<Vec<InlineKeyboardButton>> = Vec::new();
    let text = match change {
        ChangeKind::Booked => {
            rows.push(vec![keyboards::button(
                t.get(Key::BtnMyBookings),
                CallbackData::Menu(MenuItem::MyBookings),
            )]);
            fill(t, Key::NoticeBooked, &f)
        }
        ChangeKind::Moved { from } => {
            f.push(("old", local(to, *from)));
            rows.push(calendar_button(t, b.id));
            rows.push(vec![keyboards::button(
                t.get(Key::BtnMyBookings),
                CallbackData::Menu(MenuItem::MyBookings),
            )]);
            fill(t, Key::NoticeMoved, &f)
        }
        ChangeKind::Cancelled { reason, apology } => {
            let key = if *apology {
                Key::NoticeCancelledApology
            } else {
                Key::NoticeCancelled
            };
            let mut text = fill(t, key, &f);
            if let Some(reason) = reason {
                text.push('\n');
                text.push_str(&t.fill(Key::NoticeReason, &[("reason", reason)]));
            }
            if let Some(money) = money_line(tx, to, b.id).await? {
                text.push('\n');
                text.push_str(&money);
            }
            let times = nearest(tx, to, b.service_id, now).await?;
            text.push('\n');
            if times.is_empty() {
                text.push_str(t.get(Key::NoticeOtherDay));
            } else {
                text.push_str(t.get(Key::NoticeNearest));
                for at in &times {
                    rows.push(vec![keyboards::button(
                        local(to, *at),
                        CallbackData::Time(*at),
                    )]);
                }
                // The `Time` buttons continue a booking of this service with anyone free.
                Dlg::new(app.dialogues.clone(), ChatId(m.chat_id))
                    .update(State::ChoosingTime {
                        service: b.service_id,
                        staff: None,
                        from: None,
                    })
                    .await?;
            }
            rows.push(vec![keyboards::button(
                t.get(Key::BtnOtherTime),
                CallbackData::BookAgain(b.id, None),
            )]);
            rows.push(calendar_button(t, b.id));
            text
        }
        ChangeKind::Released => {
            rows.push(vec![keyboards::button(
                t.get(Key::BtnBookAgain),
                CallbackData::BookAgain(b.id, None),
            )]);
            let mut text = fill(t, Key::Released, &f);
            if let Some(money) = money_line(tx, to, b.id).await? {
                text.push('\n');
                text.push_str(&money);
            }
            text
        }
        ChangeKind::Held
        | ChangeKind::HoldReleased
        | ChangeKind::Completed
        | ChangeKind::NoShow => {
            return Ok(Rendered::Drop("nothing to tell the customer".into()));
        }
    };
    Ok(Rendered::Send(Outgoing {
        chat: chat(m.chat_id),
        text,
        markup: (!rows.is_empty())
            .then(|| ReplyMarkup::InlineKeyboard(InlineKeyboardMarkup::new(rows))),
    }))
}

/// What becomes of the booking's payment, if it was paid for.
async fn money_line(
    tx: &mut TenantTx,
    to: &Recipient,
    booking: BookingId,
) -> Result<Option<String>, BotError> {
    crate::customer::money::settled(
        tx,
        &to.texts,
        &to.profile.policy,
        to.profile.currency,
        booking,
    )
    .await
}

/// To an admin, in the business's language, with a button that opens the booking's card.
pub(super) async fn admin(
    tx: &mut TenantTx,
    to: &Recipient,
    m: &Claimed,
    change: &ChangeKind,
    actor: Actor,
) -> Result<Rendered, BotError> {
    let Some(b) = booking_of(tx, m).await? else {
        return Ok(Rendered::Drop("no booking".into()));
    };
    let t = &to.texts;
    let key = match change {
        ChangeKind::Booked => Key::AdminBooked,
        ChangeKind::Cancelled { .. } => Key::AdminCancelled,
        ChangeKind::Moved { .. } => Key::AdminMoved,
        ChangeKind::Released => Key::AdminReleased,
        ChangeKind::Held
        | ChangeKind::HoldReleased
        | ChangeKind::Completed
        | ChangeKind::NoShow => {
            return Ok(Rendered::Drop("nothing to tell the business".into()));
        }
    };
    let mut f = fields(tx, to, &b).await?;
    let by = match actor {
        Actor::Customer(_) => Key::ByCustomer,
        Actor::Admin(_) => Key::ByAdmin,
        Actor::Api(_) => Key::ByApi,
        Actor::System => Key::BySystem,
    };
    f.push(("by", t.get(by).to_owned()));
    f.push((
        "customer",
        customer_label(customers::get(tx, b.customer_id).await?),
    ));
    if let ChangeKind::Moved { from } = change {
        f.push(("old", local(to, *from)));
    }
    let mut text = fill(t, key, &f);
    if let ChangeKind::Cancelled {
        reason: Some(reason),
        ..
    } = change
    {
        text.push('\n');
        text.push_str(&t.fill(Key::NoticeReason, &[("reason", reason)]));
    }
    if matches!(change, ChangeKind::Cancelled { .. } | ChangeKind::Released)
        && let Some(money) = refunds::of_booking(tx, b.id).await?
    {
        text.push('\n');
        text.push_str(&crate::admin::refunds::line(
            to.profile.locale,
            to.profile.currency,
            &money,
        ));
    }
    let open = InlineKeyboardButton::callback(
        t.get(Key::BtnOpenBooking).to_owned(),
        AdminAction::Booking(b.id).to_string(),
    );
    Ok(Rendered::Send(Outgoing {
        chat: chat(m.chat_id),
        text,
        markup: Some(ReplyMarkup::InlineKeyboard(InlineKeyboardMarkup::new(
            vec![vec![open]],
        ))),
    }))
}

/// To an owner: a visit rated low, with the comment as it is now and a button to its card.
pub(super) async fn low_rating(
    tx: &mut TenantTx,
    to: &Recipient,
    m: &Claimed,
) -> Result<Rendered, BotError> {
    let Some(b) = booking_of(tx, m).await? else {
        return Ok(Rendered::Drop("no booking".into()));
    };
    let said = feedback::of_booking(tx, b.id).await?;
    // The customer may have changed their mind and rated again.
    let Some(rating) = said.rating.filter(|r| *r <= feedback::LOW_RATING) else {
        return Ok(Rendered::Drop("no low rating any more".into()));
    };
    let t = &to.texts;
    let mut f = fields(tx, to, &b).await?;
    f.push(("rating", rating.to_string()));
    f.push((
        "customer",
        customer_label(customers::get(tx, b.customer_id).await?),
    ));
    let mut text = fill(t, Key::AdminLowRating, &f);
    text.push('\n');
    match &said.comment {
        Some(comment) => text.push_str(&t.fill(Key::RatingComment, &[("comment", comment)])),
        None => text.push_str(t.get(Key::NoRatingComment)),
    }
    let open = InlineKeyboardButton::callback(
        t.get(Key::BtnOpenBooking).to_owned(),
        AdminAction::Booking(b.id).to_string(),
    );
    Ok(Rendered::Send(Outgoing {
        chat: chat(m.chat_id),
        text,
        markup: Some(ReplyMarkup::InlineKeyboard(InlineKeyboardMarkup::new(
            vec![vec![open]],
        ))),
    }))
}

/// The visit's current calendar file, on request: after a move its SEQUENCE is higher (the
/// calendar moves the visit), after a cancellation it is a METHOD:CANCEL (the calendar drops
/// it). A notice cannot carry the file itself: the outbox sends text and buttons.
fn calendar_button(t: &crate::texts::Texts, booking: BookingId) -> Vec<InlineKeyboardButton> {
    vec![keyboards::button(
        t.get(Key::BtnAddToCalendar),
        CallbackData::CalendarFile(booking),
    )]
}

/// "Alice Smith (@alice, +7…)": what an admin needs to recognise the customer.
fn customer_label(c: Option<Customer>) -> String {
    let Some(c) = c else {
        return String::new();
    };
    let extra: Vec<String> = c
        .username
        .iter()
        .map(|u| format!("@{u}"))
        .chain(
            c.phone
                .iter()
                .map(|p| booking_core::phone::Phone::readable(p)),
        )
        .collect();
    if extra.is_empty() {
        c.display_name()
    } else {
        format!("{} ({})", c.display_name(), extra.join(", "))
    }
}

/// "ср, 25.11.2026 15:00" in the tenant's zone.
fn local(to: &Recipient, at: DateTime<Utc>) -> String {
    let local = at.with_timezone(&to.profile.time_zone);
    format!(
        "{} {}",
        to.texts.date(local.date_naive()),
        local.format("%H:%M")
    )
}

/// The nearest free starts of `service` with anyone, from now.
async fn nearest(
    tx: &mut TenantTx,
    to: &Recipient,
    service: ServiceId,
    now: DateTime<Utc>,
) -> Result<Vec<DateTime<Utc>>, BotError> {
    let today = now.with_timezone(&to.profile.time_zone).date_naive();
    let slots = split(
        bookings::slots::free(
            tx,
            service,
            None,
            today,
            today + Duration::days(SEARCH_DAYS),
            now,
        )
        .await,
    )?
    .unwrap_or_default();
    Ok(slots.into_iter().take(NEAREST).map(|s| s.start).collect())
}
