//! A service's prepayment (issue 19): whether a booking asks for nothing, a deposit (a
//! percentage or a sum) or the full price, how long the held time waits for the payment, and
//! what a late cancellation or a no-show keeps. Chosen from buttons, a fixed sum typed; a
//! service asks for money only once the owner has connected payments (a provider token).

use crate::admin::roles::Acting;
use crate::runtime::context::Cx;
use booking_core::{
    catalogue::{Minutes, Price, Service},
    currency::Currency,
    ids::ServiceId,
    payment::{Deposit, PaymentTerms, Prepayment, RefundPolicy},
};
use serde_json::json;
use storage::tenant::{
    catalogue,
    catalogue_payment::{self, SetTerms},
    settings,
};

use super::{
    audit,
    callback::{AdminAction as A, payment::PayChoice},
    catalogue::price,
    input::{self, Pending},
    keyboards::{button, rows},
    texts::{duration, money},
};
use crate::error::BotError;
use bot_kit::Reply;

/// The deposits offered as buttons, in percent of the price.
const PERCENTS: [u8; 4] = [10, 20, 30, 50];
/// The payment timeouts offered, in minutes.
const TIMEOUTS: [u16; 5] = [10, 15, 30, 60, 120];
/// What a late cancellation or a no-show keeps, in percent of the payment.
const KEEPS: [u8; 3] = [100, 50, 0];

/// "a 30 % deposit: 1 350 ₽" — what a booking of the service asks for, in the owner's words.
pub fn describe(cx: &Cx<'_, Acting>, terms: &PaymentTerms, p: Price, cur: Currency) -> String {
    let amount = |prepayment: Prepayment| {
        prepayment
            .due(p.0)
            .map(|d| money(cx.locale, cur, Price(d.amount_minor)))
            .unwrap_or_default()
    };
    match terms.prepayment {
        Prepayment::None => cx.tr("none", "без предоплаты").to_owned(),
        Prepayment::Full => format!(
            "{} ({})",
            cx.tr("the full price", "вся стоимость"),
            amount(terms.prepayment)
        ),
        Prepayment::Deposit(Deposit::Percent(pct)) => format!(
            "{} {pct} % ({})",
            cx.tr("a deposit of", "залог"),
            amount(terms.prepayment)
        ),
        Prepayment::Deposit(Deposit::Fixed(sum)) => format!(
            "{} {}",
            cx.tr("a deposit of", "залог"),
            money(cx.locale, cur, Price(sum))
        ),
    }
}

fn refund_text(cx: &Cx<'_, Acting>, policy: RefundPolicy) -> String {
    match policy {
        RefundPolicy::Cutoff { keep_percent: 100 } => cx
            .tr(
                "A customer who cancels before the cancellation deadline gets everything back; \
                 after it, or if they do not come, the payment stays with you.",
                "Если клиент отменит запись до срока отмены, деньги вернутся полностью; если \
                 позже или он не придёт — оплата остаётся у вас.",
            )
            .to_owned(),
        RefundPolicy::Cutoff { keep_percent: 0 } => cx
            .tr(
                "The customer always gets everything back, even after a late cancellation or \
                 a no-show.",
                "Клиенту всегда возвращается вся сумма, даже при поздней отмене или неявке.",
            )
            .to_owned(),
        RefundPolicy::Cutoff { keep_percent } => format!(
            "{} {keep_percent} % {}",
            cx.tr(
                "A customer who cancels before the cancellation deadline gets everything back; \
                 after it, or if they do not come, you keep",
                "Если клиент отменит запись до срока отмены, деньги вернутся полностью; если \
                 позже или он не придёт — у вас остаётся",
            ),
            cx.tr(
                "of the payment and the rest goes back.",
                "оплаты, остальное вернётся клиенту.",
            ),
        ),
        RefundPolicy::Owner => cx
            .tr(
                "You decide: after each cancellation or no-show the bot asks you whether to \
                 give the money back.",
                "Решаете вы: после каждой отмены или неявки бот спросит, вернуть ли деньги.",
            )
            .to_owned(),
    }
}

fn mark(chosen: bool, label: &str) -> String {
    if chosen {
        format!("✅ {label}")
    } else {
        label.to_owned()
    }
}

async fn load(cx: &Cx<'_, Acting>, id: ServiceId) -> Result<Option<(Service, Currency)>, BotError> {
    let mut tx = cx.tx().await?;
    let service = catalogue::service(&mut tx, id).await?;
    let currency = settings::profile(&mut tx).await?.currency;
    tx.commit().await?;
    Ok(service.map(|s| (s, currency)))
}

fn no_service(cx: &Cx<'_, Acting>) -> Reply {
    Reply::alert(cx.tr("No such service.", "Такой услуги нет."))
}

