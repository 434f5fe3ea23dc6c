//! What the monitor tells a tenant's owner (through the tenant's own bot, in the tenant's
//! language) and the operators (alerts).

use booking_core::locale::Locale;
use chrono::{DateTime, Utc};

fn date(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%d %H:%M UTC").to_string()
}

/// The owner's warning `days` before the period ends.
#[must_use]
pub fn owner_warning(locale: Locale, name: &str, end: DateTime<Utc>, days: u32) -> String {
    match locale {
        Locale::En => format!(
            "Your subscription for the bot “{name}” ends on {} ({days} {} left). Renew it to keep the bot running.",
            date(end),
            if days == 1 { "day" } else { "days" }
        ),
        Locale::Ru => format!(
            "Подписка на бота «{name}» заканчивается {} (осталось дней: {days}). Продлите её, чтобы бот продолжал работать.",
            date(end)
        ),
    }
}

/// The owner's notice that the period has ended and the grace period runs.
#[must_use]
pub fn owner_past_due(locale: Locale, name: &str, grace_until: DateTime<Utc>) -> String {
    match locale {
        Locale::En => format!(
            "The subscription for the bot “{name}” has ended. The bot keeps working until {}; then it will be stopped. Renew to keep it.",
            date(grace_until)
        ),
        Locale::Ru => format!(
            "Подписка на бота «{name}» закончилась. Бот работает до {}, затем будет остановлен. Продлите подписку, чтобы сохранить его.",
            date(grace_until)
        ),
    }
}

/// The owner's notice of the suspension.
#[must_use]
pub fn owner_suspended(locale: Locale, name: &str) -> String {
    match locale {
        Locale::En => format!(
            "The bot “{name}” is stopped: its subscription was not renewed. Your data is kept; renew to start the bot again."
        ),
        Locale::Ru => format!(
            "Бот «{name}» остановлен: подписка не продлена. Данные сохранены; продлите подписку, чтобы снова запустить бота."
        ),
    }
}

/// The owner's notice that the bot is back.
#[must_use]
pub fn owner_reactivated(locale: Locale, name: &str, end: DateTime<Utc>) -> String {
    match locale {
        Locale::En => format!(
            "Thank you! The subscription for “{name}” is active until {}; the bot is starting again.",
            date(end)
        ),
        Locale::Ru => format!(
            "Спасибо! Подписка на «{name}» активна до {}; бот снова запускается.",
            date(end)
        ),
    }
}

/// The operators' alert of an expiring subscription.
#[must_use]
pub fn alert_expiring(name: &str, end: DateTime<Utc>, days: u32) -> String {
    format!(
        "“{name}”: the subscription ends on {} (in {days} d).",
        date(end)
    )
}

/// The operators' alert of a subscription past its end.
#[must_use]
pub fn alert_past_due(name: &str, grace_until: DateTime<Utc>) -> String {
    format!(
        "“{name}”: the subscription has ended; the bot is suspended on {} unless paid.",
        date(grace_until)
    )
}

/// The operators' alert of a suspension.
#[must_use]
pub fn alert_suspended(name: &str) -> String {
    format!("“{name}”: suspended for non-payment; its bot is being stopped.")
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone as _;

    use super::*;

    #[test]
    fn warnings_name_the_bot_and_the_day_in_the_owners_language() {
        let end = Utc.with_ymd_and_hms(2026, 6, 4, 5, 0, 0).unwrap();
        let en = owner_warning(Locale::En, "Barber", end, 1);
        assert!(en.contains("Barber") && en.contains("2026-06-04") && en.contains("1 day left"));
        let ru = owner_warning(Locale::Ru, "Барбер", end, 3);
        assert!(ru.contains("Барбер") && ru.contains("2026-06-04"));
    }
}
