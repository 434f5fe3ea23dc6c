//! The audit log: ten entries a page, newest first, and the whole log as a CSV document.

use storage::tenant::{audit, settings};

use super::{
    Cx,
    callback::AdminAction as A,
    keyboards::{button, rows},
    reply::{AdminReply, Attachment},
    texts::local,
};
use crate::error::BotError;

const PAGE: i64 = 10;

pub async fn page(cx: &Cx<'_>, page: u32) -> Result<AdminReply, BotError> {
    let mut tx = cx.app.tx().await?;
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
    Ok(AdminReply::screen(
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

pub async fn csv(cx: &Cx<'_>) -> Result<AdminReply, BotError> {
    let mut tx = cx.app.tx().await?;
    let total = audit::count(&mut tx).await?;
    let entries = audit::page(&mut tx, 0, total.max(1)).await?;
    tx.commit().await?;
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut write = || -> Result<Vec<u8>, csv::Error> {
        w.write_record(["at", "actor_id", "action", "target", "details"])?;
        for e in &entries {
            w.write_record([
                e.at.to_rfc3339(),
                e.actor.map(|a| a.to_string()).unwrap_or_default(),
                e.action.clone(),
                e.target.clone().unwrap_or_default(),
                e.details.to_string(),
            ])?;
        }
        w.flush()?;
        Ok(w.get_ref().clone())
    };
    let bytes = super::export::finish(write())?;
    Ok(AdminReply {
        files: vec![Attachment::Document {
            name: "audit_log.csv".to_owned(),
            bytes,
            caption: format!("{} {}", entries.len(), cx.tr("entries", "записей")),
        }],
        ..AdminReply::default()
    })
}
