//! Inline keyboards. Every button's data is a [`CallbackData`].

use booking_core::{
    Tz,
    catalogue::{Service, Staff},
    currency::Currency,
    ids::BookingId,
    locale::Locale,
};
use chrono::{Datelike, NaiveDate};
use storage::tenant::{
    bookings::model::{BookingView, StaffSlot},
    waitlist_views::Waiting,
};
use teloxide::types::{
    ButtonRequest, InlineKeyboardButton, InlineKeyboardMarkup, KeyboardButton, KeyboardMarkup,
};

use crate::{
    customer::callback::{CallbackData, MenuItem},
    texts::{Key, Texts},
};

/// One button.
#[must_use]
pub fn button(label: impl Into<String>, data: CallbackData) -> InlineKeyboardButton {
    InlineKeyboardButton::callback(label, data.to_string())
}

/// Book, My bookings, About, Help.
#[must_use]
pub fn main_menu(t: &Texts) -> InlineKeyboardMarkup {
    InlineKeyboardMarkup::new([
        vec![button(
            t.get(Key::BtnBook),
            CallbackData::Menu(MenuItem::Book),
        )],
        vec![button(
            t.get(Key::BtnMyBookings),
            CallbackData::Menu(MenuItem::MyBookings),
        )],
        vec![
            button(t.get(Key::BtnAbout), CallbackData::Menu(MenuItem::About)),
            button(t.get(Key::BtnHelp), CallbackData::Menu(MenuItem::Help)),
        ],
    ])
}

/// A single "Menu" button.
#[must_use]
pub fn to_menu(t: &Texts) -> InlineKeyboardMarkup {
    InlineKeyboardMarkup::new([vec![button(
        t.get(Key::BtnMenu),
        CallbackData::Menu(MenuItem::Main),
    )]])
}

/// Русский / English.
#[must_use]
pub fn languages() -> InlineKeyboardMarkup {
    InlineKeyboardMarkup::new([vec![
        button("🇷🇺 Русский", CallbackData::Language(Locale::Ru)),
        button("🇬🇧 English", CallbackData::Language(Locale::En)),
    ]])
}

/// The contact button (Telegram shares the user's own number) and Skip, hidden after use.
#[must_use]
pub fn share_phone(t: &Texts) -> KeyboardMarkup {
    KeyboardMarkup::new([
        vec![KeyboardButton::new(t.get(Key::BtnSharePhone)).request(ButtonRequest::Contact)],
        vec![KeyboardButton::new(t.get(Key::BtnSkipPhone))],
    ])
    .resize_keyboard()
    .one_time_keyboard()
}

/// One row per service, then Menu.
#[must_use]
pub fn services(t: &Texts, services: &[Service], currency: Currency) -> InlineKeyboardMarkup {
    let mut rows: Vec<Vec<InlineKeyboardButton>> = services
        .iter()
        .map(|s| {
            let label = format!(
                "{} · {} · {}",
                s.name,
                t.duration(s.timing.duration),
                t.price(s.price, currency)
            );
            vec![button(label, CallbackData::Service(s.id))]
        })
        .collect();
    rows.push(vec![button(
        t.get(Key::BtnMenu),
        CallbackData::Menu(MenuItem::Main),
    )]);
    InlineKeyboardMarkup::new(rows)
}

/// "Anyone available", then one row per staff member, then Back.
#[must_use]
pub fn staff(t: &Texts, staff: &[Staff]) -> InlineKeyboardMarkup {
    let mut rows = vec![vec![button(
        t.get(Key::BtnAnyStaff),
        CallbackData::Staff(None),
    )]];
    rows.extend(
        staff
            .iter()
            .map(|s| vec![button(s.name.clone(), CallbackData::Staff(Some(s.id)))]),
    );
    rows.push(vec![button(
        t.get(Key::BtnBack),
        CallbackData::Menu(MenuItem::Book),
    )]);
    InlineKeyboardMarkup::new(rows)
}

