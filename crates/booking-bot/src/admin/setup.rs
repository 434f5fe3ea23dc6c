//! Getting a new bot ready: the checklist `/admin` shows until customers can book (a service
//! someone gives, working hours) with a button to each missing step; the About screen's lines
//! (a few words, the address, the contacts); and the bot's links with a source tag, each with
//! its QR code for the front desk.

use crate::admin::roles::Acting;
use crate::runtime::context::Cx;
use bot_kit::TgBot;
use bot_kit::{Attachment, Reply};
use serde_json::json;
use storage::tenant::{
    about, catalogue, settings,
    setup::{self, Readiness},
};
use teloxide::{
    prelude::Requester as _,
    types::{InlineKeyboardButton, User},
};

use super::{
    audit,
    callback::{
        AdminAction as A,
        setup::{LinkTarget, ProfileField},
    },
    input::{self, Pending},
    keyboards::{button, rows},
    locale_of, qr, roles, schedule, sender,
    texts::tr,
};
use crate::{customer::deep_link::DeepLink, error::BotError, runtime::app::App};

/// The source tags the panel's links carry, so "bookings by source" tells a printed code
/// from a shared link.
const TAG_LINK: &str = "src_link";
const TAG_QR: &str = "src_qr";

/// `/admin` for an owner or admin: the checklist until the bot can take bookings, the panel
/// after.
pub async fn entry(cx: &Cx<'_, Acting>) -> Result<Reply, BotError> {
    let readiness = load(cx).await?;
    if readiness.takes_bookings() {
        return schedule::menu(cx).await;
    }
    checklist_with(cx, &readiness, None).await
}

/// The checklist, whatever the state (the panel's "Setup" button).
pub async fn checklist(cx: &Cx<'_, Acting>) -> Result<Reply, BotError> {
    let readiness = load(cx).await?;
    checklist_with(cx, &readiness, None).await
}

async fn load(cx: &Cx<'_, Acting>) -> Result<Readiness, BotError> {
    let mut tx = cx.tx().await?;
    let readiness = setup::readiness(&mut tx).await?;
    tx.commit().await?;
    Ok(readiness)
}

fn mark(done: bool) -> &'static str {
    if done { "✅" } else { "⬜" }
}

pub(super) async fn checklist_with(
    cx: &Cx<'_, Acting>,
    r: &Readiness,
    done: Option<&str>,
) -> Result<Reply, BotError> {
    let mut tx = cx.tx().await?;
    let profile = settings::profile(&mut tx).await?;
    let (name, currency) = (profile.name, profile.currency);
    tx.commit().await?;
    let mut text = String::new();
    if let Some(done) = done {
        text.push_str(done);
        text.push_str("\n\n");
    }
    text.push_str(&format!(
        "🚀 {} — {name}\n\n",
        cx.tr("Setting up the bot", "Настройка бота")
    ));
    text.push_str(if r.takes_bookings() {
        cx.tr(
            "✅ Customers can book now. Below are the rest of the steps and the bot's links.",
            "✅ Клиенты уже могут записываться. Ниже — остальные шаги и ссылки на бота.",
        )
    } else {
        cx.tr(
            "Customers can book once both of these are done:",
            "Клиенты смогут записываться, когда будут готовы оба пункта:",
        )
    });
    let service_line = match (r.service, r.staff, r.bookable_service) {
        (_, _, true) => cx.tr(
            "A service and a staff member who gives it",
            "Услуга и мастер, который её оказывает",
        ),
        (false, _, false) => cx.tr(
            "A service and a staff member who gives it: add a service first",
            "Услуга и мастер, который её оказывает: сначала добавьте услугу",
        ),
        (true, false, false) => cx.tr(
            "A service and a staff member who gives it: add a staff member",
            "Услуга и мастер, который её оказывает: добавьте мастера",
        ),
        (true, true, false) => cx.tr(
            "A service and a staff member who gives it: no staff member gives any service yet; \
             tick the services in a staff member's card",
            "Услуга и мастер, который её оказывает: пока ни один мастер не оказывает ни одной \
             услуги — отметьте услуги в карточке мастера",
        ),
    };
    text.push_str(&format!(
        "\n{} {service_line}\n{} {}\n\n{}\n{} {}\n{} {}\n{} {}",
        mark(r.bookable_service),
        mark(r.hours),
        cx.tr("Working hours", "Часы работы"),
        cx.tr(
            "For the \"About\" screen (optional, but customers look for it):",
            "Для экрана «О нас» (необязательно, но клиенты это ищут):",
        ),
        mark(r.description),
        cx.tr("A few words about you", "Пара слов о вас"),
        mark(r.address),
        cx.tr("Address", "Адрес"),
        mark(r.contacts),
        cx.tr("Contacts", "Контакты"),
    ));
    if !r.takes_bookings() {
        text.push_str("\n\n");
        text.push_str(cx.tr(
            "Press a button below for the next step; /admin shows this list again after each.",
            "Нажмите кнопку ниже, чтобы сделать следующий шаг; после каждого шага /admin снова \
             покажет этот список.",
        ));
    }
    let mut kb: Vec<Vec<InlineKeyboardButton>> = Vec::new();
    if !r.service {
        kb.push(vec![button(
            cx.tr("➕ Add a service", "➕ Добавить услугу"),
            A::ServiceNew,
        )]);
    } else if !r.staff {
        kb.push(vec![button(
            cx.tr("👤 Add a staff member", "👤 Добавить мастера"),
            A::StaffNew,
        )]);
    } else if !r.bookable_service {
        kb.push(vec![button(
            cx.tr("👤 Staff and their services", "👤 Мастера и их услуги"),
            A::StaffList,
        )]);
    }
    if !r.hours {
        kb.push(vec![button(
            cx.tr("🕘 Working hours", "🕘 Часы работы"),
            A::Hours(None),
        )]);
    }
    kb.push(vec![button(
        cx.tr("✏️ A few words about you", "✏️ Пара слов о вас"),
        A::ProfileEdit(ProfileField::Description),
    )]);
    kb.push(vec![
        button(
            cx.tr("📍 Address", "📍 Адрес"),
            A::ProfileEdit(ProfileField::Address),
        ),
        button(
            cx.tr("📞 Contacts", "📞 Контакты"),
            A::ProfileEdit(ProfileField::Contacts),
        ),
    ]);
    kb.push(vec![button(
        format!("💱 {}: {currency}", cx.tr("Currency", "Валюта")),
        A::ProfileEdit(ProfileField::Currency),
    )]);
    kb.push(vec![button(
        cx.tr("🔗 Links and QR codes", "🔗 Ссылки и QR-коды"),
        A::Links,
    )]);
    // Money is the owner's: an admin does not see the button (nor may press it).
    if cx.who.is_owner() {
        kb.push(vec![button(
            cx.tr("💳 Taking payments", "💳 Приём оплаты"),
            A::PayAccount,
        )]);
    }
    kb.push(vec![button(cx.tr("🏠 Panel", "🏠 Панель"), A::Menu)]);
    Ok(Reply::screen(text, rows(kb)))
}