/// The service's prepayment screen: what is set, and a button for every choice.
pub async fn screen(cx: &Cx<'_, Acting>, id: ServiceId) -> Result<Reply, BotError> {
    let Some((s, currency)) = load(cx, id).await? else {
        return Ok(no_service(cx));
    };
    let terms = s.payment;
    let asks = terms.prepayment != Prepayment::None;
    let mut text = format!(
        "💳 {} — {} ({})\n\n{}: {}",
        cx.tr("Prepayment", "Предоплата"),
        s.name,
        money(cx.locale, currency, s.price),
        cx.tr("At booking the customer pays", "При записи клиент платит"),
        describe(cx, &terms, s.price, currency),
    );
    if asks {
        text.push_str(&format!(
            "\n{}: {}. {}\n\n{}",
            cx.tr("Time to pay", "Время на оплату"),
            duration(cx.locale, Minutes::new(terms.timeout_min)),
            cx.tr(
                "The time stays held for the customer meanwhile; unpaid, it is freed.",
                "Пока клиент платит, время держится за ним; если он не оплатит, время \
                 освободится.",
            ),
            refund_text(cx, terms.refund),
        ));
    }
    text.push_str(&format!(
        "\n\n{}",
        cx.tr(
            "Payments go to your YooKassa account, connected in «💳 Taking payments» (the \
             owner's setup).",
            "Деньги поступают на ваш счёт в ЮKassa; подключается он в разделе «💳 Приём оплаты» \
             (настройка владельца).",
        )
    ));
    let choice = |label: String, c: PayChoice| button(label, A::ServicePaySet(id, c));
    let p = terms.prepayment;
    let mut kb = vec![
        vec![
            choice(
                mark(
                    p == Prepayment::None,
                    cx.tr("No prepayment", "Без предоплаты"),
                ),
                PayChoice::None,
            ),
            choice(
                mark(p == Prepayment::Full, cx.tr("Full price", "Вся стоимость")),
                PayChoice::Full,
            ),
        ],
        PERCENTS
            .iter()
            .map(|pct| {
                choice(
                    mark(
                        p == Prepayment::Deposit(Deposit::Percent(*pct)),
                        &format!("{} {pct} %", cx.tr("Deposit", "Залог")),
                    ),
                    PayChoice::Percent(*pct),
                )
            })
            .collect(),
        vec![choice(
            mark(
                matches!(p, Prepayment::Deposit(Deposit::Fixed(_))),
                cx.tr("Deposit as a sum…", "Залог суммой…"),
            ),
            PayChoice::AskFixed,
        )],
    ];
    if asks {
        kb.push(
            TIMEOUTS
                .iter()
                .map(|m| {
                    choice(
                        mark(
                            terms.timeout_min == u32::from(*m),
                            &format!("⏱ {}", duration(cx.locale, Minutes::new(u32::from(*m)))),
                        ),
                        PayChoice::Timeout(*m),
                    )
                })
                .collect(),
        );
        kb.push(
            KEEPS
                .iter()
                .map(|k| {
                    let label = match *k {
                        100 => cx.tr("Keep all", "Оставлять всё"),
                        0 => cx.tr("Give all back", "Возвращать всё"),
                        _ => cx.tr("Keep half", "Оставлять половину"),
                    };
                    choice(
                        mark(
                            terms.refund == RefundPolicy::Cutoff { keep_percent: *k },
                            label,
                        ),
                        PayChoice::Keep(*k),
                    )
                })
                .collect(),
        );
        kb.push(vec![choice(
            mark(
                terms.refund == RefundPolicy::Owner,
                cx.tr("I decide each time", "Решаю сам"),
            ),
            PayChoice::Owner,
        )]);
    }
    kb.push(vec![button(cx.tr("◀ Service", "◀ Услуга"), A::Service(id))]);
    Ok(Reply::screen(text, rows(kb)))
}

/// One press on the screen: the new terms, stored if they are allowed, the screen again.
pub async fn choose(
    cx: &Cx<'_, Acting>,
    id: ServiceId,
    choice: PayChoice,
) -> Result<Reply, BotError> {
    let Some((s, _)) = load(cx, id).await? else {
        return Ok(no_service(cx));
    };
    let current = s.payment;
    let terms = match choice {
        PayChoice::AskFixed => return ask_fixed(cx, id).await,
        PayChoice::None => PaymentTerms {
            prepayment: Prepayment::None,
            ..current
        },
        PayChoice::Full => PaymentTerms {
            prepayment: Prepayment::Full,
            ..current
        },
        PayChoice::Percent(pct) => PaymentTerms {
            prepayment: Prepayment::Deposit(Deposit::Percent(pct)),
            ..current
        },
        PayChoice::Timeout(m) => PaymentTerms {
            timeout_min: u32::from(m),
            ..current
        },
        PayChoice::Keep(k) => PaymentTerms {
            refund: RefundPolicy::Cutoff { keep_percent: k },
            ..current
        },
        PayChoice::Owner => PaymentTerms {
            refund: RefundPolicy::Owner,
            ..current
        },
    };
    save(cx, id, &terms, Notice::Toast).await
}