/// What a month calendar shows.
pub struct Calendar<'a> {
    pub year: i32,
    pub month: u32,
    /// Days that have free time; only these are pressable.
    pub bookable: &'a [NaiveDate],
    /// Full days whose waitlist can be joined (shown with 🔔).
    pub full: &'a [NaiveDate],
    pub prev: Option<(i32, u32)>,
    pub next: Option<(i32, u32)>,
}

/// A month grid, Monday first: ◀ Month ▶, weekdays, days (bookable ones pressable), Back.
#[must_use]
pub fn calendar(t: &Texts, c: &Calendar<'_>) -> InlineKeyboardMarkup {
    let nav = |target: Option<(i32, u32)>, label: &str| match target {
        Some((year, month)) => button(label, CallbackData::Month { year, month }),
        None => button(" ", CallbackData::Noop),
    };
    let mut rows = vec![
        vec![
            nav(c.prev, "◀"),
            button(t.month_title(c.year, c.month), CallbackData::Noop),
            nav(c.next, "▶"),
        ],
        t.weekdays()
            .iter()
            .map(|d| button(*d, CallbackData::Noop))
            .collect(),
    ];
    let Some(first) = NaiveDate::from_ymd_opt(c.year, c.month, 1) else {
        return InlineKeyboardMarkup::new(rows);
    };
    let mut week: Vec<InlineKeyboardButton> = (0..first.weekday().num_days_from_monday())
        .map(|_| button(" ", CallbackData::Noop))
        .collect();
    let mut day = first;
    while day.month() == c.month {
        week.push(if c.bookable.contains(&day) {
            button(day.day().to_string(), CallbackData::Day(day))
        } else if c.full.contains(&day) {
            button(format!("{}🔔", day.day()), CallbackData::WaitDay(day))
        } else {
            button("·", CallbackData::Noop)
        });
        if week.len() == 7 {
            rows.push(std::mem::take(&mut week));
        }
        match day.succ_opt() {
            Some(next) => day = next,
            None => break,
        }
    }
    if !week.is_empty() {
        while week.len() < 7 {
            week.push(button(" ", CallbackData::Noop));
        }
        rows.push(week);
    }
    rows.push(vec![button(
        t.get(Key::BtnBack),
        CallbackData::Menu(MenuItem::Book),
    )]);
    InlineKeyboardMarkup::new(rows)
}

/// Free start times, four to a row, shown in the tenant's zone; then `back`.
#[must_use]
pub fn times(
    slots: &[StaffSlot],
    zone: Tz,
    with_date: bool,
    back: InlineKeyboardButton,
) -> InlineKeyboardMarkup {
    let buttons: Vec<InlineKeyboardButton> = slots
        .iter()
        .map(|s| {
            let local = s.start.with_timezone(&zone);
            let label = if with_date {
                local.format("%d.%m %H:%M").to_string()
            } else {
                local.format("%H:%M").to_string()
            };
            button(label, CallbackData::Time(s.start))
        })
        .collect();
    let mut rows: Vec<Vec<InlineKeyboardButton>> = buttons
        .chunks(4)
        .map(<[InlineKeyboardButton]>::to_vec)
        .collect();
    rows.push(vec![back]);
    InlineKeyboardMarkup::new(rows)
}

/// Confirm the held booking, or pick another time on that day.
#[must_use]
pub fn confirm(t: &Texts, hold: BookingId, date: NaiveDate, series: bool) -> InlineKeyboardMarkup {
    let mut rows = vec![vec![button(
        t.get(Key::BtnConfirm),
        CallbackData::Confirm(hold),
    )]];
    if series {
        rows.push(vec![button(
            t.get(Key::BtnRepeatSeries),
            CallbackData::SeriesEvery(hold),
        )]);
    }
    rows.push(vec![button(
        t.get(Key::BtnOtherTime),
        CallbackData::Day(date),
    )]);
    InlineKeyboardMarkup::new(rows)
}

