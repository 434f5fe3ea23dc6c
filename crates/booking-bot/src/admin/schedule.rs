//! The schedule: the menu, day and week views per staff member, a booking's card.

use crate::{admin::roles::Acting, runtime::context::Cx};
use booking_core::{
    ids::{BookingId, StaffId},
    time::Interval,
};
use chrono::{Duration, NaiveDate};
use storage::tenant::{
    admin_views,
    bookings::{self, model::BookingView},
    catalogue, customers, feedback, settings,
};

use super::{
    callback::AdminAction as A,
    keyboards::{button, rows},
    parse,
    texts::{actor_kind, clock, day as day_label, day_short, history_action, status, when},
};
use crate::error::BotError;
use bot_kit::Reply;

/// Today in the business's zone.
pub async fn today(cx: &Cx<'_, Acting>) -> Result<NaiveDate, BotError> {
    let mut tx = cx.tx().await?;
    let zone = settings::profile(&mut tx).await?.time_zone;
    tx.commit().await?;
    Ok(cx.app.now().with_timezone(&zone).date_naive())
}

/// The panel's main menu, by role.
pub async fn menu(cx: &Cx<'_, Acting>) -> Result<Reply, BotError> {
    let mut tx = cx.tx().await?;
    let profile = settings::profile(&mut tx).await?;
    let staff = catalogue::staff(&mut tx, true).await?;
    tx.commit().await?;
    let today = cx.app.now().with_timezone(&profile.time_zone).date_naive();
    let own = cx.who.own_staff();
    let who = match own {
        Some(id) => {
            let name = staff
                .iter()
                .find(|s| s.id == id)
                .map(|s| s.name.as_str())
                .unwrap_or_default();
            format!("{} ({name})", cx.tr("staff", "мастер"))
        }
        None if cx.who.is_owner() => cx.tr("owner", "владелец").to_owned(),
        None => cx.tr("admin", "администратор").to_owned(),
    };
    let text = format!(
        "🔐 {} — {}\n{}: {who}",
        cx.tr("Admin panel", "Админ-панель"),
        profile.name,
        cx.tr("Your role", "Ваша роль"),
    );
    let mut kb = vec![
        vec![
            button(
                cx.tr("📅 Today", "📅 Сегодня"),
                A::Day {
                    staff: own,
                    date: today,
                },
            ),
            button(
                cx.tr("Tomorrow", "Завтра"),
                A::Day {
                    staff: own,
                    date: today + Duration::days(1),
                },
            ),
            button(
                cx.tr("Week", "Неделя"),
                A::Week {
                    staff: own,
                    date: today,
                },
            ),
        ],
        vec![button(
            cx.tr("➕ Phoned-in booking", "➕ Запись по телефону"),
            A::PhoneIn,
        )],
        vec![button(
            cx.tr("🗓 Availability", "🗓 Доступность"),
            A::Availability,
        )],
    ];
    if cx.who.is_manager() {
        kb.push(vec![button(
            cx.tr("🧾 Services & staff", "🧾 Услуги и мастера"),
            A::Services,
        )]);
        kb.push(vec![button(
            cx.tr(
                "🚀 Setup, links and QR codes",
                "🚀 Настройка, ссылки и QR-коды",
            ),
            A::Setup,
        )]);
        kb.push(vec![
            button(cx.tr("📢 Broadcast", "📢 Рассылка"), A::Broadcast),
            button(cx.tr("📊 Analytics", "📊 Аналитика"), A::AnalyticsMenu),
        ]);
        kb.push(vec![button(
            cx.tr("📝 Texts", "📝 Тексты"),
            A::TextsPage(0),
        )]);
        kb.push(vec![
            button(cx.tr("📤 Exports", "📤 Выгрузки"), A::Exports),
            button(cx.tr("📜 Audit log", "📜 Журнал"), A::Audit(0)),
        ]);
        kb.push(vec![button(cx.tr("💸 Refunds", "💸 Возвраты"), A::Refunds)]);
    }
    if cx.who.is_owner() {
        kb.push(vec![button(
            cx.tr("👥 Admins", "👥 Администраторы"),
            A::Admins,
        )]);
    }
    Ok(Reply::screen(text, rows(kb)))
}

