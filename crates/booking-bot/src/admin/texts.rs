//! The admin panel's wording, in English and Russian, next to where it is used.
//!
//! The panel's texts are for the business's own people and are not part of the customer text
//! catalogue a business can override, so they are plain pairs rather than keys.

use booking_core::{Tz, booking::BookingStatus, locale::Locale};
use chrono::{DateTime, Utc};

/// English or Russian, by the reader's locale.
#[must_use]
pub const fn tr(locale: Locale, en: &'static str, ru: &'static str) -> &'static str {
    match locale {
        Locale::En => en,
        Locale::Ru => ru,
    }
}

/// "24.11.2026 10:00" in the business's zone.
#[must_use]
pub fn local(zone: Tz, at: DateTime<Utc>) -> String {
    at.with_timezone(&zone).format("%d.%m.%Y %H:%M").to_string()
}

/// "10:00" in the business's zone.
#[must_use]
pub fn clock(zone: Tz, at: DateTime<Utc>) -> String {
    at.with_timezone(&zone).format("%H:%M").to_string()
}

#[must_use]
pub const fn status(locale: Locale, s: BookingStatus) -> &'static str {
    match s {
        BookingStatus::Held => tr(locale, "on hold", "удерживается"),
        BookingStatus::Confirmed => tr(locale, "confirmed", "подтверждена"),
        BookingStatus::Cancelled => tr(locale, "cancelled", "отменена"),
        BookingStatus::Completed => tr(locale, "done", "состоялась"),
        BookingStatus::NoShow => tr(locale, "no-show", "неявка"),
        BookingStatus::Expired => tr(locale, "expired", "истекла"),
    }
}

/// The refusal every unauthorised press or step gets.
#[must_use]
pub const fn refused(locale: Locale) -> &'static str {
    tr(
        locale,
        "⛔ Not allowed: this is for the business's admins (or the staff member concerned).",
        "⛔ Нет доступа: это только для администраторов (или самого мастера).",
    )
}