/// Move to `start`, or pick another time on that day.
#[must_use]
pub fn move_to(
    t: &Texts,
    start: chrono::DateTime<chrono::Utc>,
    date: NaiveDate,
) -> InlineKeyboardMarkup {
    InlineKeyboardMarkup::new([
        vec![button(
            t.get(Key::BtnMove),
            CallbackData::RescheduleTo(start),
        )],
        vec![button(t.get(Key::BtnOtherTime), CallbackData::Day(date))],
    ])
}

/// Cancel and Move buttons per upcoming booking, then Menu.
#[must_use]
pub fn my_bookings(
    t: &Texts,
    bookings: &[BookingView],
    waiting: &[Waiting],
) -> InlineKeyboardMarkup {
    let mut rows: Vec<Vec<InlineKeyboardButton>> = bookings
        .iter()
        .enumerate()
        .map(|(i, b)| {
            let n = (i + 1).to_string();
            vec![
                button(
                    t.fill(Key::BtnCancelBooking, &[("n", &n)]),
                    CallbackData::CancelAsk(b.booking.id),
                ),
                button(
                    t.fill(Key::BtnMoveBooking, &[("n", &n)]),
                    CallbackData::RescheduleAsk(b.booking.id),
                ),
            ]
        })
        .collect();
    rows.extend(waiting.iter().enumerate().map(|(i, w)| {
        vec![button(
            t.fill(Key::BtnLeaveWaitlist, &[("n", &(i + 1).to_string())]),
            CallbackData::WaitLeave(w.id),
        )]
    }));
    rows.push(vec![
        button(t.get(Key::BtnPast), CallbackData::Menu(MenuItem::Past)),
        button(t.get(Key::BtnMenu), CallbackData::Menu(MenuItem::Main)),
    ]);
    InlineKeyboardMarkup::new(rows)
}

/// One "again" button per past visit, then Back and Menu.
#[must_use]
pub fn past_visits(t: &Texts, visits: &[BookingView]) -> InlineKeyboardMarkup {
    let buttons: Vec<InlineKeyboardButton> = visits
        .iter()
        .enumerate()
        .map(|(i, b)| {
            let label = t.fill(Key::BtnBookAgain, &[("n", &(i + 1).to_string())]);
            button(label, CallbackData::BookAgain(b.booking.id, None))
        })
        .collect();
    let mut rows: Vec<Vec<InlineKeyboardButton>> = buttons
        .chunks(3)
        .map(<[InlineKeyboardButton]>::to_vec)
        .collect();
    rows.push(vec![
        button(
            t.get(Key::BtnBack),
            CallbackData::Menu(MenuItem::MyBookings),
        ),
        button(t.get(Key::BtnMenu), CallbackData::Menu(MenuItem::Main)),
    ]);
    InlineKeyboardMarkup::new(rows)
}

/// Yes, cancel / No, keep it.
#[must_use]
pub fn cancel_ask(t: &Texts, id: BookingId) -> InlineKeyboardMarkup {
    InlineKeyboardMarkup::new([vec![
        button(t.get(Key::BtnYesCancel), CallbackData::CancelYes(id)),
        button(
            t.get(Key::BtnNoKeep),
            CallbackData::Menu(MenuItem::MyBookings),
        ),
    ]])
}

/// A booking of a series: cancel this one, or this and the `rest` (this one included).
#[must_use]
pub fn cancel_series_ask(t: &Texts, id: BookingId, rest: usize) -> InlineKeyboardMarkup {
    InlineKeyboardMarkup::new([
        vec![button(
            t.get(Key::BtnCancelOne),
            CallbackData::CancelYes(id),
        )],
        vec![button(
            t.fill(Key::BtnCancelRest, &[("n", &rest.to_string())]),
            CallbackData::CancelRest(id),
        )],
        vec![button(
            t.get(Key::BtnNoKeep),
            CallbackData::Menu(MenuItem::MyBookings),
        )],
    ])
}

