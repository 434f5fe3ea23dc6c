//! Working hours per weekday with breaks, and one date's exception (day off, special hours).

use booking_core::{
    ids::StaffId,
    schedule::{DayException, DayPlan, LocalRange, WeeklyHours},
};
use serde_json::json;
use storage::tenant::{admin_views, schedule, settings};

use super::{
    Cx, audit,
    callback::AdminAction as A,
    input::{self, Pending},
    keyboards::{button, rows},
    parse::{self, InputError},
};
use crate::error::BotError;
use bot_kit::Reply;

const DAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/// "09:00-13:00, 14:00-18:00 break 11:00-11:15" → a day's plan.
fn day_plan(s: &str) -> Result<DayPlan, InputError> {
    let (hours, breaks) = s.split_once("break").unwrap_or((s, ""));
    let list = |s: &str| -> Result<Vec<LocalRange>, InputError> {
        s.split(',')
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(parse::range)
            .collect()
    };
    DayPlan::new(list(hours)?, list(breaks)?).map_err(|e| InputError::Other(e.to_string()))
}

/// One line per day: "mon 09:00-18:00 break 13:00-14:00", "sun off". Days not listed are off.
fn weekly(text: &str) -> Result<WeeklyHours, InputError> {
    let mut week = WeeklyHours::default();
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let lower = line.to_lowercase();
        let (day, rest) = lower.split_once(' ').ok_or(InputError::Shape(
            "a weekday then hours, e.g. mon 09:00-18:00",
        ))?;
        let weekday = DAYS
            .iter()
            .position(|d| *d == day)
            .ok_or_else(|| InputError::Other(format!("unknown weekday {day:?} (mon..sun)")))?;
        let plan = if rest.trim() == "off" {
            DayPlan::closed()
        } else {
            day_plan(rest)?
        };
        week.set(u32::try_from(weekday).unwrap_or(0), plan);
    }
    Ok(week)
}

fn show(rows: &[(i16, String, chrono::NaiveTime, chrono::NaiveTime)]) -> String {
    let mut out = String::new();
    for (i, day) in DAYS.iter().enumerate() {
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
            out.push_str("off");
        } else {
            out.push_str(&hours);
            if !breaks.is_empty() {
                out.push_str(&format!(" break {breaks}"));
            }
        }
    }
    out
}

pub async fn hours_ask(cx: &Cx<'_>, staff: Option<StaffId>) -> Result<Reply, BotError> {
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
            show(&current),
            cx.tr(
                "Send the whole week, one line per day, e.g.\nmon 09:00-18:00 break 13:00-14:00\nsat 10:00-15:00\nDays not listed are days off. (/admin to leave)",
                "Пришлите всю неделю, по строке на день, например\nmon 09:00-18:00 break 13:00-14:00\nsat 10:00-15:00\nНе указанные дни — выходные. (/admin — выйти)"
            )
        ),
        rows(vec![vec![button(cx.tr("◀ Availability", "◀ Доступность"), A::Availability)]]),
    ))
}

pub async fn hours(cx: &Cx<'_>, staff: Option<StaffId>, text: &str) -> Result<Reply, BotError> {
    let week = match weekly(text) {
        Ok(w) => w,
        Err(e) => return Ok(Reply::alert(format!("⚠️ {e}"))),
    };
    let mut tx = cx.tx().await?;
    schedule::set_weekly(&mut tx, staff, &week).await?;
    audit::record(
        cx,
        &mut tx,
        "hours.set",
        staff.map_or_else(|| "business".to_owned(), |s| format!("staff:{s}")),
        json!({ "text": text }),
    )
    .await?;
    let now = admin_views::weekly_rows(&mut tx, staff).await?;
    tx.commit().await?;
    input::clear(cx.app, cx.chat).await?;
    Ok(Reply::screen(
        format!("✅ {}{}", cx.tr("Saved:", "Сохранено:"), show(&now)),
        rows(vec![vec![button(
            cx.tr("◀ Availability", "◀ Доступность"),
            A::Availability,
        )]]),
    ))
}

pub async fn exception_ask(cx: &Cx<'_>, staff: Option<StaffId>) -> Result<Reply, BotError> {
    input::set(cx.app, cx.chat, &Pending::Exception { staff }).await?;
    Ok(Reply::screen(
        cx.tr(
            "📌 Send one date and what applies:\n31.12.2026 off — a day off\n30.12.2026 10:00-15:00 break 12:00-12:30 — special hours\n31.12.2026 normal — back to the weekly hours\n(/admin to leave)",
            "📌 Пришлите дату и что в этот день:\n31.12.2026 off — выходной\n30.12.2026 10:00-15:00 break 12:00-12:30 — особые часы\n31.12.2026 normal — как обычно\n(/admin — выйти)",
        ),
        rows(vec![vec![button(cx.tr("◀ Availability", "◀ Доступность"), A::Availability)]]),
    ))
}

pub async fn exception(cx: &Cx<'_>, staff: Option<StaffId>, text: &str) -> Result<Reply, BotError> {
    let mut tx = cx.tx().await?;
    let zone = settings::profile(&mut tx).await?.time_zone;
    let today = cx.app.now().with_timezone(&zone).date_naive();
    let parsed = (|| {
        let (d, rest) = text
            .trim()
            .split_once(' ')
            .ok_or(InputError::Shape("a date, then off, normal or hours"))?;
        let day = parse::date(d, today)?;
        let rest = rest.trim().to_lowercase();
        Ok::<_, InputError>(match rest.as_str() {
            "off" => (day, Some(DayException::DayOff)),
            "normal" => (day, None),
            hours => (day, Some(DayException::SpecialHours(day_plan(hours)?))),
        })
    })();
    let (day, exception) = match parsed {
        Ok(p) => p,
        Err(e) => return Ok(Reply::alert(format!("⚠️ {e}"))),
    };
    match &exception {
        Some(e) => schedule::set_exception(&mut tx, staff, day, e).await?,
        None => {
            admin_views::clear_exception(&mut tx, staff, day).await?;
        }
    }
    audit::record(
        cx,
        &mut tx,
        "exception.set",
        format!("{day}"),
        json!({ "staff": staff, "text": text }),
    )
    .await?;
    tx.commit().await?;
    input::clear(cx.app, cx.chat).await?;
    Ok(Reply::screen(
        format!(
            "✅ {} {}",
            day.format("%d.%m.%Y"),
            cx.tr("saved.", "сохранено.")
        ),
        rows(vec![vec![button(
            cx.tr("◀ Availability", "◀ Доступность"),
            A::Availability,
        )]]),
    ))
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
    }
}
