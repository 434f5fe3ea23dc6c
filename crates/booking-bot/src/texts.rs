//! Every text the customer reads, in Russian and English, in one place.
//!
//! A [`Texts`] value is the lookup for one locale: `texts.get(Key::Menu)`, with `{name}`
//! placeholders filled by [`Texts::fill`] and counted nouns by [`Texts::count`], which knows
//! Russian's three plural forms.

use std::{collections::BTreeSet, sync::Arc};

use booking_core::{booking::BookingRejection, catalogue::Minutes, locale::Locale};

use crate::overrides::{Overrides, placeholders};

/// Declares [`Key`] with the stable code each key is stored under in `text_overrides`.
/// Codes never change once released: a tenant's overrides are keyed by them.
macro_rules! keys {
    ($($name:ident = $code:literal,)*) => {
        /// A text, by what it is for.
        #[derive(Copy, Clone, Eq, PartialEq, Hash, Debug)]
        pub enum Key {
            $($name,)*
        }

        impl Key {
            /// Every key, in catalogue order (the admin panel lists them so).
            pub const ALL: &'static [Key] = &[$(Key::$name,)*];

            /// The stable code, e.g. `"menu"`.
            #[must_use]
            pub const fn code(self) -> &'static str {
                match self {
                    $(Key::$name => $code,)*
                }
            }

            /// The key of a stored code; `None` for a code this build does not know.
            #[must_use]
            pub fn from_code(code: &str) -> Option<Self> {
                match code {
                    $($code => Some(Key::$name),)*
                    _ => None,
                }
            }
        }
    };
}

keys! {
    ChooseLanguage = "choose_language",
    Menu = "menu",
    Help = "help",
    AboutTitle = "about_title",
    NotUnderstood = "not_understood",
    BtnBook = "btn_book",
    BtnMyBookings = "btn_my_bookings",
    BtnAbout = "btn_about",
    BtnHelp = "btn_help",
    BtnMenu = "btn_menu",
    BtnBack = "btn_back",
    BtnAnyStaff = "btn_any_staff",
    BtnConfirm = "btn_confirm",
    BtnOtherTime = "btn_other_time",
    BtnCancelBooking = "btn_cancel_booking",
    BtnMoveBooking = "btn_move_booking",
    BtnPast = "btn_past",
    BtnBookAgain = "btn_book_again",
    PastTitle = "past_title",
    NoPast = "no_past",
    PastLine = "past_line",
    BtnMove = "btn_move",
    BtnYesCancel = "btn_yes_cancel",
    BtnNoKeep = "btn_no_keep",
    ChooseService = "choose_service",
    NoServices = "no_services",
    ChooseStaff = "choose_staff",
    ChooseDay = "choose_day",
    ChooseNewDay = "choose_new_day",
    NoDays = "no_days",
    ChooseTime = "choose_time",
    NoTimes = "no_times",
    ConfirmScreen = "confirm_screen",
    Booked = "booked",
    NearestTimes = "nearest_times",
    MyBookingsTitle = "my_bookings_title",
    NoBookings = "no_bookings",
    BookingLine = "booking_line",
    CancelAsk = "cancel_ask",
    Cancelled = "cancelled",
    MoveAsk = "move_ask",
    Moved = "moved",
    ButtonExpired = "button_expired",
    ButtonOldVersion = "button_old_version",
    ButtonGarbage = "button_garbage",
    Unavailable = "unavailable",
    SlowDown = "slow_down",
    AskPhone = "ask_phone",
    BtnSharePhone = "btn_share_phone",
    BtnSkipPhone = "btn_skip_phone",
    PhoneSaved = "phone_saved",
    PhoneSkipped = "phone_skipped",
    PhoneNotOwn = "phone_not_own",
    AdminBooked = "admin_booked",
    AdminCancelled = "admin_cancelled",
    AdminMoved = "admin_moved",
    AdminReleased = "admin_released",
    BtnOpenBooking = "btn_open_booking",
    ByCustomer = "by_customer",
    ByAdmin = "by_admin",
    ByApi = "by_api",
    BySystem = "by_system",
    NoticeBooked = "notice_booked",
    NoticeMoved = "notice_moved",
    NoticeCancelled = "notice_cancelled",
    NoticeCancelledApology = "notice_cancelled_apology",
    NoticeReason = "notice_reason",
    NoticeNearest = "notice_nearest",
    NoticeOtherDay = "notice_other_day",
    CmdStart = "cmd_start",
    CmdBook = "cmd_book",
    CmdMy = "cmd_my",
    CmdAbout = "cmd_about",
    CmdHelp = "cmd_help",
    CmdLanguage = "cmd_language",
    Reminder = "reminder",
    ReminderConfirmed = "reminder_confirmed",
    BtnConfirmVisit = "btn_confirm_visit",
    BtnRescheduleVisit = "btn_reschedule_visit",
    BtnCancelVisit = "btn_cancel_visit",
    VisitConfirmed = "visit_confirmed",
    Released = "released",
    FollowUp = "follow_up",
    RatingThanks = "rating_thanks",
    BtnNoComment = "btn_no_comment",
    CommentSaved = "comment_saved",
    WaitlistHint = "waitlist_hint",
    WaitlistAsk = "waitlist_ask",
    BtnJoinWaitlist = "btn_join_waitlist",
    WaitlistJoined = "waitlist_joined",
    WaitlistOffer = "waitlist_offer",
    WaitlistOfferGone = "waitlist_offer_gone",
    LinkUnknown = "link_unknown",
    AboutAddress = "about_address",
    AboutContacts = "about_contacts",
    AboutHours = "about_hours",
    DayOff = "day_off",
    RejSlotTaken = "rej_slot_taken",
    RejInThePast = "rej_in_the_past",
    RejTooSoon = "rej_too_soon",
    RejBeyondHorizon = "rej_beyond_horizon",
    RejOutsideHours = "rej_outside_hours",
    RejBlocked = "rej_blocked",
    RejLimit = "rej_limit",
    RejCancelCutoff = "rej_cancel_cutoff",
    RejRescheduleCutoff = "rej_reschedule_cutoff",
    RejNotFound = "rej_not_found",
    RejNotChangeable = "rej_not_changeable",
    RejServiceUnavailable = "rej_service_unavailable",
    RejStaffUnavailable = "rej_staff_unavailable",
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

impl Key {
    /// The built-in (Russian, English) texts.
    #[must_use]
    pub const fn defaults(self) -> (&'static str, &'static str) {
        pair(self)
    }

    /// The built-in text in `locale`.
    #[must_use]
    pub const fn default_in(self, locale: Locale) -> &'static str {
        let (ru, en) = pair(self);
        match locale {
            Locale::Ru => ru,
            Locale::En => en,
        }
    }

    /// The placeholders the text takes (those of its defaults, which a unit test keeps equal
    /// in both languages).
    #[must_use]
    pub fn placeholders(self) -> BTreeSet<&'static str> {
        placeholders(pair(self).1).unwrap_or_default()
    }
}

