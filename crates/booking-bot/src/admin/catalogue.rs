//! The catalogue: services (name, description, duration, interval, buffers, price, on/off,
//! order) and staff (name, services they give, own hours, on/off, order). Nothing is deleted:
//! switching off stops new bookings and keeps every booking and its history.

use crate::admin::roles::Acting;
use crate::runtime::context::Cx;
use booking_core::{
    catalogue::{CatalogueError, Minutes, Price, Seats, ServiceTiming, checked_name},
    ids::ServiceId,
};
use serde_json::json;
use storage::tenant::{
    catalogue::{self, NewService},
    catalogue_admin::{self, Kind, ServiceField},
    settings,
};

use super::{
    audit,
    callback::{AdminAction as A, choices::Field},
    input::{self, Pending},
    keyboards::{button, column, rows},
    parse::{self, InputError, Shape},
    texts::{duration, money},
};
use crate::error::BotError;
use bot_kit::Reply;

pub(super) fn on_off(active: bool) -> &'static str {
    if active { "✅" } else { "🚫" }
}

/// "1500", "1500.5", "1500.50" → minor units.
pub fn price(s: &str) -> Result<Price, InputError> {
    let s = s.trim();
    let bad = || InputError::Price(s.to_owned());
    // "1 500", "1500 ₽", "1500 руб." are how people write prices.
    let digits: String = s
        .trim_end_matches(['₽', '.'])
        .trim_end_matches("руб")
        .trim_end_matches("р")
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    let (whole, frac) = digits.split_once(['.', ',']).unwrap_or((&digits, ""));
    if whole.is_empty()
        || frac.len() > 2
        || !whole
            .bytes()
            .chain(frac.bytes())
            .all(|b| b.is_ascii_digit())
    {
        return Err(bad());
    }
    let whole: i64 = whole.parse().map_err(|_| bad())?;
    let frac: i64 = if frac.is_empty() {
        0
    } else {
        format!("{frac:0<2}").parse().map_err(|_| bad())?
    };
    whole
        .checked_mul(100)
        .and_then(|w| w.checked_add(frac))
        .map(Price)
        .ok_or_else(bad)
}

fn minutes(s: &str) -> Result<Minutes, InputError> {
    parse::duration(s)
}

