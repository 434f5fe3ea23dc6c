//! Every text the customer reads, in Russian and English, in one place.
//!
//! A [`Texts`] value is the lookup for one locale: `texts.get(Key::Menu)`, with `{name}`
//! placeholders filled by [`Texts::fill`] and counted nouns by [`Texts::count`], which knows
//! Russian's three plural forms.

use booking_core::{booking::BookingRejection, catalogue::Minutes, locale::Locale};

/// A text, by what it is for.
#[derive(Copy, Clone, Eq, PartialEq, Debug)]
pub enum Key {
    ChooseLanguage,
    Menu,
    Help,
    AboutTitle,
    NotUnderstood,
    BtnBook,
    BtnMyBookings,
    BtnAbout,
    BtnHelp,
    BtnMenu,
    BtnBack,
    BtnAnyStaff,
    BtnConfirm,
    BtnOtherTime,
    BtnCancelBooking,
    BtnMoveBooking,
    BtnPast,
    BtnBookAgain,
    PastTitle,
    NoPast,
    PastLine,
    BtnMove,
    BtnYesCancel,
    BtnNoKeep,
    ChooseService,
    NoServices,
    ChooseStaff,
    ChooseDay,
    ChooseNewDay,
    NoDays,
    ChooseTime,
    NoTimes,
    ConfirmScreen,
    Booked,
    NearestTimes,
    MyBookingsTitle,
    NoBookings,
    BookingLine,
    CancelAsk,
    Cancelled,
    MoveAsk,
    Moved,
    ButtonExpired,
    ButtonOldVersion,
    ButtonGarbage,
    Unavailable,
    SlowDown,
    AskPhone,
    BtnSharePhone,
    BtnSkipPhone,
    PhoneSaved,
    PhoneSkipped,
    PhoneNotOwn,
    AdminBooked,
    AdminCancelled,
    AdminMoved,
    CmdStart,
    CmdBook,
    CmdMy,
    CmdAbout,
    CmdHelp,
    CmdLanguage,
}

/// A noun that is counted.
#[derive(Copy, Clone, Eq, PartialEq, Debug)]
pub enum Noun {
    Minute,
    Hour,
    Day,
    Booking,
    FreeTime,
}

/// The texts of one locale.
#[derive(Copy, Clone, Eq, PartialEq, Debug)]
pub struct Texts {
    locale: Locale,
}

impl Texts {
    #[must_use]
    pub const fn new(locale: Locale) -> Self {
        Self { locale }
    }

    #[must_use]
    pub const fn locale(self) -> Locale {
        self.locale
    }

