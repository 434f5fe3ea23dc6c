//! The business's admins, managed by its owners: add by Telegram id or by a forwarded message,
//! change roles, remove. An owner cannot change or remove themselves, so a business always
//! keeps the owner who is acting; the person concerned is told through the outbox.

use crate::admin::roles::Acting;
use crate::runtime::context::Cx;
use booking_core::ids::TelegramUserId;
use serde_json::json;
use storage::{
    TenantTx,
    tenant::{
        admin_views,
        admins::{self, AdminRole},
        catalogue, customers,
        outbox::{
            self, NewMessage,
            message::{Message, Notice},
        },
    },
};
use teloxide::types::User;

use super::{
    audit,
    callback::{AdminAction as A, choices::RoleCode},
    input::{self, Pending},
    keyboards::{button, column, rows},
};
use crate::{error::BotError, runtime::telegram::telegram_id};
use bot_kit::Reply;

fn role_name(
    cx: &Cx<'_, Acting>,
    role: AdminRole,
    staff: &[booking_core::catalogue::Staff],
) -> String {
    match role {
        AdminRole::Owner => cx.tr("owner", "владелец").to_owned(),
        AdminRole::Admin => cx.tr("admin", "администратор").to_owned(),
        AdminRole::Staff(id) => format!(
            "{} {}",
            cx.tr("staff", "мастер"),
            staff
                .iter()
                .find(|s| s.id == id)
                .map(|s| s.name.as_str())
                .unwrap_or_default()
        ),
    }
}

pub async fn list(cx: &Cx<'_, Acting>) -> Result<Reply, BotError> {
    let mut tx = cx.tx().await?;
    let all = admins::list(&mut tx).await?;
    let staff = catalogue::staff(&mut tx, true).await?;
    tx.commit().await?;
    let mut text = cx.tr("👥 Admins:", "👥 Администраторы:").to_owned();
    for a in &all {
        text.push_str(&format!(
            "\n{} ({}) — {}",
            a.name,
            a.telegram_user_id,
            role_name(cx, a.role, &staff)
        ));
    }
    let mut kb = column(
        all.iter()
            .map(|a| button(format!("👤 {}", a.name), A::AdminItem(a.telegram_user_id))),
    );
    kb.push(vec![button(
        cx.tr("➕ Add admin", "➕ Добавить"),
        A::AdminAdd,
    )]);
    kb.push(vec![
        button(cx.tr("📜 Audit log", "📜 Журнал"), A::Audit(0)),
        button(cx.tr("🏠 Panel", "🏠 Панель"), A::Menu),
    ]);
    Ok(Reply::screen(text, rows(kb)))
}

pub async fn item(cx: &Cx<'_, Acting>, id: TelegramUserId) -> Result<Reply, BotError> {
    let mut tx = cx.tx().await?;
    let Some(a) = admin_views::admin(&mut tx, id).await? else {
        return Ok(Reply::alert(
            cx.tr("Not an admin (any more).", "Уже не администратор."),
        ));
    };
    let staff = catalogue::staff(&mut tx, false).await?;
    tx.commit().await?;
    let mut kb = Vec::new();
    if id != cx.who.id {
        kb.push(vec![
            button(
                cx.tr("Owner", "Владелец"),
                A::AdminSetRole(id, RoleCode::Owner),
            ),
            button(
                cx.tr("Admin", "Администратор"),
                A::AdminSetRole(id, RoleCode::Admin),
            ),
        ]);
        kb.extend(column(staff.iter().map(|s| {
            button(
                format!("{}: {}", cx.tr("Staff", "Мастер"), s.name),
                A::AdminSetRole(id, RoleCode::Staff(s.id)),
            )
        })));
        kb.push(vec![button(
            cx.tr("➖ Remove", "➖ Удалить"),
            A::AdminRemoveAsk(id),
        )]);
    }
    kb.push(vec![button(
        cx.tr("◀ Admins", "◀ Администраторы"),
        A::Admins,
    )]);
    Ok(Reply::screen(
        format!(
            "👤 {} ({id})\n{}: {}",
            a.name,
            cx.tr("Role", "Роль"),
            role_name(cx, a.role, &staff)
        ),
        rows(kb),
    ))
}

/// Tells the person concerned (if they can be written to at all).
async fn tell(
    cx: &Cx<'_, Acting>,
    tx: &mut TenantTx,
    who: TelegramUserId,
    text: String,
    key: String,
) -> Result<(), BotError> {
    outbox::enqueue(
        tx,
        &NewMessage {
            message: Message::Notice(Notice::text(text)),
            booking: None,
            chat_id: who.get(),
            due_at: cx.app.now(),
            dedupe_key: Some(key),
        },
    )
    .await?;
    Ok(())
}