/// Confirm, Reschedule, Cancel under a reminder.
#[must_use]
pub fn reminder(t: &Texts, id: BookingId) -> InlineKeyboardMarkup {
    InlineKeyboardMarkup::new([
        vec![button(
            t.get(Key::BtnConfirmVisit),
            CallbackData::ConfirmVisit(id),
        )],
        vec![
            button(
                t.get(Key::BtnRescheduleVisit),
                CallbackData::RescheduleAsk(id),
            ),
            button(t.get(Key::BtnCancelVisit), CallbackData::CancelAsk(id)),
        ],
    ])
}

/// Join the waitlist of `day`, or back to the calendar.
#[must_use]
pub fn join_waitlist(t: &Texts, day: NaiveDate) -> InlineKeyboardMarkup {
    InlineKeyboardMarkup::new([
        vec![button(
            t.get(Key::BtnJoinWaitlist),
            CallbackData::WaitJoin(day),
        )],
        vec![button(
            t.get(Key::BtnBack),
            CallbackData::Month {
                year: day.year(),
                month: day.month(),
            },
        )],
    ])
}

/// The freed times offered to a waitlist entry, four to a row.
#[must_use]
pub fn waitlist_offer(
    entry: booking_core::ids::WaitlistId,
    starts: &[chrono::DateTime<chrono::Utc>],
    zone: Tz,
) -> InlineKeyboardMarkup {
    let buttons: Vec<InlineKeyboardButton> = starts
        .iter()
        .map(|s| {
            let label = s.with_timezone(&zone).format("%H:%M").to_string();
            button(label, CallbackData::WaitTake(entry, *s))
        })
        .collect();
    InlineKeyboardMarkup::new(buttons.chunks(4).map(<[InlineKeyboardButton]>::to_vec))
}

/// 1 to 5 stars under a follow-up.
#[must_use]
pub fn rating(id: BookingId) -> InlineKeyboardMarkup {
    InlineKeyboardMarkup::new([(1..=5u8)
        .map(|n| button(format!("{n} ⭐"), CallbackData::Rate(id, n)))
        .collect::<Vec<_>>()])
}

/// "No comment" after a rating: back to the menu.
#[must_use]
pub fn no_comment(t: &Texts) -> InlineKeyboardMarkup {
    InlineKeyboardMarkup::new([vec![button(
        t.get(Key::BtnNoComment),
        CallbackData::Menu(MenuItem::Main),
    )]])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data(markup: &InlineKeyboardMarkup) -> Vec<Vec<String>> {
        markup
            .inline_keyboard
            .iter()
            .map(|row| {
                row.iter()
                    .map(|b| match &b.kind {
                        teloxide::types::InlineKeyboardButtonKind::CallbackData(d) => d.clone(),
                        other => panic!("not a callback button: {other:?}"),
                    })
                    .collect()
            })
            .collect()
    }

    #[test]
    fn a_calendar_starts_on_monday_and_only_bookable_days_are_pressable() {
        // November 2026 starts on a Sunday.
        let bookable = [
            NaiveDate::from_ymd_opt(2026, 11, 2).unwrap(),
            NaiveDate::from_ymd_opt(2026, 11, 30).unwrap(),
        ];
        let grid = Calendar {
            year: 2026,
            month: 11,
            bookable: &bookable,
            full: &[],
            prev: None,
            next: Some((2026, 12)),
        };
        let rows = data(&calendar(&Texts::new(Locale::En), &grid));
        assert_eq!(rows[0], ["v1:n", "v1:n", "v1:M:202612"]);
        assert_eq!(rows[1].len(), 7);
        // Week 1: six blanks and Sunday the 1st (not bookable).
        assert_eq!(rows[2], ["v1:n"; 7]);
        assert_eq!(rows[3][0], "v1:d:20261102");
        assert!(rows[3][1..].iter().all(|d| d == "v1:n"));
        // Six week rows (1, 2-8, ..., 30), every one full.
        let weeks = &rows[2..rows.len() - 1];
        assert_eq!(weeks.len(), 6);
        assert!(weeks.iter().all(|w| w.len() == 7));
        assert_eq!(weeks[5][0], "v1:d:20261130");
        assert_eq!(rows.last().unwrap(), &["v1:m:book"]);
    }
}
