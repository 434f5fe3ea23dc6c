//! /start, the language (Telegram's, or chosen), the main menu, Help and About.

use crate::runtime::context::Cx;
use booking_core::locale::Locale;
use storage::tenant::{about, catalogue, customers};
use teloxide::types::{KeyboardRemove, ReplyMarkup};

use super::{context::Visit, deep_link::DeepLink, keyboards, state::State};
use crate::{
    error::BotError,
    runtime::telegram::spoken_locale,
    texts::{Key, Texts},
};
use bot_kit::{Outgoing, Reply};

/// /start: a first visit whose Telegram speaks one of our languages goes straight to the menu
/// in it; one whose Telegram does not chooses a language first; everyone else gets the menu.
pub async fn start(cx: &Cx<'_, Visit>) -> Result<Reply, BotError> {
    if cx.who.session.is_new() {
        leave_dialogue(cx).await?;
        match spoken_locale(cx.user) {
            Some(locale) => settle_language(cx, locale, None).await,
            None => Ok(language_screen(cx)),
        }
    } else {
        menu(cx).await
    }
}

/// Русский / English, greeting by name in the language Telegram suggests.
#[must_use]
pub fn language_screen(cx: &Cx<'_, Visit>) -> Reply {
    let text = cx.texts().fill(
        Key::ChooseLanguage,
        &[("name", &cx.who.session.customer.first_name)],
    );
    Reply::screen(text, keyboards::languages())
}

/// The Русский / English button: a first visit through a deep link goes on where the link
/// pointed (it waited in [`State::Welcome`]).
pub async fn choose_language(cx: &Cx<'_, Visit>, locale: Locale) -> Result<Reply, BotError> {
    let link = match cx.who.state {
        State::Welcome { service, staff } => Some(DeepLink {
            service,
            staff,
            ..Default::default()
        }),
        _ => None,
    };
    settle_language(cx, locale, link.as_ref()).await
}

/// Stores the language and shows the menu in it, or follows `link` in it; a first visit is
/// also offered to share a phone number.
pub async fn settle_language(
    cx: &Cx<'_, Visit>,
    locale: Locale,
    link: Option<&DeepLink>,
) -> Result<Reply, BotError> {
    let mut tx = cx.tx().await?;
    customers::set_locale(&mut tx, cx.who.session.customer.id, locale).await?;
    tx.commit().await?;
    cx.app.customers.forget(cx.sender());
    let t = cx.texts().in_locale(locale);
    let mut reply = match link {
        Some(link) => {
            let mut session = cx.who.session.clone();
            session.texts = t.clone();
            session.customer.locale = Some(locale);
            let mut chosen = cx.with_state(State::Idle);
            chosen.who.session = session;
            chosen.locale = locale;
            super::deep_link::follow(&chosen, link).await?
        }
        None => menu_screen(cx, &t),
    };
    if cx.who.session.is_new() && cx.who.session.customer.phone.is_none() {
        reply.others.push(Outgoing {
            chat: cx.who.dialogue.chat_id(),
            text: t.get(Key::AskPhone).to_owned(),
            markup: Some(ReplyMarkup::Keyboard(keyboards::share_phone(&t))),
        });
    }
    Ok(reply)
}

/// /phone: the number can be shared at any time, also after skipping it on the first visit.
#[must_use]
pub fn ask_phone(cx: &Cx<'_, Visit>) -> Reply {
    let t = cx.texts();
    Reply {
        others: vec![Outgoing {
            chat: cx.who.dialogue.chat_id(),
            text: t.get(Key::AskPhone).to_owned(),
            markup: Some(ReplyMarkup::Keyboard(keyboards::share_phone(t))),
        }],
        ..Reply::default()
    }
}

/// Thanks (or "all right"), the phone keyboard removed.
#[must_use]
pub fn phone_done(cx: &Cx<'_, Visit>, key: Key) -> Reply {
    let t = cx.texts();
    let chat = cx.who.dialogue.chat_id();
    Reply {
        others: vec![
            Outgoing {
                chat,
                text: t.get(key).to_owned(),
                markup: Some(ReplyMarkup::KeyboardRemove(KeyboardRemove::new())),
            },
            Outgoing {
                chat,
                text: t.fill(Key::Menu, &[("business", &cx.who.session.profile.name)]),
                markup: Some(ReplyMarkup::InlineKeyboard(keyboards::main_menu(t))),
            },
        ],
        ..Reply::default()
    }
}

/// The main menu; leaves any booking in progress.
pub async fn menu(cx: &Cx<'_, Visit>) -> Result<Reply, BotError> {
    leave_dialogue(cx).await?;
    Ok(menu_screen(cx, cx.texts()))
}

fn menu_screen(cx: &Cx<'_, Visit>, t: &Texts) -> Reply {
    let text = t.fill(Key::Menu, &[("business", &cx.who.session.profile.name)]);
    Reply::screen(text, keyboards::main_menu(t))
}

pub async fn help(cx: &Cx<'_, Visit>) -> Result<Reply, BotError> {
    let t = cx.texts();
    Ok(Reply::screen(t.get(Key::Help), keyboards::to_menu(t)))
}

/// The services with durations and prices, the address, contacts and opening hours.
pub async fn about(cx: &Cx<'_, Visit>) -> Result<Reply, BotError> {
    let t = cx.texts();
    let mut tx = cx.tx().await?;
    let services = catalogue::bookable_services(&mut tx).await?;
    let facts = about::load(&mut tx).await?;
    tx.commit().await?;
    let mut text = t.fill(
        Key::AboutTitle,
        &[("business", &cx.who.session.profile.name)],
    );
    for s in &services {
        text.push_str(&format!(
            "\n• {} — {}, {}",
            s.name,
            t.duration(s.timing.duration),
            t.price(s.price, cx.who.session.profile.currency)
        ));
    }
    if services.is_empty() {
        text.push('\n');
        text.push_str(t.get(Key::NoServices));
    }
    if let Some(description) = &facts.description {
        text.push_str("\n\n");
        text.push_str(description);
    }
    if let Some(address) = &facts.address {
        text.push_str("\n\n");
        text.push_str(&t.fill(Key::AboutAddress, &[("address", address)]));
    }
    if let Some(contacts) = &facts.contacts {
        text.push('\n');
        text.push_str(&t.fill(Key::AboutContacts, &[("contacts", contacts)]));
    }
    text.push_str("\n\n");
    text.push_str(t.get(Key::AboutHours));
    for (day, ranges) in t.weekdays().iter().zip(&facts.hours) {
        let hours = if ranges.is_empty() {
            t.get(Key::DayOff).to_owned()
        } else {
            ranges
                .iter()
                .map(|(a, b)| format!("{}–{}", a.format("%H:%M"), b.format("%H:%M")))
                .collect::<Vec<_>>()
                .join(", ")
        };
        text.push_str(&format!("\n{day}: {hours}"));
    }
    Ok(Reply::screen(text, keyboards::to_menu(t)))
}

/// Back to `Idle`, giving back a held slot.
async fn leave_dialogue(cx: &Cx<'_, Visit>) -> Result<(), BotError> {
    if cx.who.state == State::Idle {
        return Ok(());
    }
    let mut tx = cx.tx().await?;
    cx.release_hold(&mut tx).await?;
    tx.commit().await?;
    cx.set_state(State::Idle).await
}
