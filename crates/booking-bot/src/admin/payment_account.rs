//! «💳 Taking payments» (issue 19), the owner's alone: the provider token from @BotFather
//! (Payments → YooKassa) with which the bot sends invoices, YooKassa's shop id and secret key
//! for refunds made by the bot, and the VAT code of receipts.
//!
//! A secret is typed into the chat, so the message holding it is deleted as soon as it is
//! read, whatever becomes of it; the screen only ever says whether a secret is set. Secrets
//! are sealed with the tenant's own key (`App::secrets_key`), never logged.

use crate::admin::roles::Acting;
use crate::runtime::context::Cx;
use booking_core::payment::{
    looks_like_provider_token, looks_like_shop_id, looks_like_shop_secret,
};
use bot_kit::{Reply, TgBot};
use secrecy::{ExposeSecret as _, SecretString};
use serde_json::json;
use storage::tenant::{
    catalogue,
    payments::settings::{self, AccountSummary, Shop},
};
use teloxide::{
    prelude::Requester as _,
    types::{ChatId, MessageId},
};

use super::{
    audit,
    callback::{AdminAction as A, payment::AccountPart},
    input::{self, Pending},
    keyboards::{button, rows},
};
use crate::error::BotError;

/// The VAT codes offered (YooKassa's `vat_code`), with their names: the rates a small
/// business in Russia meets, the rest being for rare cases an accountant would set through
/// the operator.
const VAT_CHOICES: [(i16, &str, &str); 6] = [
    (1, "No VAT", "Без НДС"),
    (2, "VAT 0 %", "НДС 0 %"),
    (3, "VAT 10 %", "НДС 10 %"),
    (11, "VAT 22 %", "НДС 22 %"),
    (7, "VAT 5 %", "НДС 5 %"),
    (8, "VAT 7 %", "НДС 7 %"),
];

/// The name of a VAT code, for the screen.
fn vat_name(cx: &Cx<'_, Acting>, code: i16) -> String {
    VAT_CHOICES.iter().find(|(c, ..)| *c == code).map_or_else(
        || format!("{} {code}", cx.tr("code", "код")),
        |&(_, en, ru)| cx.tr(en, ru).to_owned(),
    )
}

/// Deletes the owner's message that holds a secret. A failure (the message is too old, the
/// bot lacks the right in a group) is logged without the text and changes nothing else.
pub async fn forget_message(bot: &TgBot, chat: ChatId, message: MessageId) {
    if let Err(e) = bot.delete_message(chat, message).await {
        tracing::warn!(error = %e, "could not delete the message holding a payment secret");
    }
}

async fn summary(cx: &Cx<'_, Acting>) -> Result<AccountSummary, BotError> {
    let mut tx = cx.tx().await?;
    let summary = settings::summary(&mut tx).await?;
    tx.commit().await?;
    Ok(summary)
}

/// The account's screen: what is set (never a secret), and how to set the rest.
pub async fn screen(cx: &Cx<'_, Acting>) -> Result<Reply, BotError> {
    let s = summary(cx).await?;
    let yes_no = |set: bool| {
        if set {
            cx.tr("set ✅", "задан ✅")
        } else {
            cx.tr("not set", "не задан")
        }
    };
    let shop = s.shop_id.as_ref().map_or_else(
        || {
            cx.tr(
                "not set: refunds are yours to make in YooKassa's account; the bot reminds you \
                 of each",
                "не задан: возвраты вы делаете сами в личном кабинете ЮKassa, бот напомнит о \
                 каждом",
            )
            .to_owned()
        },
        |id| {
            format!(
                "{id} ✅ {}",
                cx.tr(
                    "(the bot makes refunds itself)",
                    "(возвраты бот делает сам)"
                )
            )
        },
    );
    let vat = s.vat_code.map_or_else(
        || {
            cx.tr(
                "not set (no receipt data is sent)",
                "не указан (данные для чека не передаются)",
            )
            .to_owned()
        },
        |code| vat_name(cx, code),
    );
    let text = format!(
        "💳 {}\n\n{}\n\n{}: {}\n{}: {shop}\n{}: {vat}",
        cx.tr("Taking payments", "Приём оплаты"),
        cx.tr(
            "For customers to pay a deposit or the full price right in Telegram, connect \
             YooKassa: in @BotFather open your bot → Payments → YooKassa, connect your shop \
             and copy the token it gives. Press «Set the token» and send it here; the bot \
             deletes that message at once. Then choose the prepayment in each service's card.",
            "Чтобы клиенты вносили залог или полную оплату прямо в Telegram, подключите ЮKassa: \
             в @BotFather откройте своего бота → Payments → ЮKassa, подключите магазин и \
             скопируйте выданный токен. Нажмите «Задать токен» и пришлите его сюда — бот сразу \
             удалит это сообщение. Затем выберите предоплату в карточке каждой услуги.",
        ),
        cx.tr("Payment token", "Токен для оплаты"),
        yes_no(s.provider_token_set),
        cx.tr("YooKassa shop for refunds", "Магазин ЮKassa для возвратов"),
        cx.tr("VAT in receipts", "НДС в чеке"),
    );
    let mut kb = vec![vec![button(
        if s.provider_token_set {
            cx.tr("🔑 Replace the token", "🔑 Заменить токен")
        } else {
            cx.tr("🔑 Set the token", "🔑 Задать токен")
        },
        A::PayAccountAsk(AccountPart::Token),
    )]];
    if s.provider_token_set {
        kb[0].push(button(
            cx.tr("🗑 Remove the token", "🗑 Удалить токен"),
            A::PayAccountClear(AccountPart::Token),
        ));
    }
    let mut shop_row = vec![button(
        cx.tr("🏪 YooKassa shop", "🏪 Магазин ЮKassa"),
        A::PayAccountAsk(AccountPart::Shop),
    )];
    if s.shop_id.is_some() {
        shop_row.push(button(
            cx.tr("🗑 Remove the shop", "🗑 Убрать магазин"),
            A::PayAccountClear(AccountPart::Shop),
        ));
    }
    kb.push(shop_row);
    kb.push(vec![button(
        cx.tr("🧾 VAT in receipts", "🧾 НДС в чеке"),
        A::PayVatMenu,
    )]);
    kb.push(vec![
        button(cx.tr("🧾 Services", "🧾 Услуги"), A::Services),
        button(cx.tr("◀ Setup", "◀ Настройка"), A::Setup),
    ]);
    Ok(Reply::screen(text, rows(kb)))
}

