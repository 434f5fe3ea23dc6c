//! /start, the language choice, the main menu, Help and About.

use booking_core::locale::Locale;
use storage::tenant::{catalogue, customers};

use super::Ctx;
use crate::{
    error::BotError,
    keyboards,
    screen::{Reply, Screen},
    state::State,
    texts::{Key, Texts},
};

/// /start: a first visit chooses a language; everyone else gets the menu.
pub async fn start(cx: &Ctx<'_>) -> Result<Reply, BotError> {
    if cx.session.is_new() {
        leave_dialogue(cx).await?;
        Ok(language_screen(cx))
    } else {
        menu(cx).await
    }
}

/// Русский / English, greeting by name in the language Telegram suggests.
#[must_use]
pub fn language_screen(cx: &Ctx<'_>) -> Reply {
    let text = cx.texts().fill(
        Key::ChooseLanguage,
        &[("name", &cx.session.customer.first_name)],
    );
    Reply::screen(Screen::new(text, keyboards::languages()))
}

/// Stores the language and shows the menu in it.
pub async fn choose_language(cx: &Ctx<'_>, locale: Locale) -> Result<Reply, BotError> {
    let mut tx = cx.app.tx().await?;
    customers::set_locale(&mut tx, cx.session.customer.id, locale).await?;
    tx.commit().await?;
    Ok(menu_screen(cx, Texts::new(locale)))
}

/// The main menu; leaves any booking in progress.
pub async fn menu(cx: &Ctx<'_>) -> Result<Reply, BotError> {
    leave_dialogue(cx).await?;
    Ok(menu_screen(cx, cx.texts()))
}

fn menu_screen(cx: &Ctx<'_>, t: Texts) -> Reply {
    let text = t.fill(Key::Menu, &[("business", &cx.session.profile.name)]);
    Reply::screen(Screen::new(text, keyboards::main_menu(t)))
}

pub async fn help(cx: &Ctx<'_>) -> Result<Reply, BotError> {
    let t = cx.texts();
    Ok(Reply::screen(Screen::new(
        t.get(Key::Help),
        keyboards::to_menu(t),
    )))
}

/// The services with durations and prices.
pub async fn about(cx: &Ctx<'_>) -> Result<Reply, BotError> {
    let t = cx.texts();
    let mut tx = cx.app.tx().await?;
    let services = catalogue::services(&mut tx, false).await?;
    tx.commit().await?;
    let mut text = t.fill(Key::AboutTitle, &[("business", &cx.session.profile.name)]);
    for s in &services {
        text.push_str(&format!(
            "\n• {} — {}, {}",
            s.name,
            t.duration(s.timing.duration),
            s.price.decimal()
        ));
    }
    if services.is_empty() {
        text.push('\n');
        text.push_str(t.get(Key::NoServices));
    }
    Ok(Reply::screen(Screen::new(text, keyboards::to_menu(t))))
}

/// Back to `Idle`, giving back a held slot.
async fn leave_dialogue(cx: &Ctx<'_>) -> Result<(), BotError> {
    if cx.state == State::Idle {
        return Ok(());
    }
    let mut tx = cx.app.tx().await?;
    cx.release_hold(&mut tx).await?;
    tx.commit().await?;
    cx.set_state(State::Idle).await
}
