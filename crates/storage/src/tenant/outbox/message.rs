//! What an outbox row says: one typed enum, stored as the row's `kind` column (the serde tag)
//! and its `payload` (the rest), so every writer and the one reader (the booking bot's
//! dispatcher) agree on the shape by construction.
//!
//! A message names what happened, not the words: the bot renders it when it is sent, from the
//! booking as it is then, in the recipient's language and with the tenant's own texts. Only a
//! [`Message::Notice`] carries its words verbatim (the master's subscription notices, a
//! broadcast).

use booking_core::{booking::Actor, change::ChangeKind, ids::WaitlistId};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::tenant::repeat_visits::WinBackKind;

/// One message to send.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Message {
    /// Verbatim text with optional buttons.
    Notice(Notice),
    /// A reminder `minutes` before the visit, with Confirm / Reschedule / Cancel.
    Reminder { minutes: u32 },
    /// The automatic release of a visit the customer did not confirm; sends nothing itself.
    Release,
    /// After the visit: how was it, 1 to 5.
    FollowUp,
    /// Free times on a day the customer waits for.
    WaitlistOffer { entry: WaitlistId },
    /// To the customer: what the business (an admin, the API, the platform) did to their
    /// booking.
    CustomerNotice { change: ChangeKind },
    /// To an admin: what happened to a booking of a staff member they follow, and who did it.
    AdminNotice { change: ChangeKind, actor: Actor },
    /// To an owner: a visit was rated low; the rating and comment are read when it is sent.
    LowRating,
    /// The service's repeat interval after the visit: the next one offered.
    Nudge,
    /// Days after a no-show or the customer's cancellation: another time offered.
    WinBack { after: WinBackKind },
    /// Not a message: the next call to YooKassa for the pending refund `refund` (its row in
    /// `refunds`), due when the refund is. Chat 0; the dispatcher makes the call instead.
    RefundCall { refund: i64 },
    /// To the customer: YooKassa gave their payment (or its share) back.
    RefundMade { refund: i64 },
    /// To an owner: YooKassa would not give a payment back; it is theirs to give by hand.
    RefundFailed { refund: i64 },
}

/// A message sent as written.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notice {
    /// 1 to 4096 characters.
    pub text: String,
    /// Rows of inline buttons; each `data` is callback data the bot's router understands (at
    /// most 64 bytes), parsed and re-checked on the press like any other button.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub buttons: Vec<Vec<Button>>,
}

/// One inline button of a notice: callback data for the bot's router, or (with `url`) a link
/// that Telegram opens, such as the sales bot's renewal.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Button {
    pub text: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub data: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

impl Button {
    /// A button that opens `url`.
    #[must_use]
    pub fn link(text: impl Into<String>, url: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            data: String::new(),
            url: Some(url.into()),
        }
    }
}

impl Notice {
    /// A notice with no buttons.
    #[must_use]
    pub fn text(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            buttons: Vec::new(),
        }
    }
}

impl Message {
    /// The `kind` column of the message.
    #[must_use]
    pub const fn kind(&self) -> &'static str {
        match self {
            Self::Notice(_) => "notice",
            Self::Reminder { .. } => "reminder",
            Self::Release => "release",
            Self::FollowUp => "follow_up",
            Self::WaitlistOffer { .. } => "waitlist_offer",
            Self::CustomerNotice { .. } => "customer_notice",
            Self::AdminNotice { .. } => "admin_notice",
            Self::LowRating => "low_rating",
            Self::Nudge => "nudge",
            Self::WinBack { .. } => "win_back",
            Self::RefundCall { .. } => "refund_call",
            Self::RefundMade { .. } => "refund_made",
            Self::RefundFailed { .. } => "refund_failed",
        }
    }

    /// The `payload` column: the message without its tag.
    #[must_use]
    pub fn payload(&self) -> Value {
        match serde_json::to_value(self) {
            Ok(Value::Object(mut fields)) => {
                fields.remove("kind");
                Value::Object(fields)
            }
            // Every variant is a struct or a unit, so serde always writes an object.
            _ => Value::Object(serde_json::Map::new()),
        }
    }

    /// The message stored as `kind` and `payload`, or why it cannot be read (a kind this build
    /// does not know, a payload of the wrong shape).
    pub fn from_parts(kind: &str, payload: &Value) -> Result<Self, String> {
        let mut fields = match payload {
            Value::Object(fields) => fields.clone(),
            Value::Null => serde_json::Map::new(),
            other => return Err(format!("payload is not an object: {other}")),
        };
        fields.insert("kind".to_owned(), Value::String(kind.to_owned()));
        serde_json::from_value(Value::Object(fields)).map_err(|e| format!("{kind}: {e}"))
    }
}

#[cfg(test)]
mod tests {
    use booking_core::ids::TelegramUserId;
    use chrono::{DateTime, Utc};
    use serde_json::json;

    use super::*;

    fn round_trip(m: &Message) -> Message {
        Message::from_parts(m.kind(), &m.payload()).unwrap()
    }

    #[test]
    fn every_kind_round_trips_through_its_columns() {
        let all = [
            Message::Notice(Notice {
                text: "hi".into(),
                buttons: vec![
                    vec![Button {
                        text: "Go".into(),
                        data: "v1:m".into(),
                        url: None,
                    }],
                    vec![Button::link(
                        "Renew",
                        "https://t.me/sales_bot?start=renew_5",
                    )],
                ],
            }),
            Message::Reminder { minutes: 120 },
            Message::Release,
            Message::FollowUp,
            Message::WaitlistOffer {
                entry: WaitlistId(7),
            },
            Message::CustomerNotice {
                change: ChangeKind::Moved {
                    from: DateTime::<Utc>::UNIX_EPOCH,
                },
            },
            Message::AdminNotice {
                change: ChangeKind::Booked,
                actor: Actor::Customer(TelegramUserId(5)),
            },
            Message::LowRating,
            Message::Nudge,
            Message::WinBack {
                after: WinBackKind::NoShow,
            },
            Message::RefundCall { refund: 4 },
            Message::RefundMade { refund: 4 },
            Message::RefundFailed { refund: 4 },
        ];
        for m in &all {
            assert_eq!(&round_trip(m), m);
            assert!(m.payload().get("kind").is_none(), "{m:?}");
        }
    }

    #[test]
    fn rows_written_before_the_enum_still_read() {
        assert_eq!(
            Message::from_parts("reminder", &json!({ "minutes": 1440 })),
            Ok(Message::Reminder { minutes: 1440 })
        );
        assert_eq!(
            Message::from_parts("release", &json!({})),
            Ok(Message::Release)
        );
        assert_eq!(
            Message::from_parts("waitlist_offer", &json!({ "entry": 3 })),
            Ok(Message::WaitlistOffer {
                entry: WaitlistId(3)
            })
        );
        assert_eq!(
            Message::from_parts("notice", &json!({ "text": "Renew" })),
            Ok(Message::Notice(Notice::text("Renew")))
        );
    }

    #[test]
    fn unknown_kinds_and_bad_payloads_say_why() {
        assert!(Message::from_parts("telegram", &json!({})).is_err());
        assert!(Message::from_parts("notice", &json!({ "txt": "x" })).is_err());
        assert!(Message::from_parts("reminder", &json!([1])).is_err());
    }

    #[test]
    fn a_notice_without_buttons_stores_only_its_text() {
        assert_eq!(
            Message::Notice(Notice::text("a")).payload(),
            json!({ "text": "a" })
        );
    }
}