const fn field_label(cx: &Cx<'_, Acting>, f: Field) -> &'static str {
    match f {
        Field::Name => cx.tr("Name", "Название"),
        Field::Description => cx.tr("Description", "Описание"),
        Field::Duration => cx.tr("Duration", "Длительность"),
        Field::Interval => cx.tr("Slot interval", "Шаг записи"),
        Field::BufferBefore => cx.tr("Buffer before", "Пауза до"),
        Field::BufferAfter => cx.tr("Buffer after", "Пауза после"),
        Field::Price => cx.tr("Price", "Цена"),
        Field::Seats => cx.tr("Group seats", "Мест в группе"),
    }
}

pub async fn services(cx: &Cx<'_, Acting>) -> Result<Reply, BotError> {
    let mut tx = cx.tx().await?;
    let list = catalogue::services(&mut tx, true).await?;
    let currency = settings::profile(&mut tx).await?.currency;
    tx.commit().await?;
    let mut kb = column(list.iter().map(|s| {
        button(
            format!(
                "{} {} ({}, {})",
                on_off(s.active),
                s.name,
                duration(cx.locale, s.timing.duration),
                money(cx.locale, currency, s.price)
            ),
            A::Service(s.id),
        )
    }));
    kb.push(vec![
        button(cx.tr("➕ New service", "➕ Новая услуга"), A::ServiceNew),
        button(cx.tr("👥 Staff", "👥 Мастера"), A::StaffList),
    ]);
    kb.push(vec![button(cx.tr("🏠 Panel", "🏠 Панель"), A::Menu)]);
    Ok(Reply::screen(cx.tr("🧾 Services", "🧾 Услуги"), rows(kb)))
}

pub async fn service(cx: &Cx<'_, Acting>, id: ServiceId) -> Result<Reply, BotError> {
    let mut tx = cx.tx().await?;
    let Some(s) = catalogue::service(&mut tx, id).await? else {
        return Ok(Reply::alert(cx.tr("No such service.", "Такой услуги нет.")));
    };
    let currency = settings::profile(&mut tx).await?.currency;
    tx.commit().await?;
    let t = s.timing;
    let description = if s.description.is_empty() {
        cx.tr("(no description)", "(без описания)")
    } else {
        &s.description
    };
    let seats = s.seats.map_or_else(
        || cx.tr("individual", "индивидуально").to_owned(),
        |n| n.get().to_string(),
    );
    let prepayment = super::payment_terms::describe(cx, &s.payment, s.price, currency);
    let text = format!(
        "{} {}\n{description}\n{}: {}\n{}: {}\n{}: {} / {}\n{}: {}\n{}: {seats}\n{}: {prepayment}",
        on_off(s.active),
        s.name,
        field_label(cx, Field::Duration),
        duration(cx.locale, t.duration),
        field_label(cx, Field::Interval),
        duration(cx.locale, t.interval),
        cx.tr("Buffers before / after", "Паузы до / после"),
        duration(cx.locale, t.buffer_before),
        duration(cx.locale, t.buffer_after),
        field_label(cx, Field::Price),
        money(cx.locale, currency, s.price),
        field_label(cx, Field::Seats),
        cx.tr("Prepayment", "Предоплата"),
    );
    let mut kb: Vec<Vec<_>> = Field::ALL
        .chunks(2)
        .map(|pair| {
            pair.iter()
                .map(|f| {
                    button(
                        format!("✏️ {}", field_label(cx, *f)),
                        A::ServiceEdit(id, *f),
                    )
                })
                .collect()
        })
        .collect();
    kb.push(vec![button(
        cx.tr("💳 Prepayment", "💳 Предоплата"),
        A::ServicePay(id),
    )]);
    kb.push(vec![
        button("⬆️", A::ServiceUp(id)),
        button(
            if s.active {
                cx.tr("🚫 Switch off", "🚫 Отключить")
            } else {
                cx.tr("✅ Switch on", "✅ Включить")
            },
            A::ServiceToggle(id),
        ),
    ]);
    kb.push(vec![button(cx.tr("◀ Services", "◀ Услуги"), A::Services)]);
    Ok(Reply::screen(text, rows(kb)))
}

pub async fn service_toggle(cx: &Cx<'_, Acting>, id: ServiceId) -> Result<Reply, BotError> {
    let mut tx = cx.tx().await?;
    let Some(s) = catalogue::service(&mut tx, id).await? else {
        return Ok(Reply::alert(cx.tr("No such service.", "Такой услуги нет.")));
    };
    catalogue_admin::set_active(&mut tx, Kind::Service, id.get(), !s.active).await?;
    audit::record(
        cx,
        &mut tx,
        "service.active",
        format!("service:{id}"),
        json!({ "active": !s.active }),
    )
    .await?;
    tx.commit().await?;
    service(cx, id).await
}

pub async fn service_up(cx: &Cx<'_, Acting>, id: ServiceId) -> Result<Reply, BotError> {
    let mut tx = cx.tx().await?;
    let moved = catalogue_admin::move_up(&mut tx, Kind::Service, id.get()).await?;
    if moved {
        audit::record(
            cx,
            &mut tx,
            "service.reorder",
            format!("service:{id}"),
            json!({}),
        )
        .await?;
    }
    tx.commit().await?;
    // The list may look the same either way: the toast says what the press did.
    Ok(services(cx).await?.with_toast(if moved {
        cx.tr("Moved up.", "Поднято выше.")
    } else {
        cx.tr("Already first.", "Уже первая в списке.")
    }))
}

pub async fn service_edit_ask(
    cx: &Cx<'_, Acting>,
    id: ServiceId,
    field: Field,
) -> Result<Reply, BotError> {
    input::set(
        cx.app,
        cx.chat,
        &Pending::ServiceEdit { service: id, field },
    )
    .await?;
    let hint = match field {
        Field::Name => cx.tr("1 to 100 characters", "от 1 до 100 символов"),
        Field::Description => cx.tr("text, or - for none", "текст или - чтобы убрать"),
        Field::Price => cx.tr("e.g. 1500 or 1500.50", "например 1500 или 1500,50"),
        Field::Seats => cx.tr(
            "how many customers one class takes, e.g. 10; - for an individual service",
            "сколько клиентов в одной группе, например 10; «-» — индивидуальная услуга",
        ),
        _ => cx.tr("e.g. 45, 1 h, 1 h 30 min", "например 45, 1 час, 1 ч 30 мин"),
    };
    Ok(Reply::screen(
        format!(
            "✏️ {}: {hint} (/admin {})",
            field_label(cx, field),
            cx.tr("to leave", "— выйти")
        ),
        rows(vec![vec![button(
            cx.tr("◀ Back", "◀ Назад"),
            A::Service(id),
        )]]),
    ))
}

fn field_value(field: Field, text: &str) -> Result<ServiceField, InputError> {
    Ok(match field {
        Field::Name => ServiceField::Name(checked_name(text)?),
        Field::Description => {
            let d = if text.trim() == "-" {
                String::new()
            } else {
                text.trim().to_owned()
            };
            if d.chars().count() > 500 {
                return Err(InputError::TooLong(500));
            }
            ServiceField::Description(d)
        }
        Field::Duration => ServiceField::Duration(minutes(text)?),
        Field::Interval => ServiceField::Interval(minutes(text)?),
        Field::BufferBefore => ServiceField::BufferBefore(minutes(text)?),
        Field::BufferAfter => ServiceField::BufferAfter(minutes(text)?),
        Field::Price => ServiceField::Price(price(text)?),
        Field::Seats => ServiceField::Seats(seats(text)?),
    })
}

/// "10" seats, or "-" (or "0") for an individual service.
fn seats(text: &str) -> Result<Option<Seats>, InputError> {
    let text = text.trim();
    if text == "-" || text == "0" {
        return Ok(None);
    }
    let n: i64 = text.parse().map_err(|_| CatalogueError::BadSeats)?;
    Ok(Some(Seats::new(n)?))
}

pub async fn service_edit(
    cx: &Cx<'_, Acting>,
    id: ServiceId,
    field: Field,
    text: &str,
) -> Result<Reply, BotError> {
    let mut tx = cx.tx().await?;
    let Some(current) = catalogue::service(&mut tx, id).await? else {
        input::clear(cx.app, cx.chat).await?;
        return Ok(Reply::alert(cx.tr("No such service.", "Такой услуги нет.")));
    };
    let value = match field_value(field, text) {
        Ok(v) => v,
        Err(e) => return Ok(Reply::alert(e.say(cx.locale))),
    };
    // The timing must stay coherent as a whole (duration, interval and buffers together).
    let t = current.timing;
    let timing = match &value {
        ServiceField::Duration(m) => Some(ServiceTiming::new(
            *m,
            t.interval,
            t.buffer_before,
            t.buffer_after,
        )),
        ServiceField::Interval(m) => Some(ServiceTiming::new(
            t.duration,
            *m,
            t.buffer_before,
            t.buffer_after,
        )),
        ServiceField::BufferBefore(m) => Some(ServiceTiming::new(
            t.duration,
            t.interval,
            *m,
            t.buffer_after,
        )),
        ServiceField::BufferAfter(m) => Some(ServiceTiming::new(
            t.duration,
            t.interval,
            t.buffer_before,
            *m,
        )),
        _ => None,
    };
    if let Some(Err(e)) = timing {
        return Ok(Reply::alert(InputError::from(e).say(cx.locale)));
    }
    catalogue_admin::update_service(&mut tx, id, &value).await?;
    audit::record(
        cx,
        &mut tx,
        "service.edit",
        format!("service:{id}"),
        json!({ "field": format!("{field:?}"), "value": text.trim() }),
    )
    .await?;
    tx.commit().await?;
    input::clear(cx.app, cx.chat).await?;
    Ok(service(cx, id)
        .await?
        .with_alert(cx.tr("Saved.", "Сохранено.")))
}

pub async fn service_new_ask(cx: &Cx<'_, Acting>) -> Result<Reply, BotError> {
    input::set(cx.app, cx.chat, &Pending::ServiceNew).await?;
    Ok(Reply::screen(
        cx.tr(
            "➕ Send: name; duration; price — e.g. Beard trim; 30 min; 800 or Colouring; 1 h 30 min; 4500 (/admin to leave)",
            "➕ Пришлите: название; длительность; цена — например: Стрижка бороды; 30 мин; 800 или Окрашивание; 1 ч 30 мин; 4500 (/admin — выйти)",
        ),
        rows(vec![vec![button(cx.tr("◀ Services", "◀ Услуги"), A::Services)]]),
    ))
}

pub async fn service_new(cx: &Cx<'_, Acting>, text: &str) -> Result<Reply, BotError> {
    let parts: Vec<&str> = text.split(';').map(str::trim).collect();
    let parsed = (|| {
        let [name, duration, cost] = parts.as_slice() else {
            return Err(InputError::Shape(Shape::Service));
        };
        let name = checked_name(name)?;
        let timing = ServiceTiming::simple(minutes(duration)?)?;
        Ok((name, timing, price(cost)?))
    })();
    let (name, timing, cost) = match parsed {
        Ok(p) => p,
        Err(e) => return Ok(Reply::alert(e.say(cx.locale))),
    };
    let mut tx = cx.tx().await?;
    let sort_order = catalogue_admin::next_sort_order(&mut tx, Kind::Service).await?;
    let created = catalogue::create_service(
        &mut tx,
        &NewService {
            name,
            description: String::new(),
            timing,
            price: cost,
            sort_order,
        },
    )
    .await?;
    audit::record(
        cx,
        &mut tx,
        "service.create",
        format!("service:{}", created.id),
        json!({ "name": created.name }),
    )
    .await?;
    tx.commit().await?;
    input::clear(cx.app, cx.chat).await?;
    Ok(service(cx, created.id)
        .await?
        .with_alert(cx.tr("Created.", "Создано.")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prices_are_read_in_minor_units() {
        assert_eq!(price("1500"), Ok(Price(150_000)));
        assert_eq!(price("1500.5"), Ok(Price(150_050)));
        assert_eq!(price("1500,05"), Ok(Price(150_005)));
        assert!(price("free").is_err());
        assert!(price("-5").is_err());
        assert!(price("1.234").is_err());
        assert_eq!(price("4 500 ₽"), Ok(Price(450_000)));
        assert_eq!(price("800 руб."), Ok(Price(80_000)));
    }
}