/// What `/start` adds for the business's own people: that `/admin` is theirs and, while the
/// bot cannot take bookings, that it leads through the setup. `None` for customers. Their
/// command menu gets `/admin` on the way (it may have been missed while the bot was down).
pub async fn start_note(app: &App, bot: &TgBot, user: &User) -> Result<Option<String>, BotError> {
    let mut tx = app.tx().await?;
    let Some(admin) = roles::load(&mut tx, sender(user)).await? else {
        tx.commit().await?;
        return Ok(None);
    };
    let readiness = setup::readiness(&mut tx).await?;
    tx.commit().await?;
    super::commands::show_or_log(bot, admin.id).await;
    let l = locale_of(user);
    let who = if admin.is_owner() {
        tr(l, "the owner", "владелец")
    } else if admin.is_manager() {
        tr(l, "an admin", "администратор")
    } else {
        tr(l, "a staff member", "мастер")
    };
    let what = match (admin.is_manager(), readiness.takes_bookings()) {
        (true, false) => tr(
            l,
            "Customers cannot book yet: /admin shows what is left to set up and leads you through it.",
            "Клиенты пока не могут записаться: /admin покажет, что осталось настроить, и проведёт по шагам.",
        ),
        (true, true) => tr(
            l,
            "/admin opens the admin panel: the schedule, bookings, services, staff, the bot's links and QR codes.",
            "/admin открывает админ-панель: расписание, записи, услуги, мастера, ссылки на бота и QR-коды.",
        ),
        (false, _) => tr(
            l,
            "/admin opens your schedule and bookings.",
            "/admin открывает ваше расписание и записи.",
        ),
    };
    Ok(Some(format!(
        "🔐 {} {who}. {what}",
        tr(l, "In this bot you are", "В этом боте вы —"),
    )))
}