/// The texts of one locale, with the tenant's overrides applied.
#[derive(Clone, Debug)]
pub struct Texts {
    locale: Locale,
    overrides: Arc<Overrides>,
}

impl Texts {
    /// The built-in texts only (the operator's and error paths, where the tenant's overrides
    /// may be exactly what could not be read).
    #[must_use]
    pub fn new(locale: Locale) -> Self {
        Self::with(locale, Arc::default())
    }

    /// The texts with the tenant's overrides.
    #[must_use]
    pub const fn with(locale: Locale, overrides: Arc<Overrides>) -> Self {
        Self { locale, overrides }
    }

    /// The same overrides in another language.
    #[must_use]
    pub fn in_locale(&self, locale: Locale) -> Self {
        Self::with(locale, Arc::clone(&self.overrides))
    }

    #[must_use]
    pub const fn locale(&self) -> Locale {
        self.locale
    }

    /// The text for `key`, placeholders unfilled: the tenant's override, or the default.
    #[must_use]
    pub fn get(&self, key: Key) -> &str {
        self.overrides
            .get(key, self.locale)
            .unwrap_or_else(|| key.default_in(self.locale))
    }

    /// The text for `key` with each `{name}` replaced by its value.
    #[must_use]
    pub fn fill(&self, key: Key, values: &[(&str, &str)]) -> String {
        let mut out = self.get(key).to_owned();
        for (name, value) in values {
            out = out.replace(&format!("{{{name}}}"), value);
        }
        out
    }

