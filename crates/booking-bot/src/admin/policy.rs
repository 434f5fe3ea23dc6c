//! The booking policy: shown, and changed by "name value" lines. All lines are checked (and
//! the result validated as a whole) before anything is saved.

use crate::admin::roles::Acting;
use crate::runtime::context::Cx;
use booking_core::{
    catalogue::Minutes,
    locale::Locale,
    policy::{Policy, UpdateLimit},
};
use serde_json::json;
use storage::tenant::settings;

use super::{
    audit,
    callback::AdminAction as A,
    input::{self, Pending},
    keyboards::{button, rows},
    parse::{self, InputError, Shape},
    texts::tr,
};
use crate::error::BotError;
use bot_kit::Reply;

fn minutes(v: &str) -> Result<Minutes, InputError> {
    parse::duration(v)
}

/// `events/seconds`, such as `20/10`.
fn update_limit(v: &str) -> Result<UpdateLimit, InputError> {
    let (events, window) = v
        .trim()
        .split_once('/')
        .ok_or(InputError::Shape(Shape::RateLimit))?;
    Ok(UpdateLimit {
        events: parse::number(events)?,
        window_secs: parse::number(window)?,
    })
}

/// The settings a line can name, each with its English and Russian word.
#[derive(Copy, Clone, Debug, Eq, PartialEq)]
enum Setting {
    Notice,
    Horizon,
    Limit,
    Cancel,
    Reschedule,
    Hold,
    Reminders,
    Release,
    RateLimit,
}

impl Setting {
    const ALL: [Self; 9] = [
        Self::Notice,
        Self::Horizon,
        Self::Limit,
        Self::Cancel,
        Self::Reschedule,
        Self::Hold,
        Self::Reminders,
        Self::Release,
        Self::RateLimit,
    ];

    const fn words(self) -> (&'static str, &'static str) {
        match self {
            Self::Notice => ("notice", "заранее"),
            Self::Horizon => ("horizon", "горизонт"),
            Self::Limit => ("limit", "лимит"),
            Self::Cancel => ("cancel", "отмена"),
            Self::Reschedule => ("reschedule", "перенос"),
            Self::Hold => ("hold", "удержание"),
            Self::Reminders => ("reminders", "напоминания"),
            Self::Release => ("release", "автоотмена"),
            Self::RateLimit => ("ratelimit", "частота"),
        }
    }

    fn named(word: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| {
            let (en, ru) = s.words();
            word == en || word == ru
        })
    }

    const fn word(self, locale: Locale) -> &'static str {
        let (en, ru) = self.words();
        tr(locale, en, ru)
    }
}

/// "none", "off" and their Russian words: no reminders, no automatic release.
fn is_none(v: &str) -> bool {
    matches!(v.trim(), "none" | "off" | "нет" | "выкл")
}

/// Applies the lines to `policy`.
pub fn apply(mut policy: Policy, text: &str) -> Result<Policy, InputError> {
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let (name, value) = line
            .split_once(char::is_whitespace)
            .ok_or(InputError::Shape(Shape::Setting))?;
        let name = name.to_lowercase();
        let setting = Setting::named(&name).ok_or(InputError::Setting(name))?;
        match setting {
            Setting::Notice => policy.min_notice = minutes(value)?,
            Setting::Horizon => policy.horizon_days = parse::number(value)?,
            Setting::Limit => policy.max_active_bookings = parse::number(value)?,
            Setting::Cancel => policy.cancel_cutoff = minutes(value)?,
            Setting::Reschedule => policy.reschedule_cutoff = minutes(value)?,
            Setting::Hold => policy.hold = minutes(value)?,
            Setting::Reminders => {
                policy.reminder_offsets = if is_none(value) {
                    Vec::new()
                } else {
                    value.split(',').map(minutes).collect::<Result<_, _>>()?
                }
            }
            Setting::Release => {
                policy.auto_release = if is_none(value) {
                    None
                } else {
                    Some(minutes(value)?)
                }
            }
            Setting::RateLimit => policy.update_limit = update_limit(value)?,
        }
    }
    policy.validate()?;
    Ok(policy)
}

