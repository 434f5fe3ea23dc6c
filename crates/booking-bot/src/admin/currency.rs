//! The currency the business's prices are in: asked for as an ISO 4217 code (RUB, USD...),
//! checked against the currencies the bot can show, saved in the tenant's profile; every price
//! on every screen follows it.

use crate::admin::roles::Acting;
use crate::runtime::context::Cx;
use booking_core::{catalogue::Price, currency::Currency};
use serde_json::json;
use storage::tenant::{settings, setup};

use super::{
    audit,
    callback::{AdminAction as A, setup::ProfileField},
    input::{self, Pending},
    keyboards::{button, rows},
    texts::money,
};
use crate::error::BotError;
use bot_kit::Reply;

/// Shows the currency now and asks for a code.
pub async fn ask(cx: &Cx<'_, Acting>) -> Result<Reply, BotError> {
    let mut tx = cx.tx().await?;
    let now = settings::profile(&mut tx).await?.currency;
    tx.commit().await?;
    input::set(
        cx.app,
        cx.chat,
        &Pending::Profile {
            field: ProfileField::Currency,
        },
    )
    .await?;
    Ok(Reply::screen(
        format!(
            "{}\n{}: {}\n\n{} {}.\n{}",
            cx.tr(
                "💱 Send the code of the currency your prices are in.",
                "💱 Пришлите код валюты, в которой ваши цены.",
            ),
            cx.tr("Now", "Сейчас"),
            shown(cx, now),
            cx.tr("Codes", "Коды"),
            Currency::codes(),
            cx.tr(
                "/admin leaves without a change.",
                "/admin — выйти без изменений."
            ),
        ),
        rows(vec![vec![button(
            cx.tr("◀ Setup", "◀ Настройка"),
            A::Setup,
        )]]),
    ))
}

/// Saves a typed code; anything else is refused with the codes to choose from, and the
/// question stays open.
pub async fn set(cx: &Cx<'_, Acting>, text: &str) -> Result<Reply, BotError> {
    let Ok(currency) = text.parse::<Currency>() else {
        return Ok(Reply::alert(format!(
            "{} {}",
            cx.tr(
                "⚠️ Not a currency code the bot knows. Send one of:",
                "⚠️ Такого кода валюты бот не знает. Пришлите один из:",
            ),
            Currency::codes()
        )));
    };
    let mut tx = cx.tx().await?;
    settings::set_currency(&mut tx, currency).await?;
    audit::record(
        cx,
        &mut tx,
        "profile.set",
        ProfileField::Currency.setting(),
        json!({ "currency": currency.code() }),
    )
    .await?;
    let readiness = setup::readiness(&mut tx).await?;
    tx.commit().await?;
    input::clear(cx.app, cx.chat).await?;
    let done = format!(
        "✅ {}: {}",
        cx.tr("Prices are now shown as", "Цены теперь показываются так"),
        shown(cx, currency)
    );
    super::setup::checklist_with(cx, &readiness, Some(&done)).await
}

/// "RUB (1 500 ₽)": the code and how a price reads in it.
fn shown(cx: &Cx<'_, Acting>, currency: Currency) -> String {
    format!(
        "{} ({})",
        currency.code(),
        money(cx.locale, currency, Price(150_000))
    )
}
