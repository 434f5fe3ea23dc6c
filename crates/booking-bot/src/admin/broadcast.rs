//! Broadcasts: the audience, the text, a preview with the recipient count, then sending paced
//! under Telegram's limits with a live progress message that can stop it, ending with a report
//! of delivered, blocked and failed. A 403 marks the customer blocked, so later broadcasts and
//! reminders skip them.
//!
//! The draft and the stop flag live in Redis (`t:<tenant>:bcast:<id>`, `...:bcast-stop:<id>`);
//! the send starts once per draft, whoever presses Send twice.

use std::{sync::Arc, time::Duration};

use booking_core::{ids::TelegramUserId, locale::Locale};
use serde::{Deserialize, Serialize};
use serde_json::json;
use storage::{
    StorageError,
    kv::TenantKey,
    tenant::{
        audit,
        broadcasts::{self, Segment},
        customers,
    },
};
use teloxide::{
    ApiError, RequestError,
    prelude::*,
    types::{ChatId, MessageId},
};
use tokio::time::Instant;

use super::{
    Cx,
    callback::{AdminAction as A, Audience},
    input::{self, Pending},
    keyboards::{button, column, rows},
    reply::AdminReply,
    texts::tr,
};
use crate::{app::App, error::BotError, handlers::TgBot};

/// Time between two sends: 20 a second, under Telegram's 30 a second per bot, leaving room
/// for the bot's other messages (the Throttle adaptor below enforces the hard limits too).
const PACE: Duration = Duration::from_millis(50);
/// The progress message is edited at most this often (edits count against the admin's chat).
const PROGRESS_EVERY: Duration = Duration::from_secs(2);
/// A draft not sent within a day is dropped.
const DRAFT_TTL: u64 = 24 * 3600;
/// Telegram's longest message.
const MAX_TEXT: usize = 4096;

#[derive(Clone, Debug, Serialize, Deserialize)]
struct Draft {
    text: String,
    audience: Audience,
}

/// A broadcast to send.
#[derive(Clone, Debug)]
pub struct Job {
    pub id: u64,
    pub text: String,
    pub recipients: Vec<TelegramUserId>,
    pub admin_chat: ChatId,
    pub admin: TelegramUserId,
    pub locale: Locale,
}

fn draft_key(app: &App, id: u64) -> TenantKey {
    TenantKey::new(app.tenant, "bcast", id)
}

fn stop_key(app: &App, id: u64) -> TenantKey {
    TenantKey::new(app.tenant, "bcast-stop", id)
}

