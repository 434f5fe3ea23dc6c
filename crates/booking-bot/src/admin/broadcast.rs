//! Broadcasts: the audience, the text, a preview with the recipient count, then sending paced
//! under Telegram's limits with a live progress message that can stop it, ending with a report
//! of delivered, blocked and failed. A 403 marks the customer blocked, so later broadcasts and
//! reminders skip them.
//!
//! The draft lives in Redis (`t:<tenant>:bcast:<id>`) until Send. Send writes the broadcast
//! and one outbox message per recipient, due [`PACE`] apart, in one transaction (a second
//! press finds the id taken). The outbox dispatcher sends them like any other message, once
//! each, across restarts; [`watch`] keeps the progress message and posts the report.

use crate::admin::roles::Acting;
use crate::runtime::context::Cx;
use bot_kit::TgBot;
use std::{collections::HashMap, future::Future, sync::Arc, time::Duration};

use booking_core::{ids::TelegramUserId, locale::Locale};
use serde::{Deserialize, Serialize};
use serde_json::json;
use storage::{
    StorageError,
    kv::TenantKey,
    tenant::{
        audit,
        broadcasts::{self, BroadcastId, NewBroadcast, Progress, Segment, Tally},
    },
};
use teloxide::{
    prelude::*,
    types::{ChatId, MessageId},
};

use super::{
    callback::{AdminAction as A, choices::Audience},
    input::{self, Pending},
    keyboards::{button, column, rows},
    texts::tr,
};
use crate::{error::BotError, runtime::app::App};
use bot_kit::Reply;

/// Time between two messages' due times: 20 a second, under Telegram's 30 a second per bot,
/// leaving room for the bot's other messages (the Throttle adaptor enforces the hard limits).
const PACE: chrono::Duration = chrono::Duration::milliseconds(50);
/// The progress message is edited at most this often (edits count against the admin's chat).
const PROGRESS_EVERY: Duration = Duration::from_secs(2);
/// With nothing being sent, how long before the watcher looks anyway: Send and Stop wake it at
/// once and it looks when the bot starts, so this is only the safety net for a broadcast
/// another instance of the bot started (two run side by side during a rollout). A day: a host
/// of a thousand idle tenants must not look every minute.
const IDLE: Duration = Duration::from_secs(24 * 3600);
/// A draft not sent within a day is dropped.
const DRAFT_TTL: u64 = 24 * 3600;
/// Telegram's longest message.
const MAX_TEXT: usize = 4096;

#[derive(Clone, Debug, Serialize, Deserialize)]
struct Draft {
    text: String,
    audience: Audience,
}

/// A broadcast keeps its draft's id. Buttons carry it unsigned (it is a positive timestamp in
/// microseconds); one out of range, which only a forged button can hold, maps to 0, which
/// names no broadcast.
fn broadcast_id(draft: u64) -> BroadcastId {
    BroadcastId(i64::try_from(draft).unwrap_or_default())
}

fn draft_id(id: BroadcastId) -> u64 {
    u64::try_from(id.0).unwrap_or_default()
}

fn draft_key(app: &App, id: u64) -> TenantKey {
    TenantKey::new(app.tenant, "bcast", id)
}

const fn segment(a: Audience) -> Segment {
    match a {
        Audience::All => Segment::All,
        Audience::Visited30 => Segment::VisitedWithin(30),
        Audience::Visited90 => Segment::VisitedWithin(90),
        Audience::NeverBooked => Segment::NeverBooked,
    }
}

const fn audience_label(l: Locale, a: Audience) -> &'static str {
    match a {
        Audience::All => tr(l, "All customers", "Все клиенты"),
        Audience::Visited30 => tr(l, "Visited in the last 30 days", "Были за 30 дней"),
        Audience::Visited90 => tr(l, "Visited in the last 90 days", "Были за 90 дней"),
        Audience::NeverBooked => tr(l, "Never booked", "Ни разу не записывались"),
    }
}