fn show(locale: Locale, p: &Policy) -> String {
    let reminders: Vec<String> = p
        .reminder_offsets
        .iter()
        .map(|m| m.get().to_string())
        .collect();
    let none = tr(locale, "none", "нет");
    let values = [
        p.min_notice.get().to_string(),
        p.horizon_days.to_string(),
        p.max_active_bookings.to_string(),
        p.cancel_cutoff.get().to_string(),
        p.reschedule_cutoff.get().to_string(),
        p.hold.get().to_string(),
        if reminders.is_empty() {
            none.to_owned()
        } else {
            reminders.join(",")
        },
        p.auto_release
            .map_or_else(|| none.to_owned(), |m| m.get().to_string()),
        format!("{}/{}", p.update_limit.events, p.update_limit.window_secs),
    ];
    Setting::ALL
        .iter()
        .zip(values)
        .map(|(s, v)| format!("{} {v}", s.word(locale)))
        .collect::<Vec<_>>()
        .join("\n")
}

pub async fn policy_ask(cx: &Cx<'_, Acting>) -> Result<Reply, BotError> {
    let mut tx = cx.tx().await?;
    let p = settings::profile(&mut tx).await?.policy;
    tx.commit().await?;
    input::set(cx.app, cx.chat, &Pending::Policy).await?;
    Ok(Reply::screen(
        format!(
            "⚙️ {}\n\n{}\n\n{}",
            cx.tr(
                "Booking rules, in minutes before the visit (horizon: days ahead; limit: active bookings per customer; ratelimit: updates per seconds from one person):",
                "Правила записи, в минутах до визита (горизонт — на сколько дней вперёд; лимит — активных записей у клиента; частота — действий одного человека за секунды):"
            ),
            show(cx.locale, &p),
            cx.tr(
                "Send the lines to change, e.g. 'notice 2 h', 'reminders 1440,60' or 'release off'. (/admin to leave)",
                "Пришлите строки, которые меняете, например «заранее 2 часа», «напоминания 1440,60» или «автоотмена нет». (/admin — выйти)"
            )
        ),
        rows(vec![vec![button(cx.tr("◀ Availability", "◀ Доступность"), A::Availability)]]),
    ))
}

pub async fn policy(cx: &Cx<'_, Acting>, text: &str) -> Result<Reply, BotError> {
    let mut tx = cx.tx().await?;
    let current = settings::profile(&mut tx).await?.policy;
    let next = match apply(current, text) {
        Ok(p) => p,
        Err(e) => return Ok(Reply::alert(e.say(cx.locale))),
    };
    settings::set_policy(&mut tx, &next).await?;
    audit::record(cx, &mut tx, "policy.set", "policy", json!({ "text": text })).await?;
    tx.commit().await?;
    // The limit is checked from memory before any database work: take the new one now.
    cx.app.rate_limit.set(next.update_limit);
    input::clear(cx.app, cx.chat).await?;
    Ok(Reply::screen(
        format!(
            "✅ {}\n\n{}",
            cx.tr("Saved:", "Сохранено:"),
            show(cx.locale, &next)
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
    fn lines_change_the_policy_and_bad_ones_change_nothing() {
        let p = apply(
            Policy::default(),
            "notice 30\nreminders 1440,60\nrelease 30",
        )
        .unwrap();
        assert_eq!(p.min_notice, Minutes::new(30));
        assert_eq!(
            p.reminder_offsets,
            vec![Minutes::new(1440), Minutes::new(60)]
        );
        assert_eq!(p.auto_release, Some(Minutes::new(30)));
        assert!(apply(Policy::default(), "notice soon").is_err());
        assert!(apply(Policy::default(), "colour red").is_err());
        assert!(apply(Policy::default(), "horizon 0").is_err());
        assert!(apply(Policy::default(), "release 500").is_err());
        let p = apply(Policy::default(), "ratelimit 5/60").unwrap();
        assert_eq!(
            p.update_limit,
            UpdateLimit {
                events: 5,
                window_secs: 60
            }
        );
        assert!(apply(Policy::default(), "ratelimit 5").is_err());
        assert!(apply(Policy::default(), "ratelimit 2/60").is_err());
        let ru = apply(
            Policy::default(),
            "заранее 2 часа\nнапоминания 1440,60\nавтоотмена нет",
        )
        .unwrap();
        assert_eq!(ru.min_notice, Minutes::new(120));
        assert_eq!(ru.auto_release, None);
        assert_eq!(
            apply(Policy::default(), "цвет красный"),
            Err(InputError::Setting("цвет".to_owned()))
        );
        let shown = show(Locale::Ru, &ru);
        assert_eq!(apply(Policy::default(), &shown), Ok(ru));
    }
}
