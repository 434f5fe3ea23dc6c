//! The messages a refund causes: to the customer when YooKassa gave their money back, and to
//! the owners when it would not (the refund is then theirs to make by hand, on «💸 Refunds»).

use booking_core::catalogue::Price;
use storage::{
    TenantTx,
    tenant::{
        outbox::Claimed,
        payments::refunds::{self, Refund, RefundId, Status},
    },
};
use teloxide::types::{InlineKeyboardButton, InlineKeyboardMarkup, ReplyMarkup};

use super::{
    Rendered, chat,
    recipient::{Recipient, booking_of, fields, fill},
};
use crate::{
    admin::{callback::AdminAction, texts::tr},
    error::BotError,
    texts::Key,
};
use bot_kit::Outgoing;

/// To the customer: the money is on its way back.
pub(super) async fn made(
    tx: &mut TenantTx,
    to: &Recipient,
    m: &Claimed,
    id: RefundId,
) -> Result<Rendered, BotError> {
    let refund = match still(tx, id, Status::Succeeded).await? {
        Ok(refund) => refund,
        Err(dropped) => return Ok(dropped),
    };
    let Some(b) = booking_of(tx, m).await? else {
        return Ok(Rendered::Drop("no booking".into()));
    };
    let currency = refund.currency.parse().unwrap_or(to.profile.currency);
    let mut f = fields(tx, to, &b).await?;
    f.push(("sum", to.texts.price(Price(refund.amount_minor), currency)));
    Ok(Rendered::Send(Outgoing {
        chat: chat(m.chat_id),
        text: fill(&to.texts, Key::RefundMade, &f),
        markup: None,
    }))
}

/// To an owner: YooKassa would not give the money back.
pub(super) async fn failed(
    tx: &mut TenantTx,
    to: &Recipient,
    m: &Claimed,
    id: RefundId,
) -> Result<Rendered, BotError> {
    let refund = match still(tx, id, Status::Failed).await? {
        Ok(refund) => refund,
        Err(dropped) => return Ok(dropped),
    };
    let l = to.profile.locale;
    let currency = refund.currency.parse().unwrap_or(to.profile.currency);
    let sum = to.texts.price(Price(refund.amount_minor), currency);
    let text = format!(
        "⚠️ {} {sum} {} #{}. {}",
        tr(
            l,
            "YooKassa could not give back",
            "ЮKassa не смогла вернуть"
        ),
        tr(l, "for booking", "по записи"),
        refund.booking,
        tr(
            l,
            "Please give it back to the customer yourself and mark it on «💸 Refunds».",
            "Верните деньги клиенту сами и отметьте это в разделе «💸 Возвраты».",
        ),
    );
    let open = InlineKeyboardButton::callback(
        tr(l, "💸 Refunds", "💸 Возвраты").to_owned(),
        AdminAction::Refunds.to_string(),
    );
    Ok(Rendered::Send(Outgoing {
        chat: chat(m.chat_id),
        text,
        markup: Some(ReplyMarkup::InlineKeyboard(InlineKeyboardMarkup::new(
            vec![vec![open]],
        ))),
    }))
}

/// The refund a notice is about, if it is still in `status` when the notice goes out; else
/// the notice is dropped (the owner may have settled it meanwhile).
async fn still(
    tx: &mut TenantTx,
    id: RefundId,
    status: Status,
) -> Result<Result<Refund, Rendered>, BotError> {
    Ok(match refunds::get(tx, id).await? {
        None => Err(Rendered::Drop("no such refund".into())),
        Some(refund) if refund.status != status => Err(Rendered::Drop(format!(
            "the refund is no longer {status:?}"
        ))),
        Some(refund) => Ok(refund),
    })
}
