//! A typed step the panel is waiting for (a new time, a period to block, ...), kept in Redis
//! under `t:<tenant>:admin-input:<chat>`, apart from the customer dialogue so the customer
//! flows and the panel never overwrite each other's state.
//!
//! It says only what the text will be used for; whether the sender may still do that is
//! checked again when the text arrives.

use booking_core::{
    ids::{BookingId, ServiceId, StaffId},
    locale::Locale,
};
use serde::{Deserialize, Serialize};
use storage::kv::TenantKey;
use teloxide::types::ChatId;

use super::callback::{
    choices::{Audience, Field},
    payment::AccountPart,
    setup::ProfileField,
};
use crate::{error::BotError, runtime::app::App};

/// An abandoned step is forgotten after a day.
const TTL_SECS: u64 = 24 * 3600;

/// What the next text from this chat is.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Pending {
    /// "DD.MM.YYYY HH:MM": the new start of a booking.
    MoveTo {
        booking: BookingId,
    },
    /// A note on a booking or on its customer; "-" clears it.
    Note {
        booking: BookingId,
        on: super::notes::NoteOn,
    },
    /// "DD.MM.YYYY HH:MM; name; phone": a phoned-in booking.
    PhoneIn {
        service: ServiceId,
        staff: StaffId,
    },
    /// A phoned-in series planned and shown, waiting for the press that books it; a text
    /// sent meanwhile is a new phoned-in booking of the same service and staff member.
    PhoneInSeries(Box<super::phone_series::Draft>),
    /// A period to block.
    Block {
        staff: Option<StaffId>,
    },
    /// A weekly plan.
    Hours {
        staff: Option<StaffId>,
    },
    /// One date's exception.
    Exception {
        staff: Option<StaffId>,
    },
    /// Policy lines.
    Policy,
    /// A new value of one service field.
    ServiceEdit {
        service: ServiceId,
        field: Field,
    },
    /// "name; duration; price": a new service.
    ServiceNew,
    StaffRename {
        staff: StaffId,
    },
    /// A new staff member's name.
    StaffNew,
    /// A Telegram id, or a forwarded message from the person to add.
    AdminAdd,
    /// The text of a broadcast to this audience.
    BroadcastText {
        audience: Audience,
    },
    /// A new text for a key (by its stable code) in a language.
    TextSet {
        key: String,
        locale: Locale,
    },
    /// The About text, the address or the contacts; "-" clears it.
    Profile {
        field: ProfileField,
    },
    /// A service's fixed deposit, a sum.
    ServiceDeposit {
        service: ServiceId,
    },
    /// A part of the payment account (a secret: its message is deleted once read).
    PaymentAccount {
        part: AccountPart,
    },
}

fn key(app: &App, chat: ChatId) -> TenantKey {
    TenantKey::new(app.tenant, "admin-input", chat.0)
}

pub async fn get(app: &App, chat: ChatId) -> Result<Option<Pending>, BotError> {
    let Some(json) = app.kv.get(&key(app, chat)).await? else {
        return Ok(None);
    };
    // A step written by another version that no longer parses is dropped, not fatal.
    Ok(serde_json::from_str(&json).ok())
}

pub async fn set(app: &App, chat: ChatId, pending: &Pending) -> Result<(), BotError> {
    let json = serde_json::to_string(pending)
        .map_err(|e| storage::StorageError::Corrupt(e.to_string()))?;
    Ok(app.kv.set(&key(app, chat), &json, TTL_SECS).await?)
}

pub async fn clear(app: &App, chat: ChatId) -> Result<(), BotError> {
    Ok(app.kv.delete(&key(app, chat)).await?)
}
