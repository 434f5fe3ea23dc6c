//! Repeat visits: how long after a visit each service's customers are offered the next one,
//! and whether (and how many days later) a no-show or a customer's cancellation is followed by
//! an offer of another time. Values are chosen from buttons, so nothing typed can be wrong;
//! the wording of the messages is in Texts like every other customer text.

use crate::admin::roles::Acting;
use crate::runtime::context::Cx;
use booking_core::ids::ServiceId;
use serde_json::json;
use storage::tenant::repeat_visits::{self, WinBackKind, WinBackSettings};

use super::{
    audit,
    callback::AdminAction as A,
    keyboards::{button, rows},
};
use crate::error::BotError;
use bot_kit::Reply;

/// The intervals offered for a service, in days.
const INTERVALS: [u16; 6] = [14, 21, 28, 35, 42, 56];
/// The delays offered for a win-back, in days.
const DELAYS: [u16; 4] = [1, 3, 7, 14];

fn days(cx: &Cx<'_, Acting>, days: Option<u16>) -> String {
    match days {
        None => cx.tr("off", "выкл.").to_owned(),
        Some(d) if d % 7 == 0 => format!("{} {}", d / 7, cx.tr("wk", "нед.")),
        Some(d) => format!("{d} {}", cx.tr("d", "дн.")),
    }
}

fn kind_label(cx: &Cx<'_, Acting>, kind: WinBackKind) -> &'static str {
    match kind {
        WinBackKind::NoShow => cx.tr("After a no-show", "После неявки"),
        WinBackKind::Cancelled => cx.tr("After the customer cancels", "После отмены клиентом"),
    }
}

/// Every service's interval, and both win-backs with their choices.
pub async fn menu(cx: &Cx<'_, Acting>) -> Result<Reply, BotError> {
    let mut tx = cx.tx().await?;
    let intervals = repeat_visits::intervals(&mut tx).await?;
    let win_back = repeat_visits::win_back_settings(&mut tx).await?;
    tx.commit().await?;
    Ok(screen(cx, &intervals, win_back))
}

fn screen(
    cx: &Cx<'_, Acting>,
    intervals: &[repeat_visits::RepeatInterval],
    win_back: WinBackSettings,
) -> Reply {
    let mut text = format!(
        "🔁 {}\n\n{}\n",
        cx.tr("Repeat visits", "Повторные визиты"),
        cx.tr(
            "That long after a visit, the customer is offered the three nearest free times \
             with the same staff member (unless they have booked already or asked us to stop). \
             The wording is in Texts.",
            "Через этот срок после визита клиент получит три ближайших свободных времени у \
             того же мастера (если он ещё не записался и не отказался от таких сообщений). \
             Тексты можно изменить в разделе «Тексты».",
        )
    );
    for s in intervals {
        text.push_str(&format!("\n• {}: {}", s.name, days(cx, s.days)));
    }
    let mut kb: Vec<Vec<_>> = intervals
        .iter()
        .map(|s| {
            vec![button(
                format!("✂️ {}: {}", s.name, days(cx, s.days)),
                A::RepeatService(s.service),
            )]
        })
        .collect();
    for kind in WinBackKind::ALL {
        let current = win_back.days(kind);
        text.push_str(&format!(
            "\n\n{}: {}",
            kind_label(cx, kind),
            days(cx, current)
        ));
        let mut row = vec![button(
            mark(current.is_none(), cx.tr("off", "выкл.")),
            A::WinBackSet(kind, 0),
        )];
        row.extend(DELAYS.iter().map(|d| {
            button(
                mark(current == Some(*d), &format!("{d} {}", cx.tr("d", "дн."))),
                A::WinBackSet(kind, *d),
            )
        }));
        kb.push(vec![button(kind_label(cx, kind), A::Repeat)]);
        kb.push(row);
    }
    kb.push(vec![button(
        cx.tr("◀ Availability", "◀ Доступность"),
        A::Availability,
    )]);
    Reply::screen(text, rows(kb))
}

fn mark(chosen: bool, label: &str) -> String {
    if chosen {
        format!("✅ {label}")
    } else {
        label.to_owned()
    }
}

/// The intervals to choose from for one service.
pub async fn service(cx: &Cx<'_, Acting>, id: ServiceId) -> Result<Reply, BotError> {
    let mut tx = cx.tx().await?;
    let Some(s) = repeat_visits::intervals(&mut tx)
        .await?
        .into_iter()
        .find(|s| s.service == id)
    else {
        return Ok(Reply::alert(cx.tr("No such service.", "Такой услуги нет.")));
    };
    tx.commit().await?;
    let mut choices = vec![button(
        mark(s.days.is_none(), cx.tr("off", "выкл.")),
        A::RepeatSet(id, 0),
    )];
    choices.extend(INTERVALS.iter().map(|d| {
        button(
            mark(s.days == Some(*d), &days(cx, Some(*d))),
            A::RepeatSet(id, *d),
        )
    }));
    let kb = vec![
        choices[..4.min(choices.len())].to_vec(),
        choices[4.min(choices.len())..].to_vec(),
        vec![button(
            cx.tr("◀ Repeat visits", "◀ Повторные визиты"),
            A::Repeat,
        )],
    ];
    Ok(Reply::screen(
        format!(
            "✂️ {}\n{}: {}",
            s.name,
            cx.tr(
                "Offer the next visit after",
                "Предлагать следующий визит через"
            ),
            days(cx, s.days)
        ),
        rows(kb),
    ))
}

/// Sets a service's interval; back to the overview.
pub async fn set_interval(cx: &Cx<'_, Acting>, id: ServiceId, d: u16) -> Result<Reply, BotError> {
    let value = (d > 0).then_some(d);
    let mut tx = cx.tx().await?;
    if !repeat_visits::set_interval(&mut tx, id, value).await? {
        return Ok(Reply::alert(cx.tr("No such service.", "Такой услуги нет.")));
    }
    audit::record(
        cx,
        &mut tx,
        "service.repeat_interval",
        format!("service:{id}"),
        json!({ "days": value }),
    )
    .await?;
    let intervals = repeat_visits::intervals(&mut tx).await?;
    let win_back = repeat_visits::win_back_settings(&mut tx).await?;
    tx.commit().await?;
    Ok(screen(cx, &intervals, win_back).with_toast(cx.tr("Saved.", "Сохранено.")))
}

/// Switches a win-back on with `d` days, or off (0).
pub async fn set_win_back(
    cx: &Cx<'_, Acting>,
    kind: WinBackKind,
    d: u16,
) -> Result<Reply, BotError> {
    let value = (d > 0).then_some(d);
    let mut tx = cx.tx().await?;
    let win_back = repeat_visits::set_win_back(&mut tx, kind, value).await?;
    audit::record(
        cx,
        &mut tx,
        "settings.win_back",
        format!("win_back:{}", kind.code()),
        json!({ "days": value }),
    )
    .await?;
    let intervals = repeat_visits::intervals(&mut tx).await?;
    tx.commit().await?;
    Ok(screen(cx, &intervals, win_back).with_toast(cx.tr("Saved.", "Сохранено.")))
}