    /// "1 booking", "3 записи", "5 записей".
    #[must_use]
    pub fn count(&self, noun: Noun, n: u64) -> String {
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
    pub fn duration(&self, m: Minutes) -> String {
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

    /// Why a booking request was refused, as a sentence (each reason is a keyed text, so a
    /// tenant can reword it like any other).
    #[must_use]
    pub fn rejection(&self, r: &BookingRejection) -> String {
        use BookingRejection as R;
        match r {
            R::SlotTaken => self.get(Key::RejSlotTaken).to_owned(),
            R::InThePast => self.get(Key::RejInThePast).to_owned(),
            R::TooSoon { min_notice } => {
                self.fill(Key::RejTooSoon, &[("notice", &self.duration(*min_notice))])
            }
            R::BeyondHorizon { days } => self.fill(
                Key::RejBeyondHorizon,
                &[("days", &self.count(Noun::Day, u64::from(*days)))],
            ),
            R::OutsideWorkingHours => self.get(Key::RejOutsideHours).to_owned(),
            R::Blocked => self.get(Key::RejBlocked).to_owned(),
            R::LimitReached { limit } => self.fill(
                Key::RejLimit,
                &[("count", &self.count(Noun::Booking, u64::from(*limit)))],
            ),
            R::CancelCutoffPassed { cutoff } => {
                self.fill(Key::RejCancelCutoff, &[("cutoff", &self.duration(*cutoff))])
            }
            R::RescheduleCutoffPassed { cutoff } => self.fill(
                Key::RejRescheduleCutoff,
                &[("cutoff", &self.duration(*cutoff))],
            ),
            R::NotFound => self.get(Key::RejNotFound).to_owned(),
            R::NotChangeable { .. } => self.get(Key::RejNotChangeable).to_owned(),
            R::ServiceUnavailable => self.get(Key::RejServiceUnavailable).to_owned(),
            R::StaffUnavailable => self.get(Key::RejStaffUnavailable).to_owned(),
        }
    }

    /// "Ноябрь 2026", "November 2026".
    #[must_use]
    pub fn month_title(&self, year: i32, month: u32) -> String {
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
    pub const fn visit_status(&self, status: booking_core::booking::BookingStatus) -> &'static str {
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
    pub const fn weekdays(&self) -> [&'static str; 7] {
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

/// The CLDR cardinal rule for Russian, written here: a plural crate (intl_pluralrules) would
/// bring ICU data and a dependency for two languages whose rules fit in a few lines.
/// The rule: 1, 21, 101 → one; 2-4, 22-24 → few; 0, 5-20, 25-30, 11-14 → many.
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
            "🔔 Новая запись ({by}): {service}, мастер {staff}, {date} {time}. Клиент: {customer}",
            "🔔 New booking ({by}): {service} with {staff}, {date} {time}. Customer: {customer}",
        ),
        K::AdminCancelled => (
            "❌ Запись отменена ({by}): {service}, мастер {staff}, {date} {time}. Клиент: {customer}",
            "❌ Booking cancelled ({by}): {service} with {staff}, {date} {time}. Customer: {customer}",
        ),
        K::AdminMoved => (
            "🔄 Запись перенесена ({by}): {service}, мастер {staff}, {old} → {date} {time}. Клиент: {customer}",
            "🔄 Booking moved ({by}): {service} with {staff}, {old} → {date} {time}. Customer: {customer}",
        ),
        K::AdminReleased => (
            "⌛ Запись снята автоматически — клиент не подтвердил визит: {service}, мастер {staff}, \
             {date} {time}. Клиент: {customer}",
            "⌛ Booking released automatically, the customer did not confirm the visit: {service} \
             with {staff}, {date} {time}. Customer: {customer}",
        ),
        K::BtnOpenBooking => ("📋 Открыть запись", "📋 Open the booking"),
        K::ByCustomer => ("клиент", "by the customer"),
        K::ByAdmin => ("администратор", "by an admin"),
        K::ByApi => ("через сайт или API", "via the website or API"),
        K::BySystem => ("автоматически", "automatically"),
        K::NoticeBooked => (
            "✅ Вы записаны: {service}, мастер {staff}\n{date} в {time} ({zone}).",
            "✅ You are booked: {service} with {staff}\n{date} at {time} ({zone}).",
        ),
        K::NoticeMoved => (
            "🔁 Ваша запись перенесена: {service}, мастер {staff}\n{old} → {date} в {time} ({zone}).",
            "🔁 Your visit was moved: {service} with {staff}\n{old} → {date} at {time} ({zone}).",
        ),
        K::NoticeCancelled => (
            "❌ К сожалению, ваша запись отменена: {service}, {date} в {time}.",
            "❌ The business had to cancel your visit: {service}, {date} at {time}.",
        ),
        K::NoticeCancelledApology => (
            "😔 Извините: мастер не сможет работать в этот день, поэтому запись отменена: \
             {service}, {date} в {time}.",
            "😔 We are sorry: your master cannot work that day, so your visit is cancelled: \
             {service}, {date} at {time}.",
        ),
        K::NoticeReason => ("Причина: {reason}", "Reason: {reason}"),
        K::NoticeNearest => (
            "Ближайшее свободное время — запись в одно нажатие:",
            "Nearest free times, one press to rebook:",
        ),
        K::NoticeOtherDay => ("Выберите другой день:", "Choose another day:"),
        K::CmdStart => ("Главное меню", "Main menu"),
        K::CmdBook => ("Записаться", "Book a visit"),
        K::CmdMy => ("Мои записи", "My bookings"),
        K::CmdAbout => ("О нас", "About us"),
        K::CmdHelp => ("Помощь", "Help"),
        K::CmdLanguage => ("Язык", "Language"),
        K::Reminder => (
            "⏰ Напоминание: {service}, мастер {staff}\n{date} в {time} ({zone}). Ждём вас! \
             Подтвердите, пожалуйста, визит.",
            "⏰ Reminder: {service} with {staff}\n{date} at {time} ({zone}). See you! \
             Please confirm your visit.",
        ),
        K::ReminderConfirmed => (
            "⏰ {service}, мастер {staff}\n{date} в {time} ({zone})\n✅ Визит подтверждён.",
            "⏰ {service} with {staff}\n{date} at {time} ({zone})\n✅ Visit confirmed.",
        ),
        K::BtnConfirmVisit => ("✅ Приду", "✅ I'll be there"),
        K::BtnRescheduleVisit => ("🔄 Перенести", "🔄 Reschedule"),
        K::BtnCancelVisit => ("❌ Отменить", "❌ Cancel"),
        K::VisitConfirmed => ("Спасибо, ждём вас!", "Thank you, see you then!"),
        K::Released => (
            "Запись {service} на {date} {time} снята, потому что визит не был подтверждён. \
             Запишитесь снова, если планы не изменились: /book",
            "Your booking for {service} on {date} at {time} was released because the visit was \
             not confirmed. Book again if your plans have not changed: /book",
        ),
        K::FollowUp => (
            "Как прошёл визит ({service}, {date})? Оцените, пожалуйста, от 1 до 5:",
            "How was your visit ({service}, {date})? Please rate it from 1 to 5:",
        ),
        K::RatingThanks => (
            "Спасибо за оценку {rating}! Если хотите, напишите отзыв одним сообщением.",
            "Thank you for rating us {rating}! If you like, write a comment in one message.",
        ),
        K::BtnNoComment => ("Без отзыва", "No comment"),
        K::CommentSaved => ("Спасибо за отзыв!", "Thank you for your comment!"),
        K::WaitlistHint => (
            "Дни с 🔔 заняты: нажмите, чтобы встать в лист ожидания.",
            "Days with 🔔 are full: press one to join its waitlist.",
        ),
        K::WaitlistAsk => (
            "{service}, {date}: свободного времени нет. Встать в лист ожидания? \
             Мы напишем, если время освободится.",
            "{service}, {date}: there is no free time. Join the waitlist? \
             We will message you if time frees up.",
        ),
        K::BtnJoinWaitlist => ("🔔 Встать в лист ожидания", "🔔 Join the waitlist"),
        K::WaitlistJoined => (
            "Вы в листе ожидания на {date}. Как только время освободится, мы напишем.",
            "You are on the waitlist for {date}. We will message you as soon as time frees up.",
        ),
        K::WaitlistOffer => (
            "🔔 Освободилось время: {service}, {date} ({zone}). Кто первым нажмёт, того и запишем:",
            "🔔 Time has freed up: {service}, {date} ({zone}). The first to press gets it:",
        ),
        K::LinkUnknown => (
            "Эта ссылка устарела или неполна — вот наше меню.",
            "This link is out of date or incomplete — here is our menu.",
        ),
        K::AboutAddress => ("📍 Адрес: {address}", "📍 Address: {address}"),
        K::AboutContacts => ("📞 Контакты: {contacts}", "📞 Contacts: {contacts}"),
        K::AboutHours => ("🕘 Часы работы:", "🕘 Opening hours:"),
        K::DayOff => ("выходной", "closed"),
        K::RejSlotTaken => (
            "Это время только что заняли.",
            "This time has just been taken.",
        ),
        K::RejInThePast => ("Это время уже прошло.", "This time is in the past."),
        K::RejTooSoon => (
            "Записаться можно не позднее чем за {notice} до визита.",
            "Bookings need at least {notice} notice.",
        ),
        K::RejBeyondHorizon => (
            "Записаться можно не дальше чем на {days} вперёд.",
            "Bookings can be made at most {days} ahead.",
        ),
        K::RejOutsideHours => (
            "Это время вне рабочих часов.",
            "This time is outside working hours.",
        ),
        K::RejBlocked => ("Это время закрыто.", "This time is blocked."),
        K::RejLimit => (
            "У вас уже {count} — это максимум. Отмените одну, чтобы записаться снова.",
            "You already have {count}, the most allowed. Cancel one to book again.",
        ),
        K::RejCancelCutoff => (
            "Отменить запись можно не позднее чем за {cutoff} до визита. Свяжитесь с нами.",
            "Bookings can be cancelled up to {cutoff} before the visit. Please contact us.",
        ),
        K::RejRescheduleCutoff => (
            "Перенести запись можно не позднее чем за {cutoff} до визита.",
            "Bookings can be moved up to {cutoff} before the visit.",
        ),
        K::RejNotFound => ("Такой записи нет.", "There is no such booking."),
        K::RejNotChangeable => (
            "Эту запись уже нельзя изменить.",
            "This booking can no longer be changed.",
        ),
        K::RejServiceUnavailable => (
            "Эта услуга сейчас недоступна.",
            "This service is not available.",
        ),
        K::RejStaffUnavailable => (
            "Этот мастер не оказывает эту услугу.",
            "This staff member does not give this service.",
        ),
        K::WaitlistOfferGone => (
            "Это предложение больше не действует.",
            "This offer is no longer valid.",
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_codes_are_unique_and_round_trip() {
        let mut seen = std::collections::HashSet::new();
        for &key in Key::ALL {
            assert!(seen.insert(key.code()), "{} twice", key.code());
            assert_eq!(Key::from_code(key.code()), Some(key));
        }
        assert_eq!(Key::from_code("nope"), None);
    }

    #[test]
    fn both_languages_take_the_same_placeholders() {
        for &key in Key::ALL {
            let (ru, en) = key.defaults();
            assert_eq!(placeholders(ru), placeholders(en), "{}", key.code());
            assert!(placeholders(en).is_ok(), "{}", key.code());
        }
    }

    #[test]
    fn an_override_replaces_the_default_in_its_language_only() {
        let o = Arc::new(Overrides::from_rows([(
            "menu".to_owned(),
            Locale::En,
            "Hi from {business}".to_owned(),
        )]));
        let en = Texts::with(Locale::En, Arc::clone(&o));
        assert_eq!(
            en.fill(Key::Menu, &[("business", "Salon")]),
            "Hi from Salon"
        );
        assert_eq!(
            en.in_locale(Locale::Ru).get(Key::Menu),
            Key::Menu.defaults().0
        );
    }

    #[test]
    fn refusals_are_keyed_texts_with_counted_placeholders() {
        let en = Texts::new(Locale::En);
        assert_eq!(
            en.rejection(&BookingRejection::TooSoon {
                min_notice: Minutes::new(60)
            }),
            "Bookings need at least 1 hour notice."
        );
        assert_eq!(
            Texts::new(Locale::Ru).rejection(&BookingRejection::LimitReached { limit: 3 }),
            "У вас уже 3 записи — это максимум. Отмените одну, чтобы записаться снова."
        );
        let o = Arc::new(Overrides::from_rows([(
            "rej_slot_taken".to_owned(),
            Locale::En,
            "Someone was quicker, sorry!".to_owned(),
        )]));
        assert_eq!(
            Texts::with(Locale::En, o).rejection(&BookingRejection::SlotTaken),
            "Someone was quicker, sorry!"
        );
    }

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
