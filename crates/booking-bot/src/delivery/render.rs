//! What each kind of outbox message says, decided when it is sent from the state of things
//! then (a reminder of a booking cancelled meanwhile is dropped, not sent).

use std::sync::Arc;

use booking_core::{booking::BookingStatus, ids::TelegramUserId};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use storage::{
    TenantTx,
    tenant::{
        bookings::{self, Booking},
        catalogue, customers,
        outbox::{self, NewMessage, OutboxMessage},
        reminders,
        settings::{self, TenantProfile},
        waitlist::{self, EntryStatus},
    },
};
use teloxide::types::{InlineKeyboardButton, InlineKeyboardMarkup, ReplyMarkup};

use super::chat;
use crate::{
    app::App,
    callback,
    error::BotError,
    keyboards,
    screen::Outgoing,
    session::load_overrides,
    texts::{Key, Texts},
};

/// What to do with a claimed message.
pub enum Rendered {
    Send(Outgoing),
    /// Handled without sending anything itself.
    Done,
    /// Not to be sent, and why.
    Drop(String),
}

/// The recipient as the tenant knows them, and their texts.
struct Recipient {
    texts: Texts,
    profile: TenantProfile,
}

pub async fn render(app: &App, m: &OutboxMessage) -> Result<Rendered, BotError> {
    let mut tx = app.tx().await?;
    let customer = customers::by_telegram(&mut tx, TelegramUserId(m.chat_id)).await?;
    if customer
        .as_ref()
        .is_some_and(|c| c.blocked_bot_at.is_some())
    {
        return Ok(Rendered::Drop("the recipient blocked the bot".into()));
    }
    let profile = settings::profile(&mut tx).await?;
    let locale = customer
        .as_ref()
        .and_then(|c| c.locale)
        .unwrap_or(profile.locale);
    let to = Recipient {
        texts: Texts::with(locale, Arc::new(load_overrides(&mut tx).await?)),
        profile,
    };
    let now = app.now();
    let rendered = match m.kind.as_str() {
        outbox::NOTICE => notice(m),
        reminders::REMINDER => reminder(&mut tx, &to, m, now).await?,
        reminders::FOLLOW_UP => follow_up(&mut tx, &to, m, now).await?,
        reminders::RELEASE => release(&mut tx, &to, m, now).await?,
        waitlist::OFFER => offer(&mut tx, &to, m, now).await?,
        other => Rendered::Drop(format!("unknown kind {other:?}")),
    };
    tx.commit().await?;
    Ok(rendered)
}

#[derive(Deserialize)]
struct NoticePayload {
    text: String,
    #[serde(default)]
    buttons: Vec<Vec<NoticeButton>>,
}

#[derive(Deserialize)]
struct NoticeButton {
    text: String,
    data: String,
}

/// A notice, verbatim; malformed ones are dropped with the reason.
fn notice(m: &OutboxMessage) -> Rendered {
    let payload: NoticePayload = match serde_json::from_value(m.payload.clone()) {
        Ok(p) => p,
        Err(e) => return Rendered::Drop(format!("malformed notice: {e}")),
    };
    let length = payload.text.chars().count();
    if payload.text.trim().is_empty() || length > crate::overrides::MAX_LEN {
        return Rendered::Drop("malformed notice: text empty or too long".into());
    }
    let mut rows = Vec::with_capacity(payload.buttons.len());
    for row in payload.buttons {
        let mut buttons = Vec::with_capacity(row.len());
        for b in row {
            if b.text.trim().is_empty() || b.data.is_empty() || b.data.len() > callback::MAX_LEN {
                return Rendered::Drop("malformed notice: a button's text or data".into());
            }
            buttons.push(InlineKeyboardButton::callback(b.text, b.data));
        }
        rows.push(buttons);
    }
    let markup =
        (!rows.is_empty()).then(|| ReplyMarkup::InlineKeyboard(InlineKeyboardMarkup::new(rows)));
    Rendered::Send(Outgoing {
        chat: chat(m.chat_id),
        text: payload.text,
        markup,
    })
}

/// The booking a message is about, if it is still that customer's.
async fn booking_of(tx: &mut TenantTx, m: &OutboxMessage) -> Result<Option<Booking>, BotError> {
    let Some(id) = m.booking else {
        return Ok(None);
    };
    Ok(bookings::get(tx, id).await?)
}