/// Asks for the token, or the shop's id and key.
pub async fn ask(cx: &Cx<'_, Acting>, part: AccountPart) -> Result<Reply, BotError> {
    input::set(cx.app, cx.chat, &Pending::PaymentAccount { part }).await?;
    let text = match part {
        AccountPart::Token => cx.tr(
            "🔑 Send the payment token from @BotFather (your bot → Payments → YooKassa). It \
             looks like 381764678:LIVE:12345 (a test one has TEST in the middle). The bot \
             deletes your message as soon as it reads it. (/admin to leave)",
            "🔑 Пришлите токен для оплаты из @BotFather (ваш бот → Payments → ЮKassa). Он \
             выглядит так: 381764678:LIVE:12345 (у тестового в середине TEST). Бот удалит \
             ваше сообщение сразу, как прочитает. (/admin — выйти)",
        ),
        AccountPart::Shop => cx.tr(
            "🏪 Send the YooKassa shop id and secret key in one message, separated by a \
             space, e.g. 506751 live_AbCd… (YooKassa's account → Integration → API keys). With \
             them the bot gives money back itself. The bot deletes your message as soon as it \
             reads it. (/admin to leave)",
            "🏪 Пришлите идентификатор магазина ЮKassa и секретный ключ одним сообщением через \
             пробел, например: 506751 live_AbCd… (личный кабинет ЮKassa → Интеграция → Ключи \
             API). С ними бот сам возвращает деньги клиентам. Бот удалит ваше сообщение сразу, \
             как прочитает. (/admin — выйти)",
        ),
    };
    Ok(Reply::screen(
        text,
        rows(vec![vec![button(
            cx.tr("◀ Back", "◀ Назад"),
            A::PayAccount,
        )]]),
    ))
}

/// The typed token or shop (its message is already deleted): checked, sealed, stored.
pub async fn set_typed(
    cx: &Cx<'_, Acting>,
    part: AccountPart,
    text: SecretString,
) -> Result<Reply, BotError> {
    let Some(key) = cx.app.secrets_key.as_ref() else {
        input::clear(cx.app, cx.chat).await?;
        tracing::error!("a payment secret was sent but this bot has no TENANT_SECRETS_KEY");
        return Ok(Reply::alert(cx.tr(
            "The bot cannot store payment details right now (its key is not configured). \
             Please write to the platform's support; your message was deleted.",
            "Бот сейчас не может сохранить платёжные данные (не настроен его ключ). Напишите, \
             пожалуйста, в поддержку платформы; ваше сообщение удалено.",
        )));
    };
    let raw = text.expose_secret().trim();
    let mut tx = cx.tx().await?;
    let (action, details, done) = match part {
        AccountPart::Token => {
            if !looks_like_provider_token(raw) {
                return Ok(Reply::alert(cx.tr(
                    "That is not a payment token: it looks like 381764678:LIVE:12345 and comes \
                     from @BotFather → your bot → Payments. Your message was deleted; send the \
                     token again.",
                    "Это не похоже на токен для оплаты: он выглядит как 381764678:LIVE:12345 и \
                     выдаётся в @BotFather → ваш бот → Payments. Ваше сообщение удалено; \
                     пришлите токен ещё раз.",
                )));
            }
            let token = SecretString::from(raw);
            settings::set_provider_token(&mut tx, key, Some(&token)).await?;
            (
                "payment.token",
                json!({ "set": true }),
                cx.tr(
                    "The token is saved ✅ and your message deleted.",
                    "Токен сохранён ✅, ваше сообщение удалено.",
                ),
            )
        }
        AccountPart::Shop => {
            let mut words = raw.split_whitespace();
            let (Some(id), Some(secret), None) = (words.next(), words.next(), words.next()) else {
                return Ok(Reply::alert(shop_refused(cx)));
            };
            if !looks_like_shop_id(id) || !looks_like_shop_secret(secret) {
                return Ok(Reply::alert(shop_refused(cx)));
            }
            let shop = Shop {
                id: id.to_owned(),
                secret: SecretString::from(secret),
            };
            settings::set_shop(&mut tx, key, Some(&shop)).await?;
            (
                "payment.shop",
                json!({ "shop_id": id }),
                cx.tr(
                    "The shop is saved ✅ and your message deleted.",
                    "Магазин сохранён ✅, ваше сообщение удалено.",
                ),
            )
        }
    };
    audit::record(cx, &mut tx, action, "payment_account", details).await?;
    tx.commit().await?;
    input::clear(cx.app, cx.chat).await?;
    Ok(screen(cx).await?.with_alert(done))
}

