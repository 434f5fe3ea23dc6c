//! Exports: bookings (a year back and a year ahead) and customers as CSV documents, UTF-8
//! with a byte-order mark so spreadsheet programs read Cyrillic names right.

use crate::admin::roles::Acting;
use crate::runtime::context::Cx;
use booking_core::time::Interval;
use chrono::Duration;
use storage::{
    StorageError,
    tenant::{admin_exports, settings},
};

use super::{
    callback::AdminAction as A,
    keyboards::{button, rows},
};
use crate::error::BotError;
use bot_kit::{Attachment, Reply};

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// The finished document, or a storage-side error (writing to memory does not fail in
/// practice; the error keeps the one error type).
pub fn finish(result: Result<Vec<u8>, csv::Error>) -> Result<Vec<u8>, BotError> {
    let body = result.map_err(|e| StorageError::Corrupt(format!("csv: {e}")))?;
    let mut out = BOM.to_vec();
    out.extend(body);
    Ok(out)
}

pub async fn menu(cx: &Cx<'_, Acting>) -> Result<Reply, BotError> {
    {
        Ok(Reply::screen(
            cx.tr("📤 Exports (CSV)", "📤 Выгрузки (CSV)"),
            rows(vec![
                vec![
                    button(cx.tr("Bookings", "Записи"), A::ExportBookings),
                    button(cx.tr("Customers", "Клиенты"), A::ExportCustomers),
                ],
                vec![button(cx.tr("📜 Audit log", "📜 Журнал"), A::AuditCsv)],
                vec![button(cx.tr("🏠 Panel", "🏠 Панель"), A::Menu)],
            ]),
        ))
    }
}

fn document(name: &str, bytes: Vec<u8>, caption: String) -> Reply {
    Reply {
        files: vec![Attachment::Document {
            name: name.to_owned(),
            bytes,
            caption,
        }],
        ..Reply::default()
    }
}

pub async fn bookings(cx: &Cx<'_, Acting>) -> Result<Reply, BotError> {
    let now = cx.app.now();
    let mut tx = cx.tx().await?;
    let zone = settings::profile(&mut tx).await?.time_zone;
    let rows = admin_exports::bookings(
        &mut tx,
        Interval {
            start: now - Duration::days(365),
            end: now + Duration::days(365),
        },
    )
    .await?;
    tx.commit().await?;
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut write = || -> Result<Vec<u8>, csv::Error> {
        w.write_record([
            "booking_id",
            "date",
            "start",
            "end",
            "status",
            "service",
            "staff",
            "customer",
            "phone",
            "username",
            "price",
            "source",
            "paid",
            "refunded",
            "kept",
        ])?;
        for r in &rows {
            let start = r.starts_at.with_timezone(&zone);
            w.write_record([
                r.booking_id.to_string(),
                start.format("%Y-%m-%d").to_string(),
                start.format("%H:%M").to_string(),
                r.ends_at.with_timezone(&zone).format("%H:%M").to_string(),
                r.status.clone(),
                r.service.clone(),
                r.staff.clone(),
                r.customer.clone(),
                r.phone.clone().unwrap_or_default(),
                r.username.clone().unwrap_or_default(),
                booking_core::catalogue::Price(r.price_minor).decimal(),
                r.source.clone().unwrap_or_default(),
                booking_core::catalogue::Price(r.paid_minor).decimal(),
                booking_core::catalogue::Price(r.refunded_minor).decimal(),
                booking_core::catalogue::Price(r.kept_minor).decimal(),
            ])?;
        }
        w.flush()?;
        Ok(w.get_ref().clone())
    };
    let bytes = finish(write())?;
    Ok(document(
        "bookings.csv",
        bytes,
        format!("{} {}", rows.len(), cx.tr("bookings", "записей")),
    ))
}

pub async fn customers(cx: &Cx<'_, Acting>) -> Result<Reply, BotError> {
    let mut tx = cx.tx().await?;
    let rows = admin_exports::customers(&mut tx).await?;
    tx.commit().await?;
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut write = || -> Result<Vec<u8>, csv::Error> {
        w.write_record([
            "customer_id",
            "telegram_user_id",
            "name",
            "username",
            "phone",
            "source",
            "blocked_bot",
            "first_seen",
            "visits",
            "no_shows",
            "cancelled",
        ])?;
        for r in &rows {
            // A phoned-in customer's negative id is internal, not a Telegram id.
            let telegram = if r.telegram_user_id > 0 {
                r.telegram_user_id.to_string()
            } else {
                String::new()
            };
            w.write_record([
                r.customer_id.to_string(),
                telegram,
                r.name.clone(),
                r.username.clone().unwrap_or_default(),
                r.phone.clone().unwrap_or_default(),
                r.source.clone().unwrap_or_default(),
                r.blocked.to_string(),
                r.created_at.to_rfc3339(),
                r.completed.to_string(),
                r.no_shows.to_string(),
                r.cancelled.to_string(),
            ])?;
        }
        w.flush()?;
        Ok(w.get_ref().clone())
    };
    let bytes = finish(write())?;
    Ok(document(
        "customers.csv",
        bytes,
        format!("{} {}", rows.len(), cx.tr("customers", "клиентов")),
    ))
}