pub async fn audiences(cx: &Cx<'_, Acting>) -> Result<Reply, BotError> {
    let mut kb = column(
        Audience::ALL
            .into_iter()
            .map(|a| button(audience_label(cx.locale, a), A::BroadcastSegment(a))),
    );
    kb.push(vec![button(cx.tr("🏠 Panel", "🏠 Панель"), A::Menu)]);
    Ok(Reply::screen(
        cx.tr("📢 Broadcast: to whom?", "📢 Рассылка: кому?"),
        rows(kb),
    ))
}

pub async fn ask(cx: &Cx<'_, Acting>, audience: Audience) -> Result<Reply, BotError> {
    input::set(cx.app, cx.chat, &Pending::BroadcastText { audience }).await?;
    Ok(Reply::screen(
        format!(
            "📢 {}: {}",
            audience_label(cx.locale, audience),
            cx.tr(
                "send the text. You will see a preview before anything is sent. (/admin to leave)",
                "пришлите текст. Перед отправкой будет предпросмотр. (/admin — выйти)"
            )
        ),
        rows(vec![vec![button(cx.tr("◀ Back", "◀ Назад"), A::Broadcast)]]),
    ))
}

async fn count(cx: &Cx<'_, Acting>, audience: Audience) -> Result<Vec<TelegramUserId>, BotError> {
    let mut tx = cx.tx().await?;
    let list = broadcasts::recipients(&mut tx, segment(audience), cx.app.now()).await?;
    tx.commit().await?;
    Ok(list)
}

pub async fn preview(
    cx: &Cx<'_, Acting>,
    audience: Audience,
    text: &str,
) -> Result<Reply, BotError> {
    let text = text.trim();
    if text.is_empty() || text.chars().count() > MAX_TEXT {
        return Ok(Reply::alert(cx.tr(
            "⚠️ The text must be 1 to 4096 characters.",
            "⚠️ Текст должен быть от 1 до 4096 символов.",
        )));
    }
    let recipients = count(cx, audience).await?.len();
    let id = u64::try_from(cx.app.now().timestamp_micros()).unwrap_or_default();
    let draft = Draft {
        text: text.to_owned(),
        audience,
    };
    let json = serde_json::to_string(&draft).map_err(|e| StorageError::Corrupt(e.to_string()))?;
    cx.app
        .kv
        .set(&draft_key(cx.app, id), &json, DRAFT_TTL)
        .await?;
    input::clear(cx.app, cx.chat).await?;
    Ok(Reply::screen(
        format!(
            "👀 {}\n\n{text}\n\n{}: {recipients} ({})",
            cx.tr("Preview:", "Предпросмотр:"),
            cx.tr("Recipients", "Получателей"),
            audience_label(cx.locale, audience),
        ),
        rows(vec![vec![
            button(cx.tr("✅ Send", "✅ Отправить"), A::BroadcastSend(id)),
            button(cx.tr("✖ Cancel", "✖ Отмена"), A::BroadcastDrop(id)),
        ]]),
    ))
}

pub async fn drop_draft(cx: &Cx<'_, Acting>, id: u64) -> Result<Reply, BotError> {
    cx.app.kv.delete(&draft_key(cx.app, id)).await?;
    Ok(Reply::screen(
        cx.tr(
            "📢 Broadcast cancelled; nothing was sent.",
            "📢 Рассылка отменена, ничего не отправлено.",
        ),
        rows(vec![vec![button(cx.tr("🏠 Panel", "🏠 Панель"), A::Menu)]]),
    ))
}

