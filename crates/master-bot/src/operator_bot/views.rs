//! The operator bot's screens: text and buttons, built from what storage returned.

use bot_kit::Screen;
use chrono::{DateTime, Utc};
use storage::control::{
    alerts::Alert, deployments::Deployment, placement::Placement, platform_stats::PlatformStats,
    subscriptions::Subscription, tenants::TenantRecord,
};
use teloxide::types::{InlineKeyboardButton, InlineKeyboardMarkup};

use crate::{
    api::deploy::actual_state,
    operator_bot::{
        callback::{EXTEND_CHOICES, Press},
        texts::Texts,
    },
};

fn button(label: impl Into<String>, press: Press) -> InlineKeyboardButton {
    bot_kit::callback::button(label, &press)
}

/// How a moment is shown to operators: UTC, to the minute.
#[must_use]
pub fn when(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%d %H:%M UTC").to_string()
}

fn one_line(t: &TenantRecord) -> String {
    let bot = t
        .bot_username
        .as_deref()
        .map(|u| format!(" @{u}"))
        .unwrap_or_default();
    format!(
        "#{} {} — {}, {}{bot}",
        t.id,
        t.name,
        t.status.as_str(),
        t.desired_state
    )
}

fn tenant_buttons(tenants: &[TenantRecord]) -> Vec<Vec<InlineKeyboardButton>> {
    tenants
        .iter()
        .map(|t| {
            vec![button(
                format!("#{} {}", t.id, t.name),
                Press::Details(t.id),
            )]
        })
        .collect()
}

#[must_use]
pub fn menu(t: Texts) -> Screen {
    Screen::new(
        t.help().to_owned(),
        InlineKeyboardMarkup::new([[
            button(t.tenants_button(), Press::List { after: 0 }),
            button(t.stats_button(), Press::Stats),
            button(t.alerts_button(), Press::Alerts),
        ]]),
    )
}

/// A page of tenants; `more` when another page follows the last one shown.
#[must_use]
pub fn list(t: Texts, tenants: &[TenantRecord], after: i64, more: bool) -> Screen {
    let text = if tenants.is_empty() {
        t.no_tenants().to_owned()
    } else {
        let lines: Vec<String> = tenants.iter().map(one_line).collect();
        format!("{}\n{}", t.tenants_title(), lines.join("\n"))
    };
    let mut rows = tenant_buttons(tenants);
    let mut nav = Vec::new();
    if after > 0 {
        nav.push(button(t.first_button(), Press::List { after: 0 }));
    }
    if let (true, Some(last)) = (more, tenants.last()) {
        nav.push(button(
            t.next_button(),
            Press::List {
                after: last.id.get(),
            },
        ));
    }
    nav.push(button(t.menu_button(), Press::Menu));
    rows.push(nav);
    Screen::new(text, InlineKeyboardMarkup::new(rows))
}

/// The answer to a search.
#[must_use]
pub fn found(t: Texts, query: &str, tenants: &[TenantRecord]) -> Screen {
    let text = if tenants.is_empty() {
        t.nothing_found(query)
    } else {
        let lines: Vec<String> = tenants.iter().map(one_line).collect();
        format!("{}\n{}", t.found(query, tenants.len()), lines.join("\n"))
    };
    let mut rows = tenant_buttons(tenants);
    rows.push(vec![button(t.menu_button(), Press::Menu)]);
    Screen::new(text, InlineKeyboardMarkup::new(rows))
}

fn subscription_line(t: Texts, sub: Option<&Subscription>) -> String {
    match sub {
        None => t.none().to_owned(),
        Some(s) => {
            let grace = s
                .grace_until
                .map(|g| format!(", {} {}", t.label_grace(), when(g)))
                .unwrap_or_default();
            format!(
                "{} {} {}{grace}",
                s.status,
                t.label_until(),
                when(s.current_period_end)
            )
        }
    }
}

fn deployment_line(d: &Deployment) -> String {
    let last = d
        .events
        .last()
        .map(|e| format!(" — {}", e.message))
        .or_else(|| d.error.as_ref().map(|e| format!(" — {e}")))
        .unwrap_or_default();
    format!("• {} {} {}{last}", when(d.started_at), d.action, d.status)
}

/// Where a tenant's bot runs, as its card shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Runs {
    /// The override, else the plan's.
    pub wanted: Placement,
    /// Whether an operator chose it (rather than the plan).
    pub overridden: bool,
    /// The shared bot host it is assigned to, if any.
    pub host: Option<String>,
}

fn runs_line(t: Texts, runs: &Runs) -> String {
    let host = runs
        .host
        .as_deref()
        .map(|h| format!(" ({h})"))
        .unwrap_or_default();
    format!(
        "{}: {}{host}, {}",
        t.label_placement(),
        t.placement(runs.wanted),
        t.placement_source(runs.overridden)
    )
}

/// The buttons that move the bot: to the other placement, and back to the plan's if an
/// operator chose.
fn placement_buttons(
    t: Texts,
    id: booking_core::ids::TenantId,
    runs: &Runs,
) -> Vec<InlineKeyboardButton> {
    let other = match runs.wanted {
        Placement::Dedicated => Placement::Shared,
        Placement::Shared => Placement::Dedicated,
    };
    let mut row = vec![button(
        t.move_to_button(other),
        Press::Place(id, Some(other)),
    )];
    if runs.overridden {
        row.push(button(t.follow_plan_button(), Press::Place(id, None)));
    }
    row
}

