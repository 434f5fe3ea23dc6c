//! Paying at booking (issue 19): on Confirm, a service that asks for a deposit or the whole
//! price keeps the hold for its payment timeout and sends an invoice (Telegram Payments with
//! the tenant's provider token) instead of booking. The booking is made when the payment
//! arrives ([`super::checkout`]).

use std::{
    collections::BTreeSet,
    sync::{Mutex, OnceLock, PoisonError},
};

use booking_core::{
    booking::{BookingRejection, BookingStatus},
    catalogue::{Minutes, Price, Service},
    ids::{BookingId, TenantId},
    payment::{Due, PaidKind},
};
use bot_kit::Reply;
use chrono::Duration;
use secrecy::{ExposeSecret as _, SecretString};
use serde_json::json;
use storage::tenant::{
    bookings::{self, model::Booking},
    payments::{
        invoices::{self, Invoice},
        settings::{self, PaymentAccount},
    },
};
use teloxide::{payloads::SendInvoiceSetters as _, prelude::Requester as _, types::LabeledPrice};

use super::{
    common::{local, names, rejected},
    context::Visit,
    keyboards,
};
use crate::{customer::callback::CallbackData, error::BotError, runtime::context::Cx, texts::Key};

/// Telegram's limits on an invoice's title and description, in characters.
const TITLE_MAX: usize = 32;
const DESCRIPTION_MAX: usize = 255;
/// YooKassa's limit on a receipt item's description.
const RECEIPT_ITEM_MAX: usize = 128;

/// What the customer is asked to pay for the hold `id`, and with which account.
struct Asking {
    held: Booking,
    service: Service,
    due: Due,
    amount: u32,
    token: SecretString,
    account: PaymentAccount,
}

/// On Confirm: `Some(screen)` when the hold is to be paid first (the hold kept, the invoice
/// sent); `None` when the booking is made as before (the service asks for nothing, or the
/// business has no payment account: a service cannot demand money the business cannot take).
pub async fn ask(cx: &Cx<'_, Visit>, id: BookingId) -> Result<Option<Reply>, BotError> {
    let config = cx.who.session.config();
    // Most businesses ask for no money at all: no query for them.
    if config
        .services
        .iter()
        .all(|s| s.payment.prepayment.due(s.price.0).is_none())
    {
        return Ok(None);
    }
    let mut tx = cx.tx().await?;
    let Some(asking) = asking(cx, &mut tx, id).await? else {
        tx.commit().await?;
        return Ok(None);
    };
    let now = cx.app.now();
    let until = now + Duration::minutes(i64::from(asking.service.payment.timeout_min));
    let customer = cx.who.session.customer.id;
    let held = bookings::service::hold_for_payment(&mut tx, id, customer, until, cx.actor(), now);
    match crate::error::split(held.await)? {
        Ok(_) => {}
        Err(BookingRejection::SlotTaken) => {
            tx.rollback().await?;
            return super::booking::taken(cx, id).await.map(Some);
        }
        Err(r) => return Ok(Some(rejected(cx, &r))),
    }
    let currency = cx.who.session.profile.currency.code();
    let invoice = invoices::issue(&mut tx, id, asking.due, currency, until, now).await?;
    tx.commit().await?;

    let sent = send(cx, &asking, &invoice).await?;
    let mut tx = cx.tx().await?;
    invoices::set_message(&mut tx, invoice.id, i64::from(sent.0)).await?;
    tx.commit().await?;
    Ok(Some(screen(cx, &asking)))
}

/// Whether the booking's service asks for money at booking (whether or not the business can
/// take it yet).
pub fn asks_money(cx: &Cx<'_, Visit>, booking: &Booking) -> bool {
    due(cx, booking).is_some()
}

/// What the booking's service asks to be paid at booking, if anything.
fn due(cx: &Cx<'_, Visit>, booking: &Booking) -> Option<Due> {
    cx.who
        .session
        .config()
        .service(booking.service_id)
        .and_then(|s| s.payment.prepayment.due(booking.price.0))
}

/// The check screen's line for a service paid at booking, so that the customer knows before
/// «Подтвердить» what comes after it: «Предоплата 1 350 ₽ вносится здесь, в Telegram, после
/// «Подтвердить».». `None` when nothing is paid first.
pub fn confirm_note(cx: &Cx<'_, Visit>, booking: &Booking) -> Option<String> {
    let due = due(cx, booking)?;
    let t = cx.texts();
    Some(t.fill(
        Key::ConfirmPayNote,
        &[
            ("what", t.get(label_of(due.kind))),
            (
                "amount",
                &t.price(Price(due.amount_minor), cx.who.session.profile.currency),
            ),
        ],
    ))
}

/// The hold, its service and what is due, and the provider token; `None` when nothing is
/// to be paid first.
async fn asking(
    cx: &Cx<'_, Visit>,
    tx: &mut storage::TenantTx,
    id: BookingId,
) -> Result<Option<Asking>, BotError> {
    let Some(held) = bookings::views::get(tx, id).await?.filter(|b| {
        b.customer_id == cx.who.session.customer.id
            && matches!(b.status, BookingStatus::Held | BookingStatus::Expired)
    }) else {
        // Not a hold of theirs: the confirm path says why.
        return Ok(None);
    };
    let Some(service) = cx.who.session.config().service(held.service_id).cloned() else {
        return Ok(None);
    };
    let Some(due) = service.payment.prepayment.due(held.price.0) else {
        return Ok(None);
    };
    let Ok(amount) = u32::try_from(due.amount_minor) else {
        tracing::warn!(
            tenant = %cx.app.tenant,
            service = %service.id,
            "the sum due is beyond what Telegram can invoice; the service is booked without it"
        );
        return Ok(None);
    };
    let Some(key) = cx.app.secrets_key.as_ref() else {
        no_account_once(cx.app.tenant);
        return Ok(None);
    };
    let account = settings::load(tx, key).await?;
    let Some(token) = account.provider_token.clone() else {
        no_account_once(cx.app.tenant);
        return Ok(None);
    };
    Ok(Some(Asking {
        held,
        service,
        due,
        amount,
        token,
        account,
    }))
}

