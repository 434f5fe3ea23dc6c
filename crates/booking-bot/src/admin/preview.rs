//! Changes that touch bookings are shown before they are made: a block, a day's exception,
//! new weekly hours, a staff member switched off. The change is written in a transaction, the
//! bookings it leaves without a place are read in that same transaction, and the transaction is
//! rolled back; with none, the change is simply made. With some, the admin sees them and
//! chooses: cancel them (through the booking service: each customer told and offered the
//! nearest free times), keep them, or drop the change. The choice writes the change again from
//! scratch, so the bookings cancelled are the ones affected at that moment.

use crate::runtime::context::Cx;
use booking_core::{
    Tz,
    booking::{Actor, BookingStatus},
    ids::StaffId,
    schedule::{DayException, WeeklyHours},
    time::Interval,
};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;
use storage::{
    TenantTx,
    kv::TenantKey,
    tenant::{
        admin_views,
        bookings::{
            self,
            model::BookingView,
            service::{self, Caller, Cancellation},
            unfit, waitlist_offers,
        },
        catalogue_admin, schedule, settings,
    },
};
use teloxide::types::ChatId;

use super::{
    audit,
    callback::{AdminAction as A, choices::PreviewChoice},
    hours, input,
    keyboards::{button, rows},
    roles::Acting,
    staff,
    texts::{day, local, refused, when},
};
use crate::{
    error::{BotError, split},
    runtime::app::App,
};
use bot_kit::Reply;

/// A change waiting for its confirmation is forgotten after an hour.
const TTL_SECS: u64 = 3600;
/// The bookings a preview lists; the rest are counted.
const LISTED: usize = 15;

/// A change of availability that may touch bookings.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Change {
    Block {
        staff: Option<StaffId>,
        period: Interval,
        reason: String,
    },
    Weekly {
        staff: Option<StaffId>,
        week: Box<WeeklyHours>,
        text: String,
    },
    /// A day off or special hours on `day`; `None` brings the weekly hours back.
    Exception {
        staff: Option<StaffId>,
        day: NaiveDate,
        exception: Option<DayException>,
        text: String,
    },
    StaffOff {
        staff: StaffId,
    },
}

impl Change {
    /// Whether `admin` may make this change now (checked again on the confirming press).
    fn allowed(&self, admin: &Acting) -> bool {
        match self {
            Self::Block { staff, .. } => admin.may_view(*staff),
            Self::Weekly { .. } | Self::Exception { .. } | Self::StaffOff { .. } => {
                admin.is_manager()
            }
        }
    }

    /// A customer reads this as the reason their visit was cancelled.
    fn reason(&self) -> Option<String> {
        match self {
            Self::Block { reason, .. } if !reason.trim().is_empty() => Some(reason.clone()),
            _ => None,
        }
    }
}

fn key(app: &App, chat: ChatId) -> TenantKey {
    TenantKey::new(app.tenant, "admin-preview", chat.0)
}

async fn store(app: &App, chat: ChatId, change: &Change) -> Result<(), BotError> {
    let json =
        serde_json::to_string(change).map_err(|e| storage::StorageError::Corrupt(e.to_string()))?;
    Ok(app.kv.set(&key(app, chat), &json, TTL_SECS).await?)
}

async fn stored(app: &App, chat: ChatId) -> Result<Option<Change>, BotError> {
    let Some(json) = app.kv.get(&key(app, chat)).await? else {
        return Ok(None);
    };
    // A change written by another version that no longer parses is dropped, not fatal.
    Ok(serde_json::from_str(&json).ok())
}

async fn forget(app: &App, chat: ChatId) -> Result<(), BotError> {
    Ok(app.kv.delete(&key(app, chat)).await?)
}