    /// The text for `key`, placeholders unfilled.
    #[must_use]
    pub const fn get(self, key: Key) -> &'static str {
        let (ru, en) = pair(key);
        match self.locale {
            Locale::Ru => ru,
            Locale::En => en,
        }
    }

    /// The text for `key` with each `{name}` replaced by its value.
    #[must_use]
    pub fn fill(self, key: Key, values: &[(&str, &str)]) -> String {
        let mut out = self.get(key).to_owned();
        for (name, value) in values {
            out = out.replace(&format!("{{{name}}}"), value);
        }
        out
    }

    /// "1 booking", "3 записи", "5 записей".
    #[must_use]
    pub fn count(self, noun: Noun, n: u64) -> String {
        let word = match self.locale {
            Locale::Ru => {
                let [one, few, many] = ru_forms(noun);
                match ru_plural(n) {
                    RuPlural::One => one,
                    RuPlural::Few => few,
                    RuPlural::Many => many,
                }
            }
            Locale::En => {
                let [one, other] = en_forms(noun);
                if n == 1 { one } else { other }
            }
        };
        format!("{n} {word}")
    }

    /// A span of minutes the way people say it: "2 hours", "1 час 30 минут".
    #[must_use]
    pub fn duration(self, m: Minutes) -> String {
        let total = u64::from(m.get());
        let (hours, minutes) = (total / 60, total % 60);
        match (hours, minutes) {
            (0, m) => self.count(Noun::Minute, m),
            (h, 0) if h % 24 == 0 => self.count(Noun::Day, h / 24),
            (h, 0) => self.count(Noun::Hour, h),
            (h, m) => format!(
                "{} {}",
                self.count(Noun::Hour, h),
                self.count(Noun::Minute, m)
            ),
        }
    }

    /// Why a booking request was refused, as a sentence.
    #[must_use]
    pub fn rejection(self, r: &BookingRejection) -> String {
        use BookingRejection as R;
        let ru = self.locale == Locale::Ru;
        let pick = |ru_text: &str, en_text: &str| if ru { ru_text } else { en_text }.to_owned();
        match r {
            R::SlotTaken => pick(
                "Это время только что заняли.",
                "This time has just been taken.",
            ),
            R::InThePast => pick("Это время уже прошло.", "This time is in the past."),
            R::TooSoon { min_notice } => {
                let d = self.duration(*min_notice);
                if ru {
                    format!("Записаться можно не позднее чем за {d} до визита.")
                } else {
                    format!("Bookings need at least {d} notice.")
                }
            }
            R::BeyondHorizon { days } => {
                let d = self.count(Noun::Day, u64::from(*days));
                if ru {
                    format!("Записаться можно не дальше чем на {d} вперёд.")
                } else {
                    format!("Bookings can be made at most {d} ahead.")
                }
            }
            R::OutsideWorkingHours => pick(
                "Это время вне рабочих часов.",
                "This time is outside working hours.",
            ),
            R::Blocked => pick("Это время закрыто.", "This time is blocked."),
            R::LimitReached { limit } => {
                let n = self.count(Noun::Booking, u64::from(*limit));
                if ru {
                    format!("У вас уже {n} — это максимум. Отмените одну, чтобы записаться снова.")
                } else {
                    format!("You already have {n}, the most allowed. Cancel one to book again.")
                }
            }
            R::CancelCutoffPassed { cutoff } => {
                let d = self.duration(*cutoff);
                if ru {
                    format!(
                        "Отменить запись можно не позднее чем за {d} до визита. Свяжитесь с нами."
                    )
                } else {
                    format!(
                        "Bookings can be cancelled up to {d} before the visit. Please contact us."
                    )
                }
            }
            R::RescheduleCutoffPassed { cutoff } => {
                let d = self.duration(*cutoff);
                if ru {
                    format!("Перенести запись можно не позднее чем за {d} до визита.")
                } else {
                    format!("Bookings can be moved up to {d} before the visit.")
                }
            }
            R::NotFound => pick("Такой записи нет.", "There is no such booking."),
            R::NotChangeable { .. } => pick(
                "Эту запись уже нельзя изменить.",
                "This booking can no longer be changed.",
            ),
            R::ServiceUnavailable => pick(
                "Эта услуга сейчас недоступна.",
                "This service is not available.",
            ),
            R::StaffUnavailable => pick(
                "Этот мастер не оказывает эту услугу.",
                "This staff member does not give this service.",
            ),
        }
    }

    /// "Ноябрь 2026", "November 2026".
    #[must_use]
    pub fn month_title(self, year: i32, month: u32) -> String {
        const RU: [&str; 12] = [
            "Январь",
            "Февраль",
            "Март",
            "Апрель",
            "Май",
            "Июнь",
            "Июль",
            "Август",
            "Сентябрь",
            "Октябрь",
            "Ноябрь",
            "Декабрь",
        ];
        const EN: [&str; 12] = [
            "January",
            "February",
            "March",
            "April",
            "May",
            "June",
            "July",
            "August",
            "September",
            "October",
            "November",
            "December",
        ];
        let names = match self.locale {
            Locale::Ru => RU,
            Locale::En => EN,
        };
        let index = usize::try_from(month.saturating_sub(1))
            .unwrap_or(0)
            .min(11);
        format!("{} {year}", names[index])
    }

    /// How a past visit ended.
    #[must_use]
    pub const fn visit_status(self, status: booking_core::booking::BookingStatus) -> &'static str {
        use booking_core::booking::BookingStatus as S;
        let (ru, en) = match status {
            S::Completed => ("визит состоялся", "visited"),
            S::Cancelled => ("отменена", "cancelled"),
            S::NoShow => ("неявка", "missed"),
            S::Confirmed | S::Held | S::Expired => ("прошла", "past"),
        };
        match self.locale {
            Locale::Ru => ru,
            Locale::En => en,
        }
    }

    /// Weekday abbreviations, Monday first.
    #[must_use]
    pub const fn weekdays(self) -> [&'static str; 7] {
        match self.locale {
            Locale::Ru => ["Пн", "Вт", "Ср", "Чт", "Пт", "Сб", "Вс"],
            Locale::En => ["Mo", "Tu", "We", "Th", "Fr", "Sa", "Su"],
        }
    }
}