/// How "Saved." is shown: a toast on a press; after a typed value, a message of its own.
#[derive(Copy, Clone)]
enum Notice {
    Toast,
    Message,
}

/// Stores the terms with an audit row, or says why not; the screen again either way.
async fn save(
    cx: &Cx<'_, Acting>,
    id: ServiceId,
    terms: &PaymentTerms,
    notice: Notice,
) -> Result<Reply, BotError> {
    let mut tx = cx.tx().await?;
    let outcome = catalogue_payment::set_payment_terms(&mut tx, id, terms).await?;
    if outcome == SetTerms::Done {
        audit::record(
            cx,
            &mut tx,
            "service.payment",
            format!("service:{id}"),
            json!({ "payment": terms }),
        )
        .await?;
    }
    tx.commit().await?;
    let refusal = match outcome {
        SetTerms::Done => None,
        SetTerms::NoService => return Ok(no_service(cx)),
        SetTerms::NoProviderToken => Some(no_token(cx)),
        SetTerms::Invalid(_) => Some(
            cx.tr(
                "That value cannot be set; choose one of the buttons.",
                "Такое значение задать нельзя; выберите одну из кнопок.",
            )
            .to_owned(),
        ),
    };
    let shown = screen(cx, id).await?;
    let saved = cx.tr("Saved.", "Сохранено.");
    Ok(match (refusal, notice) {
        (Some(why), _) => shown.with_alert(why),
        (None, Notice::Toast) => shown.with_toast(saved),
        (None, Notice::Message) => shown.with_alert(saved),
    })
}

/// Why a service cannot ask for money yet, and where that is fixed.
fn no_token(cx: &Cx<'_, Acting>) -> String {
    let who = if cx.who.is_owner() {
        cx.tr(
            "open /admin → Setup → «💳 Taking payments» and send the token from @BotFather \
             (your bot → Payments → YooKassa).",
            "откройте /admin → «Настройка» → «💳 Приём оплаты» и пришлите токен из @BotFather \
             (ваш бот → Payments → ЮKassa).",
        )
    } else {
        cx.tr(
            "ask the owner to connect it in «💳 Taking payments».",
            "попросите владельца подключить её в разделе «💳 Приём оплаты».",
        )
    };
    format!(
        "{} {who}",
        cx.tr(
            "The bot cannot take payments yet: to ask for prepayment,",
            "Бот пока не принимает оплату. Чтобы брать предоплату,",
        )
    )
}

async fn ask_fixed(cx: &Cx<'_, Acting>, id: ServiceId) -> Result<Reply, BotError> {
    input::set(cx.app, cx.chat, &Pending::ServiceDeposit { service: id }).await?;
    Ok(Reply::screen(
        cx.tr(
            "💳 Send the deposit as a sum, e.g. 500 or 1 000 (/admin to leave)",
            "💳 Пришлите сумму залога, например 500 или 1 000 (/admin — выйти)",
        ),
        rows(vec![vec![button(
            cx.tr("◀ Back", "◀ Назад"),
            A::ServicePay(id),
        )]]),
    ))
}

/// The typed sum of a fixed deposit: more than zero and no more than the price.
pub async fn set_fixed(cx: &Cx<'_, Acting>, id: ServiceId, text: &str) -> Result<Reply, BotError> {
    let Some((s, currency)) = load(cx, id).await? else {
        input::clear(cx.app, cx.chat).await?;
        return Ok(no_service(cx));
    };
    let sum = match price(text) {
        Ok(p) if p.0 > 0 => p,
        Ok(_) => {
            return Ok(Reply::alert(cx.tr(
                "A deposit is more than zero; send a sum, e.g. 500.",
                "Залог должен быть больше нуля; пришлите сумму, например 500.",
            )));
        }
        Err(e) => return Ok(Reply::alert(e.say(cx.locale))),
    };
    if sum.0 > s.price.0 {
        return Ok(Reply::alert(format!(
            "{} ({}). {}",
            cx.tr(
                "The deposit is more than the price of the service",
                "Залог больше цены услуги",
            ),
            money(cx.locale, currency, s.price),
            cx.tr(
                "Send a smaller sum, or choose «Full price».",
                "Пришлите сумму поменьше или выберите «Вся стоимость».",
            ),
        )));
    }
    let terms = PaymentTerms {
        prepayment: Prepayment::Deposit(Deposit::Fixed(sum.0)),
        ..s.payment
    };
    input::clear(cx.app, cx.chat).await?;
    save(cx, id, &terms, Notice::Message).await
}
