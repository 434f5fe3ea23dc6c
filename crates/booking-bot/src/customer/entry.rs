//! Commands and typed messages: where a customer's update enters the flows, is rate limited,
//! gets its context, and is answered (or apologised to when storage is down).

use std::sync::Arc;

use booking_core::locale::Locale;
use storage::tenant::customers;
use teloxide::{
    prelude::*,
    types::{BotCommand, ChatId, ChatMemberUpdated, Message, User},
    utils::command::BotCommands,
};

use super::{
    booking,
    context::context,
    deep_link, keyboards, my_bookings,
    screen::{Outgoing, Reply, Screen},
    start,
    state::State,
    visit,
};
use crate::{
    error::BotError,
    runtime::{
        app::{App, TgBot},
        rate_limit::Admission,
        telegram::{default_locale, telegram_id},
    },
    texts::{Key, Texts},
};

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

pub async fn on_command(
    bot: TgBot,
    msg: Message,
    cmd: Command,
    app: Arc<App>,
) -> Result<(), BotError> {
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
pub async fn on_text(bot: TgBot, msg: Message, app: Arc<App>) -> Result<(), BotError> {
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
            keyboards::main_menu(t),
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
pub async fn on_membership(update: ChatMemberUpdated, app: Arc<App>) -> Result<(), BotError> {
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

/// A shared contact: saved when it is the customer's own.
#[tracing::instrument(skip_all, fields(tenant = %app.tenant, chat = %msg.chat.id))]
pub async fn on_contact(bot: TgBot, msg: Message, app: Arc<App>) -> Result<(), BotError> {
    let Some(user) = msg.from.as_ref() else {
        return Ok(());
    };
    let chat = msg.chat.id;
    let result = async {
        let cx = context(&app, user, chat, None).await?;
        let Some(contact) = msg.contact().filter(|c| c.user_id == Some(user.id)) else {
            return Ok(Reply::alert(cx.texts().get(Key::PhoneNotOwn)));
        };
        let mut tx = app.tx().await?;
        customers::set_phone(&mut tx, cx.session.customer.id, &contact.phone_number).await?;
        tx.commit().await?;
        Ok(start::phone_done(&cx, Key::PhoneSaved))
    }
    .await;
    send(&bot, chat, user, result).await
}

/// The command menu in each language.
#[must_use]
pub fn menu() -> Vec<(Locale, Vec<BotCommand>)> {
    Locale::ALL
        .into_iter()
        .map(|locale| {
            let t = Texts::new(locale);
            let commands = [
                ("start", Key::CmdStart),
                ("book", Key::CmdBook),
                ("my", Key::CmdMy),
                ("about", Key::CmdAbout),
                ("help", Key::CmdHelp),
                ("language", Key::CmdLanguage),
            ]
            .into_iter()
            .map(|(command, key)| BotCommand::new(command, t.get(key)))
            .collect();
            (locale, commands)
        })
        .collect()
}