/// Warns once per tenant and process that a service asks for money the business cannot take.
fn no_account_once(tenant: TenantId) {
    static WARNED: OnceLock<Mutex<BTreeSet<TenantId>>> = OnceLock::new();
    let first = WARNED
        .get_or_init(Mutex::default)
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .insert(tenant);
    if first {
        tracing::warn!(
            %tenant,
            "a service asks for prepayment but the business has no payment provider token; \
             its bookings are made without payment"
        );
    }
}

/// Sends the invoice to the customer's chat; returns its message id.
async fn send(
    cx: &Cx<'_, Visit>,
    asking: &Asking,
    invoice: &Invoice,
) -> Result<teloxide::types::MessageId, BotError> {
    let t = cx.texts();
    let (_, staff) = names(cx, asking.held.service_id, asking.held.staff_id);
    let (date, time) = local(cx, asking.held.start);
    let description = t.fill(
        Key::InvoiceDescription,
        &[
            ("date", &date),
            ("time", &time),
            ("zone", &t.zone(cx.who.session.profile.time_zone)),
            ("staff", &staff),
        ],
    );
    let title = clip(&asking.service.name, TITLE_MAX);
    let label = t.get(label_of(asking.due.kind)).to_owned();
    let mut request = cx
        .bot
        .send_invoice(
            cx.chat,
            if title.is_empty() {
                label.clone()
            } else {
                title
            },
            clip(&description, DESCRIPTION_MAX),
            invoice.payload.as_str(),
            invoice.currency.clone(),
            [LabeledPrice::new(label, asking.amount)],
        )
        .provider_token(asking.token.expose_secret());
    if let Some(vat_code) = asking.account.vat_code {
        let phone = cx.who.session.customer.phone.as_deref();
        request = request.provider_data(receipt(asking, invoice, vat_code, phone).to_string());
        if phone.is_none() {
            // 54-FZ needs the buyer's e-mail or phone: Telegram asks for the e-mail.
            request = request.need_email(true).send_email_to_provider(true);
        }
    }
    Ok(request.await?.id)
}

/// The 54-FZ receipt YooKassa issues for the payment (`provider_data`).
fn receipt(
    asking: &Asking,
    invoice: &Invoice,
    vat_code: i16,
    phone: Option<&str>,
) -> serde_json::Value {
    let minor = invoice.amount_minor;
    let value = format!("{}.{:02}", minor / 100, minor % 100);
    let payment_mode = match asking.due.kind {
        PaidKind::Full => "full_prepayment",
        PaidKind::Deposit => "partial_prepayment",
    };
    let mut receipt = json!({
        "items": [{
            "description": clip(&asking.service.name, RECEIPT_ITEM_MAX),
            "quantity": "1.00",
            "amount": {"value": value, "currency": invoice.currency},
            "vat_code": vat_code,
            "payment_mode": payment_mode,
            "payment_subject": "service",
        }],
    });
    if let Some(phone) = phone {
        // E.164 without the plus, as YooKassa takes it.
        let digits: String = phone.chars().filter(char::is_ascii_digit).collect();
        receipt["customer"] = json!({ "phone": digits });
    }
    json!({ "receipt": receipt })
}

/// The confirm screen, now asking for the payment: what, how much, and how long the time is
/// held. "Other time" gives the hold back (and so voids the invoice).
fn screen(cx: &Cx<'_, Visit>, asking: &Asking) -> Reply {
    let t = cx.texts();
    let (service, staff) = names(cx, asking.held.service_id, asking.held.staff_id);
    let (date, time) = local(cx, asking.held.start);
    let currency = cx.who.session.profile.currency;
    let text = t.fill(
        Key::PayAsk,
        &[
            ("service", &service),
            ("staff", &staff),
            ("date", &date),
            ("time", &time),
            ("zone", &t.zone(cx.who.session.profile.time_zone)),
            ("what", t.get(label_of(asking.due.kind))),
            ("amount", &t.price(Price(asking.due.amount_minor), currency)),
            (
                "hold",
                &t.duration(Minutes::new(asking.service.payment.timeout_min)),
            ),
        ],
    );
    let day = asking
        .held
        .start
        .with_timezone(&cx.who.session.profile.time_zone)
        .date_naive();
    let keyboard = teloxide::types::InlineKeyboardMarkup::new([vec![keyboards::button(
        t.get(Key::BtnOtherTime),
        CallbackData::Day(day),
    )]]);
    Reply::screen(text, keyboard)
}

/// «Предоплата» / «Оплата».
const fn label_of(kind: PaidKind) -> Key {
    match kind {
        PaidKind::Deposit => Key::PayDeposit,
        PaidKind::Full => Key::PayFull,
    }
}

/// At most `max` characters of `s`.
fn clip(s: &str, max: usize) -> String {
    s.chars().take(max).collect()
}
