//! What the monitor tells a tenant's owner (through the tenant's own bot, in the tenant's
//! language) and the operators (alerts).

use booking_core::{Tz, ids::TenantId, locale::Locale};
use chrono::{DateTime, Datelike as _, Utc};

/// A moment for the operators, who serve every zone.
fn date(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%d %H:%M UTC").to_string()
}

/// A moment for the owner, in the tenant's zone: "4 June 2026, 08:00", "4 июня 2026, 08:00".
fn local_date(locale: Locale, at: DateTime<Tz>) -> String {
    let month = locale.month_of_day(at.month0());
    format!("{} {month} {}, {}", at.day(), at.year(), at.format("%H:%M"))
}

/// Days in Russian with the right form: 1 день, 3 дня, 5 дней.
fn ru_days(n: u32) -> &'static str {
    match (n % 10, n % 100) {
        (1, 11) | (_, 12..=14) => "дней",
        (1, _) => "день",
        (2..=4, _) => "дня",
        _ => "дней",
    }
}

/// The owner's warning `days` before the period ends (`end` in the tenant's zone).
#[must_use]
pub fn owner_warning(locale: Locale, name: &str, end: DateTime<Tz>, days: u32) -> String {
    match locale {
        Locale::En => format!(
            "Your subscription for the bot “{name}” ends on {} ({days} {} left). Renew it to keep the bot running: the button below opens the payment.",
            local_date(locale, end),
            if days == 1 { "day" } else { "days" }
        ),
        Locale::Ru => format!(
            "Подписка на бота «{name}» заканчивается {} (осталось {days} {}). Продлите её, чтобы бот продолжал работать: кнопка ниже откроет оплату.",
            local_date(locale, end),
            ru_days(days)
        ),
    }
}

/// The owner's notice that the period has ended and the grace period runs.
#[must_use]
pub fn owner_past_due(locale: Locale, name: &str, grace_until: DateTime<Tz>) -> String {
    match locale {
        Locale::En => format!(
            "The subscription for the bot “{name}” has ended. The bot keeps working until {}; then it will be stopped. Renew to keep it.",
            local_date(locale, grace_until)
        ),
        Locale::Ru => format!(
            "Подписка на бота «{name}» закончилась. Бот работает до {}, затем будет остановлен. Продлите подписку, чтобы сохранить его.",
            local_date(locale, grace_until)
        ),
    }
}

/// The label of the button that pays the renewal.
#[must_use]
pub const fn renew_button(locale: Locale) -> &'static str {
    match locale {
        Locale::En => "💳 Renew the subscription",
        Locale::Ru => "💳 Продлить подписку",
    }
}

/// The sales bot opened with the renewal of `tenant`'s subscription (`/start renew_<id>`).
#[must_use]
pub fn renew_link(sales_bot: &str, tenant: TenantId) -> String {
    format!("https://t.me/{sales_bot}?start=renew_{tenant}")
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
pub fn owner_reactivated(locale: Locale, name: &str, end: DateTime<Tz>) -> String {
    match locale {
        Locale::En => format!(
            "Thank you! The subscription for “{name}” is active until {}; the bot is starting again.",
            local_date(locale, end)
        ),
        Locale::Ru => format!(
            "Спасибо! Подписка на «{name}» активна до {}; бот снова запускается.",
            local_date(locale, end)
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
    fn warnings_name_the_bot_and_the_day_in_the_owners_language_and_zone() {
        // 23:30 UTC on the 3rd is already the 4th in Moscow.
        let end = Utc
            .with_ymd_and_hms(2026, 6, 3, 23, 30, 0)
            .unwrap()
            .with_timezone(&Tz::Europe__Moscow);
        let en = owner_warning(Locale::En, "Barber", end, 1);
        assert!(
            en.contains("Barber") && en.contains("4 June 2026, 02:30") && en.contains("1 day left"),
            "{en}"
        );
        let ru = owner_warning(Locale::Ru, "Барбер", end, 3);
        assert!(
            ru.contains("Барбер")
                && ru.contains("4 июня 2026, 02:30")
                && ru.contains("осталось 3 дня"),
            "{ru}"
        );
        assert!(owner_warning(Locale::Ru, "Б", end, 1).contains("осталось 1 день"));
        assert!(!ru.contains("UTC"));
    }

    #[test]
    fn the_renewal_link_opens_the_sales_bot_with_the_tenant() {
        assert_eq!(
            renew_link("sales_demo_bot", TenantId(42)),
            "https://t.me/sales_demo_bot?start=renew_42"
        );
    }
}
