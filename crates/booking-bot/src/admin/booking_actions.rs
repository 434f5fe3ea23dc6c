//! Changing one booking: done, no-show, cancel, move (customer notified), and creating one for a
//! customer who phoned in.

use crate::admin::roles::Acting;
use crate::runtime::context::Cx;
use booking_core::{
    booking::{Actor, BookingRejection, BookingStatus},
    ids::{BookingId, ServiceId, StaffId},
    locale::Locale,
    policy::Rules,
};
use storage::{
    TenantTx,
    tenant::{
        bookings::{
            self,
            model::{Booking, BookingRequest},
            service::{self, Caller, Cancellation},
        },
        catalogue, offline_customers, settings,
    },
};

use super::{
    callback::AdminAction as A,
    input::{self, Pending},
    keyboards::{button, column, rows},
    parse::{self, InputError, Shape},
    schedule::card,
    texts::{example, refused, when},
};
use crate::error::{BotError, split};
use bot_kit::Reply;

fn actor(cx: &Cx<'_, Acting>) -> Actor {
    Actor::Admin(cx.who.id)
}

/// The booking, if it exists and the admin may manage its staff member; otherwise the alert.
pub(super) async fn scoped(
    cx: &Cx<'_, Acting>,
    tx: &mut TenantTx,
    id: BookingId,
) -> Result<Result<Booking, Reply>, BotError> {
    match bookings::views::get(tx, id).await? {
        None => Ok(Err(Reply::alert(
            cx.tr("No such booking.", "Такой записи нет."),
        ))),
        Some(b) if !cx.who.may_manage(b.staff_id) => Ok(Err(Reply::alert(refused(cx.locale)))),
        Some(b) => Ok(Ok(b)),
    }
}

fn rejection(cx: &Cx<'_, Acting>, r: &BookingRejection) -> String {
    format!("{} {r}", cx.tr("⚠️ Not possible:", "⚠️ Невозможно:"))
}

/// Marks a visit done (`true`) or a no-show; only once it has started.
pub async fn outcome(cx: &Cx<'_, Acting>, id: BookingId, done: bool) -> Result<Reply, BotError> {
    let mut tx = cx.tx().await?;
    let b = match scoped(cx, &mut tx, id).await? {
        Ok(b) => b,
        Err(refusal) => return Ok(refusal),
    };
    let now = cx.app.now();
    if b.start > now {
        return Ok(Reply::alert(
            cx.tr("The visit has not started yet.", "Визит ещё не начался."),
        ));
    }
    let to = if done {
        BookingStatus::Completed
    } else {
        BookingStatus::NoShow
    };
    match split(service::mark_outcome(&mut tx, id, to, actor(cx), now).await)? {
        Ok(_) => {
            tx.commit().await?;
            card(cx, id).await
        }
        Err(r) => Ok(Reply::alert(rejection(cx, &r))),
    }
}

pub async fn cancel_ask(cx: &Cx<'_, Acting>, id: BookingId) -> Result<Reply, BotError> {
    let mut tx = cx.tx().await?;
    let b = match scoped(cx, &mut tx, id).await? {
        Ok(b) => b,
        Err(refusal) => return Ok(refusal),
    };
    let zone = settings::profile(&mut tx).await?.time_zone;
    tx.commit().await?;
    Ok(Reply::screen(
        format!(
            "{} #{id} {}? {}",
            cx.tr("Cancel booking", "Отменить запись"),
            when(cx.locale, zone, b.start),
            cx.tr(
                "The customer is told and offered the nearest free times.",
                "Клиент получит уведомление и ближайшее свободное время."
            )
        ),
        rows(vec![vec![
            button(cx.tr("Yes, cancel", "Да, отменить"), A::CancelYes(id)),
            button(cx.tr("No", "Нет"), A::Booking(id)),
        ]]),
    ))
}

pub async fn cancel(cx: &Cx<'_, Acting>, id: BookingId) -> Result<Reply, BotError> {
    let mut tx = cx.tx().await?;
    if let Err(refusal) = scoped(cx, &mut tx, id).await? {
        return Ok(refusal);
    }
    let by = Caller::staff(actor(cx));
    match split(service::cancel(&mut tx, id, &by, Cancellation::default(), cx.app.now()).await)? {
        Ok(_) => {
            tx.commit().await?;
            Ok(card(cx, id)
                .await?
                .with_alert(cx.tr("Cancelled.", "Отменено.")))
        }
        Err(r) => Ok(Reply::alert(rejection(cx, &r))),
    }
}

pub async fn move_ask(cx: &Cx<'_, Acting>, id: BookingId) -> Result<Reply, BotError> {
    let mut tx = cx.tx().await?;
    if let Err(refusal) = scoped(cx, &mut tx, id).await? {
        return Ok(refusal);
    }
    let zone = settings::profile(&mut tx).await?.time_zone;
    tx.commit().await?;
    let today = cx.app.now().with_timezone(&zone).date_naive();
    input::set(cx.app, cx.chat, &Pending::MoveTo { booking: id }).await?;
    Ok(Reply::screen(
        format!(
            "🔁 #{id}: {} {} 15:00 (/admin {})",
            cx.tr(
                "send the new date and time, e.g.",
                "пришлите новую дату и время, например"
            ),
            example(today, 1),
            cx.tr("to leave", "— выйти"),
        ),
        rows(vec![vec![button(
            cx.tr("◀ Back", "◀ Назад"),
            A::Booking(id),
        )]]),
    ))
}

