//! What each kind of outbox message says, decided when it is sent from the state of things
//! then (a reminder of a booking cancelled meanwhile is dropped, not sent).

use std::sync::Arc;

use booking_core::{booking::BookingStatus, ids::TelegramUserId};
use chrono::{DateTime, Utc};
use storage::{
    TenantTx,
    tenant::{
        bookings::{self, service},
        brought_back::BroughtBy,
        catalogue, customers,
        outbox::{
            Claimed,
            message::{Message, Notice},
        },
        payments::refunds::RefundId,
        settings::{self},
        waitlist::{self, EntryStatus},
    },
};
use teloxide::types::{InlineKeyboardButton, InlineKeyboardMarkup, ReplyMarkup};

use super::{
    Rendered, chat, notices,
    recipient::{Recipient, booking_of, fields, fill, visit_over},
    refunds, repeat,
};
use crate::{
    customer::{callback::CallbackData, keyboards},
    error::BotError,
    runtime::app::App,
    texts::overrides,
    texts::{Key, Texts},
};
use bot_kit::Outgoing;

pub async fn render(app: &App, m: &Claimed) -> Result<Rendered, BotError> {
    let message = match &m.message {
        Ok(message) => message,
        Err(why) => return Ok(Rendered::Drop(format!("malformed {why}"))),
    };
    let mut tx = app.tx().await?;
    let customer = customers::by_telegram(&mut tx, TelegramUserId(m.chat_id)).await?;
    if customer
        .as_ref()
        .is_some_and(|c| c.blocked_bot_at.is_some())
    {
        return Ok(Rendered::Drop("the recipient blocked the bot".into()));
    }
    let profile = settings::profile(&mut tx).await?;
    // Admins read the business's language; customers their own.
    let locale = match message {
        Message::AdminNotice { .. } | Message::LowRating | Message::RefundFailed { .. } => {
            profile.locale
        }
        _ => customer
            .as_ref()
            .and_then(|c| c.locale)
            .unwrap_or(profile.locale),
    };
    let to = Recipient {
        texts: Texts::with(locale, Arc::new(overrides::load(&mut tx).await?)),
        profile,
    };
    let now = app.now();
    let rendered = match message {
        Message::Notice(notice) => verbatim(m, notice),
        Message::Reminder { .. } => reminder(&mut tx, &to, m, now).await?,
        Message::FollowUp => follow_up(&mut tx, &to, m, now).await?,
        Message::Release => release(&mut tx, m, now).await?,
        Message::WaitlistOffer { entry } => offer(&mut tx, &to, m, *entry, now).await?,
        Message::CustomerNotice { change } => {
            notices::customer(app, &mut tx, &to, m, change, now).await?
        }
        Message::AdminNotice { change, actor } => {
            notices::admin(&mut tx, &to, m, change, *actor).await?
        }
        Message::LowRating => notices::low_rating(&mut tx, &to, m).await?,
        Message::Nudge => repeat::nudge(&mut tx, &to, m, now).await?,
        Message::WinBack { after } => repeat::win_back(&mut tx, &to, m, *after, now).await?,
        Message::RefundMade { refund } => refunds::made(&mut tx, &to, m, RefundId(*refund)).await?,
        Message::RefundFailed { refund } => {
            refunds::failed(&mut tx, &to, m, RefundId(*refund)).await?
        }
        // Made by the dispatcher before rendering (see `deliver`); never sent.
        Message::RefundCall { .. } => Rendered::Drop("a refund call is not a message".into()),
    };
    tx.commit().await?;
    Ok(rendered)
}

/// A notice, verbatim; malformed ones are dropped with the reason.
fn verbatim(m: &Claimed, notice: &Notice) -> Rendered {
    let length = notice.text.chars().count();
    if notice.text.trim().is_empty() || length > overrides::MAX_LEN {
        return Rendered::Drop("malformed notice: text empty or too long".into());
    }
    let mut rows = Vec::with_capacity(notice.buttons.len());
    for row in &notice.buttons {
        let mut buttons = Vec::with_capacity(row.len());
        for b in row {
            let button = match &b.url {
                // A link: only to the web (t.me included), never a scheme Telegram would
                // refuse, which would lose the whole notice.
                Some(url) => url
                    .parse::<reqwest::Url>()
                    .ok()
                    .filter(|u| u.scheme() == "https" || u.scheme() == "http")
                    .map(|u| InlineKeyboardButton::url(b.text.clone(), u)),
                None => (!b.data.is_empty() && b.data.len() <= bot_kit::callback::MAX_LEN)
                    .then(|| InlineKeyboardButton::callback(b.text.clone(), b.data.clone())),
            };
            match button {
                Some(button) if !b.text.trim().is_empty() => buttons.push(button),
                _ => {
                    return Rendered::Drop(
                        "malformed notice: a button's text, data or link".into(),
                    );
                }
            }
        }
        rows.push(buttons);
    }
    let markup =
        (!rows.is_empty()).then(|| ReplyMarkup::InlineKeyboard(InlineKeyboardMarkup::new(rows)));
    Rendered::Send(Outgoing {
        chat: chat(m.chat_id),
        text: notice.text.clone(),
        markup,
    })
}