enum RuPlural {
    One,
    Few,
    Many,
}

/// The CLDR rule for Russian: 1, 21, 101 → one; 2-4, 22-24 → few; 0, 5-20, 25-30, 11-14 → many.
const fn ru_plural(n: u64) -> RuPlural {
    let (d10, d100) = (n % 10, n % 100);
    if d10 == 1 && d100 != 11 {
        RuPlural::One
    } else if d10 >= 2 && d10 <= 4 && !(d100 >= 12 && d100 <= 14) {
        RuPlural::Few
    } else {
        RuPlural::Many
    }
}

const fn ru_forms(noun: Noun) -> [&'static str; 3] {
    match noun {
        Noun::Minute => ["минуту", "минуты", "минут"],
        Noun::Hour => ["час", "часа", "часов"],
        Noun::Day => ["день", "дня", "дней"],
        Noun::Booking => ["запись", "записи", "записей"],
        Noun::FreeTime => ["свободное окно", "свободных окна", "свободных окон"],
    }
}

const fn en_forms(noun: Noun) -> [&'static str; 2] {
    match noun {
        Noun::Minute => ["minute", "minutes"],
        Noun::Hour => ["hour", "hours"],
        Noun::Day => ["day", "days"],
        Noun::Booking => ["booking", "bookings"],
        Noun::FreeTime => ["free time", "free times"],
    }
}