/// The list behind the day and week views, refused for a staff member's other colleagues by
/// [`super::roles::Acting::allows`] before this runs.
async fn bookings_between(
    cx: &Cx<'_, Acting>,
    staff: Option<StaffId>,
    from: NaiveDate,
    days: i64,
) -> Result<(booking_core::Tz, Vec<BookingView>, String), BotError> {
    let mut tx = cx.tx().await?;
    let zone = settings::profile(&mut tx).await?.time_zone;
    let start =
        parse::midnight(zone, from).map_err(|e| storage::StorageError::Corrupt(e.to_string()))?;
    let end = parse::midnight(zone, from + Duration::days(days))
        .map_err(|e| storage::StorageError::Corrupt(e.to_string()))?;
    let list = bookings::views::in_range(&mut tx, Interval { start, end }, staff).await?;
    let staff_name = match staff {
        Some(id) => catalogue::staff(&mut tx, true)
            .await?
            .into_iter()
            .find(|s| s.id == id)
            .map(|s| s.name)
            .unwrap_or_default(),
        None => cx.tr("everyone", "все мастера").to_owned(),
    };
    tx.commit().await?;
    Ok((zone, list, staff_name))
}

/// The staff filter row for managers: everyone, then each staff member.
async fn staff_filter(
    cx: &Cx<'_, Acting>,
    make: impl Fn(Option<StaffId>) -> A,
) -> Result<Vec<teloxide::types::InlineKeyboardButton>, BotError> {
    if !cx.who.is_manager() {
        return Ok(Vec::new());
    }
    let mut tx = cx.tx().await?;
    let staff = catalogue::staff(&mut tx, false).await?;
    tx.commit().await?;
    let mut row = vec![button(cx.tr("All", "Все"), make(None))];
    row.extend(staff.into_iter().map(|s| button(s.name, make(Some(s.id)))));
    Ok(row)
}

pub async fn day(
    cx: &Cx<'_, Acting>,
    staff: Option<StaffId>,
    date: NaiveDate,
) -> Result<Reply, BotError> {
    let (zone, list, who) = bookings_between(cx, staff, date, 1).await?;
    let mut text = format!("📅 {} · {who}\n", day_label(cx.locale, date));
    if list.is_empty() {
        text.push_str(cx.tr("No bookings.", "Записей нет."));
    }
    let classes = super::classes::seats(cx).await?;
    text.push_str(&super::classes::day_lines(cx.locale, zone, &list, &classes));
    text.push_str(&paid_lines(cx, zone, &list).await?);
    let mut kb = Vec::new();
    for v in &list {
        kb.push(vec![button(
            format!("{} {}", clock(zone, v.booking.start), v.customer_name),
            A::Booking(v.booking.id),
        )]);
    }
    kb.push(vec![
        button(
            "◀",
            A::Day {
                staff,
                date: date - Duration::days(1),
            },
        ),
        button(cx.tr("Week", "Неделя"), A::Week { staff, date }),
        button(
            "▶",
            A::Day {
                staff,
                date: date + Duration::days(1),
            },
        ),
    ]);
    kb.push(staff_filter(cx, |s| A::Day { staff: s, date }).await?);
    kb.push(vec![button(cx.tr("🏠 Panel", "🏠 Панель"), A::Menu)]);
    Ok(Reply::screen(text, rows(kb)))
}

