//! Paying inside Telegram: the pre-checkout answer (within Telegram's 10 seconds) and the
//! successful payment, each one transaction of `storage::tenant::payments::checkout`; this
//! module only renders what they decided.

use std::sync::Arc;

use booking_core::catalogue::Price;
use bot_kit::{Reply, TgBot};
use chrono::Duration;
use storage::tenant::{
    bookings::{self, model::Booking},
    payments::{
        checkout::{self, Charge, Paying, Received, Refusal},
        refunds::Method,
        settings,
    },
};
use teloxide::{
    payloads::AnswerPreCheckoutQuerySetters as _,
    prelude::Requester as _,
    types::{Message, PreCheckoutQuery, SuccessfulPayment},
};

use super::{calendar::nearest, common::booking_screen, context::Visit, entry, state::State};
use crate::{
    error::{BotError, split},
    runtime::{app::App, context::Cx},
    texts::Key,
};

/// Telegram shows at most this many characters of a refusal.
const REFUSAL_MAX: usize = 255;
/// How many free times a refusal names, and how far ahead it looks for them.
const NEAREST_TIMES: usize = 3;
const NEAREST_DAYS: i64 = 14;

/// `pre_checkout_query`: the customer pressed Pay; answered `ok` only when the invoice is
/// ours, theirs, open, for this sum, and its time still held for them.
#[tracing::instrument(skip_all, fields(tenant = %app.tenant, user = %q.from.id))]
pub async fn on_pre_checkout(
    bot: TgBot,
    q: PreCheckoutQuery,
    app: Arc<App>,
    loaded: Visit,
) -> Result<(), BotError> {
    let open = loaded.open.clone();
    let result = async {
        let cx = loaded.ctx(&app, &bot, &q.from);
        let refusal = refusal(&cx, &q).await;
        (refusal, cx.texts().get(Key::Unavailable).to_owned())
    }
    .await;
    open.close();
    let (refusal, unavailable) = result;
    let answer = match &refusal {
        Ok(None) => bot.answer_pre_checkout_query(q.id.clone(), true),
        Ok(Some(why)) => bot
            .answer_pre_checkout_query(q.id.clone(), false)
            .error_message(clip(why)),
        Err(_) => bot
            .answer_pre_checkout_query(q.id.clone(), false)
            .error_message(clip(&unavailable)),
    };
    let answered = answer.await.map(|_| ()).map_err(BotError::from);
    match refusal {
        Err(e) => Err(e),
        Ok(_) => answered,
    }
}

/// Why the customer may not pay, or `None` when they may.
async fn refusal(cx: &Cx<'_, Visit>, q: &PreCheckoutQuery) -> Result<Option<String>, BotError> {
    let t = cx.texts();
    let paying = paying(cx, &q.invoice_payload, &q.currency, q.total_amount);
    let mut tx = cx.tx().await?;
    let checked = checkout::pre_check(&mut tx, &paying, cx.app.now()).await?;
    let why = match checked {
        Ok(_) => None,
        Err(Refusal::Unknown) => Some(t.get(Key::PayUnknown).to_owned()),
        Err(Refusal::WrongSum) => Some(t.get(Key::PayWrongSum).to_owned()),
        Err(Refusal::AlreadyPaid) => Some(t.get(Key::PayAlreadyPaid).to_owned()),
        Err(Refusal::Replaced) => Some(t.get(Key::PayReplaced).to_owned()),
        Err(Refusal::Rejected(r)) => Some(t.rejection(&r)),
        Err(Refusal::Taken(booking)) => Some(taken(cx, &mut tx, &booking).await?),
    };
    tx.commit().await?;
    Ok(why)
}

/// "This time was taken meanwhile. The nearest free times: …", short enough for Telegram.
async fn taken(
    cx: &Cx<'_, Visit>,
    tx: &mut storage::TenantTx,
    booking: &Booking,
) -> Result<String, BotError> {
    let t = cx.texts();
    let zone = cx.who.session.profile.time_zone;
    let from = cx.app.now().with_timezone(&zone).date_naive();
    let config = cx.who.session.config();
    let slots = split(
        bookings::slots::free_in(
            tx,
            config,
            booking.service_id,
            None,
            from,
            from + Duration::days(NEAREST_DAYS),
            cx.app.now(),
        )
        .await,
    )?
    .unwrap_or_default();
    let mut starts: Vec<_> = slots.iter().map(|s| s.start).collect();
    starts.dedup();
    if starts.is_empty() {
        return Ok(t.get(Key::PayTakenNoTimes).to_owned());
    }
    let times = starts
        .iter()
        .take(NEAREST_TIMES)
        .map(|s| s.with_timezone(&zone).format("%d.%m %H:%M").to_string())
        .collect::<Vec<_>>()
        .join(", ");
    Ok(t.fill(Key::PayTaken, &[("times", &times)]))
}

