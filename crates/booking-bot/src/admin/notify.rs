//! Telling a customer what the business did to their booking, through the tenant outbox (kind
//! `notice`, payload `{"text", "buttons"}`), in the same transaction as the change: a
//! cancelled booking always has its notice, and a rolled-back one never does.

use booking_core::{
    ids::{CustomerId, ServiceId},
    locale::Locale,
};
use chrono::{DateTime, Duration, Utc};
use serde_json::json;
use storage::{
    TenantTx,
    tenant::{
        bookings::{self, Booking},
        customers::{self, Customer},
        outbox::{self, NewMessage},
    },
};
use teloxide::types::ChatId;

use super::texts::{local, tr};
use crate::{app::App, callback::CallbackData, error::BotError, handlers::Dlg, state::State};

/// How many nearest free times an affected customer is offered.
const NEAREST: usize = 3;
/// How far ahead they are looked for.
const SEARCH_DAYS: i64 = 14;

/// What happened to the booking.
#[derive(Copy, Clone, Debug)]
pub enum Change {
    /// Cancelled by the business; `apology` for a day the staff member cannot work.
    Cancelled { apology: bool },
    /// Moved from the old start.
    Moved { from: DateTime<Utc> },
}

/// The customer, unless they cannot be written to: a phoned-in customer (negative id, no
/// chat) or one who blocked the bot.
async fn reachable(tx: &mut TenantTx, id: CustomerId) -> Result<Option<Customer>, BotError> {
    Ok(customers::get(tx, id)
        .await?
        .filter(|c| c.telegram_user_id.get() > 0 && c.blocked_bot_at.is_none()))
}

/// Queues the notice about `booking` to its customer. For a cancellation, the nearest free
/// times of the same service are offered as one-press buttons (the customer codec's `Time`,
/// with the customer's dialogue set to choosing a time for that service), plus "other times".
pub async fn customer(
    app: &App,
    tx: &mut TenantTx,
    booking: &Booking,
    change: Change,
    business_locale: Locale,
) -> Result<bool, BotError> {
    let Some(customer) = reachable(tx, booking.customer_id).await? else {
        return Ok(false);
    };
    let profile = storage::tenant::settings::profile(tx).await?;
    let zone = profile.time_zone;
    let l = customer.locale.unwrap_or(business_locale);
    let service = storage::tenant::catalogue::service(tx, booking.service_id)
        .await?
        .map(|s| s.name)
        .unwrap_or_default();
    let when = local(zone, booking.start);
    let now = app.now();
    let (text, buttons, key) = match change {
        Change::Moved { from } => (
            format!(
                "{} {service}: {} → {when}.",
                tr(
                    l,
                    "🔁 The business moved your visit",
                    "🔁 Ваша запись перенесена"
                ),
                local(zone, from)
            ),
            Vec::new(),
            format!("admin-move:{}:{}", booking.id, booking.start.timestamp()),
        ),
        Change::Cancelled { apology } => {
            let lead = if apology {
                tr(
                    l,
                    "😔 We are sorry: your master cannot work that day, so your visit is cancelled",
                    "😔 Извините: мастер не сможет работать в этот день, поэтому запись отменена",
                )
            } else {
                tr(
                    l,
                    "❌ The business had to cancel your visit",
                    "❌ К сожалению, ваша запись отменена",
                )
            };
            let times = nearest(tx, booking.service_id, now).await?;
            let mut text = format!("{lead}: {service}, {when}.");
            let mut rows: Vec<Vec<serde_json::Value>> = Vec::new();
            if times.is_empty() {
                text.push('\n');
                text.push_str(tr(l, "Choose another day:", "Выберите другой день:"));
            } else {
                text.push('\n');
                text.push_str(tr(
                    l,
                    "Nearest free times, one press to rebook:",
                    "Ближайшее свободное время — запись в одно нажатие:",
                ));
                for t in &times {
                    rows.push(vec![json!({
                        "text": local(zone, *t),
                        "data": CallbackData::Time(*t).to_string(),
                    })]);
                }
                // The `Time` buttons continue a booking of this service with anyone free.
                let dialogue = Dlg::new(
                    app.dialogues.clone(),
                    ChatId(customer.telegram_user_id.get()),
                );
                dialogue
                    .update(State::ChoosingTime {
                        service: booking.service_id,
                        staff: None,
                    })
                    .await?;
            }
            rows.push(vec![json!({
                "text": tr(l, "📅 Other times", "📅 Другое время"),
                "data": CallbackData::BookAgain(booking.id).to_string(),
            })]);
            (text, rows, format!("admin-cancel:{}", booking.id))
        }
    };
    let payload = if buttons.is_empty() {
        json!({ "text": text })
    } else {
        json!({ "text": text, "buttons": buttons })
    };
    outbox::enqueue(
        tx,
        &NewMessage {
            kind: "notice".to_owned(),
            booking: Some(booking.id),
            chat_id: customer.telegram_user_id.get(),
            payload,
            due_at: now,
            dedupe_key: Some(key),
        },
    )
    .await?;
    Ok(true)
}

/// The nearest free starts of `service` with anyone, from now.
async fn nearest(
    tx: &mut TenantTx,
    service: ServiceId,
    now: DateTime<Utc>,
) -> Result<Vec<DateTime<Utc>>, BotError> {
    let zone = storage::tenant::settings::profile(tx).await?.time_zone;
    let today = now.with_timezone(&zone).date_naive();
    let slots = crate::error::split(
        bookings::free_slots(
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
