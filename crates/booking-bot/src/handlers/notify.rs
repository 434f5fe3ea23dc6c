//! Messages to the business's admins about a customer's booking, in the business's language.

use booking_core::ids::TelegramUserId;
use chrono::{DateTime, Utc};
use storage::{
    TenantTx,
    tenant::{admins, bookings::Booking},
};
use teloxide::types::ChatId;

use super::{Ctx, common::names};
use crate::{
    error::BotError,
    screen::Outgoing,
    texts::{Key, Texts},
};

/// One message per admin who follows the booking's staff member; `before` is the old start of
/// a moved booking.
pub async fn admins(
    cx: &Ctx<'_>,
    tx: &mut TenantTx,
    key: Key,
    booking: &Booking,
    before: Option<DateTime<Utc>>,
) -> Result<Vec<Outgoing>, BotError> {
    let recipients: Vec<TelegramUserId> = admins::list(tx)
        .await?
        .into_iter()
        .filter(|a| a.follows(booking.staff_id))
        .map(|a| a.telegram_user_id)
        .collect();
    if recipients.is_empty() {
        return Ok(Vec::new());
    }
    let (service, staff) = names(tx, booking.service_id, booking.staff_id).await?;
    let zone = cx.session.profile.time_zone;
    let format = |at: DateTime<Utc>| at.with_timezone(&zone).format("%d.%m.%Y %H:%M").to_string();
    let start = booking.start.with_timezone(&zone);
    let t = Texts::new(cx.session.profile.locale);
    let text = t.fill(
        key,
        &[
            ("service", &service),
            ("staff", &staff),
            ("date", &start.format("%d.%m.%Y").to_string()),
            ("time", &start.format("%H:%M").to_string()),
            ("old", &before.map(format).unwrap_or_default()),
            ("customer", &customer_label(cx)),
        ],
    );
    Ok(recipients
        .into_iter()
        .map(|id| Outgoing {
            chat: ChatId(id.get()),
            text: text.clone(),
            markup: None,
        })
        .collect())
}

/// "Alice Smith (@alice, +7…)": what an admin needs to recognise the customer.
fn customer_label(cx: &Ctx<'_>) -> String {
    let c = &cx.session.customer;
    let extra: Vec<String> = c
        .username
        .iter()
        .map(|u| format!("@{u}"))
        .chain(c.phone.iter().cloned())
        .collect();
    if extra.is_empty() {
        c.display_name()
    } else {
        format!("{} ({})", c.display_name(), extra.join(", "))
    }
}
