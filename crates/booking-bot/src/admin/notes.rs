//! Notes an admin keeps: on one visit (the booking's) and on the customer (shown on every visit
//! of theirs). Both are edited from a booking's card, so a staff member can note only what
//! their own bookings show.

use crate::admin::roles::Acting;
use crate::runtime::context::Cx;
use booking_core::ids::BookingId;
use serde::{Deserialize, Serialize};
use serde_json::json;
use storage::tenant::admin_views;

use super::{
    audit,
    booking_actions::scoped,
    callback::AdminAction as A,
    input::{self, Pending},
    keyboards::{button, rows},
    schedule::card,
};
use crate::error::BotError;
use bot_kit::Reply;

/// Longest note: enough for allergies, preferences and a phone call's gist, short enough to
/// keep the card readable.
const MAX_NOTE: usize = 1000;

/// Which note.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NoteOn {
    Booking,
    Customer,
}

pub async fn ask(cx: &Cx<'_, Acting>, booking: BookingId, on: NoteOn) -> Result<Reply, BotError> {
    let mut tx = cx.tx().await?;
    let b = match scoped(cx, &mut tx, booking).await? {
        Ok(b) => b,
        Err(refusal) => return Ok(refusal),
    };
    let current = match on {
        NoteOn::Booking => admin_views::booking_notes(&mut tx, booking).await?,
        NoteOn::Customer => {
            admin_views::visit_record(&mut tx, b.customer_id)
                .await?
                .notes
        }
    };
    tx.commit().await?;
    input::set(cx.app, cx.chat, &Pending::Note { booking, on }).await?;
    let what = match on {
        NoteOn::Booking => cx.tr("Note on this visit", "Заметка к записи"),
        NoteOn::Customer => cx.tr("Note on the customer", "Заметка о клиенте"),
    };
    let now = if current.is_empty() {
        String::new()
    } else {
        format!("\n{}: {current}", cx.tr("Now", "Сейчас"))
    };
    Ok(Reply::screen(
        format!(
            "📝 #{booking} {what}{now}\n\n{}",
            cx.tr(
                "Send the new text (up to 1000 characters), or - to clear it. (/admin to leave)",
                "Пришлите новый текст (до 1000 символов) или -, чтобы стереть. (/admin — выйти)"
            )
        ),
        rows(vec![vec![button(
            cx.tr("◀ Back", "◀ Назад"),
            A::Booking(booking),
        )]]),
    ))
}

pub async fn set(
    cx: &Cx<'_, Acting>,
    booking: BookingId,
    on: NoteOn,
    text: &str,
) -> Result<Reply, BotError> {
    let text = text.trim();
    let note = if text == "-" { "" } else { text };
    if text.is_empty() || note.chars().count() > MAX_NOTE {
        return Ok(Reply::alert(cx.tr(
            "⚠️ A note is 1 to 1000 characters (- clears it).",
            "⚠️ Заметка — от 1 до 1000 символов (- стирает её).",
        )));
    }
    let mut tx = cx.tx().await?;
    let b = match scoped(cx, &mut tx, booking).await? {
        Ok(b) => b,
        Err(refusal) => {
            input::clear(cx.app, cx.chat).await?;
            return Ok(refusal);
        }
    };
    let (action, target) = match on {
        NoteOn::Booking => {
            admin_views::set_booking_notes(&mut tx, booking, note).await?;
            ("booking.note", format!("booking:{booking}"))
        }
        NoteOn::Customer => {
            admin_views::set_customer_notes(&mut tx, b.customer_id, note).await?;
            ("customer.note", format!("customer:{}", b.customer_id))
        }
    };
    // The note may hold what a customer said in confidence; the log keeps only that it changed
    // and how long it is now (0: cleared), never its text.
    let length = note.chars().count();
    audit::record(cx, &mut tx, action, target, json!({ "length": length })).await?;
    tx.commit().await?;
    input::clear(cx.app, cx.chat).await?;
    Ok(card(cx, booking)
        .await?
        .with_alert(cx.tr("Saved.", "Сохранено.")))
}