fn shop_refused(cx: &Cx<'_, Acting>) -> &'static str {
    cx.tr(
        "Send the shop id (digits) and the secret key (it starts with live_ or test_) in one \
         message, separated by a space. Your message was deleted; send them again.",
        "Пришлите идентификатор магазина (цифры) и секретный ключ (начинается с live_ или \
         test_) одним сообщением через пробел. Ваше сообщение удалено; пришлите их ещё раз.",
    )
}

/// Removes the token (refused while a service asks for money: its customers could not pay)
/// or the shop.
pub async fn clear(cx: &Cx<'_, Acting>, part: AccountPart) -> Result<Reply, BotError> {
    let mut tx = cx.tx().await?;
    let Some(key) = cx.app.secrets_key.as_ref() else {
        return Ok(Reply::alert(cx.tr(
            "The bot cannot change payment details right now (its key is not configured).",
            "Бот сейчас не может изменить платёжные данные (не настроен его ключ).",
        )));
    };
    let action = match part {
        AccountPart::Token => {
            let prepaid: Vec<String> = catalogue::services(&mut tx, true)
                .await?
                .into_iter()
                .filter(|s| s.payment.prepayment != booking_core::payment::Prepayment::None)
                .map(|s| s.name)
                .collect();
            if !prepaid.is_empty() {
                return Ok(Reply::alert(format!(
                    "{} {}",
                    cx.tr(
                        "These services ask for prepayment; switch it off in their cards first:",
                        "Эти услуги просят предоплату; сначала отключите её в их карточках:",
                    ),
                    prepaid.join(", ")
                )));
            }
            settings::set_provider_token(&mut tx, key, None).await?;
            "payment.token"
        }
        AccountPart::Shop => {
            settings::set_shop(&mut tx, key, None).await?;
            "payment.shop"
        }
    };
    audit::record(
        cx,
        &mut tx,
        action,
        "payment_account",
        json!({ "set": false }),
    )
    .await?;
    tx.commit().await?;
    Ok(screen(cx).await?.with_toast(cx.tr("Removed.", "Удалено.")))
}

/// The VAT codes to choose from.
pub async fn vat_menu(cx: &Cx<'_, Acting>) -> Result<Reply, BotError> {
    let current = summary(cx).await?.vat_code;
    let mark = |chosen: bool, label: &str| {
        if chosen {
            format!("✅ {label}")
        } else {
            label.to_owned()
        }
    };
    let mut kb: Vec<Vec<_>> = VAT_CHOICES
        .chunks(2)
        .map(|pair| {
            pair.iter()
                .map(|&(code, en, ru)| {
                    button(
                        mark(current == Some(code), cx.tr(en, ru)),
                        A::PayVat(Some(code)),
                    )
                })
                .collect()
        })
        .collect();
    kb.push(vec![button(
        mark(
            current.is_none(),
            cx.tr("Do not send receipt data", "Не передавать данные для чека"),
        ),
        A::PayVat(None),
    )]);
    kb.push(vec![button(cx.tr("◀ Back", "◀ Назад"), A::PayAccount)]);
    Ok(Reply::screen(
        cx.tr(
            "🧾 The VAT rate for receipts (54-FZ): YooKassa prints it on the receipt it sends \
             the customer. Not sure? Ask your accountant; most small businesses on the \
             simplified system choose «No VAT».",
            "🧾 Ставка НДС для чеков (54-ФЗ): ЮKassa укажет её в чеке, который отправит \
             клиенту. Не уверены — спросите бухгалтера; на упрощённой системе обычно выбирают \
             «Без НДС».",
        ),
        rows(kb),
    ))
}

/// Sets the VAT code (`None`: no receipt data).
pub async fn set_vat(cx: &Cx<'_, Acting>, code: Option<i16>) -> Result<Reply, BotError> {
    let mut tx = cx.tx().await?;
    settings::set_vat_code(&mut tx, code).await?;
    audit::record(
        cx,
        &mut tx,
        "payment.vat",
        "payment_account",
        json!({ "vat_code": code }),
    )
    .await?;
    tx.commit().await?;
    Ok(screen(cx).await?.with_toast(cx.tr("Saved.", "Сохранено.")))
}
