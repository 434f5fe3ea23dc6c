//! The audit log: ten entries a page, newest first, and the whole log as a CSV document.

use crate::admin::roles::Acting;
use crate::runtime::context::Cx;
use storage::tenant::{audit, settings};

use super::{
    callback::AdminAction as A,
    keyboards::{button, rows},
    texts::local,
};
use crate::error::BotError;
use bot_kit::{Attachment, Reply};

const PAGE: i64 = 10;

pub async fn page(cx: &Cx<'_, Acting>, page: u32) -> Result<Reply, BotError> {
    let mut tx = cx.tx().await?;
    let zone = settings::profile(&mut tx).await?.time_zone;
    let total = audit::count(&mut tx).await?;
    let entries = audit::page(&mut tx, i64::from(page) * PAGE, PAGE).await?;
    tx.commit().await?;
    let mut text = format!("📜 {} ({total})", cx.tr("Audit log", "Журнал действий"));
    for e in &entries {
        let details: String = e.details.to_string().chars().take(60).collect();
        text.push_str(&format!(
            "\n{} · {} · {} · {} {details}",
            local(zone, e.at),
            e.actor.map(|a| a.to_string()).unwrap_or_default(),
            e.action,
            e.target.as_deref().unwrap_or_default()
        ));
    }
    let mut nav = Vec::new();
    if page > 0 {
        nav.push(button("⬅️", A::Audit(page - 1)));
    }
    if (i64::from(page) + 1) * PAGE < total {
        nav.push(button("➡️", A::Audit(page + 1)));
    }
    Ok(Reply::screen(
        text,
        rows(vec![
            nav,
            vec![button(
                cx.tr("💾 Export CSV", "💾 Выгрузить CSV"),
                A::AuditCsv,
            )],
            vec![button(cx.tr("🏠 Panel", "🏠 Панель"), A::Menu)],
        ]),
    ))
}

/// How far back the export reaches.
pub const EXPORT_DAYS: i64 = 90;
/// The most entries one export holds (a Telegram document, not a data dump).
pub const EXPORT_MAX_ROWS: i64 = 10_000;

/// The last [`EXPORT_DAYS`] of the log as CSV, newest first, at most [`EXPORT_MAX_ROWS`]
/// entries, written row by row as they are read.
pub async fn csv(cx: &Cx<'_, Acting>) -> Result<Reply, BotError> {
    let since = cx.app.now() - chrono::Duration::days(EXPORT_DAYS);
    let mut w = csv::Writer::from_writer(Vec::new());
    let header = w.write_record(["at", "actor_id", "action", "target", "details"]);
    let mut failed: Option<csv::Error> = header.err();
    let mut tx = cx.tx().await?;
    let written = audit::each_since(&mut tx, since, EXPORT_MAX_ROWS, |e| {
        if failed.is_none() {
            let row = [
                e.at.to_rfc3339(),
                e.actor.map(|a| a.to_string()).unwrap_or_default(),
                e.action,
                e.target.unwrap_or_default(),
                e.details.to_string(),
            ];
            failed = w.write_record(row).err();
        }
        Ok(())
    })
    .await?;
    tx.commit().await?;
    let bytes = super::export::finish(match failed {
        Some(e) => Err(e),
        None => w.into_inner().map_err(|e| e.into_error().into()),
    })?;
    let mut caption = format!(
        "{written} {} ({EXPORT_DAYS} {})",
        cx.tr("entries", "записей"),
        cx.tr("days", "дней"),
    );
    if written >= u64::try_from(EXPORT_MAX_ROWS).unwrap_or(u64::MAX) {
        caption.push_str(cx.tr(
            "; only the newest are included",
            "; в файле только самые новые",
        ));
    }
    Ok(Reply {
        files: vec![Attachment::Document {
            name: "audit_log.csv".to_owned(),
            bytes,
            caption,
        }],
        ..Reply::default()
    })
}