/// Writes `change` in `tx` with its audit line; returns what the admin reads once it is made.
async fn write(
    cx: &Cx<'_, Acting>,
    tx: &mut TenantTx,
    zone: Tz,
    change: &Change,
) -> Result<String, BotError> {
    Ok(match change {
        Change::Block {
            staff,
            period,
            reason,
        } => {
            let id = schedule::block(tx, *staff, *period, reason, Some(cx.who.id.get())).await?;
            audit::record(
                cx,
                tx,
                "block.create",
                format!("block:{id}"),
                json!({ "staff": staff, "start": period.start, "end": period.end, "reason": reason }),
            )
            .await?;
            format!(
                "🔒 #{id} {} – {}",
                when(cx.locale, zone, period.start),
                local(zone, period.end)
            )
        }
        Change::Weekly { staff, week, text } => {
            schedule::set_weekly(tx, *staff, week).await?;
            // New hours may open time on any day ahead; an offer of a day still full is
            // dropped when it is rendered.
            let now = cx.app.now();
            let cause = format!("hours:{}", now.timestamp_micros());
            let today = now.with_timezone(&zone).date_naive();
            waitlist_offers::schedule_freed(tx, *staff, today, None, &cause, now).await?;
            audit::record(
                cx,
                tx,
                "hours.set",
                staff.map_or_else(|| "business".to_owned(), |s| format!("staff:{s}")),
                json!({ "text": text }),
            )
            .await?;
            let now = admin_views::weekly_rows(tx, *staff).await?;
            format!(
                "✅ {}{}",
                cx.tr("Saved:", "Сохранено:"),
                hours::show(cx.locale, &now)
            )
        }
        Change::Exception {
            staff,
            day: date,
            exception,
            text,
        } => {
            match exception {
                Some(e) => schedule::set_exception(tx, *staff, *date, e).await?,
                None => {
                    admin_views::clear_exception(tx, *staff, *date).await?;
                }
            }
            // A day off taken back or special hours may open time on that day.
            if !matches!(exception, Some(DayException::DayOff)) {
                let now = cx.app.now();
                let cause = format!("day:{date}:{}", now.timestamp_micros());
                waitlist_offers::schedule_freed(tx, *staff, *date, Some(*date), &cause, now)
                    .await?;
            }
            audit::record(
                cx,
                tx,
                "exception.set",
                format!("{date}"),
                json!({ "staff": staff, "text": text }),
            )
            .await?;
            format!(
                "✅ {}: {}",
                day(cx.locale, *date),
                cx.tr("saved.", "сохранено.")
            )
        }
        Change::StaffOff { staff } => {
            catalogue_admin::set_active(tx, catalogue_admin::Kind::Staff, staff.get(), false)
                .await?;
            audit::record(
                cx,
                tx,
                "staff.active",
                format!("staff:{staff}"),
                json!({ "active": false }),
            )
            .await?;
            String::new()
        }
    })
}

/// The confirmed bookings `change` (already written in `tx`) leaves without a place.
async fn affected(
    tx: &mut TenantTx,
    zone: Tz,
    change: &Change,
    now: DateTime<Utc>,
) -> Result<Vec<BookingView>, BotError> {
    let upcoming = |v: &BookingView| v.booking.status == BookingStatus::Confirmed;
    Ok(match change {
        Change::Block { staff, period, .. } => {
            // A visit that started before the period but runs into it is affected too.
            let window = Interval {
                start: period.start - Duration::days(1),
                end: period.end,
            };
            bookings::views::in_range(tx, window, *staff)
                .await?
                .into_iter()
                .filter(|v| upcoming(v) && v.booking.end > now)
                .filter(|v| v.booking.start < period.end && v.booking.end > period.start)
                .collect()
        }
        Change::Weekly { staff, .. } | Change::Exception { staff, .. } => {
            unfit::outside_hours(tx, zone, *staff, now).await?
        }
        Change::StaffOff { staff } => {
            let window = Interval {
                start: now,
                end: now + Duration::days(3660),
            };
            bookings::views::in_range(tx, window, Some(*staff))
                .await?
                .into_iter()
                .filter(|v| upcoming(v) && v.booking.start >= now)
                .collect()
        }
    })
}

/// Makes `change` at once if it touches no booking; otherwise keeps it and shows the preview.
pub async fn propose(cx: &Cx<'_, Acting>, change: Change) -> Result<Reply, BotError> {
    if !change.allowed(&cx.who) {
        return Ok(Reply::alert(refused(cx.locale)));
    }
    let now = cx.app.now();
    let mut tx = cx.tx().await?;
    let zone = settings::profile(&mut tx).await?.time_zone;
    let summary = write(cx, &mut tx, zone, &change).await?;
    let touched = affected(&mut tx, zone, &change, now).await?;
    if touched.is_empty() {
        tx.commit().await?;
        input::clear(cx.app, cx.chat).await?;
        return done(cx, &change, summary, None).await;
    }
    // Nothing is kept until the admin chooses.
    tx.rollback().await?;
    input::clear(cx.app, cx.chat).await?;
    store(cx.app, cx.chat, &change).await?;
    Ok(Reply::screen(
        listing(cx, zone, &touched),
        rows(vec![
            vec![button(
                format!(
                    "❌ {} ({})",
                    cx.tr(
                        "Save and cancel the bookings",
                        "Сохранить и отменить записи"
                    ),
                    touched.len()
                ),
                A::Preview(PreviewChoice::Cancel),
            )],
            vec![button(
                cx.tr(
                    "📌 Save, keep the bookings",
                    "📌 Сохранить, записи оставить",
                ),
                A::Preview(PreviewChoice::Keep),
            )],
            vec![button(
                cx.tr("◀ Don't save", "◀ Не сохранять"),
                A::Preview(PreviewChoice::Discard),
            )],
        ]),
    ))
}

