//! What an admin reads when a typed value is refused: each [`InputError`] in Russian and
//! English, naming what was wrong and how to write it.

use booking_core::{
    catalogue::CatalogueError, locale::Locale, policy::PolicyError, schedule::ScheduleError,
};

use super::{
    parse::{InputError, Shape},
    texts::tr,
};

impl InputError {
    /// The message for the admin, with the warning sign.
    #[must_use]
    pub fn say(&self, locale: Locale) -> String {
        format!("⚠️ {}", self.body(locale))
    }

    fn body(&self, locale: Locale) -> String {
        let t = |en: &'static str, ru: &'static str| tr(locale, en, ru);
        match self {
            Self::Date(s) => format!(
                "{} «{s}». {}",
                t("Not a date:", "Не понимаю дату"),
                t(
                    "Write DD.MM.YYYY or DD.MM, e.g. 25.12.",
                    "Пишите ДД.ММ.ГГГГ или ДД.ММ, например 25.12."
                )
            ),
            Self::Time(s) => format!(
                "{} «{s}». {}",
                t("Not a time:", "Не понимаю время"),
                t("Write HH:MM, e.g. 09:30.", "Пишите ЧЧ:ММ, например 09:30.")
            ),
            Self::Range(s) => format!(
                "{} «{s}». {}",
                t("Not a time range:", "Не понимаю промежуток"),
                t(
                    "Write HH:MM-HH:MM, e.g. 10:00-13:00.",
                    "Пишите ЧЧ:ММ-ЧЧ:ММ, например 10:00-13:00."
                )
            ),
            Self::NoSuchLocalTime(s) => format!(
                "{s}: {}",
                t(
                    "no such time in the business's time zone (the clocks change then).",
                    "такого времени в часовом поясе заведения нет (в этот момент переводят часы)."
                )
            ),
            Self::Order => t(
                "The end must be after the start.",
                "Конец должен быть позже начала.",
            )
            .to_owned(),
            Self::Phone(s) => format!(
                "{} «{s}». {}",
                t("Not a phone number:", "Не похоже на номер телефона:"),
                t("E.g. +7 900 123-45-67.", "Например: +7 900 123-45-67.")
            ),
            Self::Name | Self::Catalogue(CatalogueError::BadName) => t(
                "A name must have 1 to 100 characters.",
                "Имя или название — от 1 до 100 символов.",
            )
            .to_owned(),
            Self::Shape(shape) => shape_text(locale, *shape).to_owned(),
            Self::Minutes(s) => format!(
                "{} «{s}». {}",
                t("Not a duration:", "Не понимаю длительность"),
                t(
                    "Write e.g. 90, 90 min, 1 h, 1 h 30 min.",
                    "Пишите, например: 90, 90 мин, 1 час, 1 ч 30 мин."
                )
            ),
            Self::Number(s) => format!("«{s}» {}", t("is not a number.", "— не число.")),
            Self::Price(s) => format!(
                "{} «{s}». {}",
                t("Not a price:", "Не понимаю цену"),
                t(
                    "Write a number, e.g. 1500 or 1500.50.",
                    "Пишите числом, например 1500 или 1500,50."
                )
            ),
            Self::Weekday(s) => format!(
                "{} «{s}». {}",
                t("Unknown weekday", "Не знаю день недели"),
                t(
                    "Write mon, tue, wed, thu, fri, sat, sun (or a range: mon-fri).",
                    "Пишите пн, вт, ср, чт, пт, сб, вс (или подряд: пн-пт)."
                )
            ),
            Self::Setting(s) => format!("{} «{s}».", t("No such setting:", "Нет такой настройки:")),
            Self::TooLong(n) => format!(
                "{} {n}.",
                t(
                    "Too long: characters at most",
                    "Слишком длинно: символов не больше"
                )
            ),
            Self::Catalogue(e) => catalogue_text(locale, e),
            Self::Schedule(e) => schedule_text(locale, e),
            Self::Policy(e) => policy_text(locale, e).to_owned(),
        }
    }
}

