//! A phoned-in series: the phoned-in booking's text with a fourth part ("4 weekly", "6 every 2
//! weeks"; "4 каждую неделю", "6 раз в 2 недели") plans the visits before anything is booked:
//! each date free, or why not and the nearest free time instead. The admin books the free ones,
//! or with the times instead, or goes back; then all of it is booked in one transaction
//! through the booking service, and a time taken meanwhile shows a fresh plan instead of half
//! a series.

use crate::admin::roles::Acting;
use crate::runtime::context::Cx;
use booking_core::{
    ids::{CustomerId, ServiceId, StaffId},
    locale::Locale,
    policy::Rules,
};
use bot_kit::Reply;
use chrono::{DateTime, Utc};
use storage::tenant::{
    bookings::{
        model::BookingRequest,
        series::{self, Every, First, Times, Verdict},
    },
    settings,
};

use super::{
    callback::AdminAction as A,
    input::{self, Pending},
    keyboards::{button, rows},
    schedule::card,
    texts::local,
};
use crate::{
    error::{BotError, split},
    texts::Texts,
};

/// A series being planned for a customer who phoned in, kept (as the chat's pending step)
/// between the plan and the press that books it.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Draft {
    pub service: ServiceId,
    pub staff: StaffId,
    pub customer: CustomerId,
    pub first: DateTime<Utc>,
    pub every: Every,
    pub times: Times,
    /// The dates found free (the first among them, if it is).
    pub free: Vec<DateTime<Utc>>,
    /// The times offered instead of the taken dates.
    pub instead: Vec<DateTime<Utc>>,
}

/// "4 weekly", "6 every 2 weeks", "4 каждую неделю", "6 раз в две недели": how many visits in
/// all, and every one or two weeks; `None` when it is not that.
#[must_use]
pub fn parse_repeat(text: &str) -> Option<(Every, Times)> {
    let text = text.trim().to_lowercase();
    let digits: String = text
        .chars()
        .skip_while(|c| !c.is_ascii_digit())
        .take_while(char::is_ascii_digit)
        .collect();
    let times = Times::new(digits.parse().ok()?)?;
    let rest = text.replacen(&digits, "", 1);
    let fortnightly = [
        "2 week",
        "two week",
        "fortnight",
        "2 нед",
        "две нед",
        "2-е нед",
    ]
    .iter()
    .any(|w| rest.contains(w));
    let weekly = ["week", "нед"].iter().any(|w| rest.contains(w));
    if fortnightly {
        Some((Every::TWO_WEEKS, times))
    } else if weekly {
        Some((Every::WEEK, times))
    } else {
        None
    }
}

/// The phoned-in text's fourth part could not be read: how to write it.
#[must_use]
pub fn repeat_help(locale: Locale) -> &'static str {
    super::texts::tr(
        locale,
        "⚠️ The fourth part is how many visits in all (2 to 12) and how often, e.g. “4 weekly” or \
         “6 every 2 weeks”.",
        "⚠️ Четвёртая часть — сколько визитов всего (от 2 до 12) и как часто, например \
         «4 каждую неделю» или «6 раз в 2 недели».",
    )
}

fn template(cx: &Cx<'_, Acting>, d: &Draft, start: DateTime<Utc>) -> BookingRequest {
    BookingRequest {
        customer: d.customer,
        service: d.service,
        staff: Some(d.staff),
        start,
        source: Some("phone".to_owned()),
        actor: booking_core::booking::Actor::Admin(cx.who.id),
        rules: Rules::Staff,
    }
}

/// Tries every date (in a transaction rolled back), keeps the plan as the chat's pending step
/// and shows it.
pub async fn plan(
    cx: &Cx<'_, Acting>,
    mut draft: Draft,
    headline: Option<&str>,
) -> Result<Reply, BotError> {
    let now = cx.app.now();
    let mut tx = cx.tx().await?;
    let zone = settings::profile(&mut tx).await?.time_zone;
    let mut wanted = vec![draft.first];
    wanted.extend(series::later_starts(
        draft.first,
        zone,
        draft.every,
        draft.times,
    ));
    let planned = series::plan(
        &mut tx,
        &template(cx, &draft, draft.first),
        &wanted,
        zone,
        now,
    )
    .await?;
    tx.rollback().await?;

    let t = Texts::new(cx.locale);
    let mut text = headline.map(|h| format!("{h}\n\n")).unwrap_or_default();
    text.push_str(cx.tr(
        "Repeat the phoned-in booking:",
        "Повторяющаяся запись по телефону:",
    ));
    draft.free.clear();
    draft.instead.clear();
    for (i, p) in planned.iter().enumerate() {
        text.push_str(&format!("\n{}. {} ", i + 1, local(zone, p.wanted)));
        match &p.verdict {
            Verdict::Free => {
                draft.free.push(p.wanted);
                text.push_str(cx.tr("— free", "— свободно"));
            }
            Verdict::Taken { why, instead } => {
                text.push_str(cx.tr("— not possible: ", "— не получится: "));
                text.push_str(&t.rejection(why));
                match instead {
                    Some(at) => {
                        draft.instead.push(*at);
                        text.push_str(cx.tr(" Nearest free: ", " Ближайшее свободное: "));
                        text.push_str(&local(zone, *at));
                    }
                    None if series::curable(why) => {
                        text.push_str(cx.tr(" Nothing free nearby.", " Рядом свободного нет."));
                    }
                    None => {}
                }
            }
        }
    }
    text.push_str("\n\n");
    text.push_str(cx.tr(
        "Nothing is booked until you choose.",
        "Пока вы не выберете, ничего не записано.",
    ));
    let kb = keyboard(cx, &draft, planned.len());
    input::set(cx.app, cx.chat, &Pending::PhoneInSeries(Box::new(draft))).await?;
    Ok(Reply::screen(text, kb))
}

