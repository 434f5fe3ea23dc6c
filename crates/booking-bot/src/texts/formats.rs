//! Money, dates and time zones the way a reader of each language expects them: "4 500 ₽",
//! "пн, 07.12.2026", "по московскому времени".

use booking_core::{Tz, catalogue::Price, currency::Currency, locale::Locale};
use chrono::{Datelike as _, NaiveDate, Offset as _, TimeZone as _, Utc};

use super::Texts;

/// Russia's zones (and a few neighbours' a salon may sit in), by what people call them.
/// Each is (zone, Russian "по … времени", English "… time").
const ZONES: &[(Tz, &str, &str)] = &[
    (Tz::Europe__Moscow, "по московскому времени", "Moscow time"),
    (
        Tz::Europe__Kaliningrad,
        "по калининградскому времени",
        "Kaliningrad time",
    ),
    (Tz::Europe__Samara, "по самарскому времени", "Samara time"),
    (
        Tz::Europe__Volgograd,
        "по волгоградскому времени",
        "Volgograd time",
    ),
    (
        Tz::Europe__Saratov,
        "по саратовскому времени",
        "Saratov time",
    ),
    (
        Tz::Europe__Ulyanovsk,
        "по ульяновскому времени",
        "Ulyanovsk time",
    ),
    (
        Tz::Europe__Astrakhan,
        "по астраханскому времени",
        "Astrakhan time",
    ),
    (
        Tz::Asia__Yekaterinburg,
        "по екатеринбургскому времени",
        "Yekaterinburg time",
    ),
    (Tz::Asia__Omsk, "по омскому времени", "Omsk time"),
    (
        Tz::Asia__Novosibirsk,
        "по новосибирскому времени",
        "Novosibirsk time",
    ),
    (
        Tz::Asia__Barnaul,
        "по барнаульскому времени",
        "Barnaul time",
    ),
    (Tz::Asia__Tomsk, "по томскому времени", "Tomsk time"),
    (
        Tz::Asia__Novokuznetsk,
        "по новокузнецкому времени",
        "Novokuznetsk time",
    ),
    (
        Tz::Asia__Krasnoyarsk,
        "по красноярскому времени",
        "Krasnoyarsk time",
    ),
    (Tz::Asia__Irkutsk, "по иркутскому времени", "Irkutsk time"),
    (Tz::Asia__Chita, "по читинскому времени", "Chita time"),
    (Tz::Asia__Yakutsk, "по якутскому времени", "Yakutsk time"),
    (
        Tz::Asia__Vladivostok,
        "по владивостокскому времени",
        "Vladivostok time",
    ),
    (
        Tz::Asia__Sakhalin,
        "по сахалинскому времени",
        "Sakhalin time",
    ),
    (Tz::Asia__Magadan, "по магаданскому времени", "Magadan time"),
    (
        Tz::Asia__Kamchatka,
        "по камчатскому времени",
        "Kamchatka time",
    ),
    (Tz::Europe__Minsk, "по минскому времени", "Minsk time"),
    (Tz::Asia__Almaty, "по времени Алматы", "Almaty time"),
    (
        Tz::Asia__Tashkent,
        "по ташкентскому времени",
        "Tashkent time",
    ),
    (Tz::Asia__Tbilisi, "по тбилисскому времени", "Tbilisi time"),
    (Tz::Asia__Yerevan, "по ереванскому времени", "Yerevan time"),
    (Tz::Asia__Baku, "по бакинскому времени", "Baku time"),
];

const WEEKDAYS_RU: [&str; 7] = ["пн", "вт", "ср", "чт", "пт", "сб", "вс"];
const WEEKDAYS_EN: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

impl Texts {
    /// A price as this language reads it ([`Currency::format`], the platform's one price
    /// formatter).
    #[must_use]
    pub fn price(&self, p: Price, currency: Currency) -> String {
        currency.format(p.0, self.locale)
    }

    /// "пн, 07.12.2026" / "Mon, 07.12.2026".
    #[must_use]
    pub fn date(&self, d: NaiveDate) -> String {
        let names = match self.locale {
            Locale::Ru => WEEKDAYS_RU,
            Locale::En => WEEKDAYS_EN,
        };
        let index = usize::try_from(d.weekday().num_days_from_monday()).unwrap_or(0);
        format!("{}, {}", names[index % 7], d.format("%d.%m.%Y"))
    }

    /// "по московскому времени" / "Moscow time"; a zone without a name people use is told
    /// by its offset ("по времени UTC+05:00").
    #[must_use]
    pub fn zone(&self, zone: Tz) -> String {
        if let Some((_, ru, en)) = ZONES.iter().find(|(z, _, _)| *z == zone) {
            return match self.locale {
                Locale::Ru => (*ru).to_owned(),
                Locale::En => (*en).to_owned(),
            };
        }
        let offset = zone.offset_from_utc_datetime(&Utc::now().naive_utc()).fix();
        match self.locale {
            Locale::Ru => format!("по времени UTC{offset}"),
            Locale::En => format!("UTC{offset} time"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_dates_and_zones_read_naturally() {
        let ru = Texts::new(Locale::Ru);
        let en = Texts::new(Locale::En);
        let rub = Currency::Rub;
        assert_eq!(ru.price(Price(450_000), rub), "4\u{a0}500\u{a0}₽");
        assert_eq!(ru.price(Price(150_050), rub), "1\u{a0}500,50\u{a0}₽");
        assert_eq!(en.price(Price(123_456_700), rub), "1,234,567\u{a0}₽");
        assert_eq!(ru.price(Price(80_000), rub), "800\u{a0}₽");
        assert_eq!(en.price(Price(2_000), Currency::Gel), "20\u{a0}₾");
        assert_eq!(
            ru.price(Price(1_234_550), Currency::Usd),
            "12\u{a0}345,50\u{a0}$"
        );
        let d = NaiveDate::from_ymd_opt(2026, 12, 7).unwrap();
        assert_eq!(ru.date(d), "пн, 07.12.2026");
        assert_eq!(en.date(d), "Mon, 07.12.2026");
        assert_eq!(ru.zone(Tz::Europe__Moscow), "по московскому времени");
        assert_eq!(en.zone(Tz::Europe__Moscow), "Moscow time");
        assert_eq!(ru.zone(Tz::Asia__Kolkata), "по времени UTC+05:30");
    }
}