fn started_key(app: &App, id: u64) -> TenantKey {
    TenantKey::new(app.tenant, "bcast-started", id)
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

pub async fn audiences(cx: &Cx<'_>) -> Result<AdminReply, BotError> {
    let mut kb = column(
        Audience::ALL
            .into_iter()
            .map(|a| button(audience_label(cx.locale, a), A::BroadcastSegment(a))),
    );
    kb.push(vec![button(cx.tr("🏠 Panel", "🏠 Панель"), A::Menu)]);
    Ok(AdminReply::screen(
        cx.tr("📢 Broadcast: to whom?", "📢 Рассылка: кому?"),
        rows(kb),
    ))
}

pub async fn ask(cx: &Cx<'_>, audience: Audience) -> Result<AdminReply, BotError> {
    input::set(cx.app, cx.chat, &Pending::BroadcastText { audience }).await?;
    Ok(AdminReply::screen(
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

async fn count(cx: &Cx<'_>, audience: Audience) -> Result<Vec<TelegramUserId>, BotError> {
    let mut tx = cx.app.tx().await?;
    let list = broadcasts::recipients(&mut tx, segment(audience), cx.app.now()).await?;
    tx.commit().await?;
    Ok(list)
}

pub async fn preview(cx: &Cx<'_>, audience: Audience, text: &str) -> Result<AdminReply, BotError> {
    let text = text.trim();
    if text.is_empty() || text.chars().count() > MAX_TEXT {
        return Ok(AdminReply::alert(cx.tr(
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
    Ok(AdminReply::screen(
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

pub async fn drop_draft(cx: &Cx<'_>, id: u64) -> Result<AdminReply, BotError> {
    cx.app.kv.delete(&draft_key(cx.app, id)).await?;
    Ok(AdminReply::screen(
        cx.tr(
            "📢 Broadcast cancelled; nothing was sent.",
            "📢 Рассылка отменена, ничего не отправлено.",
        ),
        rows(vec![vec![button(cx.tr("🏠 Panel", "🏠 Панель"), A::Menu)]]),
    ))
}

/// Starts the draft once: a second press (or a forged one) finds it started or gone.
pub async fn send(cx: &Cx<'_>, id: u64) -> Result<AdminReply, BotError> {
    let Some(json) = cx.app.kv.get(&draft_key(cx.app, id)).await? else {
        return Ok(AdminReply::alert(
            cx.tr("This draft is gone.", "Черновик не найден."),
        ));
    };
    let (first, _) = cx
        .app
        .kv
        .hit(&started_key(cx.app, id), 1, DRAFT_TTL)
        .await?;
    if !first {
        return Ok(AdminReply::alert(
            cx.tr("Already sending.", "Уже отправляется."),
        ));
    }
    cx.app.kv.delete(&draft_key(cx.app, id)).await?;
    let draft: Draft =
        serde_json::from_str(&json).map_err(|e| StorageError::Corrupt(e.to_string()))?;
    let recipients = count(cx, draft.audience).await?;
    let mut tx = cx.app.tx().await?;
    audit::record(
        &mut tx,
        cx.admin.id,
        "broadcast.start",
        Some(&format!("broadcast:{id}")),
        &json!({ "audience": format!("{:?}", draft.audience), "recipients": recipients.len(), "text": draft.text }),
        cx.app.now(),
    )
    .await?;
    tx.commit().await?;
    Ok(AdminReply {
        text: Some(format!(
            "📢 {}\n\n{}",
            cx.tr("Sending:", "Отправляется:"),
            draft.text
        )),
        broadcast: Some(Job {
            id,
            text: draft.text,
            recipients,
            admin_chat: cx.chat,
            admin: cx.admin.id,
            locale: cx.locale,
        }),
        ..AdminReply::default()
    })
}

pub async fn stop(cx: &Cx<'_>, id: u64) -> Result<AdminReply, BotError> {
    cx.app.kv.set(&stop_key(cx.app, id), "1", DRAFT_TTL).await?;
    Ok(AdminReply::alert(cx.tr("Stopping…", "Останавливаю…")))
}

#[derive(Default)]
struct Tally {
    delivered: usize,
    blocked: usize,
    failed: usize,
}

fn progress(l: Locale, done: usize, total: usize, t: &Tally) -> String {
    format!(
        "📢 {} {done}/{total}\n{}: {} · {}: {} · {}: {}",
        tr(l, "Sending", "Отправка"),
        tr(l, "delivered", "доставлено"),
        t.delivered,
        tr(l, "blocked", "заблокировали"),
        t.blocked,
        tr(l, "failed", "ошибки"),
        t.failed,
    )
}

/// Whether Telegram says this person cannot be written to at all (403).
fn is_blocked(e: &RequestError) -> bool {
    match e {
        RequestError::Api(
            ApiError::BotBlocked | ApiError::UserDeactivated | ApiError::CantInitiateConversation,
        ) => true,
        RequestError::Api(ApiError::Unknown(s)) => s.starts_with("Forbidden"),
        _ => false,
    }
}

/// Sends the broadcast. Runs on its own task, so the admin's press is answered at once.
pub async fn run(bot: TgBot, app: Arc<App>, job: Job) {
    if let Err(e) = run_inner(&bot, &app, &job).await {
        tracing::error!(error = ?e, broadcast = job.id, "the broadcast failed");
    }
}

async fn run_inner(bot: &TgBot, app: &App, job: &Job) -> Result<(), BotError> {
    let l = job.locale;
    let total = job.recipients.len();
    let mut tally = Tally::default();
    let stop_button = rows(vec![vec![button(
        tr(l, "⏹ Stop", "⏹ Остановить"),
        A::BroadcastStop(job.id),
    )]]);
    let message = bot
        .send_message(job.admin_chat, progress(l, 0, total, &tally))
        .reply_markup(stop_button.clone())
        .await?;
    let mut last_edit = Instant::now();
    let mut stopped = false;
    for (i, who) in job.recipients.iter().enumerate() {
        if app.kv.get(&stop_key(app, job.id)).await?.is_some() {
            stopped = true;
            break;
        }
        let mut result = bot.send_message(ChatId(who.get()), job.text.clone()).await;
        if let Err(RequestError::RetryAfter(wait)) = &result {
            // Told to wait despite the pacing: wait as asked and try once more.
            tokio::time::sleep(wait.duration()).await;
            result = bot.send_message(ChatId(who.get()), job.text.clone()).await;
        }
        match result {
            Ok(_) => tally.delivered += 1,
            Err(e) if is_blocked(&e) => {
                tally.blocked += 1;
                let mut tx = app.tx().await?;
                customers::mark_blocked(&mut tx, *who, app.now()).await?;
                tx.commit().await?;
            }
            Err(e) => {
                tally.failed += 1;
                tracing::warn!(error = %e, "a broadcast message failed");
            }
        }
        if last_edit.elapsed() >= PROGRESS_EVERY {
            edit(
                bot,
                job,
                message.id,
                progress(l, i + 1, total, &tally),
                Some(stop_button.clone()),
            )
            .await;
            last_edit = Instant::now();
        }
        tokio::time::sleep(PACE).await;
    }
    let done = tally.delivered + tally.blocked + tally.failed;
    let report = format!(
        "{} {done}/{total}\n{}: {} · {}: {} · {}: {}",
        if stopped {
            tr(l, "⏹ Broadcast stopped:", "⏹ Рассылка остановлена:")
        } else {
            tr(l, "✅ Broadcast finished:", "✅ Рассылка завершена:")
        },
        tr(l, "delivered", "доставлено"),
        tally.delivered,
        tr(l, "blocked", "заблокировали"),
        tally.blocked,
        tr(l, "failed", "ошибки"),
        tally.failed,
    );
    // Recorded before the report is shown, so whoever reads the report finds the entry.
    let mut tx = app.tx().await?;
    audit::record(
        &mut tx,
        job.admin,
        "broadcast.finish",
        Some(&format!("broadcast:{}", job.id)),
        &json!({ "delivered": tally.delivered, "blocked": tally.blocked, "failed": tally.failed, "stopped": stopped }),
        app.now(),
    )
    .await?;
    tx.commit().await?;
    // The report waits out the admin chat's own rate, so it is never the edit that is dropped.
    let since = last_edit.elapsed();
    if since < Duration::from_secs(1) {
        tokio::time::sleep(Duration::from_secs(1) - since).await;
    }
    edit(bot, job, message.id, report, None).await;
    Ok(())
}

async fn edit(
    bot: &TgBot,
    job: &Job,
    id: MessageId,
    text: String,
    markup: Option<teloxide::types::InlineKeyboardMarkup>,
) {
    let mut request = bot.edit_message_text(job.admin_chat, id, text);
    if let Some(m) = markup {
        request = request.reply_markup(m);
    }
    if let Err(e) = request.await {
        tracing::warn!(error = %e, "could not update the broadcast progress");
    }
}