pub async fn move_to(cx: &Cx<'_, Acting>, id: BookingId, text: &str) -> Result<Reply, BotError> {
    let mut tx = cx.tx().await?;
    match scoped(cx, &mut tx, id).await? {
        Ok(_) => {}
        Err(refusal) => {
            input::clear(cx.app, cx.chat).await?;
            return Ok(refusal);
        }
    };
    let now = cx.app.now();
    let zone = settings::profile(&mut tx).await?.time_zone;
    let start = match parse::start(text, zone, now.with_timezone(&zone).date_naive()) {
        Ok(s) => s,
        Err(e) => return Ok(Reply::alert(e.say(cx.locale))),
    };
    let by = Caller::staff(actor(cx));
    match split(service::reschedule(&mut tx, id, &by, start, now).await)? {
        Ok(_) => {
            tx.commit().await?;
            input::clear(cx.app, cx.chat).await?;
            Ok(card(cx, id)
                .await?
                .with_alert(cx.tr("Moved.", "Перенесено.")))
        }
        Err(r) => Ok(Reply::alert(rejection(cx, &r))),
    }
}

pub async fn phone_in_services(cx: &Cx<'_, Acting>) -> Result<Reply, BotError> {
    let mut tx = cx.tx().await?;
    let services = catalogue::services(&mut tx, false).await?;
    tx.commit().await?;
    let mut kb = column(
        services
            .into_iter()
            .map(|s| button(s.name, A::PhoneInService(s.id))),
    );
    kb.push(vec![button(cx.tr("🏠 Panel", "🏠 Панель"), A::Menu)]);
    Ok(Reply::screen(
        cx.tr(
            "➕ Phoned-in booking: which service?",
            "➕ Запись по телефону: какая услуга?",
        ),
        rows(kb),
    ))
}

pub async fn phone_in_staff(cx: &Cx<'_, Acting>, service: ServiceId) -> Result<Reply, BotError> {
    let mut tx = cx.tx().await?;
    let givers = catalogue::staff_for_service(&mut tx, service).await?;
    tx.commit().await?;
    let mut kb = column(
        givers
            .into_iter()
            .filter(|s| cx.who.may_manage(s.id))
            .map(|s| button(s.name, A::PhoneInStaff(service, s.id))),
    );
    kb.push(vec![button(cx.tr("◀ Back", "◀ Назад"), A::PhoneIn)]);
    Ok(Reply::screen(
        cx.tr("Which master?", "Какой мастер?"),
        rows(kb),
    ))
}

pub async fn phone_in_ask(
    cx: &Cx<'_, Acting>,
    service: ServiceId,
    staff: StaffId,
) -> Result<Reply, BotError> {
    let mut tx = cx.tx().await?;
    let zone = settings::profile(&mut tx).await?.time_zone;
    tx.commit().await?;
    let day = example(cx.app.now().with_timezone(&zone).date_naive(), 1);
    input::set(cx.app, cx.chat, &Pending::PhoneIn { service, staff }).await?;
    Ok(Reply::screen(
        match cx.locale {
            Locale::En => format!(
                "Send: date and time; name; phone — e.g. {day} 15:00; Maria; +7 900 123-45-67 (/admin to leave)."
            ),
            Locale::Ru => format!(
                "Пришлите: дату и время; имя; телефон — например: {day} 15:00; Мария; +7 900 123-45-67 (/admin — выйти)."
            ),
        },
        rows(vec![vec![button(
            cx.tr("◀ Back", "◀ Назад"),
            A::PhoneInService(service),
        )]]),
    ))
}

/// Books for a customer who phoned in, under staff rules (no notice, horizon or limit; hours,
/// blocks and overlaps still hold).
pub async fn phone_in(
    cx: &Cx<'_, Acting>,
    service: ServiceId,
    staff: StaffId,
    text: &str,
) -> Result<Reply, BotError> {
    let parts: Vec<&str> = text.split(';').map(str::trim).collect();
    let [when, name, phone] = parts.as_slice() else {
        return Ok(Reply::alert(
            InputError::Shape(Shape::PhoneIn).say(cx.locale),
        ));
    };
    let mut tx = cx.tx().await?;
    let now = cx.app.now();
    let zone = settings::profile(&mut tx).await?.time_zone;
    let parsed = parse::start(when, zone, now.with_timezone(&zone).date_naive())
        .and_then(|s| Ok((s, parse::name(name)?, parse::phone(phone)?)));
    let (start, name, phone) = match parsed {
        Ok(p) => p,
        Err(e) => return Ok(Reply::alert(e.say(cx.locale))),
    };
    let customer = offline_customers::find_or_create(&mut tx, &name, &phone).await?;
    let request = BookingRequest {
        customer,
        service,
        staff: Some(staff),
        start,
        source: Some("phone".to_owned()),
        actor: actor(cx),
        rules: Rules::Staff,
    };
    match split(bookings::service::book(&mut tx, &request, now).await)? {
        Ok(change) => {
            let b = change.booking;
            tx.commit().await?;
            input::clear(cx.app, cx.chat).await?;
            Ok(card(cx, b.id)
                .await?
                .with_alert(cx.tr("Booked.", "Записано.")))
        }
        Err(r) => Ok(Reply::alert(rejection(cx, &r))),
    }
}
