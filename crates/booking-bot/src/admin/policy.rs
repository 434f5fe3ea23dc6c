//! The booking policy: shown, and changed by "name value" lines. All lines are checked (and
//! the result validated as a whole) before anything is saved.

use booking_core::{
    catalogue::Minutes,
    policy::{Policy, UpdateLimit},
};
use serde_json::json;
use storage::tenant::settings;

use super::{
    Cx, audit,
    callback::AdminAction as A,
    input::{self, Pending},
    keyboards::{button, rows},
    parse::InputError,
};
use crate::error::BotError;
use bot_kit::Reply;

fn minutes(v: &str) -> Result<Minutes, InputError> {
    let n: i64 = v
        .trim()
        .parse()
        .map_err(|_| InputError::Other(format!("not a number of minutes: {v:?}")))?;
    Minutes::checked(n).map_err(|e| InputError::Other(e.to_string()))
}

fn number<T: std::str::FromStr>(v: &str) -> Result<T, InputError> {
    v.trim()
        .parse()
        .map_err(|_| InputError::Other(format!("not a number: {v:?}")))
}

/// `events/seconds`, such as `20/10`.
fn update_limit(v: &str) -> Result<UpdateLimit, InputError> {
    let (events, window) = v
        .trim()
        .split_once('/')
        .ok_or(InputError::Shape("updates/seconds, e.g. 20/10"))?;
    Ok(UpdateLimit {
        events: number(events)?,
        window_secs: number(window)?,
    })
}

/// Applies the lines to `policy`.
pub fn apply(mut policy: Policy, text: &str) -> Result<Policy, InputError> {
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let (name, value) = line
            .split_once(' ')
            .ok_or(InputError::Shape("a setting name, a space, then its value"))?;
        match name.to_lowercase().as_str() {
            "notice" => policy.min_notice = minutes(value)?,
            "horizon" => policy.horizon_days = number(value)?,
            "limit" => policy.max_active_bookings = number(value)?,
            "cancel" => policy.cancel_cutoff = minutes(value)?,
            "reschedule" => policy.reschedule_cutoff = minutes(value)?,
            "hold" => policy.hold = minutes(value)?,
            "reminders" => {
                policy.reminder_offsets = if value.trim() == "none" {
                    Vec::new()
                } else {
                    value.split(',').map(minutes).collect::<Result<_, _>>()?
                }
            }
            "release" => {
                policy.auto_release = if value.trim() == "off" {
                    None
                } else {
                    Some(minutes(value)?)
                }
            }
            "ratelimit" => policy.update_limit = update_limit(value)?,
            other => return Err(InputError::Other(format!("unknown setting {other:?}"))),
        }
    }
    policy
        .validate()
        .map_err(|e| InputError::Other(e.to_string()))?;
    Ok(policy)
}

fn show(p: &Policy) -> String {
    let reminders: Vec<String> = p
        .reminder_offsets
        .iter()
        .map(|m| m.get().to_string())
        .collect();
    format!(
        "notice {}\nhorizon {}\nlimit {}\ncancel {}\nreschedule {}\nhold {}\nreminders {}\nrelease {}\nratelimit {}/{}",
        p.min_notice.get(),
        p.horizon_days,
        p.max_active_bookings,
        p.cancel_cutoff.get(),
        p.reschedule_cutoff.get(),
        p.hold.get(),
        if reminders.is_empty() {
            "none".to_owned()
        } else {
            reminders.join(",")
        },
        p.auto_release
            .map_or_else(|| "off".to_owned(), |m| m.get().to_string()),
        p.update_limit.events,
        p.update_limit.window_secs,
    )
}

pub async fn policy_ask(cx: &Cx<'_>) -> Result<Reply, BotError> {
    let mut tx = cx.tx().await?;
    let p = settings::profile(&mut tx).await?.policy;
    tx.commit().await?;
    input::set(cx.app, cx.chat, &Pending::Policy).await?;
    Ok(Reply::screen(
        format!(
            "⚙️ {}\n\n{}\n\n{}",
            cx.tr(
                "Booking rules (minutes; horizon in days; ratelimit: updates per seconds from one person):",
                "Правила записи (минуты; горизонт — в днях; ratelimit: действий одного человека за секунды):"
            ),
            show(&p),
            cx.tr(
                "Send the lines to change, e.g. 'notice 120' or 'reminders 1440,60' or 'release off'. (/admin to leave)",
                "Пришлите строки для изменения, например 'notice 120', 'reminders 1440,60', 'release off'. (/admin — выйти)"
            )
        ),
        rows(vec![vec![button(cx.tr("◀ Availability", "◀ Доступность"), A::Availability)]]),
    ))
}

pub async fn policy(cx: &Cx<'_>, text: &str) -> Result<Reply, BotError> {
    let mut tx = cx.tx().await?;
    let current = settings::profile(&mut tx).await?.policy;
    let next = match apply(current, text) {
        Ok(p) => p,
        Err(e) => return Ok(Reply::alert(format!("⚠️ {e}"))),
    };
    settings::set_policy(&mut tx, &next).await?;
    audit::record(cx, &mut tx, "policy.set", "policy", json!({ "text": text })).await?;
    tx.commit().await?;
    // The limit is checked from memory before any database work: take the new one now.
    cx.app.rate_limit.set(next.update_limit);
    input::clear(cx.app, cx.chat).await?;
    Ok(Reply::screen(
        format!("✅ {}\n\n{}", cx.tr("Saved:", "Сохранено:"), show(&next)),
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
    }
}