pub async fn set_role(
    cx: &Cx<'_, Acting>,
    id: TelegramUserId,
    role: RoleCode,
) -> Result<Reply, BotError> {
    if id == cx.who.id {
        return Ok(Reply::alert(cx.tr(
            "You cannot change your own role.",
            "Нельзя менять свою роль.",
        )));
    }
    let mut tx = cx.tx().await?;
    let Some(current) = admin_views::admin(&mut tx, id).await? else {
        return Ok(Reply::alert(
            cx.tr("Not an admin (any more).", "Уже не администратор."),
        ));
    };
    let role = match role {
        RoleCode::Owner => AdminRole::Owner,
        RoleCode::Admin => AdminRole::Admin,
        RoleCode::Staff(s) => {
            if !catalogue::staff(&mut tx, true)
                .await?
                .iter()
                .any(|m| m.id == s)
            {
                return Ok(Reply::alert(
                    cx.tr("No such staff member.", "Такого мастера нет."),
                ));
            }
            AdminRole::Staff(s)
        }
    };
    admins::upsert(&mut tx, id, role, &current.name, Some(cx.who.id)).await?;
    audit::record(
        cx,
        &mut tx,
        "admin.role",
        format!("admin:{id}"),
        json!({ "role": format!("{role:?}") }),
    )
    .await?;
    let when = cx.app.now().timestamp_millis();
    tell(
        cx,
        &mut tx,
        id,
        format!(
            "🔐 {} /admin",
            cx.tr(
                "Your role in the admin panel changed.",
                "Ваша роль в админ-панели изменена."
            )
        ),
        format!("admin-role:{id}:{when}"),
    )
    .await?;
    tx.commit().await?;
    item(cx, id).await
}

pub async fn remove_ask(cx: &Cx<'_, Acting>, id: TelegramUserId) -> Result<Reply, BotError> {
    Ok(Reply::screen(
        format!("{} {id}?", cx.tr("Remove admin", "Удалить администратора")),
        rows(vec![vec![
            button(cx.tr("Yes, remove", "Да, удалить"), A::AdminRemove(id)),
            button(cx.tr("No", "Нет"), A::AdminItem(id)),
        ]]),
    ))
}

pub async fn remove(cx: &Cx<'_, Acting>, id: TelegramUserId) -> Result<Reply, BotError> {
    if id == cx.who.id {
        return Ok(Reply::alert(
            cx.tr("You cannot remove yourself.", "Нельзя удалить себя."),
        ));
    }
    let mut tx = cx.tx().await?;
    if !admin_views::remove_admin(&mut tx, id).await? {
        return Ok(Reply::alert(
            cx.tr("Not an admin (any more).", "Уже не администратор."),
        ));
    }
    audit::record(
        cx,
        &mut tx,
        "admin.remove",
        format!("admin:{id}"),
        json!({}),
    )
    .await?;
    let when = cx.app.now().timestamp_millis();
    tell(
        cx,
        &mut tx,
        id,
        cx.tr(
            "🔐 You are no longer an admin of this business.",
            "🔐 Вы больше не администратор.",
        )
        .to_owned(),
        format!("admin-remove:{id}:{when}"),
    )
    .await?;
    tx.commit().await?;
    super::commands::hide_or_log(cx.bot, id).await;
    Ok(list(cx).await?.with_alert(cx.tr("Removed.", "Удалено.")))
}

pub async fn add_ask(cx: &Cx<'_, Acting>) -> Result<Reply, BotError> {
    input::set(cx.app, cx.chat, &Pending::AdminAdd).await?;
    Ok(Reply::screen(
        cx.tr(
            "➕ Send the person's Telegram id (digits), or forward any message they wrote. They join as admin; change the role afterwards. (/admin to leave)",
            "➕ Пришлите Telegram id (цифры) или перешлите любое сообщение этого человека. Он будет добавлен как администратор; роль можно изменить. (/admin — выйти)",
        ),
        rows(vec![vec![button(cx.tr("◀ Admins", "◀ Администраторы"), A::Admins)]]),
    ))
}

/// The typed id or the forwarded message's author. Forwards from people who hide their
/// account carry no id, and are refused with a hint.
pub async fn add(
    cx: &Cx<'_, Acting>,
    text: &str,
    forwarded: Option<&User>,
) -> Result<Reply, BotError> {
    let (id, mut name) = match forwarded {
        Some(user) if !user.is_bot => (telegram_id(user), user.full_name()),
        Some(_) => return Ok(Reply::alert(cx.tr("⚠️ That is a bot.", "⚠️ Это бот."))),
        None => {
            let digits = text.trim();
            match digits.parse::<i64>() {
                Ok(n) if n > 0 && digits.bytes().all(|b| b.is_ascii_digit()) => {
                    (TelegramUserId(n), String::new())
                }
                _ => {
                    return Ok(Reply::alert(cx.tr(
                        "⚠️ Not a Telegram id. Send digits only, or forward a message they wrote (if their privacy settings hide them, ask them for their id).",
                        "⚠️ Это не Telegram id. Пришлите только цифры или перешлите сообщение (если аккаунт скрыт, попросите id).",
                    )));
                }
            }
        }
    };
    let mut tx = cx.tx().await?;
    if admin_views::admin(&mut tx, id).await?.is_some() {
        return Ok(Reply::alert(
            cx.tr("Already an admin.", "Уже администратор."),
        ));
    }
    if name.is_empty() {
        name = customers::by_telegram(&mut tx, id)
            .await?
            .map_or_else(|| id.to_string(), |c| c.display_name());
    }
    admins::upsert(&mut tx, id, AdminRole::Admin, &name, Some(cx.who.id)).await?;
    audit::record(
        cx,
        &mut tx,
        "admin.add",
        format!("admin:{id}"),
        json!({ "name": name }),
    )
    .await?;
    tell(
        cx,
        &mut tx,
        id,
        format!(
            "🎉 {} /admin",
            cx.tr(
                "You are now an admin of this business:",
                "Вы назначены администратором:"
            )
        ),
        format!("admin-add:{id}:{}", cx.app.now().timestamp_millis()),
    )
    .await?;
    tx.commit().await?;
    super::commands::show_or_log(cx.bot, id).await;
    input::clear(cx.app, cx.chat).await?;
    Ok(item(cx, id)
        .await?
        .with_alert(cx.tr("Added.", "Добавлено.")))
}
