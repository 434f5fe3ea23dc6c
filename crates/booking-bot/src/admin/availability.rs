//! Availability: blocks (a time range, a day, a range of days) that cancel the bookings under
//! them with the customers told and offered the nearest free times; unblock; the list; and
//! "can't work today".

use crate::admin::roles::Acting;
use crate::runtime::context::Cx;
use booking_core::{
    booking::{Actor, BookingStatus},
    ids::{BlockId, StaffId},
    locale::Locale,
    time::Interval,
};
use chrono::Duration;
use serde_json::json;
use storage::{
    TenantTx,
    tenant::{
        admin_views,
        bookings::{
            self,
            service::{self, Caller, Cancellation},
            waitlist_offers,
        },
        catalogue, schedule, settings,
    },
};

use super::{
    audit,
    callback::AdminAction as A,
    input::{self, Pending},
    keyboards::{button, column, rows},
    parse,
    preview::{self, Change},
    texts::{example, local, refused, when},
};
use crate::error::{BotError, split};
use bot_kit::Reply;

pub async fn menu(cx: &Cx<'_, Acting>) -> Result<Reply, BotError> {
    let mut tx = cx.tx().await?;
    let staff = catalogue::staff(&mut tx, false).await?;
    tx.commit().await?;
    let own = cx.who.own_staff();
    let mut kb = vec![vec![
        button(cx.tr("🔒 Blocks", "🔒 Блокировки"), A::Blocks),
        button(cx.tr("🔔 Waitlist", "🔔 Лист ожидания"), A::Waitlist(0)),
    ]];
    kb.push(vec![button(
        cx.tr("➕ Block time", "➕ Заблокировать время"),
        A::BlockNew(own),
    )]);
    if cx.who.is_manager() {
        kb.push(vec![
            button(cx.tr("🕘 Business hours", "🕘 Часы работы"), A::Hours(None)),
            button(cx.tr("📌 Exception", "📌 Исключение"), A::Exception(None)),
        ]);
        kb.extend(column(
            staff
                .iter()
                .map(|s| button(format!("🕘 {}", s.name), A::Hours(Some(s.id)))),
        ));
        kb.push(vec![button(
            cx.tr("⚙️ Booking rules", "⚙️ Правила записи"),
            A::Policy,
        )]);
        kb.push(vec![button(
            cx.tr("🔁 Repeat visits", "🔁 Повторные визиты"),
            A::Repeat,
        )]);
    }
    kb.extend(column(
        staff.iter().filter(|s| cx.who.may_manage(s.id)).map(|s| {
            button(
                format!(
                    "🤒 {}: {}",
                    s.name,
                    cx.tr("can't work today", "не может работать сегодня")
                ),
                A::CantWorkAsk(s.id),
            )
        }),
    ));
    // A manager's is the whole business's; a staff member's their own.
    kb.push(vec![button(
        cx.tr("📅 Calendar feed", "📅 Календарь"),
        A::Feed(own),
    )]);
    kb.push(vec![button(cx.tr("🏠 Panel", "🏠 Панель"), A::Menu)]);
    Ok(Reply::screen(
        cx.tr("🗓 Availability", "🗓 Доступность"),
        rows(kb),
    ))
}

/// Blocks from now on that concern the admin (a staff member sees theirs and everyone-blocks).
pub async fn blocks(cx: &Cx<'_, Acting>) -> Result<Reply, BotError> {
    let mut tx = cx.tx().await?;
    let zone = settings::profile(&mut tx).await?.time_zone;
    let staff = catalogue::staff(&mut tx, true).await?;
    let ids: Vec<StaffId> = staff
        .iter()
        .map(|s| s.id)
        .filter(|id| cx.who.may_manage(*id))
        .collect();
    let now = cx.app.now();
    let window = Interval {
        start: now,
        end: now + Duration::days(3650),
    };
    let list = schedule::blocks(&mut tx, &ids, window).await?;
    tx.commit().await?;
    let name = |id: Option<StaffId>| {
        id.and_then(|id| staff.iter().find(|s| s.id == id).map(|s| s.name.clone()))
            .unwrap_or_else(|| cx.tr("everyone", "все").to_owned())
    };
    let mut text = cx.tr("🔒 Blocks:", "🔒 Блокировки:").to_owned();
    if list.is_empty() {
        text.push_str(cx.tr(" none.", " нет."));
    }
    let mut kb = Vec::new();
    for b in list.iter().take(30) {
        text.push_str(&format!(
            "\n#{} {} – {} · {} {}",
            b.id,
            when(cx.locale, zone, b.period.start),
            local(zone, b.period.end),
            name(b.staff),
            b.reason
        ));
        if b.staff.is_some() || cx.who.is_manager() {
            kb.push(vec![button(
                format!("🔓 #{} {}", b.id, when(cx.locale, zone, b.period.start)),
                A::Unblock(b.id),
            )]);
        }
    }
    kb.push(vec![button(
        cx.tr("◀ Availability", "◀ Доступность"),
        A::Availability,
    )]);
    Ok(Reply::screen(text, rows(kb)))
}

