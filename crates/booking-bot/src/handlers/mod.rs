//! The handler tree and the routing of messages and button presses to small named steps.
//!
//! Each step takes a [`Ctx`] and returns a [`Reply`]; only the entry points (here, in
//! [`buttons`] and the contact handler) talk to the Bot API, so every button press is answered
//! (answerCallbackQuery) whatever the step did, and a database or Redis outage becomes a polite
//! "try again in a minute" in one place.

/// Book: service, staff, calendar, times, hold, confirm.
pub mod booking;
/// Button presses: parsed, routed, always answered.
pub mod buttons;
/// The calendar and time screens.
pub mod calendar;
/// Helpers every flow uses.
pub mod common;
/// /start with a deep link: preselection and source tags.
pub mod deep_link;
/// My bookings: list and cancel.
pub mod my_bookings;
/// Moving a booking through the same calendar.
pub mod reschedule;
/// /start, language, menu, help, about.
pub mod start;
/// Confirming a visit from its reminder, rating it afterwards.
pub mod visit;
/// Joining the waitlist of a full day and taking an offered time.
pub mod waitlist;

use std::sync::Arc;

use booking_core::{booking::Actor, ids::BookingId};
use storage::{
    TenantTx,
    tenant::{
        bookings::service::{self, Caller, Cancellation},
        customers,
    },
};
use teloxide::{
    adaptors::Throttle,
    dispatching::{UpdateFilterExt as _, UpdateHandler, dialogue::Dialogue},
    prelude::*,
    types::{ChatId, ChatMemberUpdated, Message, User},
    utils::command::BotCommands,
};

use crate::{
    app::App,
    dialogue_storage::TenantDialogues,
    error::BotError,
    rate_limit::Admission,
    screen::{Outgoing, Reply, Screen},
    session::{Session, default_locale, telegram_id},
    state::State,
    texts::{Key, Texts},
};

/// The bot as handlers use it: every call goes through one shared `Throttle`.
pub type TgBot = Throttle<teloxide::Bot>;

/// A customer's dialogue, stored per tenant.
pub type Dlg = Dialogue<State, TenantDialogues>;

/// The commands customers can type.
#[derive(BotCommands, Clone, Debug)]
#[command(rename_rule = "lowercase")]
pub enum Command {
    /// The main menu; a deep-link payload (`/start promo_x`) is recorded as the source.
    Start(String),
    Book,
    My,
    About,
    Help,
    Language,
}

/// The whole tree: private messages (commands first, then any text) and button presses.
#[must_use]
pub fn schema() -> UpdateHandler<BotError> {
    let messages = Update::filter_message()
        .filter(|m: Message| m.chat.is_private())
        .branch(dptree::filter(crate::admin::is_command).endpoint(crate::admin::on_command))
        .branch(
            dptree::entry()
                .filter_command::<Command>()
                .endpoint(on_command),
        )
        .branch(Message::filter_contact().endpoint(start::on_contact))
        .branch(dptree::filter_async(crate::admin::is_waiting).endpoint(crate::admin::on_text))
        .branch(dptree::endpoint(on_text));
    let presses = Update::filter_callback_query()
        .branch(dptree::filter(crate::admin::is_press).endpoint(crate::admin::on_callback))
        .endpoint(buttons::on_callback);
    let membership = Update::filter_my_chat_member().endpoint(on_membership);
    dptree::entry()
        .branch(messages)
        .branch(presses)
        .branch(membership)
}

/// Everything a step needs about the update.
pub struct Ctx<'a> {
    pub app: &'a App,
    pub session: Session,
    pub dialogue: Dlg,
    pub state: State,
    pub user: &'a User,
}

impl Ctx<'_> {
    #[must_use]
    pub const fn texts(&self) -> &Texts {
        &self.session.texts
    }

    #[must_use]
    pub fn actor(&self) -> Actor {
        Actor::Customer(telegram_id(self.user))
    }

    pub async fn set_state(&self, state: State) -> Result<(), BotError> {
        Ok(self.dialogue.update(state).await?)
    }

    /// Gives back a slot held on the confirm screen the customer is leaving, so it does not
    /// count against them or block others until it lapses.
    pub async fn release_hold(&self, tx: &mut TenantTx) -> Result<(), BotError> {
        if let State::Confirming { hold, .. } = self.state {
            release(self, tx, hold).await?;
        }
        Ok(())
    }
}

async fn release(cx: &Ctx<'_>, tx: &mut TenantTx, hold: BookingId) -> Result<(), BotError> {
    let result = service::cancel(
        tx,
        hold,
        &Caller::customer(cx.actor(), cx.session.customer.id),
        Cancellation {
            reason: Some("left the confirm screen".to_owned()),
            apology: false,
        },
        cx.app.now(),
    )
    .await;
    // Already confirmed, expired or gone: nothing to give back.
    crate::error::split(result)?.ok();
    Ok(())
}

pub(super) async fn context<'a>(
    app: &'a App,
    user: &'a User,
    chat: ChatId,
    source: Option<&str>,
) -> Result<Ctx<'a>, BotError> {
    let session = Session::load(app, user, source).await?;
    let dialogue = Dlg::new(app.dialogues.clone(), chat);
    let state = dialogue.get_or_default().await?;
    Ok(Ctx {
        app,
        session,
        dialogue,
        state,
        user,
    })
}