/// A tenant's card, with what an operator can do to it.
#[must_use]
pub fn details(
    t: Texts,
    tenant: &TenantRecord,
    sub: Option<&Subscription>,
    deployments: &[Deployment],
    runs: &Runs,
) -> Screen {
    let mut lines = vec![
        format!("#{} {}", tenant.id, tenant.name),
        format!("{}: {}", t.label_status(), tenant.status.as_str()),
        format!(
            "{}: {}",
            t.label_bot(),
            tenant
                .bot_username
                .as_deref()
                .map_or_else(|| t.none().to_owned(), |u| format!("@{u}"))
        ),
        format!(
            "{}: {}",
            t.label_owner(),
            tenant
                .owner_telegram_id
                .map_or_else(|| t.none().to_owned(), |o| o.get().to_string())
        ),
        format!("{}: {}", t.label_desired(), tenant.desired_state),
        format!("{}: {}", t.label_actual(), actual_state(deployments)),
        runs_line(t, runs),
        format!("{}: {}", t.label_subscription(), subscription_line(t, sub)),
    ];
    if !deployments.is_empty() {
        lines.push(format!("{}:", t.label_deployments()));
        lines.extend(deployments.iter().map(deployment_line));
    }
    let id = tenant.id;
    let mut rows = vec![vec![
        button(t.deploy_button(), Press::Deploy(id)),
        button(t.stop_button(), Press::Stop(id)),
        button(t.restart_button(), Press::Restart(id)),
    ]];
    rows.push(placement_buttons(t, id, runs));
    if sub.is_some() {
        rows.push(
            EXTEND_CHOICES
                .iter()
                .map(|days| button(t.extend_button(*days), Press::ExtendAsk(id, *days)))
                .collect(),
        );
    }
    rows.push(vec![
        button(t.refresh_button(), Press::Details(id)),
        button(t.back_button(), Press::List { after: 0 }),
    ]);
    Screen::new(lines.join("\n"), InlineKeyboardMarkup::new(rows))
}

/// Asks to confirm an extension.
#[must_use]
pub fn extend_confirm(t: Texts, tenant: &TenantRecord, sub: &Subscription, days: i32) -> Screen {
    Screen::new(
        t.extend_confirm(
            &tenant.name,
            tenant.id.get(),
            days,
            &when(sub.current_period_end),
        ),
        InlineKeyboardMarkup::new([[
            button(t.confirm_button(), Press::ExtendDo(tenant.id, days)),
            button(t.cancel_button(), Press::Details(tenant.id)),
        ]]),
    )
}

fn counts(t: Texts, counts: &[(String, i64)]) -> String {
    if counts.is_empty() {
        return t.none().to_owned();
    }
    counts
        .iter()
        .map(|(status, n)| format!("{status}: {n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Platform figures.
#[must_use]
pub fn stats(t: Texts, s: &PlatformStats) -> Screen {
    let payments = if s.payments_this_month.is_empty() {
        t.none().to_owned()
    } else {
        s.payments_this_month
            .iter()
            .map(|(currency, n, total)| {
                format!("{}.{:02} {currency} ({n})", total / 100, total % 100)
            })
            .collect::<Vec<_>>()
            .join(", ")
    };
    let text = format!(
        "{}\n{}: {}\n{}: {}\n{}: {}\n{}: {}",
        t.stats_title(),
        t.stats_tenants(),
        counts(t, &s.tenants),
        t.stats_subscriptions(),
        counts(t, &s.subscriptions),
        t.stats_payments(),
        payments,
        t.stats_unsent(),
        s.unsent_alerts
    );
    Screen::new(
        text,
        InlineKeyboardMarkup::new([[
            button(t.refresh_button(), Press::Stats),
            button(t.menu_button(), Press::Menu),
        ]]),
    )
}

/// The latest alerts, newest first, sent or not.
#[must_use]
pub fn alerts(t: Texts, alerts: &[Alert]) -> Screen {
    let text = if alerts.is_empty() {
        t.no_alerts().to_owned()
    } else {
        let lines: Vec<String> = alerts
            .iter()
            .map(|a| {
                let tenant = a.tenant.map(|id| format!(" #{id}")).unwrap_or_default();
                // A long message would push the others out of Telegram's 4096 characters.
                let message: String = a.message.chars().take(200).collect();
                format!(
                    "• {} {}{tenant}: {message}",
                    when(a.created_at),
                    t.alert_heading(&a.kind)
                )
            })
            .collect();
        format!("{}\n{}", t.alerts_button(), lines.join("\n"))
    };
    Screen::new(
        text,
        InlineKeyboardMarkup::new([[
            button(t.refresh_button(), Press::Alerts),
            button(t.menu_button(), Press::Menu),
        ]]),
    )
}

#[cfg(test)]
mod tests {
    use booking_core::{ids::TenantId, locale::Locale};

    use super::*;

    fn labels(row: &[InlineKeyboardButton]) -> Vec<&str> {
        row.iter().map(|b| b.text.as_str()).collect()
    }

    #[test]
    fn the_card_says_where_the_bot_runs_and_offers_the_other_place_in_both_languages() {
        let shared = Runs {
            wanted: Placement::Shared,
            overridden: true,
            host: Some("shared2".to_owned()),
        };
        let ru = Texts(Locale::Ru);
        assert_eq!(
            runs_line(ru, &shared),
            "Где работает: общий бот-хост (shared2), выбор оператора"
        );
        assert_eq!(
            labels(&placement_buttons(ru, TenantId(7), &shared)),
            ["В свой контейнер", "Как в тарифе"]
        );
        let en = Texts(Locale::En);
        let planned = Runs {
            wanted: Placement::Dedicated,
            overridden: false,
            host: None,
        };
        assert_eq!(
            runs_line(en, &planned),
            "Runs: its own container, as the plan says"
        );
        assert_eq!(
            labels(&placement_buttons(en, TenantId(7), &planned)),
            ["To shared host"]
        );
    }
}