/// The money of the day's paid bookings, one line each.
async fn paid_lines(
    cx: &Cx<'_, Acting>,
    zone: booking_core::Tz,
    list: &[BookingView],
) -> Result<String, BotError> {
    let ids: Vec<BookingId> = list.iter().map(|v| v.booking.id).collect();
    let mut tx = cx.tx().await?;
    let paid = storage::tenant::payments::refunds::of_bookings(&mut tx, &ids).await?;
    let currency = settings::profile(&mut tx).await?.currency;
    tx.commit().await?;
    let mut out = String::new();
    for v in list {
        if let Some(m) = paid.get(&v.booking.id) {
            out.push_str(&format!(
                "\n{} {}: {}",
                clock(zone, v.booking.start),
                v.customer_name,
                super::refunds::line(cx.locale, currency, m)
            ));
        }
    }
    Ok(out)
}

pub async fn week(
    cx: &Cx<'_, Acting>,
    staff: Option<StaffId>,
    date: NaiveDate,
) -> Result<Reply, BotError> {
    let (zone, list, who) = bookings_between(cx, staff, date, 7).await?;
    let mut text = format!(
        "📆 {} {} · {who}\n",
        cx.tr("Week from", "Неделя с"),
        day_label(cx.locale, date)
    );
    let mut kb = Vec::new();
    for offset in 0..7 {
        let d = date + Duration::days(offset);
        let of_day: Vec<&BookingView> = list
            .iter()
            .filter(|v| v.booking.start.with_timezone(&zone).date_naive() == d)
            .collect();
        text.push_str(&format!("\n{} — {}", day_short(cx.locale, d), of_day.len()));
        for v in &of_day {
            text.push_str(&format!(
                "\n   {} {} · {} · {}",
                clock(zone, v.booking.start),
                v.service_name,
                v.staff_name,
                v.customer_name
            ));
        }
        kb.push(button(
            d.format("%d.%m").to_string(),
            A::Day { staff, date: d },
        ));
    }
    let mut keyboard: Vec<Vec<_>> = kb.chunks(4).map(<[_]>::to_vec).collect();
    keyboard.push(vec![
        button(
            "◀",
            A::Week {
                staff,
                date: date - Duration::days(7),
            },
        ),
        button(
            "▶",
            A::Week {
                staff,
                date: date + Duration::days(7),
            },
        ),
    ]);
    keyboard.push(staff_filter(cx, |s| A::Week { staff: s, date }).await?);
    keyboard.push(vec![button(cx.tr("🏠 Panel", "🏠 Панель"), A::Menu)]);
    Ok(Reply::screen(text, rows(keyboard)))
}