pub async fn block_ask(cx: &Cx<'_, Acting>, staff: Option<StaffId>) -> Result<Reply, BotError> {
    let mut tx = cx.tx().await?;
    let zone = settings::profile(&mut tx).await?.time_zone;
    let list = catalogue::staff(&mut tx, false).await?;
    tx.commit().await?;
    input::set(cx.app, cx.chat, &Pending::Block { staff }).await?;
    let whose = staff
        .and_then(|id| list.iter().find(|s| s.id == id))
        .map_or_else(
            || cx.tr("everyone", "все мастера").to_owned(),
            |s| s.name.clone(),
        );
    let mut kb = Vec::new();
    if cx.who.is_manager() {
        // The chosen one is ticked, so a press visibly changes the screen.
        let mark = |chosen: bool, label: &str| {
            if chosen {
                format!("✅ {label}")
            } else {
                label.to_owned()
            }
        };
        let mut row = vec![button(
            mark(staff.is_none(), cx.tr("Everyone", "Все")),
            A::BlockNew(None),
        )];
        row.extend(
            list.iter()
                .map(|s| button(mark(staff == Some(s.id), &s.name), A::BlockNew(Some(s.id)))),
        );
        kb.extend(row.chunks(3).map(<[_]>::to_vec));
    }
    kb.push(vec![button(
        cx.tr("◀ Availability", "◀ Доступность"),
        A::Availability,
    )]);
    let today = cx.app.now().with_timezone(&zone).date_naive();
    let (a, b) = (example(today, 1), example(today, 3));
    let text = match cx.locale {
        Locale::En => format!(
            "🔒 Block for: {whose}\nSend the period to block, then optionally '; reason':\n{a} — the whole day\n{a} 10:00-13:00 — a time range\n{a}-{b} — several days\n{a} 10:00-13:00; training — with a reason the customers will read\nIf bookings fall inside, you will see them and choose whether to cancel them. (/admin to leave)"
        ),
        Locale::Ru => format!(
            "🔒 Блокировка для: {whose}\nПришлите период и, если нужно, «; причина»:\n{a} — весь день\n{a} 10:00-13:00 — промежуток\n{a}-{b} — несколько дней\n{a} 10:00-13:00; обучение — с причиной, её прочтут клиенты\nЕсли в этот период попадают записи, вы увидите их и решите, отменять ли. (/admin — выйти)"
        ),
    };
    let reply = Reply::screen(text, rows(kb));
    Ok(if cx.who.is_manager() {
        reply.with_toast(format!("🔒 {whose}"))
    } else {
        reply
    })
}

/// Cancels the confirmed bookings of `staff` (or everyone) that overlap `period`, telling
/// each customer; returns how many were cancelled and how many could be told.
async fn cancel_under(
    cx: &Cx<'_, Acting>,
    tx: &mut TenantTx,
    staff: Option<StaffId>,
    period: Interval,
    apology: bool,
    reason: Option<&str>,
) -> Result<(usize, usize), BotError> {
    // A visit that started before the period but runs into it is affected too.
    let window = Interval {
        start: period.start - Duration::days(1),
        end: period.end,
    };
    let affected: Vec<_> = bookings::views::in_range(tx, window, staff)
        .await?
        .into_iter()
        .filter(|v| v.booking.status == BookingStatus::Confirmed)
        .filter(|v| v.booking.start < period.end && v.booking.end > period.start)
        .collect();
    let (mut cancelled, mut told) = (0, 0);
    let by = Caller::staff(Actor::Admin(cx.who.id));
    for v in affected {
        let why = Cancellation {
            reason: reason.map(str::to_owned),
            apology,
        };
        let result = service::cancel(tx, v.booking.id, &by, why, cx.app.now()).await;
        if let Ok(change) = split(result)? {
            cancelled += 1;
            if change.customer_told {
                told += 1;
            }
        }
    }
    Ok((cancelled, told))
}

pub async fn block(
    cx: &Cx<'_, Acting>,
    staff: Option<StaffId>,
    text: &str,
) -> Result<Reply, BotError> {
    let (period_text, reason) = text.split_once(';').unwrap_or((text, ""));
    let reason = reason.trim();
    if reason.chars().count() > 200 {
        return Ok(Reply::alert(cx.tr(
            "⚠️ The reason is too long (200 characters at most).",
            "⚠️ Причина слишком длинная (до 200 символов).",
        )));
    }
    let mut tx = cx.tx().await?;
    let zone = settings::profile(&mut tx).await?.time_zone;
    let now = cx.app.now();
    let period = match parse::period(period_text, zone, now.with_timezone(&zone).date_naive()) {
        Ok(p) => p,
        Err(e) => return Ok(Reply::alert(e.say(cx.locale))),
    };
    if period.end <= now {
        return Ok(Reply::alert(cx.tr(
            "⚠️ That period is over already.",
            "⚠️ Этот период уже прошёл.",
        )));
    }
    tx.commit().await?;
    preview::propose(
        cx,
        Change::Block {
            staff,
            period,
            reason: reason.to_owned(),
        },
    )
    .await
}

