//! Who waits for what: the waiting customers from today on, soonest day first, a page at a
//! time, with their phone when they shared it so the business can call. A staff member sees
//! only what they could give: entries for them, and entries for anyone of their services.

use crate::admin::roles::Acting;
use crate::runtime::context::Cx;
use storage::tenant::{settings, waitlist_views};

use super::{
    callback::AdminAction as A,
    keyboards::{button, rows},
    texts::day,
};
use crate::error::BotError;
use bot_kit::Reply;

/// Entries a page: a screen stays readable and far below Telegram's 4096 characters.
const PAGE: i64 = 15;

pub async fn page(cx: &Cx<'_, Acting>, page: u32) -> Result<Reply, BotError> {
    let now = cx.app.now();
    let mut tx = cx.tx().await?;
    let zone = settings::profile(&mut tx).await?.time_zone;
    let today = now.with_timezone(&zone).date_naive();
    let (entries, total) = waitlist_views::waiting(
        &mut tx,
        cx.who.own_staff(),
        today,
        PAGE,
        i64::from(page) * PAGE,
    )
    .await?;
    tx.commit().await?;
    let mut text = format!("🔔 {} ({total})", cx.tr("Waitlist", "Лист ожидания"));
    if total == 0 {
        text.push('\n');
        text.push_str(cx.tr("Nobody is waiting.", "Никто не ждёт."));
    }
    for w in &entries {
        let staff = w
            .staff_name
            .clone()
            .unwrap_or_else(|| cx.tr("anyone", "любой мастер").to_owned());
        text.push_str(&format!(
            "\n{} · {} · {staff} · {}",
            day(cx.locale, w.day),
            w.service_name,
            w.customer_name
        ));
        if let Some(phone) = &w.phone {
            text.push_str(&format!(" · {phone}"));
        }
    }
    let mut nav = Vec::new();
    if page > 0 {
        nav.push(button("⬅️", A::Waitlist(page - 1)));
    }
    if (i64::from(page) + 1) * PAGE < total {
        nav.push(button("➡️", A::Waitlist(page.saturating_add(1))));
    }
    Ok(Reply::screen(
        text,
        rows(vec![
            nav,
            vec![button(
                cx.tr("◀ Availability", "◀ Доступность"),
                A::Availability,
            )],
        ]),
    ))
}