async fn on_command(bot: TgBot, msg: Message, cmd: Command, app: Arc<App>) -> Result<(), BotError> {
    let Some(user) = msg.from.as_ref() else {
        return Ok(());
    };
    let chat = msg.chat.id;
    if let Some(early) = limited(&app, user).await {
        return send(&bot, chat, user, Ok(early)).await;
    }
    let source = match &cmd {
        Command::Start(payload) => deep_link::DeepLink::parse(payload).source,
        _ => None,
    };
    let result = async {
        let cx = context(&app, user, chat, source.as_deref()).await?;
        match cmd {
            Command::Start(payload) => deep_link::start(&cx, &payload).await,
            Command::Book => booking::services(&cx).await,
            Command::My => my_bookings::list(&cx, None).await,
            Command::About => start::about(&cx).await,
            Command::Help => start::help(&cx).await,
            Command::Language => Ok(start::language_screen(&cx)),
        }
    }
    .await;
    send(&bot, chat, user, result).await
}

#[tracing::instrument(skip_all, fields(tenant = %app.tenant, chat = %msg.chat.id))]
async fn on_text(bot: TgBot, msg: Message, app: Arc<App>) -> Result<(), BotError> {
    let Some(user) = msg.from.as_ref() else {
        return Ok(());
    };
    let chat = msg.chat.id;
    if let Some(early) = limited(&app, user).await {
        return send(&bot, chat, user, Ok(early)).await;
    }
    let result = async {
        let cx = context(&app, user, chat, None).await?;
        let t = cx.texts();
        if msg.text() == Some(t.get(Key::BtnSkipPhone)) {
            return Ok(start::phone_done(&cx, Key::PhoneSkipped));
        }
        if let (State::Commenting { booking }, Some(text)) = (&cx.state, msg.text()) {
            return visit::comment(&cx, *booking, text).await;
        }
        Ok(Reply::screen(Screen::new(
            t.get(Key::NotUnderstood),
            crate::keyboards::main_menu(t),
        )))
    }
    .await;
    send(&bot, chat, user, result).await
}

/// Sends a step's screen as a new message, or the polite apology when storage is down.
pub(super) async fn send(
    bot: &TgBot,
    chat: ChatId,
    user: &User,
    result: Result<Reply, BotError>,
) -> Result<(), BotError> {
    let (reply, error) = match result {
        Ok(reply) => (reply, None),
        Err(e) => (apology(user), Some(e)),
    };
    if let Some(screen) = reply.screen {
        bot.send_message(chat, screen.text)
            .reply_markup(screen.keyboard)
            .await?;
    } else if let Some(notice) = reply.notice {
        bot.send_message(chat, notice).await?;
    }
    notify_others(bot, reply.notify).await;
    error.map_or(Ok(()), report)
}

/// A customer blocked the bot: marked, so reminders stop until they write again.
#[tracing::instrument(skip_all, fields(tenant = %app.tenant, user = %update.from.id))]
async fn on_membership(update: ChatMemberUpdated, app: Arc<App>) -> Result<(), BotError> {
    if !update.chat.is_private() || !update.new_chat_member.is_banned() {
        return Ok(());
    }
    let result = async {
        let mut tx = app.tx().await?;
        customers::mark_blocked(&mut tx, telegram_id(&update.from), app.now()).await?;
        tx.commit().await?;
        Ok(())
    }
    .await;
    result.or_else(report)
}

/// Sends further messages; one who cannot be reached (never started the bot, blocked it) does
/// not fail the customer's update.
pub(super) async fn notify_others(bot: &TgBot, messages: Vec<Outgoing>) {
    for m in messages {
        let mut request = bot.send_message(m.chat, m.text);
        if let Some(markup) = m.markup {
            request = request.reply_markup(markup);
        }
        if let Err(e) = request.await {
            tracing::warn!(chat = %m.chat, error = %e, "could not send a further message");
        }
    }
}

/// `Some` when the user is over the rate limit: the warning (once), then nothing at all.
pub(super) async fn limited(app: &App, user: &User) -> Option<Reply> {
    match app.admit(user).await {
        Admission::Allowed => None,
        Admission::Warn => Some(Reply::alert(
            Texts::new(default_locale(user)).get(Key::SlowDown),
        )),
        Admission::Ignore => Some(Reply::nothing()),
    }
}

/// "Try again in a minute", in the customer's Telegram language (their stored choice may be
/// exactly what could not be read).
pub(super) fn apology(user: &User) -> Reply {
    Reply::alert(Texts::new(default_locale(user)).get(Key::Unavailable))
}

/// An outage is expected and recovers by itself: logged, not raised. Anything else goes to the
/// dispatcher's error handler with its cause chain.
pub(super) fn report(e: BotError) -> Result<(), BotError> {
    if e.is_unavailable() {
        tracing::warn!(error = ?e, "storage unavailable; the customer was asked to retry");
        Ok(())
    } else {
        Err(e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tree_builds() {
        let _ = schema();
    }
}