/// The usual placeholders of a message about a booking.
async fn fields(
    tx: &mut TenantTx,
    to: &Recipient,
    b: &Booking,
) -> Result<[(&'static str, String); 5], BotError> {
    let service = catalogue::service(tx, b.service_id)
        .await?
        .map(|s| s.name)
        .unwrap_or_default();
    let staff = catalogue::staff(tx, true)
        .await?
        .into_iter()
        .find(|s| s.id == b.staff_id)
        .map(|s| s.name)
        .unwrap_or_default();
    let zone = to.profile.time_zone;
    let local = b.start.with_timezone(&zone);
    Ok([
        ("service", service),
        ("staff", staff),
        ("date", local.format("%d.%m.%Y").to_string()),
        ("time", local.format("%H:%M").to_string()),
        ("zone", zone.name().to_owned()),
    ])
}

fn fill(t: &Texts, key: Key, fields: &[(&'static str, String)]) -> String {
    let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    t.fill(key, &pairs)
}

async fn reminder(
    tx: &mut TenantTx,
    to: &Recipient,
    m: &OutboxMessage,
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
    m: &OutboxMessage,
    now: DateTime<Utc>,
) -> Result<Rendered, BotError> {
    let Some(b) = booking_of(tx, m).await? else {
        return Ok(Rendered::Drop("no booking".into()));
    };
    let visited = matches!(
        b.status,
        BookingStatus::Confirmed | BookingStatus::Completed
    );
    if !visited || b.end > now {
        return Ok(Rendered::Drop("no visit to rate".into()));
    }
    let f = fields(tx, to, &b).await?;
    Ok(Rendered::Send(Outgoing {
        chat: chat(m.chat_id),
        text: fill(&to.texts, Key::FollowUp, &f),
        markup: Some(ReplyMarkup::InlineKeyboard(keyboards::rating(b.id))),
    }))
}

/// Releases the booking if the customer has not confirmed it, and queues a notice telling
/// them, in the same transaction: the notice goes out with the next tick, and a retry of
/// this message finds nothing left to release.
async fn release(
    tx: &mut TenantTx,
    to: &Recipient,
    m: &OutboxMessage,
    now: DateTime<Utc>,
) -> Result<Rendered, BotError> {
    let Some(id) = m.booking else {
        return Ok(Rendered::Drop("no booking".into()));
    };
    let Some(released) = reminders::release_if_unconfirmed(tx, id, now).await? else {
        return Ok(Rendered::Drop(
            "confirmed by the customer, or no longer live".into(),
        ));
    };
    let f = fields(tx, to, &released).await?;
    let notice = NewMessage {
        kind: outbox::NOTICE.to_owned(),
        booking: None,
        chat_id: m.chat_id,
        payload: serde_json::json!({ "text": fill(&to.texts, Key::Released, &f) }),
        due_at: now,
        dedupe_key: Some(format!("released:{id}")),
    };
    outbox::enqueue(tx, &notice).await?;
    Ok(Rendered::Done)
}

/// How many freed times one offer shows.
const OFFERED: usize = 8;

/// The free times of the day a waitlist entry waits for, if it still waits and any are free.
async fn offer(
    tx: &mut TenantTx,
    to: &Recipient,
    m: &OutboxMessage,
    now: DateTime<Utc>,
) -> Result<Rendered, BotError> {
    let entry = m
        .payload
        .get("entry")
        .and_then(serde_json::Value::as_i64)
        .map(booking_core::ids::WaitlistId);
    let Some(entry) = entry else {
        return Ok(Rendered::Drop("malformed offer".into()));
    };
    let Some(e) = waitlist::get(tx, entry).await? else {
        return Ok(Rendered::Drop("no such entry".into()));
    };
    if e.status != EntryStatus::Waiting {
        return Ok(Rendered::Drop("the entry is not waiting".into()));
    }
    let slots = match bookings::free_slots(tx, e.service_id, e.staff_id, e.day, e.day, now).await {
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
            ("date", &e.day.format("%d.%m.%Y").to_string()),
            ("zone", zone.name()),
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