/// A booking's card: when, what, who, the customer's record and notes, the history.
pub async fn card(cx: &Cx<'_, Acting>, id: BookingId) -> Result<Reply, BotError> {
    let mut tx = cx.tx().await?;
    let Some(b) = bookings::views::get(&mut tx, id).await? else {
        return Ok(Reply::alert(cx.tr("No such booking.", "Такой записи нет.")));
    };
    if !cx.who.may_manage(b.staff_id) {
        return Ok(Reply::alert(super::texts::refused(cx.locale)));
    }
    let profile = settings::profile(&mut tx).await?;
    let zone = profile.time_zone;
    let customer = customers::get(&mut tx, b.customer_id).await?;
    let record = admin_views::visit_record(&mut tx, b.customer_id).await?;
    let notes = admin_views::booking_notes(&mut tx, id).await?;
    let history = bookings::views::history(&mut tx, id).await?;
    let said = feedback::of_booking(&mut tx, id).await?;
    let found = catalogue::service(&mut tx, b.service_id).await?;
    let class = match found.as_ref().and_then(|s| s.seats) {
        Some(seats) => Some(super::classes::attendees(cx.locale, &mut tx, &b, seats).await?),
        None => None,
    };
    let service = found.map(|s| s.name).unwrap_or_default();
    let paid = storage::tenant::payments::refunds::of_booking(&mut tx, id).await?;
    let staff = catalogue::staff(&mut tx, true)
        .await?
        .into_iter()
        .find(|s| s.id == b.staff_id)
        .map(|s| s.name)
        .unwrap_or_default();
    tx.commit().await?;
    let (name, contact) = customer.as_ref().map_or_else(Default::default, |c| {
        let mut contact: Vec<String> = Vec::new();
        if let Some(u) = &c.username {
            contact.push(format!("@{u}"));
        }
        if let Some(p) = &c.phone {
            contact.push(booking_core::phone::Phone::readable(p));
        }
        (c.display_name(), contact.join(", "))
    });
    let mut text = format!(
        "#{id} {service} · {staff}\n{} – {}\n{}: {}\n\n👤 {name} {contact}\n{}: {} · {}: {} · {}: {}",
        when(cx.locale, zone, b.start),
        clock(zone, b.end),
        cx.tr("Status", "Статус"),
        status(cx.locale, b.status),
        cx.tr("Visits", "Визиты"),
        record.completed,
        cx.tr("no-shows", "неявки"),
        record.no_shows,
        cx.tr("cancelled", "отмены"),
        record.cancelled,
    );
    if let Some(paid) = &paid {
        text.push('\n');
        text.push_str(&super::refunds::line(cx.locale, profile.currency, paid));
    }
    if let Some(class) = class {
        text.push('\n');
        text.push_str(&class);
    }
    if let Some(at) = said.confirmed_at {
        text.push_str(&format!(
            "\n✅ {} ({})",
            cx.tr(
                "The customer confirmed they will come",
                "Клиент подтвердил, что придёт"
            ),
            when(cx.locale, zone, at)
        ));
    }
    if let Some(rating) = said.rating {
        text.push_str(&format!(
            "\n{} {}: {rating}/5",
            "⭐".repeat(usize::from(rating)),
            cx.tr("Rating", "Оценка"),
        ));
        if let Some(comment) = &said.comment {
            text.push_str(&format!(" — «{comment}»"));
        }
    }
    for (label, n) in [
        (cx.tr("Customer notes", "О клиенте"), &record.notes),
        (cx.tr("Booking notes", "К записи"), &notes),
    ] {
        if !n.is_empty() {
            text.push_str(&format!("\n📝 {label}: {n}"));
        }
    }
    text.push_str(&format!("\n\n{}:", cx.tr("History", "История")));
    for h in &history {
        text.push_str(&format!(
            "\n{} · {} ({})",
            when(cx.locale, zone, h.at),
            history_action(cx.locale, &h.action),
            actor_kind(cx.locale, &h.actor_kind),
        ));
        if let Some(reason) = h.reason.as_deref().filter(|r| !r.is_empty()) {
            text.push_str(&format!(" — {reason}"));
        }
    }
    let date = b.start.with_timezone(&zone).date_naive();
    let mut kb = Vec::new();
    if b.status == booking_core::booking::BookingStatus::Confirmed {
        kb.push(vec![
            button(cx.tr("✅ Done", "✅ Пришёл"), A::Done(id)),
            button(cx.tr("🚫 No-show", "🚫 Не пришёл"), A::NoShow(id)),
        ]);
        kb.push(vec![
            button(cx.tr("🔁 Move", "🔁 Перенести"), A::Move(id)),
            button(cx.tr("❌ Cancel", "❌ Отменить"), A::CancelAsk(id)),
        ]);
    }
    kb.push(vec![
        button(cx.tr("📝 Visit note", "📝 К записи"), A::NoteBooking(id)),
        button(
            cx.tr("📝 Customer note", "📝 О клиенте"),
            A::NoteCustomer(id),
        ),
    ]);
    let back_staff = cx.who.own_staff();
    kb.push(vec![button(
        cx.tr("◀ Day", "◀ День"),
        A::Day {
            staff: back_staff,
            date,
        },
    )]);
    Ok(Reply::screen(text, rows(kb)))
}
