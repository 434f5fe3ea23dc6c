//! «💸 Refunds»: the payments the owner is to give back by hand (no YooKassa shop, or YooKassa
//! would not), and those the `owner` refund policy leaves to their choice; and the money line
//! of a paid booking on its card and in the day view.
//!
//! Every press is checked again in storage against the refund as it is (a stale or forged
//! button changes nothing and says so), and leaves an audit line.

use booking_core::{catalogue::Price, currency::Currency, locale::Locale};
use storage::tenant::{
    payments::refunds::{self, BookingMoney, Decision, RefundId, Status},
    settings,
};

use super::{
    callback::AdminAction as A,
    keyboards::{button, rows},
    roles::Acting,
    texts::{money, tr, when},
};
use crate::{error::BotError, runtime::context::Cx};
use bot_kit::Reply;

/// The list: each refund with its booking, what goes back, and its buttons.
pub async fn list(cx: &Cx<'_, Acting>) -> Result<Reply, BotError> {
    list_with(cx, None).await
}

async fn list_with(cx: &Cx<'_, Acting>, said: Option<String>) -> Result<Reply, BotError> {
    let mut tx = cx.tx().await?;
    let profile = settings::profile(&mut tx).await?;
    let open = refunds::to_settle(&mut tx).await?;
    tx.commit().await?;
    let l = cx.locale;
    let mut text = cx.tr("💸 Refunds", "💸 Возвраты").to_owned();
    if let Some(said) = &said {
        text = format!("{said}\n\n{text}");
    }
    if open.is_empty() {
        text.push_str(cx.tr(
            "\nNothing to give back by hand, nothing to decide.",
            "\nНичего не нужно возвращать вручную или решать.",
        ));
    }
    let mut kb = Vec::new();
    for r in &open {
        let currency = r.currency.parse().unwrap_or(profile.currency);
        let sum = money(l, currency, Price(r.amount_minor));
        let paid = money(l, currency, Price(r.paid_minor));
        let who = match &r.customer_phone {
            Some(p) => format!(
                "{} {}",
                r.customer_name,
                booking_core::phone::Phone::readable(p)
            ),
            None => r.customer_name.clone(),
        };
        let what = match r.status {
            Status::AskOwner => format!(
                "{} {paid}?",
                tr(l, "Give back the prepayment of", "Вернуть предоплату")
            ),
            Status::Failed => format!(
                "{} {sum} {}",
                tr(l, "Give back", "Верните"),
                tr(
                    l,
                    "by hand: YooKassa would not",
                    "вручную: ЮKassa не смогла вернуть"
                )
            ),
            _ => format!(
                "{} {sum} {}",
                tr(l, "Give back", "Верните"),
                tr(l, "by hand", "вручную")
            ),
        };
        text.push_str(&format!(
            "\n\n#{} {} · {}\n👤 {who}\n{what}",
            r.booking,
            r.service_name,
            when(l, profile.time_zone, r.start),
        ));
        match r.status {
            Status::AskOwner => kb.push(vec![
                button(
                    format!("↩️ {} #{}", tr(l, "Give back", "Вернуть"), r.booking),
                    A::RefundGive(r.id.0),
                ),
                button(
                    format!("{} #{}", tr(l, "Keep", "Оставить"), r.booking),
                    A::RefundKeep(r.id.0),
                ),
            ]),
            _ => kb.push(vec![button(
                format!("✅ {} #{}", tr(l, "Given back", "Вернул(а)"), r.booking),
                A::RefundDone(r.id.0),
            )]),
        }
    }
    kb.push(vec![button(cx.tr("🏠 Panel", "🏠 Панель"), A::Menu)]);
    Ok(Reply::screen(text, rows(kb)))
}

/// «✅ Given back»: a refund by hand is done.
pub async fn done(cx: &Cx<'_, Acting>, id: i64) -> Result<Reply, BotError> {
    let mut tx = cx.tx().await?;
    let marked = refunds::mark_done(&mut tx, RefundId(id), cx.sender(), cx.app.now()).await?;
    tx.commit().await?;
    let said = if marked {
        cx.tr("✅ Marked as given back.", "✅ Отмечено: возвращено.")
    } else {
        stale(cx.locale)
    };
    Ok(list_with(cx, Some(said.to_owned())).await?.with_toast(said))
}

/// «↩️ Give back» or «Keep» on a payment left to the owner.
pub async fn decide(cx: &Cx<'_, Acting>, id: i64, decision: Decision) -> Result<Reply, BotError> {
    let mut tx = cx.tx().await?;
    let moved = refunds::decide(&mut tx, RefundId(id), decision, cx.sender(), cx.app.now()).await?;
    tx.commit().await?;
    let said = match moved {
        None => stale(cx.locale),
        Some(Status::Pending) => cx.tr(
            "↩️ It goes back through YooKassa.",
            "↩️ Возврат отправлен через ЮKassa.",
        ),
        Some(Status::ToDo) => cx.tr(
            "↩️ Give it back by hand, then press «✅ Given back».",
            "↩️ Верните вручную и нажмите «✅ Вернул(а)».",
        ),
        Some(_) => cx.tr("The prepayment is kept.", "Предоплата остаётся у вас."),
    };
    Ok(list_with(cx, Some(said.to_owned())).await?.with_toast(said))
}

fn stale(l: Locale) -> &'static str {
    tr(
        l,
        "This refund was already settled.",
        "Этот возврат уже обработан.",
    )
}

/// The money line of a paid booking: «💳 Prepayment 450 ₽ · paid · ↩️ given back 450 ₽».
#[must_use]
pub fn line(l: Locale, fallback: Currency, m: &BookingMoney) -> String {
    let currency = m.currency.parse().unwrap_or(fallback);
    let sum = |minor| money(l, currency, Price(minor));
    let mut out = format!(
        "💳 {} {} · {}",
        tr(l, "Prepayment", "Предоплата"),
        sum(m.paid_minor),
        tr(l, "paid", "оплачено")
    );
    if let Some(r) = &m.refund {
        let back = sum(r.amount_minor);
        let part = match r.status {
            Status::Succeeded | Status::Done => {
                Some(format!("↩️ {} {back}", tr(l, "given back", "возвращено")))
            }
            Status::Pending => Some(format!(
                "↩️ {} {back}",
                tr(l, "being given back", "возвращается")
            )),
            Status::ToDo | Status::Failed => Some(format!(
                "↩️ {} {back}",
                tr(l, "to give back by hand", "вернуть вручную")
            )),
            Status::AskOwner => {
                Some(tr(l, "❓ yours to decide", "❓ решите, вернуть ли").to_owned())
            }
            Status::Declined => None,
        };
        if let Some(part) = part {
            out.push_str(" · ");
            out.push_str(&part);
        }
    }
    if m.kept_minor > 0 {
        out.push_str(&format!(
            " · {} {}",
            tr(l, "kept", "удержано"),
            sum(m.kept_minor)
        ));
    }
    out
}