/// Asks for one About line, showing what is there now.
pub async fn profile_ask(cx: &Cx<'_, Acting>, field: ProfileField) -> Result<Reply, BotError> {
    let mut tx = cx.tx().await?;
    let facts = about::load(&mut tx).await?;
    tx.commit().await?;
    let (now, ask) = match field {
        ProfileField::Description => (
            facts.description,
            cx.tr(
                "✏️ Send a few words about your business: customers see them on the \"About\" \
                 screen. For example: A cosy salon in the centre; we have been cutting and \
                 colouring since 2015.",
                "✏️ Пришлите пару слов о вашем бизнесе — клиенты увидят их на экране «О нас». \
                 Например: Уютный салон в центре города, стрижём и окрашиваем с 2015 года.",
            ),
        ),
        ProfileField::Address => (
            facts.address,
            cx.tr(
                "📍 Send the address as customers should see it. For example: 7 Tverskaya St, \
                 2nd floor, Moscow.",
                "📍 Пришлите адрес так, как его увидят клиенты. Например: Москва, ул. Тверская, \
                 7, 2 этаж.",
            ),
        ),
        ProfileField::Currency => return super::currency::ask(cx).await,
        ProfileField::Contacts => (
            facts.contacts,
            cx.tr(
                "📞 Send your contacts: a phone, a website, social networks. For example: \
                 +7 999 123-45-67, @salon_anna.",
                "📞 Пришлите контакты: телефон, сайт, соцсети. Например: +7 999 123-45-67, \
                 @salon_anna.",
            ),
        ),
    };
    input::set(cx.app, cx.chat, &Pending::Profile { field }).await?;
    let now = now.map_or_else(
        || cx.tr("not set yet", "пока не задано").to_owned(),
        |v| format!("«{v}»"),
    );
    Ok(Reply::screen(
        format!(
            "{ask}\n\n{}: {now}\n{}",
            cx.tr("Now", "Сейчас"),
            cx.tr(
                "\"-\" removes it; /admin leaves without a change.",
                "«-» — удалить; /admin — выйти без изменений.",
            ),
        ),
        rows(vec![vec![button(
            cx.tr("◀ Setup", "◀ Настройка"),
            A::Setup,
        )]]),
    ))
}

/// Saves one About line ("-" clears it) and shows the checklist again.
pub async fn profile_set(
    cx: &Cx<'_, Acting>,
    field: ProfileField,
    text: &str,
) -> Result<Reply, BotError> {
    if field == ProfileField::Currency {
        return super::currency::set(cx, text).await;
    }
    let value = text.trim();
    if value.is_empty() {
        return Ok(Reply::alert(cx.tr(
            "⚠️ Send the text as a message, or /admin to leave.",
            "⚠️ Пришлите текст сообщением или /admin, чтобы выйти.",
        )));
    }
    let chars = value.chars().count();
    if chars > about::MAX_CHARS {
        return Ok(Reply::alert(format!(
            "{} {chars}/{}",
            cx.tr(
                "⚠️ Too long; please shorten it and send again:",
                "⚠️ Слишком длинно, сократите и пришлите снова:",
            ),
            about::MAX_CHARS
        )));
    }
    let value = if value == "-" { "" } else { value };
    let mut tx = cx.tx().await?;
    settings::set(&mut tx, field.setting(), value).await?;
    audit::record(
        cx,
        &mut tx,
        "profile.set",
        field.setting(),
        json!({ "cleared": value.is_empty() }),
    )
    .await?;
    let readiness = setup::readiness(&mut tx).await?;
    tx.commit().await?;
    input::clear(cx.app, cx.chat).await?;
    let done = match (field, value.is_empty()) {
        (_, true) => cx.tr("🗑 Removed.", "🗑 Удалено."),
        (ProfileField::Description, false) => cx.tr(
            "✅ Saved: customers see it on the \"About\" screen.",
            "✅ Сохранено: клиенты увидят это на экране «О нас».",
        ),
        (ProfileField::Address, false) => cx.tr("✅ Address saved.", "✅ Адрес сохранён."),
        (ProfileField::Contacts, false) => cx.tr("✅ Contacts saved.", "✅ Контакты сохранены."),
        (ProfileField::Currency, false) => cx.tr("✅ Saved.", "✅ Сохранено."),
    };
    checklist_with(cx, &readiness, Some(done)).await
}

/// `https://t.me/<bot>?start=<payload>`: what Telegram opens the bot with, `/start <payload>`.
fn link(username: &str, target: LinkTarget, tag: &str) -> String {
    let payload = match target {
        LinkTarget::Bot => tag.to_owned(),
        LinkTarget::Service(_) | LinkTarget::Staff(_) => format!("{target}-{tag}"),
    };
    // The bot reads back what the panel writes; a payload it would not follow is a bug here.
    debug_assert!(!DeepLink::parse(&payload).unknown, "{payload}");
    format!("https://t.me/{username}?start={payload}")
}

async fn username(cx: &Cx<'_, Acting>) -> Result<String, BotError> {
    let me = cx.bot.get_me().await?;
    Ok(me.username().to_owned())
}