const fn shape_text(locale: Locale, shape: Shape) -> &'static str {
    match shape {
        Shape::Start => tr(
            locale,
            "Send a date and a time with a space between, e.g. 25.12 15:00.",
            "Нужны дата и время через пробел, например 25.12 15:00.",
        ),
        Shape::Service => tr(
            locale,
            "Send three parts separated by ';': name; duration; price — e.g. Haircut; 1 h; 1500.",
            "Нужно три части через «;»: название; длительность; цена — например: Стрижка; 1 час; 1500.",
        ),
        Shape::WeekLine => tr(
            locale,
            "Each line is a weekday and its hours, e.g. mon 09:00-18:00 or sun off.",
            "В каждой строке — день недели и часы, например: пн 09:00-18:00 или вс выходной.",
        ),
        Shape::Exception => tr(
            locale,
            "Send a date, then off, normal or the hours, e.g. 31.12 off.",
            "Нужны дата и что в этот день: выходной, обычный или часы, например: 31.12 выходной.",
        ),
        Shape::Setting => tr(
            locale,
            "Each line is a setting's name, a space, then its value.",
            "В каждой строке — название настройки, пробел и значение.",
        ),
        Shape::RateLimit => tr(
            locale,
            "Write the limit as updates/seconds, e.g. 20/10.",
            "Ограничение пишется как действия/секунды, например 20/10.",
        ),
        Shape::PhoneIn => tr(
            locale,
            "Send three parts separated by ';': date and time; name; phone.",
            "Нужно три части через «;»: дата и время; имя; телефон.",
        ),
    }
}

fn catalogue_text(locale: Locale, e: &CatalogueError) -> String {
    let t = |en: &'static str, ru: &'static str| tr(locale, en, ru).to_owned();
    match e {
        CatalogueError::MinutesOutOfRange(_) => t(
            "That is more than a week: settings in minutes go up to 7 days.",
            "Это больше недели: длительности и сроки — не больше 7 суток.",
        ),
        CatalogueError::BadDuration => t(
            "A service must last between 5 minutes and 24 hours.",
            "Услуга должна длиться от 5 минут до 24 часов.",
        ),
        CatalogueError::BadInterval => t(
            "The slot interval must be between 5 minutes and 24 hours.",
            "Шаг записи — от 5 минут до 24 часов.",
        ),
        CatalogueError::BadName => t(
            "A name must have 1 to 100 characters.",
            "Название — от 1 до 100 символов.",
        ),
        CatalogueError::NegativePrice => t(
            "A price cannot be negative.",
            "Цена не может быть отрицательной.",
        ),
        CatalogueError::BadSeats => t(
            "Send the number of seats in the class, from 2 to 500, or - for an individual service.",
            "Укажите число мест в группе — от 2 до 500, или «-» для индивидуальной услуги.",
        ),
    }
}

fn schedule_text(locale: Locale, e: &ScheduleError) -> String {
    match e {
        ScheduleError::EmptyRange { start, end } => format!(
            "{} ({}-{}).",
            tr(
                locale,
                "A time range must end after it starts",
                "Промежуток должен заканчиваться позже, чем начинается"
            ),
            start.format("%H:%M"),
            end.format("%H:%M"),
        ),
        ScheduleError::OverlappingHours => tr(
            locale,
            "The working hours of one day overlap.",
            "Рабочие часы одного дня пересекаются.",
        )
        .to_owned(),
        ScheduleError::BadTime(s) => InputError::Time(s.clone()).body(locale),
        ScheduleError::BadRange(s) => InputError::Range(s.clone()).body(locale),
    }
}

const fn policy_text(locale: Locale, e: &PolicyError) -> &'static str {
    match e {
        PolicyError::Horizon => tr(
            locale,
            "The horizon must be between 1 and 365 days.",
            "Горизонт записи — от 1 до 365 дней.",
        ),
        PolicyError::ActiveLimit => tr(
            locale,
            "The active-booking limit must be between 1 and 50.",
            "Лимит активных записей — от 1 до 50.",
        ),
        PolicyError::Hold => tr(
            locale,
            "The hold must last between 1 and 60 minutes.",
            "Время на подтверждение — от 1 до 60 минут.",
        ),
        PolicyError::Reminders => tr(
            locale,
            "At most 5 reminders, each at most a week before the visit.",
            "Не больше 5 напоминаний, каждое — не раньше чем за неделю до визита.",
        ),
        PolicyError::AutoRelease => tr(
            locale,
            "Automatic release must come after the last reminder (fewer minutes before the visit).",
            "Автоотмена без подтверждения должна быть ближе к визиту, чем последнее напоминание.",
        ),
        PolicyError::UpdateLimit => tr(
            locale,
            "The rate limit must allow 5 to 1000 updates in a window of 1 to 3600 seconds.",
            "Ограничение частоты: от 5 до 1000 действий за окно от 1 до 3600 секунд.",
        ),
    }
}