/// (Russian, English) for every key.
const fn pair(key: Key) -> (&'static str, &'static str) {
    use Key as K;
    match key {
        K::ChooseLanguage => (
            "Здравствуйте, {name}! Выберите язык / Choose your language:",
            "Hello, {name}! Choose your language / Выберите язык:",
        ),
        K::Menu => (
            "{business}: чем можем помочь?",
            "{business}: how can we help?",
        ),
        K::Help => (
            "Запишитесь кнопкой «Записаться»: выберите услугу, мастера, день и время. \
             «Мои записи» покажут ваши визиты, там же их можно отменить.\n\
             Команды: /book — записаться, /my — мои записи, /language — язык, /start — меню.",
            "Press “Book” and choose a service, a staff member, a day and a time. \
             “My bookings” lists your visits and lets you cancel them.\n\
             Commands: /book to book, /my for your bookings, /language to change the language, \
             /start for the menu.",
        ),
        K::AboutTitle => ("{business}\nУслуги:", "{business}\nServices:"),
        K::NotUnderstood => (
            "Не понимаю это сообщение. Пожалуйста, воспользуйтесь меню.",
            "Sorry, I did not understand that. Please use the menu.",
        ),
        K::BtnBook => ("📅 Записаться", "📅 Book"),
        K::BtnMyBookings => ("📋 Мои записи", "📋 My bookings"),
        K::BtnAbout => ("ℹ️ О нас", "ℹ️ About"),
        K::BtnHelp => ("❓ Помощь", "❓ Help"),
        K::BtnMenu => ("🏠 Меню", "🏠 Menu"),
        K::BtnBack => ("◀️ Назад", "◀️ Back"),
        K::BtnAnyStaff => ("Любой свободный мастер", "Anyone available"),
        K::BtnConfirm => ("✅ Подтвердить", "✅ Confirm"),
        K::BtnOtherTime => ("◀️ Другое время", "◀️ Another time"),
        K::BtnCancelBooking => ("❌ Отменить #{n}", "❌ Cancel #{n}"),
        K::BtnMoveBooking => ("🔄 Перенести #{n}", "🔄 Move #{n}"),
        K::BtnMove => ("✅ Перенести", "✅ Move"),
        K::BtnPast => ("🕘 Прошлые визиты", "🕘 Past visits"),
        K::BtnBookAgain => ("🔁 Снова #{n}", "🔁 Again #{n}"),
        K::PastTitle => ("Ваши прошлые визиты:", "Your past visits:"),
        K::NoPast => ("Прошлых визитов пока нет.", "No past visits yet."),
        K::PastLine => (
            "#{n} {service}, {date} {time}, мастер {staff} — {status}",
            "#{n} {service}, {date} {time} with {staff} — {status}",
        ),
        K::BtnYesCancel => ("✅ Да, отменить", "✅ Yes, cancel"),
        K::BtnNoKeep => ("Нет, оставить", "No, keep it"),
        K::ChooseService => ("Выберите услугу:", "Choose a service:"),
        K::NoServices => (
            "Сейчас нет доступных услуг.",
            "No services are available right now.",
        ),
        K::ChooseStaff => (
            "{service}\nВыберите мастера:",
            "{service}\nChoose a staff member:",
        ),
        K::ChooseDay => (
            "{service}\nВыберите день (можно нажать только дни со свободным временем):",
            "{service}\nChoose a day (only days with free time can be pressed):",
        ),
        K::ChooseNewDay => (
            "Перенос: {service}\nВыберите новый день (можно нажать только дни со свободным временем):",
            "Moving: {service}\nChoose a new day (only days with free time can be pressed):",
        ),
        K::NoDays => (
            "В этом месяце свободных дней нет.",
            "No free days this month.",
        ),
        K::ChooseTime => (
            "{service}, {date}\nВремя указано в часовом поясе {zone}. {free}:",
            "{service}, {date}\nTimes are in {zone}. {free}:",
        ),
        K::NoTimes => (
            "На этот день свободного времени нет.",
            "There is no free time on this day.",
        ),
        K::ConfirmScreen => (
            "Проверьте запись:\n{service}, мастер {staff}\n{date} в {time} ({zone})\nСтоимость: {price}\n\
             Время держится за вами {hold}.",
            "Please check:\n{service} with {staff}\n{date} at {time} ({zone})\nPrice: {price}\n\
             The time is held for you for {hold}.",
        ),
        K::Booked => (
            "✅ Вы записаны!\n{service}, мастер {staff}\n{date} в {time} ({zone})",
            "✅ You are booked!\n{service} with {staff}\n{date} at {time} ({zone})",
        ),
        K::NearestTimes => ("Ближайшее свободное время:", "The nearest free times:"),
        K::MyBookingsTitle => ("У вас {count}:", "You have {count}:"),
        K::NoBookings => (
            "У вас нет предстоящих записей.",
            "You have no upcoming bookings.",
        ),
        K::BookingLine => (
            "#{n} {service}, {date} в {time}, мастер {staff}",
            "#{n} {service}, {date} at {time} with {staff}",
        ),
        K::CancelAsk => (
            "Отменить запись?\n{service}, {date} в {time}",
            "Cancel this booking?\n{service}, {date} at {time}",
        ),
        K::Cancelled => ("Запись отменена.", "The booking is cancelled."),
        K::MoveAsk => (
            "Перенести {service}\nс {old_date} {old_time}\nна {date} в {time} ({zone})?",
            "Move {service}\nfrom {old_date} {old_time}\nto {date} at {time} ({zone})?",
        ),
        K::Moved => (
            "✅ Запись перенесена: {service}, {date} в {time} ({zone})",
            "✅ Moved: {service}, {date} at {time} ({zone})",
        ),
        K::ButtonExpired => (
            "Эта кнопка устарела. Начните заново из меню: /start",
            "This button is out of date. Please start again from the menu: /start",
        ),
        K::ButtonOldVersion => (
            "Эта кнопка от прежней версии бота. Откройте меню заново: /start",
            "This button is from an earlier version of the bot. Please open the menu again: /start",
        ),
        K::ButtonGarbage => (
            "Неизвестная кнопка. Ничего не изменилось.",
            "Unknown button. Nothing has changed.",
        ),
        K::Unavailable => (
            "Извините, сервис временно недоступен. Попробуйте через минуту.",
            "Sorry, we are temporarily unavailable. Please try again in a minute.",
        ),
        K::SlowDown => (
            "Слишком много запросов. Подождите несколько секунд.",
            "Too many requests. Please wait a few seconds.",
        ),
        K::AskPhone => (
            "Если хотите, поделитесь номером телефона — мы позвоним, если планы изменятся.",
            "If you like, share your phone number so we can call you if plans change.",
        ),
        K::BtnSharePhone => ("📱 Поделиться номером", "📱 Share my phone number"),
        K::BtnSkipPhone => ("Пропустить", "Skip"),
        K::PhoneSaved => (
            "Спасибо, номер сохранён.",
            "Thank you, your number is saved.",
        ),
        K::PhoneSkipped => ("Хорошо, без номера.", "All right, no number."),
        K::PhoneNotOwn => (
            "Пожалуйста, поделитесь своим номером кнопкой ниже.",
            "Please share your own number with the button below.",
        ),
        K::AdminBooked => (
            "🔔 Новая запись: {service}, мастер {staff}, {date} {time}. Клиент: {customer}",
            "🔔 New booking: {service} with {staff}, {date} {time}. Customer: {customer}",
        ),
        K::AdminCancelled => (
            "❌ Клиент отменил запись: {service}, мастер {staff}, {date} {time}. Клиент: {customer}",
            "❌ Cancelled by the customer: {service} with {staff}, {date} {time}. Customer: {customer}",
        ),
        K::AdminMoved => (
            "🔄 Клиент перенёс запись: {service}, мастер {staff}, {old} → {date} {time}. Клиент: {customer}",
            "🔄 Moved by the customer: {service} with {staff}, {old} → {date} {time}. Customer: {customer}",
        ),
        K::CmdStart => ("Главное меню", "Main menu"),
        K::CmdBook => ("Записаться", "Book a visit"),
        K::CmdMy => ("Мои записи", "My bookings"),
        K::CmdAbout => ("О нас", "About us"),
        K::CmdHelp => ("Помощь", "Help"),
        K::CmdLanguage => ("Язык", "Language"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn russian_counts_take_the_right_plural_form() {
        let ru = Texts::new(Locale::Ru);
        let cases = [
            (0, "0 записей"),
            (1, "1 запись"),
            (2, "2 записи"),
            (4, "4 записи"),
            (5, "5 записей"),
            (11, "11 записей"),
            (12, "12 записей"),
            (14, "14 записей"),
            (21, "21 запись"),
            (22, "22 записи"),
            (25, "25 записей"),
            (101, "101 запись"),
            (111, "111 записей"),
        ];
        for (n, want) in cases {
            assert_eq!(ru.count(Noun::Booking, n), want);
        }
    }

    #[test]
    fn english_counts_have_singular_and_plural() {
        let en = Texts::new(Locale::En);
        assert_eq!(en.count(Noun::Booking, 1), "1 booking");
        assert_eq!(en.count(Noun::Booking, 0), "0 bookings");
        assert_eq!(en.count(Noun::Hour, 2), "2 hours");
    }

    #[test]
    fn durations_read_naturally() {
        let ru = Texts::new(Locale::Ru);
        assert_eq!(ru.duration(Minutes::new(120)), "2 часа");
        assert_eq!(ru.duration(Minutes::new(90)), "1 час 30 минут");
        assert_eq!(ru.duration(Minutes::new(24 * 60)), "1 день");
        assert_eq!(
            Texts::new(Locale::En).duration(Minutes::new(5)),
            "5 minutes"
        );
    }

    #[test]
    fn placeholders_are_filled() {
        let en = Texts::new(Locale::En);
        assert_eq!(
            en.fill(Key::Menu, &[("business", "Salon")]),
            "Salon: how can we help?"
        );
    }

    #[test]
    fn rejections_differ_by_locale() {
        let r = BookingRejection::CancelCutoffPassed {
            cutoff: Minutes::new(120),
        };
        assert!(Texts::new(Locale::Ru).rejection(&r).contains("2 часа"));
        assert!(Texts::new(Locale::En).rejection(&r).contains("2 hours"));
    }
}
