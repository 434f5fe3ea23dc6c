//! Staff in the catalogue: created, renamed, given services, own hours, reordered, switched
//! off. Nothing is deleted: a staff member with bookings keeps them.

use crate::admin::roles::Acting;
use crate::runtime::context::Cx;
use booking_core::{
    catalogue::checked_name,
    ids::{ServiceId, StaffId},
};
use serde_json::json;
use storage::tenant::{
    catalogue,
    catalogue_admin::{self, Kind},
};

use super::{
    audit,
    callback::AdminAction as A,
    catalogue::on_off,
    input::{self, Pending},
    keyboards::{button, column, rows},
    parse::InputError,
    preview::{self, Change},
};
use crate::error::BotError;
use bot_kit::Reply;

pub async fn staff_list(cx: &Cx<'_, Acting>) -> Result<Reply, BotError> {
    let mut tx = cx.tx().await?;
    let list = catalogue::staff(&mut tx, true).await?;
    tx.commit().await?;
    let mut kb = column(list.iter().map(|s| {
        button(
            format!("{} {}", on_off(s.active), s.name),
            A::StaffItem(s.id),
        )
    }));
    kb.push(vec![
        button(cx.tr("➕ New member", "➕ Новый мастер"), A::StaffNew),
        button(cx.tr("🧾 Services", "🧾 Услуги"), A::Services),
    ]);
    kb.push(vec![button(cx.tr("🏠 Panel", "🏠 Панель"), A::Menu)]);
    Ok(Reply::screen(cx.tr("👥 Staff", "👥 Мастера"), rows(kb)))
}

pub async fn staff_item(cx: &Cx<'_, Acting>, id: StaffId) -> Result<Reply, BotError> {
    let mut tx = cx.tx().await?;
    let Some(member) = catalogue::staff(&mut tx, true)
        .await?
        .into_iter()
        .find(|s| s.id == id)
    else {
        return Ok(Reply::alert(
            cx.tr("No such staff member.", "Такого мастера нет."),
        ));
    };
    let services = catalogue::services(&mut tx, true).await?;
    tx.commit().await?;
    let mut kb = column(services.iter().map(|s| {
        let mark = if member.gives(s.id) { "✅" } else { "▫️" };
        button(format!("{mark} {}", s.name), A::StaffGives(id, s.id))
    }));
    kb.push(vec![
        button(cx.tr("✏️ Rename", "✏️ Имя"), A::StaffRename(id)),
        button(cx.tr("🕘 Own hours", "🕘 Свои часы"), A::Hours(Some(id))),
    ]);
    kb.push(vec![button(
        cx.tr("📅 Calendar feed", "📅 Календарь"),
        A::Feed(Some(id)),
    )]);
    kb.push(vec![
        button("⬆️", A::StaffUp(id)),
        button(
            if member.active {
                cx.tr("🚫 Switch off", "🚫 Отключить")
            } else {
                cx.tr("✅ Switch on", "✅ Включить")
            },
            A::StaffToggle(id),
        ),
    ]);
    kb.push(vec![button(cx.tr("◀ Staff", "◀ Мастера"), A::StaffList)]);
    Ok(Reply::screen(
        format!(
            "{} {}\n{}",
            on_off(member.active),
            member.name,
            cx.tr("Services they give:", "Услуги мастера:")
        ),
        rows(kb),
    ))
}

pub async fn staff_toggle(cx: &Cx<'_, Acting>, id: StaffId) -> Result<Reply, BotError> {
    let mut tx = cx.tx().await?;
    let Some(member) = catalogue::staff(&mut tx, true)
        .await?
        .into_iter()
        .find(|s| s.id == id)
    else {
        return Ok(Reply::alert(
            cx.tr("No such staff member.", "Такого мастера нет."),
        ));
    };
    if member.active {
        // Switching off may leave bookings without their master: previewed first.
        tx.commit().await?;
        return preview::propose(cx, Change::StaffOff { staff: id }).await;
    }
    catalogue_admin::set_active(&mut tx, Kind::Staff, id.get(), true).await?;
    audit::record(
        cx,
        &mut tx,
        "staff.active",
        format!("staff:{id}"),
        json!({ "active": true }),
    )
    .await?;
    tx.commit().await?;
    staff_item(cx, id).await
}

