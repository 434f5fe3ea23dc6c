//! The "add to calendar" file sent with a booking's confirmation: one `.ics` event whose `UID`
//! is the one the staff feed gives the same visit, in the customer's language.

use crate::runtime::context::Cx;
use booking_core::{booking::BookingRejection, ids::BookingId};
use bot_kit::{Attachment, Reply};
use calendar_ics::Kind;
use storage::{
    TenantTx,
    tenant::{bookings, calendar_feeds},
};
use teloxide::types::InlineKeyboardButton;

use super::{callback::CallbackData, common::rejected, context::Visit};
use crate::{error::BotError, texts::Key};

/// The file for `booking`, or `None` if it is gone.
pub async fn attachment(
    cx: &Cx<'_, Visit>,
    tx: &mut TenantTx,
    booking: BookingId,
) -> Result<Option<Attachment>, BotError> {
    let Some(entry) = calendar_feeds::entry(tx, booking).await? else {
        return Ok(None);
    };
    let t = cx.texts();
    let business = &cx.who.session.profile.name;
    let visit = calendar_ics::Visit {
        uid: calendar_ics::uid(cx.app.tenant, entry.booking),
        revision: entry.revision,
        changed_at: entry.changed_at,
        start: entry.start,
        end: entry.end,
        summary: format!("{} · {business}", entry.service_name),
        description: t.fill(Key::CalendarFileStaff, &[("staff", &entry.staff_name)]),
        cancelled: entry.status == booking_core::booking::BookingStatus::Cancelled,
    };
    Ok(Some(Attachment::Document {
        name: format!("visit-{}.ics", entry.booking),
        bytes: calendar_ics::document(Kind::File, business, &[visit]).into_bytes(),
        caption: t.get(Key::CalendarFileCaption).to_owned(),
    }))
}

/// The booked screen with an "add to calendar" button under it.
#[must_use]
pub fn with_button(cx: &Cx<'_, Visit>, mut screen: Reply, booking: BookingId) -> Reply {
    let label = cx.texts().get(Key::BtnAddToCalendar).to_owned();
    if let Some(keyboard) = screen.screen.as_mut().and_then(|s| s.keyboard.as_mut()) {
        keyboard.inline_keyboard.insert(
            0,
            vec![InlineKeyboardButton::callback(
                label,
                CallbackData::CalendarFile(booking).to_string(),
            )],
        );
    }
    screen
}

/// "Add to calendar": the file of the customer's own booking (a forged id finds nothing).
pub async fn send(cx: &Cx<'_, Visit>, id: BookingId) -> Result<Reply, BotError> {
    let mut tx = cx.tx().await?;
    let own = bookings::views::get(&mut tx, id)
        .await?
        .is_some_and(|b| b.customer_id == cx.who.session.customer.id);
    let file = if own {
        attachment(cx, &mut tx, id).await?
    } else {
        None
    };
    tx.commit().await?;
    Ok(match file {
        Some(file) => Reply::nothing().file(file),
        None => rejected(cx, &BookingRejection::NotFound),
    })
}