/// `message.successful_payment`: recorded once, then the booking is confirmed, or the
/// payment is recorded as late or duplicate and given back.
#[tracing::instrument(skip_all, fields(tenant = %app.tenant, chat = %msg.chat.id))]
pub async fn on_paid(
    bot: TgBot,
    msg: Message,
    app: Arc<App>,
    loaded: Visit,
) -> Result<(), BotError> {
    let (Some(user), Some(paid)) = (msg.from.as_ref(), msg.successful_payment()) else {
        return Ok(());
    };
    let open = loaded.open.clone();
    let result = async {
        let cx = loaded.ctx(&app, &bot, user);
        received(&cx, paid).await
    }
    .await;
    open.close();
    entry::send(&bot, msg.chat.id, user, result).await
}

async fn received(cx: &Cx<'_, Visit>, paid: &SuccessfulPayment) -> Result<Reply, BotError> {
    let t = cx.texts();
    let mut tx = cx.tx().await?;
    let refund_by = refund_method(cx, &mut tx).await?;
    let charge = Charge {
        paying: paying(cx, &paid.invoice_payload, &paid.currency, paid.total_amount),
        telegram_charge_id: &paid.telegram_payment_charge_id.0,
        provider_charge_id: &paid.provider_payment_charge_id,
    };
    let received = checkout::receive(&mut tx, &charge, refund_by, cx.app.now()).await?;
    let currency = cx.who.session.profile.currency;
    let reply = match received {
        Received::Unknown => {
            // Telegram charges only after the bot said yes at pre-checkout, which an unknown
            // payload never gets: this is for a person to look into.
            tracing::error!("a successful payment names no invoice of this customer");
            Reply::nothing()
        }
        // A redelivered update: recorded and answered the first time.
        Received::AlreadyRecorded(_) => Reply::nothing(),
        Received::Applied { payment, change } => {
            let amount = t.price(Price(payment.amount_minor), currency);
            let mut screen = booking_screen(cx, Key::PaidBooked, &change.booking);
            if let Some(s) = screen.screen.as_mut() {
                s.text = s.text.replace("{amount}", &amount);
            }
            cx.set_state(State::Idle).await?;
            super::calendar_file::with_button(cx, screen, change.booking.id)
        }
        Received::Duplicate { payment, .. } => {
            let amount = t.price(Price(payment.amount_minor), currency);
            Reply::screen(
                t.fill(Key::PaidTwice, &[("amount", &amount)]),
                super::keyboards::to_menu(t),
            )
        }
        Received::Late {
            payment, booking, ..
        } => {
            let amount = t.price(Price(payment.amount_minor), currency);
            let day = booking
                .start
                .with_timezone(&cx.who.session.profile.time_zone)
                .date_naive();
            let mut screen = nearest(cx, &mut tx, booking.service_id, None, day).await?;
            if let Some(s) = screen.screen.as_mut() {
                let late = t.fill(Key::PaidLate, &[("amount", &amount)]);
                s.text = format!("{late}\n{}", s.text);
            }
            cx.set_state(State::ChoosingTime {
                service: booking.service_id,
                staff: None,
                from: None,
            })
            .await?;
            screen
        }
    };
    tx.commit().await?;
    Ok(reply)
}

/// Through YooKassa when the business gave its shop, otherwise by the owner's hand.
async fn refund_method(cx: &Cx<'_, Visit>, tx: &mut storage::TenantTx) -> Result<Method, BotError> {
    let Some(key) = cx.app.secrets_key.as_ref() else {
        return Ok(Method::ByHand);
    };
    let account = settings::load(tx, key).await?;
    Ok(if account.shop.is_some() {
        Method::Yookassa
    } else {
        Method::ByHand
    })
}

fn paying<'a>(cx: &Cx<'_, Visit>, payload: &'a str, currency: &'a str, total: u32) -> Paying<'a> {
    Paying {
        payload,
        currency,
        total_minor: i64::from(total),
        customer: cx.who.session.customer.id,
        actor: cx.actor(),
    }
}

fn clip(s: &str) -> String {
    s.chars().take(REFUSAL_MAX).collect()
}