async fn reminder(
    tx: &mut TenantTx,
    to: &Recipient,
    m: &Claimed,
    now: DateTime<Utc>,
) -> Result<Rendered, BotError> {
    let Some(b) = booking_of(tx, m).await? else {
        return Ok(Rendered::Drop("no booking".into()));
    };
    if b.status != BookingStatus::Confirmed || b.start <= now {
        return Ok(Rendered::Drop("the booking is no longer upcoming".into()));
    }
    let f = fields(tx, to, &b).await?;
    Ok(Rendered::Send(Outgoing {
        chat: chat(m.chat_id),
        text: fill(&to.texts, Key::Reminder, &f),
        markup: Some(ReplyMarkup::InlineKeyboard(keyboards::reminder(
            &to.texts, b.id,
        ))),
    }))
}

async fn follow_up(
    tx: &mut TenantTx,
    to: &Recipient,
    m: &Claimed,
    now: DateTime<Utc>,
) -> Result<Rendered, BotError> {
    let Some(b) = booking_of(tx, m).await? else {
        return Ok(Rendered::Drop("no booking".into()));
    };
    if !visit_over(&b, now) {
        return Ok(Rendered::Drop("no visit to rate".into()));
    }
    let f = fields(tx, to, &b).await?;
    Ok(Rendered::Send(Outgoing {
        chat: chat(m.chat_id),
        text: fill(&to.texts, Key::FollowUp, &f),
        markup: Some(ReplyMarkup::InlineKeyboard(
            keyboards::rating(b.id).append_row([keyboards::button(
                to.texts.get(Key::BtnAgain),
                // The post-visit "again" offer: a booking made from it is counted as its.
                CallbackData::BookAgain(b.id, Some(BroughtBy::Again)),
            )]),
        )),
    }))
}

/// Releases the booking if the customer has not confirmed it. The booking service writes the
/// notices (to the customer and to the business) in the same transaction: they go out with the
/// next tick, and a retry of this message finds nothing left to release.
async fn release(tx: &mut TenantTx, m: &Claimed, now: DateTime<Utc>) -> Result<Rendered, BotError> {
    let Some(id) = m.booking else {
        return Ok(Rendered::Drop("no booking".into()));
    };
    match service::release_unconfirmed(tx, id, now).await? {
        Some(_) => Ok(Rendered::Done),
        None => Ok(Rendered::Drop(
            "confirmed by the customer, or no longer live".into(),
        )),
    }
}

/// How many freed times one offer shows.
const OFFERED: usize = 8;

/// The free times of the day a waitlist entry waits for, if it still waits and any are free.
async fn offer(
    tx: &mut TenantTx,
    to: &Recipient,
    m: &Claimed,
    entry: booking_core::ids::WaitlistId,
    now: DateTime<Utc>,
) -> Result<Rendered, BotError> {
    let Some(e) = waitlist::get(tx, entry).await? else {
        return Ok(Rendered::Drop("no such entry".into()));
    };
    if e.status != EntryStatus::Waiting {
        return Ok(Rendered::Drop("the entry is not waiting".into()));
    }
    let slots = match bookings::slots::free(tx, e.service_id, e.staff_id, e.day, e.day, now).await {
        Ok(slots) => slots,
        Err(storage::BookingError::Rejected(r)) => {
            return Ok(Rendered::Drop(format!("cannot be booked: {r:?}")));
        }
        Err(storage::BookingError::Storage(e)) => return Err(e.into()),
    };
    if slots.is_empty() {
        return Ok(Rendered::Drop(
            "taken again before the offer went out".into(),
        ));
    }
    let starts: Vec<DateTime<Utc>> = slots.iter().take(OFFERED).map(|s| s.start).collect();
    let service = catalogue::service(tx, e.service_id)
        .await?
        .map(|s| s.name)
        .unwrap_or_default();
    let zone = to.profile.time_zone;
    let text = to.texts.fill(
        Key::WaitlistOffer,
        &[
            ("service", &service),
            ("date", &to.texts.date(e.day)),
            ("zone", &to.texts.zone(zone)),
        ],
    );
    Ok(Rendered::Send(Outgoing {
        chat: chat(m.chat_id),
        text,
        markup: Some(ReplyMarkup::InlineKeyboard(keyboards::waitlist_offer(
            entry, &starts, zone,
        ))),
    }))
}