/// Starts the draft once: the outbox gets one message per recipient and the audit log the
/// start, in one transaction; a second press (or a forged one) finds it started or gone.
pub async fn send(cx: &Cx<'_, Acting>, id: u64) -> Result<Reply, BotError> {
    let Some(json) = cx.app.kv.get(&draft_key(cx.app, id)).await? else {
        return Ok(Reply::alert(
            cx.tr("This draft is gone.", "Черновик не найден."),
        ));
    };
    let draft: Draft =
        serde_json::from_str(&json).map_err(|e| StorageError::Corrupt(e.to_string()))?;
    let broadcast = broadcast_id(id);
    let now = cx.app.now();
    let mut tx = cx.tx().await?;
    let recipients = broadcasts::recipients(&mut tx, segment(draft.audience), now).await?;
    let new = NewBroadcast {
        id: broadcast,
        admin: cx.who.id,
        admin_chat: cx.chat.0,
        locale: cx.locale,
        audience: audience_label(cx.locale, draft.audience),
        text: &draft.text,
    };
    if !broadcasts::start(&mut tx, &new, &recipients, PACE, now).await? {
        return Ok(Reply::alert(cx.tr("Already sending.", "Уже отправляется.")));
    }
    audit::record(
        &mut tx,
        cx.who.id,
        "broadcast.start",
        Some(&format!("broadcast:{id}")),
        &json!({ "audience": format!("{:?}", draft.audience), "recipients": recipients.len(), "text": draft.text }),
        now,
    )
    .await?;
    tx.commit().await?;
    cx.app.kv.delete(&draft_key(cx.app, id)).await?;
    // The progress message is posted at once rather than on the watcher's next look.
    cx.app.broadcasts.notify_one();
    Ok(Reply::screen(
        format!(
            "📢 {}\n\n{}",
            cx.tr("Sending:", "Отправляется:"),
            draft.text
        ),
        rows(vec![vec![button(cx.tr("🏠 Panel", "🏠 Панель"), A::Menu)]]),
    ))
}

pub async fn stop(cx: &Cx<'_, Acting>, id: u64) -> Result<Reply, BotError> {
    let mut tx = cx.tx().await?;
    let stopped = broadcasts::stop(&mut tx, broadcast_id(id), cx.app.now()).await?;
    tx.commit().await?;
    if !stopped {
        return Ok(Reply::alert(cx.tr(
            "This broadcast has already finished.",
            "Эта рассылка уже завершена.",
        )));
    }
    cx.app.broadcasts.notify_one();
    Ok(Reply::alert(cx.tr("Stopping…", "Останавливаю…")))
}

fn progress(l: Locale, t: &Tally) -> String {
    format!(
        "📢 {} {}/{}\n{}",
        tr(l, "Sending", "Отправка"),
        t.done(),
        t.total,
        counts(l, t)
    )
}

fn report(l: Locale, stopped: bool, t: &Tally) -> String {
    format!(
        "{} {}/{}\n{}",
        if stopped {
            tr(l, "⏹ Broadcast stopped:", "⏹ Рассылка остановлена:")
        } else {
            tr(l, "✅ Broadcast finished:", "✅ Рассылка завершена:")
        },
        t.done(),
        t.total,
        counts(l, t)
    )
}

fn counts(l: Locale, t: &Tally) -> String {
    format!(
        "{}: {} · {}: {} · {}: {}",
        tr(l, "delivered", "доставлено"),
        t.delivered,
        tr(l, "blocked", "заблокировали"),
        t.blocked,
        tr(l, "failed", "ошибки"),
        t.failed,
    )
}

/// Keeps every unfinished broadcast's progress message current and posts its report when the
/// last message is sent or given up, until `stop` resolves. The messages themselves go out
/// through the outbox dispatcher (the `delivery` module); this only watches, so a restarted bot
/// picks up a broadcast where it was.
pub async fn watch(bot: TgBot, app: Arc<App>, stop: impl Future<Output = ()> + Send) {
    tokio::pin!(stop);
    // What each progress message last showed, so an unchanged one is not edited again.
    let mut shown: HashMap<BroadcastId, Tally> = HashMap::new();
    loop {
        let pause = match look(&bot, &app, &mut shown).await {
            Ok(true) => PROGRESS_EVERY,
            Ok(false) => IDLE,
            Err(e) if e.is_unavailable() => {
                tracing::warn!(error = ?e, "broadcasts: storage unavailable; will retry");
                PROGRESS_EVERY
            }
            Err(e) => {
                tracing::error!(error = ?e, "broadcasts: progress update failed");
                PROGRESS_EVERY
            }
        };
        tokio::select! {
            () = &mut stop => return,
            () = app.broadcasts.notified() => {}
            () = tokio::time::sleep(pause) => {}
        }
    }
}