pub async fn unblock(cx: &Cx<'_, Acting>, id: BlockId) -> Result<Reply, BotError> {
    let mut tx = cx.tx().await?;
    let Some(found) = admin_views::block(&mut tx, id).await? else {
        return Ok(Reply::alert(
            cx.tr("No such block.", "Такой блокировки нет."),
        ));
    };
    // An everyone-block is the managers' to lift; a staff member's own block is theirs too.
    let allowed = match found.staff {
        Some(s) => cx.who.may_manage(s),
        None => cx.who.is_manager(),
    };
    if !allowed {
        return Ok(Reply::alert(refused(cx.locale)));
    }
    schedule::unblock(&mut tx, id).await?;
    // The lifted block's days are open again: whoever waits for them is offered the time.
    let zone = settings::profile(&mut tx).await?.time_zone;
    let from = found.period.start.with_timezone(&zone).date_naive();
    let to = found.period.end.with_timezone(&zone).date_naive();
    waitlist_offers::schedule_freed(
        &mut tx,
        found.staff,
        from,
        Some(to),
        &format!("block:{id}"),
        cx.app.now(),
    )
    .await?;
    audit::record(
        cx,
        &mut tx,
        "block.remove",
        format!("block:{id}"),
        json!({}),
    )
    .await?;
    tx.commit().await?;
    Ok(blocks(cx)
        .await?
        .with_alert(cx.tr("Unblocked.", "Разблокировано.")))
}

pub async fn cant_work_ask(cx: &Cx<'_, Acting>, staff: StaffId) -> Result<Reply, BotError> {
    let mut tx = cx.tx().await?;
    let zone = settings::profile(&mut tx).await?.time_zone;
    let today = cx.app.now().with_timezone(&zone).date_naive();
    let list = bookings::views::for_day(&mut tx, today, Some(staff)).await?;
    tx.commit().await?;
    let left = list
        .iter()
        .filter(|v| v.booking.status == BookingStatus::Confirmed && v.booking.end > cx.app.now())
        .count();
    Ok(Reply::screen(
        format!(
            "🤒 {} {left}. {}",
            cx.tr("Bookings left today:", "Осталось записей сегодня:"),
            cx.tr(
                "Cancel them all, block the rest of the day and send each customer an apology with the nearest free times?",
                "Отменить их все, закрыть остаток дня и отправить каждому клиенту извинение с ближайшим свободным временем?"
            )
        ),
        rows(vec![vec![
            button(cx.tr("Yes", "Да"), A::CantWorkYes(staff)),
            button(cx.tr("No", "Нет"), A::Availability),
        ]]),
    ))
}

pub async fn cant_work(cx: &Cx<'_, Acting>, staff: StaffId) -> Result<Reply, BotError> {
    let mut tx = cx.tx().await?;
    let zone = settings::profile(&mut tx).await?.time_zone;
    let now = cx.app.now();
    let today = now.with_timezone(&zone).date_naive();
    let end = parse::midnight(zone, today + Duration::days(1))
        .map_err(|e| storage::StorageError::Corrupt(e.to_string()))?;
    let Some(rest) = Interval::new(now, end) else {
        return Ok(Reply::alert(
            cx.tr("The day is over.", "День уже закончился."),
        ));
    };
    // The block first: nobody can book the freed times while the customers are told.
    let id = schedule::block(
        &mut tx,
        Some(staff),
        rest,
        "can't work today",
        Some(cx.who.id.get()),
    )
    .await?;
    let (cancelled, told) = cancel_under(cx, &mut tx, Some(staff), rest, true, None).await?;
    audit::record(
        cx,
        &mut tx,
        "staff.cant_work_today",
        format!("staff:{staff}"),
        json!({ "block": id, "cancelled": cancelled, "notified": told }),
    )
    .await?;
    tx.commit().await?;
    Ok(Reply::screen(
        format!(
            "🤒 {}: {cancelled}, {}: {told}",
            cx.tr("Bookings cancelled", "Отменено записей"),
            cx.tr("customers sent an apology", "клиентам отправлены извинения"),
        ),
        rows(vec![vec![button(cx.tr("🏠 Panel", "🏠 Панель"), A::Menu)]]),
    ))
}
