//! The admin panel's wording, in English and Russian, next to where it is used.
//!
//! The panel's texts are for the business's own people and are not part of the customer text
//! catalogue a business can override, so they are plain pairs rather than keys.

use booking_core::{
    Tz,
    booking::BookingStatus,
    catalogue::{Minutes, Price},
    currency::Currency,
    locale::Locale,
};
use chrono::{DateTime, Datelike as _, Duration, NaiveDate, Utc};

use crate::texts::Texts;

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

/// The short weekday names an admin reads and types, Monday first.
pub const WEEKDAYS_RU: [&str; 7] = ["пн", "вт", "ср", "чт", "пт", "сб", "вс"];
pub const WEEKDAYS_EN: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/// "пн" / "mon" for day `index` (0 is Monday).
#[must_use]
pub fn weekday(locale: Locale, index: usize) -> &'static str {
    let names = match locale {
        Locale::En => WEEKDAYS_EN,
        Locale::Ru => WEEKDAYS_RU,
    };
    names[index % 7]
}

fn weekday_of(locale: Locale, d: NaiveDate) -> &'static str {
    weekday(
        locale,
        usize::try_from(d.weekday().num_days_from_monday()).unwrap_or(0),
    )
}

/// "вс 06.12.2026" / "sun 06.12.2026".
#[must_use]
pub fn day(locale: Locale, d: NaiveDate) -> String {
    format!("{} {}", weekday_of(locale, d), d.format("%d.%m.%Y"))
}

/// "вс 06.12" / "sun 06.12".
#[must_use]
pub fn day_short(locale: Locale, d: NaiveDate) -> String {
    format!("{} {}", weekday_of(locale, d), d.format("%d.%m"))
}

/// "вс 06.12.2026 10:00" in the business's zone.
#[must_use]
pub fn when(locale: Locale, zone: Tz, at: DateTime<Utc>) -> String {
    let local = at.with_timezone(&zone);
    format!(
        "{} {}",
        day(locale, local.date_naive()),
        local.format("%H:%M")
    )
}

/// "1 час 30 минут" / "1 hour 30 minutes".
#[must_use]
pub fn duration(locale: Locale, m: Minutes) -> String {
    Texts::new(locale).duration(m)
}

/// "4 500 ₽" / "4,500 ₽" (the customer's formatter, in the business's currency).
#[must_use]
pub fn money(locale: Locale, currency: Currency, p: Price) -> String {
    Texts::new(locale).price(p, currency)
}

/// A date to show in a prompt's example: `days` after today, so it is never in the past.
#[must_use]
pub fn example(today: NaiveDate, days: i64) -> String {
    (today + Duration::days(days))
        .format("%d.%m.%Y")
        .to_string()
}

/// Who made a change, as the booking's history stores it.
#[must_use]
pub fn actor_kind(locale: Locale, kind: &str) -> String {
    match kind {
        "customer" => tr(locale, "customer", "клиент"),
        "admin" => tr(locale, "admin", "администратор"),
        "api" => tr(locale, "API", "API"),
        "system" => tr(locale, "the bot", "бот"),
        other => return other.to_owned(),
    }
    .to_owned()
}

/// What happened to a booking, as its history stores it.
#[must_use]
pub fn history_action(locale: Locale, action: &str) -> String {
    match action {
        "create" => tr(locale, "booked", "запись создана"),
        "hold" => tr(locale, "time held", "время удерживается"),
        "hold_for_payment" => tr(
            locale,
            "time held until the prepayment is paid",
            "время держим, ждём предоплату",
        ),
        "confirm" | "book" => tr(locale, "confirmed", "подтверждена"),
        "cancel" => tr(locale, "cancelled", "отменена"),
        "reschedule" => tr(locale, "moved", "перенесена"),
        "expire" | "release_hold" => tr(locale, "hold expired", "бронь истекла"),
        "auto_release" => tr(
            locale,
            "released: visit not confirmed",
            "снята: визит не подтверждён",
        ),
        "customer_confirm" => tr(
            locale,
            "the customer confirmed they will come",
            "клиент подтвердил, что придёт",
        ),
        "completed" => tr(locale, "marked done", "отмечено: пришёл"),
        "no_show" => tr(locale, "marked no-show", "отмечено: не пришёл"),
        other => return other.to_owned(),
    }
    .to_owned()
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_carry_their_weekday() {
        let d = NaiveDate::from_ymd_opt(2026, 12, 6).unwrap();
        assert_eq!(day(Locale::Ru, d), "вс 06.12.2026");
        assert_eq!(day(Locale::En, d), "sun 06.12.2026");
    }

    /// Every action the booking history is written with reads as words, in both languages
    /// (a raw `hold_for_payment` once showed on a booking card).
    #[test]
    fn every_history_action_reads_as_words() {
        for action in [
            "create",
            "hold",
            "hold_for_payment",
            "confirm",
            "book",
            "cancel",
            "reschedule",
            "expire",
            "release_hold",
            "auto_release",
            "customer_confirm",
            "completed",
            "no_show",
        ] {
            for locale in [Locale::Ru, Locale::En] {
                let shown = history_action(locale, action);
                assert!(!shown.contains('_') && shown != action, "{action}: {shown}");
            }
        }
    }
}