/// One look at the unfinished broadcasts; whether any is still being sent.
async fn look(
    bot: &TgBot,
    app: &App,
    shown: &mut HashMap<BroadcastId, Tally>,
) -> Result<bool, BotError> {
    let mut tx = app.tx().await?;
    let open = broadcasts::unfinished(&mut tx).await?;
    tx.commit().await?;
    shown.retain(|id, _| open.iter().any(|b| b.id == *id));
    let mut sending = false;
    for b in open {
        let l = b.locale;
        let chat = ChatId(b.admin_chat);
        let message = match b.message_id {
            Some(0) => None,
            Some(id) => Some(MessageId(id)),
            None => post_progress(bot, app, &b).await?,
        };
        if b.tally.pending == 0 {
            finish(bot, app, &b, message).await?;
            shown.remove(&b.id);
            continue;
        }
        sending = true;
        if let Some(message) = message
            && shown.get(&b.id) != Some(&b.tally)
        {
            edit(
                bot,
                chat,
                message,
                progress(l, &b.tally),
                Some(stop_button(l, b.id)),
            )
            .await;
            shown.insert(b.id, b.tally);
        }
    }
    Ok(sending)
}

fn stop_button(l: Locale, id: BroadcastId) -> teloxide::types::InlineKeyboardMarkup {
    rows(vec![vec![button(
        tr(l, "⏹ Stop", "⏹ Остановить"),
        A::BroadcastStop(draft_id(id)),
    )]])
}

/// Posts the progress message once, whichever bot gets there first (two run during a rollout).
async fn post_progress(
    bot: &TgBot,
    app: &App,
    b: &Progress,
) -> Result<Option<MessageId>, BotError> {
    let mut tx = app.tx().await?;
    let mine = broadcasts::claim_progress_message(&mut tx, b.id).await?;
    tx.commit().await?;
    if !mine {
        return Ok(None);
    }
    let sent = bot
        .send_message(ChatId(b.admin_chat), progress(b.locale, &b.tally))
        .reply_markup(stop_button(b.locale, b.id))
        .await?;
    let mut tx = app.tx().await?;
    broadcasts::set_progress_message(&mut tx, b.id, sent.id.0).await?;
    tx.commit().await?;
    Ok(Some(sent.id))
}

/// Records the end once and shows the report (in the progress message, or a new one when the
/// progress message was never posted).
async fn finish(
    bot: &TgBot,
    app: &App,
    b: &Progress,
    message: Option<MessageId>,
) -> Result<(), BotError> {
    let t = &b.tally;
    let mut tx = app.tx().await?;
    if !broadcasts::finish(&mut tx, b.id, app.now()).await? {
        return Ok(());
    }
    // Recorded before the report is shown, so whoever reads the report finds the entry.
    audit::record(
        &mut tx,
        b.admin,
        "broadcast.finish",
        Some(&format!("broadcast:{}", b.id)),
        &json!({ "delivered": t.delivered, "blocked": t.blocked, "failed": t.failed, "stopped": b.stopped }),
        app.now(),
    )
    .await?;
    tx.commit().await?;
    let text = report(b.locale, b.stopped, t);
    let chat = ChatId(b.admin_chat);
    match message {
        // The report waits out the admin chat's own rate, so it is never the edit that is
        // dropped.
        Some(id) => {
            tokio::time::sleep(Duration::from_secs(1)).await;
            edit(bot, chat, id, text, None).await;
        }
        None => {
            if let Err(e) = bot.send_message(chat, text).await {
                tracing::warn!(error = %e, "could not send the broadcast report");
            }
        }
    }
    Ok(())
}

async fn edit(
    bot: &TgBot,
    chat: ChatId,
    id: MessageId,
    text: String,
    markup: Option<teloxide::types::InlineKeyboardMarkup>,
) {
    let mut request = bot.edit_message_text(chat, id, text);
    if let Some(m) = markup {
        request = request.reply_markup(m);
    }
    if let Err(e) = request.await {
        tracing::warn!(error = %e, "could not update the broadcast progress");
    }
}
