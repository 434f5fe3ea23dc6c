//! Working hours per weekday with breaks, and one date's exception (day off, special hours).

use crate::admin::roles::Acting;
use crate::runtime::context::Cx;
use booking_core::{
    ids::StaffId,
    locale::Locale,
    schedule::{DayException, DayPlan, LocalRange, WeeklyHours},
};
use storage::tenant::{admin_views, settings};

use super::{
    callback::AdminAction as A,
    input::{self, Pending},
    keyboards::{button, rows},
    parse::{self, InputError, Shape},
    preview::{self, Change},
    texts::{WEEKDAYS_EN, WEEKDAYS_RU, example, tr, weekday as weekday_name},
};
use crate::error::BotError;
use bot_kit::Reply;

/// What a day off is called in a typed line.
const OFF: [&str; 4] = ["off", "выходной", "вых", "выходной день"];
/// What "back to the weekly hours" is called in a typed exception.
const NORMAL: [&str; 4] = ["normal", "обычный", "обычно", "как обычно"];
/// What separates the hours from the breaks.
const BREAK: [&str; 2] = ["break", "перерыв"];

/// A weekday typed in either language (0 is Monday).
fn weekday(s: &str) -> Option<usize> {
    const FULL_RU: [&str; 7] = [
        "понедельник",
        "вторник",
        "среда",
        "четверг",
        "пятница",
        "суббота",
        "воскресенье",
    ];
    const FULL_EN: [&str; 7] = [
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
    ];
    let s = s.trim().trim_end_matches('.');
    [WEEKDAYS_EN, WEEKDAYS_RU, FULL_RU, FULL_EN]
        .iter()
        .find_map(|names| names.iter().position(|d| *d == s))
}

/// "пн", "пн-пт", "mon-fri" → the days it names.
fn weekdays(s: &str) -> Result<Vec<usize>, InputError> {
    let unknown = || InputError::Weekday(s.to_owned());
    match s.split_once(['-', '–']) {
        Some((a, b)) => {
            let (a, b) = (
                weekday(a).ok_or_else(unknown)?,
                weekday(b).ok_or_else(unknown)?,
            );
            if b < a {
                return Err(unknown());
            }
            Ok((a..=b).collect())
        }
        None => Ok(vec![weekday(s).ok_or_else(unknown)?]),
    }
}

/// "09:00-13:00, 14:00-18:00 break 11:00-11:15" (or "перерыв") → a day's plan.
fn day_plan(s: &str) -> Result<DayPlan, InputError> {
    let (hours, breaks) = BREAK
        .iter()
        .find_map(|word| s.split_once(word))
        .unwrap_or((s, ""));
    let list = |s: &str| -> Result<Vec<LocalRange>, InputError> {
        s.split(',')
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(parse::range)
            .collect()
    };
    Ok(DayPlan::new(list(hours)?, list(breaks)?)?)
}

/// One line per day or run of days: "пн-пт 09:00-18:00 перерыв 13:00-14:00", "вс выходной",
/// "mon 09:00-18:00 break 13:00-14:00". Days not listed are off.
fn weekly(text: &str) -> Result<WeeklyHours, InputError> {
    let mut week = WeeklyHours::default();
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let lower = line.to_lowercase();
        let (days, rest) = lower
            .split_once(char::is_whitespace)
            .ok_or(InputError::Shape(Shape::WeekLine))?;
        let rest = rest.trim();
        let plan = if OFF.contains(&rest) {
            DayPlan::closed()
        } else {
            day_plan(rest)?
        };
        for d in weekdays(days)? {
            week.set(u32::try_from(d).unwrap_or(0), plan.clone());
        }
    }
    Ok(week)
}