/// What the links lead to: the bot, every service customers can book, every active staff
/// member who gives one; with their names.
async fn targets(cx: &Cx<'_, Acting>) -> Result<Vec<(LinkTarget, String)>, BotError> {
    let mut tx = cx.tx().await?;
    let services = catalogue::bookable_services(&mut tx).await?;
    let staff = catalogue::staff(&mut tx, false).await?;
    tx.commit().await?;
    let mut out = vec![(LinkTarget::Bot, cx.tr("The bot", "Бот").to_owned())];
    out.extend(
        services
            .into_iter()
            .map(|s| (LinkTarget::Service(s.id), s.name)),
    );
    out.extend(
        staff
            .into_iter()
            .filter(|m| !m.services.is_empty())
            .map(|m| (LinkTarget::Staff(m.id), m.name)),
    );
    Ok(out)
}

/// The bot's links, each with a button for its QR code.
pub async fn links(cx: &Cx<'_, Acting>) -> Result<Reply, BotError> {
    let username = username(cx).await?;
    let targets = targets(cx).await?;
    let mut text = format!(
        "🔗 {}\n\n{}\n",
        cx.tr("Links to the bot", "Ссылки на бота"),
        cx.tr(
            "Share a link or print its QR code: a customer who opens it goes straight to that \
             service or staff member. The tag at the end (src_link for links, src_qr for the \
             codes) shows in Analytics → \"Bookings by source\" where customers came from.",
            "Поделитесь ссылкой или распечатайте QR-код: клиент сразу попадёт к нужной услуге \
             или мастеру. Метка в конце ссылки (src_link у ссылок, src_qr у QR-кодов) покажет \
             в «Аналитика → Записи по источникам», откуда пришёл клиент.",
        ),
    );
    let mut kb = Vec::new();
    for (target, name) in &targets {
        text.push_str(&format!("\n{name}: {}", link(&username, *target, TAG_LINK)));
        kb.push(vec![button(format!("🔳 QR: {name}"), A::LinkQr(*target))]);
    }
    if targets.len() == 1 {
        text.push_str("\n\n");
        text.push_str(cx.tr(
            "Links to a service or a staff member appear once a staff member gives a service.",
            "Ссылки на услуги и мастеров появятся, когда мастер начнёт оказывать услугу.",
        ));
    }
    kb.push(vec![
        button(cx.tr("◀ Setup", "◀ Настройка"), A::Setup),
        button(cx.tr("🏠 Panel", "🏠 Панель"), A::Menu),
    ]);
    Ok(Reply::screen(text, rows(kb)))
}

/// One link's QR code as a picture, its link in the caption. A target that is gone (a forged
/// button, a service switched off since) gets a word instead.
pub async fn qr(cx: &Cx<'_, Acting>, target: LinkTarget) -> Result<Reply, BotError> {
    let targets = targets(cx).await?;
    let Some((_, name)) = targets.iter().find(|(t, _)| *t == target) else {
        return Ok(Reply::alert(cx.tr(
            "This service or staff member is not taking bookings now; open the links again.",
            "Эта услуга или мастер сейчас не принимает записи; откройте ссылки заново.",
        )));
    };
    let username = username(cx).await?;
    let url = link(&username, target, TAG_QR);
    let png = match qr::png(&url) {
        Ok(png) => png,
        Err(e) => {
            tracing::error!(error = %e, "a bot link did not fit in a QR code");
            return Ok(Reply::alert(cx.tr(
                "⚠️ This link does not fit in a QR code.",
                "⚠️ Эта ссылка не помещается в QR-код.",
            )));
        }
    };
    Ok(
        Reply::toast(cx.tr("QR code below 👇", "QR-код ниже 👇")).file(Attachment::Photo {
            name: format!("qr-{target}.png"),
            bytes: png,
            caption: format!("{name}\n{url}"),
        }),
    )
}

#[cfg(test)]
mod tests {
    use booking_core::ids::{ServiceId, StaffId};

    use super::*;

    #[test]
    fn links_carry_the_target_and_the_tag_the_bot_reads_back() {
        assert_eq!(
            link("salon_bot", LinkTarget::Bot, TAG_QR),
            "https://t.me/salon_bot?start=src_qr"
        );
        assert_eq!(
            link("salon_bot", LinkTarget::Service(ServiceId(3)), TAG_LINK),
            "https://t.me/salon_bot?start=s3-src_link"
        );
        let payload = link("salon_bot", LinkTarget::Staff(StaffId(2)), TAG_QR);
        let parsed = DeepLink::parse(payload.split_once("start=").unwrap().1);
        assert_eq!(parsed.staff, Some(StaffId(2)));
        assert_eq!(parsed.source.as_deref(), Some(TAG_QR));
    }
}
