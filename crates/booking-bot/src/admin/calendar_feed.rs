//! The calendar feed of a staff member (or the whole business): a private link that Google,
//! Apple or Outlook calendars subscribe to, served by the platform (`/ical/<token>.ics`).
//!
//! Only the token's hash is stored, so a link is shown once, when it is made, like a password:
//! the screen says whether a feed is live and since when, and offers a new link (the old one
//! stops working) or revoking it.

use crate::admin::roles::Acting;
use crate::runtime::context::Cx;
use booking_core::ids::StaffId;
use serde_json::json;
use storage::tenant::{
    calendar_feeds::{self, FeedOwner, FeedToken},
    catalogue,
};

use super::{
    audit,
    callback::AdminAction as A,
    keyboards::{button, rows},
};
use crate::error::BotError;
use bot_kit::{Outgoing, Reply};

fn owner(staff: Option<StaffId>) -> FeedOwner {
    staff.map_or(FeedOwner::Business, FeedOwner::Staff)
}

/// Whose feed it is, as the screen names it; `None` for a staff member who does not exist.
async fn title(cx: &Cx<'_, Acting>, staff: Option<StaffId>) -> Result<Option<String>, BotError> {
    let Some(id) = staff else {
        return Ok(Some(
            cx.tr("the whole business", "вся запись салона").to_owned(),
        ));
    };
    let mut tx = cx.tx().await?;
    let name = catalogue::staff(&mut tx, true)
        .await?
        .into_iter()
        .find(|s| s.id == id)
        .map(|s| s.name);
    tx.commit().await?;
    Ok(name)
}

fn no_such_staff(cx: &Cx<'_, Acting>) -> Reply {
    Reply::alert(cx.tr("No such staff member.", "Такого мастера нет."))
}

fn back(cx: &Cx<'_, Acting>, staff: Option<StaffId>) -> teloxide::types::InlineKeyboardButton {
    match staff {
        Some(id) if cx.who.is_manager() => {
            button(cx.tr("◀ Staff member", "◀ Мастер"), A::StaffItem(id))
        }
        _ => button(cx.tr("◀ Availability", "◀ Доступность"), A::Availability),
    }
}

/// Whether the feed is live, with the buttons to make a new link or revoke it.
pub async fn show(cx: &Cx<'_, Acting>, staff: Option<StaffId>) -> Result<Reply, BotError> {
    let Some(whose) = title(cx, staff).await? else {
        return Ok(no_such_staff(cx));
    };
    let mut tx = cx.tx().await?;
    let since = calendar_feeds::live_since(&mut tx, owner(staff)).await?;
    let zone = storage::tenant::settings::profile(&mut tx).await?.time_zone;
    tx.commit().await?;
    let state = match since {
        Some(at) => format!(
            "{} {}.",
            cx.tr("A link is live, made", "Ссылка действует, создана"),
            at.with_timezone(&zone).format("%d.%m.%Y %H:%M")
        ),
        None => cx.tr("No link yet.", "Ссылки пока нет.").to_owned(),
    };
    let text = format!(
        "📅 {}: {whose}\n\n{}\n\n{state}",
        cx.tr("Calendar feed", "Календарь"),
        cx.tr(
            "Subscribe to the link in Google, Apple or Outlook Calendar and the bookings appear \
             there by themselves, moved and cancelled ones included. The link is shown once; \
             a new one stops the old one.",
            "Подпишитесь на ссылку в Google, Apple или Outlook Календаре — записи будут \
             появляться там сами, вместе с переносами и отменами. Ссылка показывается один раз; \
             новая ссылка отключает старую."
        ),
    );
    let mut kb = vec![vec![button(
        if since.is_some() {
            cx.tr("🔄 New link", "🔄 Новая ссылка")
        } else {
            cx.tr("🔗 Get a link", "🔗 Получить ссылку")
        },
        A::FeedNew(staff),
    )]];
    if since.is_some() {
        kb.push(vec![button(
            cx.tr("⛔ Revoke the link", "⛔ Отключить ссылку"),
            A::FeedRevoke(staff),
        )]);
    }
    kb.push(vec![back(cx, staff)]);
    Ok(Reply::screen(text, rows(kb)))
}

/// A new link, shown once in a message of its own (so it stays in the chat to copy).
pub async fn renew(cx: &Cx<'_, Acting>, staff: Option<StaffId>) -> Result<Reply, BotError> {
    if title(cx, staff).await?.is_none() {
        return Ok(no_such_staff(cx));
    }
    let mut tx = cx.tx().await?;
    let token = calendar_feeds::issue(&mut tx, cx.app.tenant, owner(staff), cx.app.now()).await?;
    audit::record(cx, &mut tx, "calendar_feed.issue", target(staff), json!({})).await?;
    tx.commit().await?;
    Ok(show(cx, staff).await?.notify(Outgoing {
        chat: cx.chat,
        text: format!(
            "{}\n{}\n\n{}",
            cx.tr("📅 The calendar link:", "📅 Ссылка на календарь:"),
            link(cx, &token),
            cx.tr(
                "Keep it private: anyone with the link sees the bookings.",
                "Не пересылайте её: по ссылке видны все записи."
            )
        ),
        markup: None,
    }))
}

/// The link stops working at once.
pub async fn revoke(cx: &Cx<'_, Acting>, staff: Option<StaffId>) -> Result<Reply, BotError> {
    let mut tx = cx.tx().await?;
    let revoked = calendar_feeds::revoke(&mut tx, owner(staff), cx.app.now()).await?;
    if revoked {
        audit::record(
            cx,
            &mut tx,
            "calendar_feed.revoke",
            target(staff),
            json!({}),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(show(cx, staff).await?.with_toast(if revoked {
        cx.tr("The link no longer works.", "Ссылка больше не работает.")
    } else {
        cx.tr("There was no link.", "Ссылки не было.")
    }))
}

fn target(staff: Option<StaffId>) -> String {
    staff.map_or_else(|| "calendar:business".to_owned(), |s| format!("staff:{s}"))
}

/// The link on the platform's address (`CALENDAR_FEED_URL`); without one configured, the
/// path alone, which the operator's address completes.
fn link(cx: &Cx<'_, Acting>, token: &FeedToken) -> String {
    let base = cx.app.calendar_feed_url.as_deref().unwrap_or_default();
    format!("{}/ical/{token}.ics", base.trim_end_matches('/'))
}