pub(super) fn show(
    locale: Locale,
    rows: &[(i16, String, chrono::NaiveTime, chrono::NaiveTime)],
) -> String {
    let mut out = String::new();
    for i in 0..7 {
        let day = weekday_name(locale, i);
        let of: Vec<_> = rows
            .iter()
            .filter(|r| usize::try_from(r.0).ok() == Some(i))
            .collect();
        let fmt = |kind: &str| {
            of.iter()
                .filter(|r| r.1 == kind)
                .map(|r| format!("{}-{}", r.2.format("%H:%M"), r.3.format("%H:%M")))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let (hours, breaks) = (fmt("hours"), fmt("break"));
        out.push_str(&format!("\n{day} "));
        if hours.is_empty() {
            out.push_str(tr(locale, "off", "выходной"));
        } else {
            out.push_str(&hours);
            if !breaks.is_empty() {
                out.push_str(&format!(" {} {breaks}", tr(locale, "break", "перерыв")));
            }
        }
    }
    out
}

pub async fn hours_ask(cx: &Cx<'_, Acting>, staff: Option<StaffId>) -> Result<Reply, BotError> {
    let mut tx = cx.tx().await?;
    let current = admin_views::weekly_rows(&mut tx, staff).await?;
    tx.commit().await?;
    input::set(cx.app, cx.chat, &Pending::Hours { staff }).await?;
    let whose = if staff.is_some() && current.is_empty() {
        cx.tr("(follows the business's hours)", "(как у заведения)")
    } else {
        ""
    };
    Ok(Reply::screen(
        format!(
            "🕘 {} {whose}{}\n\n{}",
            cx.tr("Weekly hours", "Часы работы"),
            show(cx.locale, &current),
            cx.tr(
                "Send the whole week, one line per day or run of days, e.g.\nmon-fri 09:00-18:00 break 13:00-14:00\nsat 10:00-15:00\nsun off\nDays not listed are days off. (/admin to leave)",
                "Пришлите всю неделю, по строке на день или на несколько дней подряд, например:\nпн-пт 09:00-18:00 перерыв 13:00-14:00\nсб 10:00-15:00\nвс выходной\nНе указанные дни — выходные. (/admin — выйти)"
            )
        ),
        rows(vec![vec![button(cx.tr("◀ Availability", "◀ Доступность"), A::Availability)]]),
    ))
}

pub async fn hours(
    cx: &Cx<'_, Acting>,
    staff: Option<StaffId>,
    text: &str,
) -> Result<Reply, BotError> {
    let week = match weekly(text) {
        Ok(w) => w,
        Err(e) => return Ok(Reply::alert(e.say(cx.locale))),
    };
    preview::propose(
        cx,
        Change::Weekly {
            staff,
            week: Box::new(week),
            text: text.to_owned(),
        },
    )
    .await
}

pub async fn exception_ask(cx: &Cx<'_, Acting>, staff: Option<StaffId>) -> Result<Reply, BotError> {
    let mut tx = cx.tx().await?;
    let zone = settings::profile(&mut tx).await?.time_zone;
    tx.commit().await?;
    let today = cx.app.now().with_timezone(&zone).date_naive();
    let (a, b) = (example(today, 7), example(today, 8));
    input::set(cx.app, cx.chat, &Pending::Exception { staff }).await?;
    Ok(Reply::screen(
        match cx.locale {
            Locale::En => format!(
                "📌 Send one date and what applies:\n{a} off — a day off\n{b} 10:00-15:00 break 12:00-12:30 — special hours\n{a} normal — back to the weekly hours\n(/admin to leave)"
            ),
            Locale::Ru => format!(
                "📌 Пришлите дату и что в этот день:\n{a} выходной — выходной день\n{b} 10:00-15:00 перерыв 12:00-12:30 — особые часы\n{a} обычный — как в обычную неделю\n(/admin — выйти)"
            ),
        },
        rows(vec![vec![button(
            cx.tr("◀ Availability", "◀ Доступность"),
            A::Availability,
        )]]),
    ))
}

pub async fn exception(
    cx: &Cx<'_, Acting>,
    staff: Option<StaffId>,
    text: &str,
) -> Result<Reply, BotError> {
    let mut tx = cx.tx().await?;
    let zone = settings::profile(&mut tx).await?.time_zone;
    let today = cx.app.now().with_timezone(&zone).date_naive();
    let parsed = (|| {
        let (d, rest) = text
            .trim()
            .split_once(' ')
            .ok_or(InputError::Shape(Shape::Exception))?;
        let day = parse::date(d, today)?;
        let rest = rest.trim().to_lowercase();
        let rest = rest.as_str();
        Ok::<_, InputError>(if OFF.contains(&rest) {
            (day, Some(DayException::DayOff))
        } else if NORMAL.contains(&rest) {
            (day, None)
        } else {
            (day, Some(DayException::SpecialHours(day_plan(rest)?)))
        })
    })();
    let (day, exception) = match parsed {
        Ok(p) => p,
        Err(e) => return Ok(Reply::alert(e.say(cx.locale))),
    };
    tx.commit().await?;
    preview::propose(
        cx,
        Change::Exception {
            staff,
            day,
            exception,
            text: text.to_owned(),
        },
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_week_is_parsed_and_bad_lines_are_named() {
        let week =
            weekly("mon 09:00-18:00 break 13:00-14:00\nsat 10:00-12:00, 13:00-15:00").unwrap();
        assert_eq!(week.day(0).hours().len(), 1);
        assert_eq!(week.day(0).breaks().len(), 1);
        assert_eq!(week.day(5).hours().len(), 2);
        assert!(week.day(6).is_closed());
        assert!(weekly("funday 09:00-10:00").is_err());
        assert!(weekly("mon 18:00-09:00").is_err());
        assert!(weekly("mon").is_err());
        let ru =
            weekly("пн-пт 09:00-18:00 перерыв 13:00-14:00\nсб 10:00-15:00\nвс выходной").unwrap();
        for d in 0..5 {
            assert_eq!(ru.day(d).breaks().len(), 1);
        }
        assert_eq!(ru.day(5).hours().len(), 1);
        assert!(ru.day(6).is_closed());
        assert_eq!(
            weekly("пт-пн 09:00-18:00"),
            Err(InputError::Weekday("пт-пн".to_owned()))
        );
    }
}
