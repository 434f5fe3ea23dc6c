//! Every text the customer reads, in Russian and English, in one place.
//!
//! A [`Texts`] value is the lookup for one locale: `texts.get(Key::Menu)`, with `{name}`
//! placeholders filled by [`Texts::fill`] and counted nouns by [`Texts::count`], which knows
//! Russian's three plural forms.

use std::{collections::BTreeSet, sync::Arc};

use booking_core::{booking::BookingRejection, catalogue::Minutes, locale::Locale};

/// Every text's defaults, in Russian and English.
mod catalogue;
/// Money, dates with weekdays, and time zones by name.
mod formats;
/// The tenant's own wording of any text, and the validator the admin panel saves it with.
pub mod overrides;

use catalogue::pair;
use overrides::{Overrides, placeholders};

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
    AdminLowRating = "admin_low_rating",
    RatingComment = "rating_comment",
    NoRatingComment = "no_rating_comment",
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
    CmdPhone = "cmd_phone",
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
    MyWaitlistTitle = "my_waitlist_title",
    MyWaitlistLine = "my_waitlist_line",
    MyWaitlistLineAnyone = "my_waitlist_line_anyone",
    BtnLeaveWaitlist = "btn_leave_waitlist",
    WaitlistLeft = "waitlist_left",
    WaitlistLeaveGone = "waitlist_leave_gone",
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
    RejClassFull = "rej_class_full",
    RejAlreadyInClass = "rej_already_in_class",
    RejSeatNotMovable = "rej_seat_not_movable",
    SeatsLeft = "seats_left",
    CalendarFileCaption = "calendar_file_caption",
    CalendarFileStaff = "calendar_file_staff",
    BtnAddToCalendar = "btn_add_to_calendar",
    AgainTimes = "again_times",
    BtnAgain = "btn_again",
    Nudge = "nudge",
    WinBackNoShow = "win_back_no_show",
    WinBackCancelled = "win_back_cancelled",
    RepeatTimes = "repeat_times",
    RepeatNoTimes = "repeat_no_times",
    BtnNotNow = "btn_not_now",
    BtnStopRepeat = "btn_stop_repeat",
    RepeatNotNowDone = "repeat_not_now_done",
    RepeatStopped = "repeat_stopped",
    BtnRepeatSeries = "btn_repeat_series",
    SeriesEvery = "series_every",
    BtnEveryWeek = "btn_every_week",
    BtnEveryTwoWeeks = "btn_every_two_weeks",
    EveryWeek = "every_week",
    EveryTwoWeeks = "every_two_weeks",
    SeriesTimes = "series_times",
    SeriesPlan = "series_plan",
    SeriesLineFree = "series_line_free",
    SeriesLineTaken = "series_line_taken",
    SeriesNothingNear = "series_nothing_near",
    SeriesLineInstead = "series_line_instead",
    SeriesAllFree = "series_all_free",
    SeriesSomeTaken = "series_some_taken",
    BtnSeriesAll = "btn_series_all",
    BtnSeriesFree = "btn_series_free",
    BtnSeriesInstead = "btn_series_instead",
    SeriesChanged = "series_changed",
    SeriesBooked = "series_booked",
    SeriesCancelNote = "series_cancel_note",
    BtnCancelOne = "btn_cancel_one",
    BtnCancelRest = "btn_cancel_rest",
    SeriesCancelled = "series_cancelled",
    PayAsk = "pay_ask",
    PayDeposit = "pay_deposit",
    PayFull = "pay_full",
    ConfirmPayNote = "confirm_pay_note",
    InvoiceDescription = "invoice_description",
    PayUnknown = "pay_unknown",
    PayWrongSum = "pay_wrong_sum",
    PayAlreadyPaid = "pay_already_paid",
    PayReplaced = "pay_replaced",
    PayTaken = "pay_taken",
    PayTakenNoTimes = "pay_taken_no_times",
    PaidBooked = "paid_booked",
    PaidLate = "paid_late",
    PaidTwice = "paid_twice",
    RefundToCard = "refund_to_card",
    RefundByHand = "refund_by_hand",
    RefundPartToCard = "refund_part_to_card",
    RefundPartByHand = "refund_part_by_hand",
    RefundKept = "refund_kept",
    RefundOwnerDecides = "refund_owner_decides",
    RefundMade = "refund_made",
    CancelLateKeeps = "cancel_late_keeps",
}

/// A noun that is counted.
#[derive(Copy, Clone, Eq, PartialEq, Debug)]
pub enum Noun {
    Minute,
    Hour,
    Day,
    Booking,
    FreeTime,
    Seat,
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
        self.locale.count(n, ru_forms(noun), en_forms(noun))
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
            R::ClassFull => self.get(Key::RejClassFull).to_owned(),
            R::AlreadyInClass => self.get(Key::RejAlreadyInClass).to_owned(),
            R::SeatNotMovable => self.get(Key::RejSeatNotMovable).to_owned(),
        }
    }

    /// "Ноябрь 2026", "November 2026".
    #[must_use]
    pub fn month_title(&self, year: i32, month: u32) -> String {
        format!("{} {year}", self.locale.month(month.saturating_sub(1)))
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

const fn ru_forms(noun: Noun) -> [&'static str; 3] {
    match noun {
        Noun::Minute => ["минуту", "минуты", "минут"],
        Noun::Hour => ["час", "часа", "часов"],
        Noun::Day => ["день", "дня", "дней"],
        Noun::Booking => ["запись", "записи", "записей"],
        Noun::FreeTime => ["свободное окно", "свободных окна", "свободных окон"],
        Noun::Seat => ["место", "места", "мест"],
    }
}

const fn en_forms(noun: Noun) -> [&'static str; 2] {
    match noun {
        Noun::Minute => ["minute", "minutes"],
        Noun::Hour => ["hour", "hours"],
        Noun::Day => ["day", "days"],
        Noun::Booking => ["booking", "bookings"],
        Noun::FreeTime => ["free time", "free times"],
        Noun::Seat => ["seat", "seats"],
    }
}

#[cfg(test)]
mod tests;