pub async fn staff_up(cx: &Cx<'_, Acting>, id: StaffId) -> Result<Reply, BotError> {
    let mut tx = cx.tx().await?;
    let moved = catalogue_admin::move_up(&mut tx, Kind::Staff, id.get()).await?;
    if moved {
        audit::record(
            cx,
            &mut tx,
            "staff.reorder",
            format!("staff:{id}"),
            json!({}),
        )
        .await?;
    }
    tx.commit().await?;
    // The list may look the same either way: the toast says what the press did.
    Ok(staff_list(cx).await?.with_toast(if moved {
        cx.tr("Moved up.", "Поднято выше.")
    } else {
        cx.tr("Already first.", "Уже первый в списке.")
    }))
}

pub async fn staff_gives(
    cx: &Cx<'_, Acting>,
    staff: StaffId,
    service: ServiceId,
) -> Result<Reply, BotError> {
    let mut tx = cx.tx().await?;
    let exists = catalogue::staff(&mut tx, true)
        .await?
        .iter()
        .any(|s| s.id == staff)
        && catalogue::service(&mut tx, service).await?.is_some();
    if !exists {
        return Ok(Reply::alert(cx.tr(
            "No such staff member or service.",
            "Нет такого мастера или услуги.",
        )));
    }
    let gives = catalogue_admin::toggle_staff_service(&mut tx, staff, service).await?;
    audit::record(
        cx,
        &mut tx,
        "staff.services",
        format!("staff:{staff}"),
        json!({ "service": service, "gives": gives }),
    )
    .await?;
    tx.commit().await?;
    staff_item(cx, staff).await
}

pub async fn staff_rename_ask(cx: &Cx<'_, Acting>, id: StaffId) -> Result<Reply, BotError> {
    input::set(cx.app, cx.chat, &Pending::StaffRename { staff: id }).await?;
    Ok(Reply::screen(
        cx.tr(
            "✏️ Send the new name (/admin to leave).",
            "✏️ Пришлите новое имя (/admin — выйти).",
        ),
        rows(vec![vec![button(
            cx.tr("◀ Back", "◀ Назад"),
            A::StaffItem(id),
        )]]),
    ))
}

pub async fn staff_rename(cx: &Cx<'_, Acting>, id: StaffId, text: &str) -> Result<Reply, BotError> {
    let name = match checked_name(text) {
        Ok(n) => n,
        Err(e) => return Ok(Reply::alert(InputError::from(e).say(cx.locale))),
    };
    let mut tx = cx.tx().await?;
    if !catalogue_admin::rename_staff(&mut tx, id, &name).await? {
        input::clear(cx.app, cx.chat).await?;
        return Ok(Reply::alert(
            cx.tr("No such staff member.", "Такого мастера нет."),
        ));
    }
    audit::record(
        cx,
        &mut tx,
        "staff.rename",
        format!("staff:{id}"),
        json!({ "name": name }),
    )
    .await?;
    tx.commit().await?;
    input::clear(cx.app, cx.chat).await?;
    staff_item(cx, id).await
}

pub async fn staff_new_ask(cx: &Cx<'_, Acting>) -> Result<Reply, BotError> {
    input::set(cx.app, cx.chat, &Pending::StaffNew).await?;
    Ok(Reply::screen(
        cx.tr(
            "➕ Send the new staff member's name (/admin to leave).",
            "➕ Пришлите имя нового мастера (/admin — выйти).",
        ),
        rows(vec![vec![button(
            cx.tr("◀ Staff", "◀ Мастера"),
            A::StaffList,
        )]]),
    ))
}

pub async fn staff_new(cx: &Cx<'_, Acting>, text: &str) -> Result<Reply, BotError> {
    let name = match checked_name(text) {
        Ok(n) => n,
        Err(e) => return Ok(Reply::alert(InputError::from(e).say(cx.locale))),
    };
    let mut tx = cx.tx().await?;
    let created = catalogue::create_staff(&mut tx, &name, &[]).await?;
    let order = catalogue_admin::next_sort_order(&mut tx, Kind::Staff).await?;
    // Placed last: create_staff leaves the position at 0, before everyone.
    catalogue_admin::set_sort_order(&mut tx, Kind::Staff, created.id.get(), order).await?;
    audit::record(
        cx,
        &mut tx,
        "staff.create",
        format!("staff:{}", created.id),
        json!({ "name": name }),
    )
    .await?;
    tx.commit().await?;
    input::clear(cx.app, cx.chat).await?;
    Ok(staff_item(cx, created.id)
        .await?
        .with_alert(cx.tr("Created.", "Создано.")))
}