fn listing(cx: &Cx<'_, Acting>, zone: Tz, touched: &[BookingView]) -> String {
    let mut text = format!(
        "⚠️ {} ({}):",
        cx.tr(
            "This change touches bookings",
            "Это изменение затрагивает записи"
        ),
        touched.len()
    );
    for v in touched.iter().take(LISTED) {
        text.push_str(&format!(
            "\n• {} · {} · {} · {}",
            when(cx.locale, zone, v.booking.start),
            v.service_name,
            v.staff_name,
            v.customer_name
        ));
    }
    if touched.len() > LISTED {
        text.push_str(&format!(
            "\n… {} {}",
            cx.tr("and", "и ещё"),
            touched.len() - LISTED
        ));
    }
    text.push_str(&format!(
        "\n\n{}",
        cx.tr(
            "Cancel them (each customer is told and offered the nearest free times) or keep them?",
            "Отменить их (каждый клиент получит уведомление и ближайшее свободное время) или оставить?"
        )
    ));
    text
}

/// The admin's choice on a preview.
pub async fn choose(cx: &Cx<'_, Acting>, choice: PreviewChoice) -> Result<Reply, BotError> {
    let Some(change) = stored(cx.app, cx.chat).await? else {
        return Ok(Reply::alert(cx.tr(
            "This change was already saved or dropped; make it again if needed.",
            "Это изменение уже сохранено или отменено; при необходимости внесите его заново.",
        )));
    };
    forget(cx.app, cx.chat).await?;
    if choice == PreviewChoice::Discard {
        return Ok(super::availability::menu(cx)
            .await?
            .with_toast(cx.tr("Not saved.", "Не сохранено.")));
    }
    if !change.allowed(&cx.who) {
        return Ok(Reply::alert(refused(cx.locale)));
    }
    let now = cx.app.now();
    let mut tx = cx.tx().await?;
    let zone = settings::profile(&mut tx).await?.time_zone;
    let summary = write(cx, &mut tx, zone, &change).await?;
    let touched = affected(&mut tx, zone, &change, now).await?;
    let outcome = if choice == PreviewChoice::Cancel {
        let by = Caller::staff(Actor::Admin(cx.who.id));
        let (mut cancelled, mut told) = (0, 0);
        for v in &touched {
            let why = Cancellation {
                reason: change.reason(),
                apology: false,
            };
            if let Ok(c) = split(service::cancel(&mut tx, v.booking.id, &by, why, now).await)? {
                cancelled += 1;
                told += usize::from(c.customer_told);
            }
        }
        Outcome::Cancelled { cancelled, told }
    } else {
        Outcome::Kept(touched.len())
    };
    tx.commit().await?;
    done(cx, &change, summary, Some(outcome)).await
}

/// What became of the bookings a change touched.
#[derive(Copy, Clone, Debug)]
enum Outcome {
    Cancelled { cancelled: usize, told: usize },
    Kept(usize),
}

impl Outcome {
    fn line(self, cx: &Cx<'_, Acting>) -> String {
        match self {
            Self::Cancelled { cancelled, told } => format!(
                "{}: {cancelled}, {}: {told}",
                cx.tr("Bookings cancelled", "Отменено записей"),
                cx.tr("customers notified", "клиентов уведомлено"),
            ),
            Self::Kept(n) => format!("{}: {n}", cx.tr("Bookings kept", "Записи оставлены")),
        }
    }
}

/// The screen after a change is made.
async fn done(
    cx: &Cx<'_, Acting>,
    change: &Change,
    summary: String,
    outcome: Option<Outcome>,
) -> Result<Reply, BotError> {
    if let Change::StaffOff { staff: id } = change {
        let reply = staff::staff_item(cx, *id).await?;
        return Ok(match outcome {
            Some(o) => reply.with_toast(o.line(cx)),
            None => reply,
        });
    }
    let mut text = summary;
    if let Some(o) = outcome {
        text.push('\n');
        text.push_str(&o.line(cx));
    }
    let mut kb = Vec::new();
    if matches!(change, Change::Block { .. }) {
        kb.push(button(cx.tr("🔒 Blocks", "🔒 Блокировки"), A::Blocks));
    }
    kb.push(button(
        cx.tr("◀ Availability", "◀ Доступность"),
        A::Availability,
    ));
    kb.push(button(cx.tr("🏠 Panel", "🏠 Панель"), A::Menu));
    Ok(Reply::screen(text, rows(vec![kb])))
}