fn keyboard(
    cx: &Cx<'_, Acting>,
    d: &Draft,
    wanted: usize,
) -> teloxide::types::InlineKeyboardMarkup {
    let mut kb = Vec::new();
    if !d.free.is_empty() {
        let label = if d.free.len() == wanted {
            format!(
                "{} ({})",
                cx.tr("✅ Book all", "✅ Записать все"),
                d.free.len()
            )
        } else {
            format!(
                "{} ({})",
                cx.tr("✅ Only the free ones", "✅ Только свободные"),
                d.free.len()
            )
        };
        kb.push(vec![button(label, A::PhoneInSeries(false))]);
    }
    if !d.instead.is_empty() {
        let label = format!(
            "{} ({})",
            cx.tr("✅ With the times instead", "✅ Со временем взамен"),
            d.free.len() + d.instead.len()
        );
        kb.push(vec![button(label, A::PhoneInSeries(true))]);
    }
    kb.push(vec![button(
        cx.tr("◀ Back", "◀ Назад"),
        A::PhoneInStaff(d.service, d.staff),
    )]);
    rows(kb)
}

/// Books the plan shown, whole or not at all.
pub async fn book(cx: &Cx<'_, Acting>, instead: bool) -> Result<Reply, BotError> {
    let Some(Pending::PhoneInSeries(draft)) = input::get(cx.app, cx.chat).await? else {
        return Ok(Reply::alert(cx.tr(
            "This plan is no longer open: send the booking again.",
            "Этот план уже закрыт: пришлите запись ещё раз.",
        )));
    };
    if !cx.who.may_manage(draft.staff) {
        return Ok(Reply::alert(super::texts::refused(cx.locale)));
    }
    let mut starts = draft.free.clone();
    if instead {
        starts.extend(draft.instead.iter().copied());
    }
    starts.sort_unstable();
    starts.dedup();
    let Some((&first, later)) = starts.split_first() else {
        return Ok(Reply::alert(
            cx.tr("Nothing to book.", "Записывать нечего."),
        ));
    };
    let now = cx.app.now();
    let mut tx = cx.tx().await?;
    let template = template(cx, &draft, first);
    match split(series::book(&mut tx, First::At(first), &template, later, now).await)? {
        Ok(changes) => {
            tx.commit().await?;
            input::clear(cx.app, cx.chat).await?;
            let booked = match cx.locale {
                Locale::En => format!("Booked {} visits.", changes.len()),
                Locale::Ru => format!("Записано визитов: {}.", changes.len()),
            };
            Ok(card(cx, changes[0].booking.id).await?.with_alert(booked))
        }
        Err(_) => {
            tx.rollback().await?;
            let headline = cx.tr(
                "Some of these times were taken meanwhile, so nothing was booked. The fresh plan:",
                "Пока вы выбирали, часть времени заняли, поэтому ничего не записано. Свежий план:",
            );
            plan(cx, *draft, Some(headline)).await
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fourth_part_reads_in_both_languages() {
        let four = Times::new(4).unwrap();
        let six = Times::new(6).unwrap();
        assert_eq!(parse_repeat("4 weekly"), Some((Every::WEEK, four)));
        assert_eq!(
            parse_repeat(" 6 every 2 weeks"),
            Some((Every::TWO_WEEKS, six))
        );
        assert_eq!(parse_repeat("4 каждую неделю"), Some((Every::WEEK, four)));
        assert_eq!(
            parse_repeat("6 раз в две недели"),
            Some((Every::TWO_WEEKS, six))
        );
        assert_eq!(
            parse_repeat("6 раз в 2 недели"),
            Some((Every::TWO_WEEKS, six))
        );
        for bad in [
            "",
            "weekly",
            "1 weekly",
            "13 weekly",
            "4",
            "4 monthly",
            "x weekly",
        ] {
            assert_eq!(parse_repeat(bad), None, "{bad}");
        }
    }
}
